/*
 * AMD SVM backend: detection and per-CPU enabling (EFER.SVME and the host
 * save area). Guests need nested paging: Tessera has no shadow paging.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/paging.h>
#include <asm/percpu.h>
#include <asm/x86-defs.h>
#include <tessera/errno.h>
#include <tessera/heap.h>
#include <tessera/log.h>
#include <tessera/string.h>
#include "svm.h"

struct svm_caps svm_caps;
struct svm_cpu svm_cpus[MAX_CPUS];

bool svm_detect(void)
{
    if (cpuid(0x80000000).eax < 0x8000000A || !(cpuid(0x80000001).ecx & CPUID80000001_ECX_SVM))
        return false;
    if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
        log_info("hvm: SVM turned off by the firmware (VM_CR.SVMDIS)\n");
        return false;
    }
    struct cpuid_regs r = cpuid(0x8000000A);
    if (!(r.edx & CPUID8000000A_EDX_NP)) {
        log_info("hvm: SVM without nested paging: not used\n");
        return false;
    }
    if (r.ebx < 2) {
        log_info("hvm: SVM with %u ASIDs: not used\n", r.ebx);
        return false;
    }
    svm_caps = (struct svm_caps){ .revision = r.eax & 0xFF, .nr_asids = r.ebx, .features = r.edx };
    log_info("hvm: SVM with nested paging (revision %u, %u ASIDs%s%s%s)\n", svm_caps.revision,
             svm_caps.nr_asids, r.edx & CPUID8000000A_EDX_NRIPS ? ", NRIP save" : "",
             r.edx & CPUID8000000A_EDX_DECODE_ASSISTS ? ", decode assists" : "",
             r.edx & CPUID8000000A_EDX_FLUSH_BY_ASID ? ", flush by ASID" : "");
    return true;
}

static uint64_t zeroed_page_pa(void)
{
    void *p = xmalloc_aligned(PAGE_SIZE, PAGE_SIZE);
    if (!p)
        return 0;
    memset(p, 0, PAGE_SIZE);
    return virt_to_phys(p);
}

int svm_cpu_enable(void)
{
    struct svm_cpu *c = &svm_cpus[this_cpu()->index];

    if (!c->hsave_pa && !(c->hsave_pa = zeroed_page_pa()))
        return -ENOMEM;
    if (!c->host_vmcb_pa && !(c->host_vmcb_pa = zeroed_page_pa()))
        return -ENOMEM;
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
    wrmsr(MSR_VM_HSAVE_PA, c->hsave_pa);
    return 0;
}
