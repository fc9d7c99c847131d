/* AMD SVM: the MSRs, CPUID bits and per-CPU state the backend shares between its files. */
#ifndef HVM_SVM_H
#define HVM_SVM_H

#include <stdint.h>
#include <asm/percpu.h>

#define MSR_VM_CR           0xC0010114
#define VM_CR_SVMDIS        (1u << 4)     /* firmware turned SVM off */
#define MSR_VM_HSAVE_PA     0xC0010117
#define EFER_SVME           (1u << 12)

#define CPUID80000001_ECX_SVM (1u << 2)
#define CPUID8000000A_EDX_NP  (1u << 0)
#define CPUID8000000A_EDX_NRIPS (1u << 3)
#define CPUID8000000A_EDX_FLUSH_BY_ASID (1u << 6)
#define CPUID8000000A_EDX_DECODE_ASSISTS (1u << 7)

/* What the boot CPU found. */
struct svm_caps {
    uint32_t revision;
    uint32_t nr_asids;
    uint32_t features;      /* CPUID 0x8000000A EDX */
};
extern struct svm_caps svm_caps;

/*
 * Per CPU: the host save area VMRUN uses (VM_HSAVE_PA), and a page for
 * the host state VMRUN does not restore (FS, GS, TR, LDTR, KernelGSBase,
 * the syscall and sysenter MSRs), moved with VMSAVE/VMLOAD around each run.
 */
struct svm_cpu {
    uint64_t hsave_pa;
    uint64_t host_vmcb_pa;
};
extern struct svm_cpu svm_cpus[MAX_CPUS];

bool svm_detect(void);
int svm_cpu_enable(void);

#endif
