/*
 * Hardware-assisted guests (HVM and PVH): what common HVM code
 * (arch/x86/hvm/) asks of a backend, AMD SVM (hvm/svm/) or Intel VT-x
 * (hvm/vmx/). Common code sees exits only through the backend-neutral
 * struct hvm_exit and the guest's state only through these operations, so
 * a second backend slots in behind the same table. docs/hvm.md.
 */
#ifndef ASM_HVM_H
#define ASM_HVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <asm/hvm_regs_offsets.h>

struct vcpu;
struct domain;

/* Why the guest stopped running, in words both backends can give. */
enum hvm_exit_reason {
    HVM_EXIT_NONE,          /* an interrupt for the host, or nothing to do */
    HVM_EXIT_CPUID,
    HVM_EXIT_IO,            /* info: port, size, direction, string/rep */
    HVM_EXIT_HLT,
    HVM_EXIT_HYPERCALL,     /* VMMCALL (SVM) or VMCALL (VT-x) */
    HVM_EXIT_MSR_READ,
    HVM_EXIT_MSR_WRITE,
    HVM_EXIT_NPF,           /* nested page fault: gpa, error code */
    HVM_EXIT_SHUTDOWN,      /* triple fault */
    HVM_EXIT_CR_WRITE,      /* mov to CR0/CR4 the CPU did not do: cr, value */
    HVM_EXIT_OTHER,         /* anything else: the domain crashes, code named */
};

struct hvm_exit {
    enum hvm_exit_reason reason;
    uint64_t code;          /* the backend's own exit code, for reports */
    const char *name;       /* and its name */
    uint16_t port;          /* IO */
    uint8_t size;           /* IO: 1, 2 or 4 bytes */
    bool in;                /* IO: a read */
    bool string;            /* IO: ins/outs */
    bool rep;               /* IO: with a rep prefix (RCX counts) */
    uint8_t addr_size;      /* IO string: 2, 4 or 8 bytes of RSI/RCX; 0 if the CPU did not say */
    uint64_t gpa;           /* NPF */
    uint64_t error;         /* NPF: the fault's error code */
    uint64_t next_rip;      /* the next instruction's address when the CPU said it, else 0 */
    uint8_t cr;             /* CR_WRITE: which control register */
    uint64_t value;         /* CR_WRITE: the value the guest wrote */
};

/* The guest's general registers; the backend moves RAX/RSP/RIP/RFLAGS in and out. */
struct hvm_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
};
_Static_assert(offsetof(struct hvm_regs, rbx) == HVM_REGS_RBX &&
               offsetof(struct hvm_regs, rbp) == HVM_REGS_RBP &&
               offsetof(struct hvm_regs, r8) == HVM_REGS_R8 &&
               offsetof(struct hvm_regs, r15) == HVM_REGS_R15 &&
               offsetof(struct hvm_regs, rflags) == HVM_REGS_RFLAGS, "hvm_regs_offsets.h");

/* Control state common code reads or sets through the backend. */
/* CS_ATTR is in SVM's packed form: type, S, DPL, P in bits 7:0, AVL, L, D/B, G in 11:8. */
enum hvm_ctl {
    HVM_CTL_CR0, HVM_CTL_CR3, HVM_CTL_CR4, HVM_CTL_CR2, HVM_CTL_EFER, HVM_CTL_PAT,
    HVM_CTL_CPL, HVM_CTL_CS_BASE, HVM_CTL_CS_ATTR, HVM_CTL_SS_BASE, HVM_CTL_DS_BASE,
};

struct hvm_ops {
    const char *name;
    /* Nested page-table entry bits (NPT: x86 PTE flags; EPT: R/W/X and memory type). */
    uint64_t npt_table_flags;       /* an entry pointing to the next level */
    uint64_t npt_page_flags;        /* a 4 KiB page of the guest's */
    /* The hypercall instruction the hypercall page's stubs use (VMMCALL or VMCALL). */
    uint8_t hypercall_insn[3];
    /* On the boot CPU: true if this backend can run guests here (and says why not). */
    bool (*detect)(void);
    /* On each CPU once detect said yes: turn the extension on. */
    int (*cpu_enable)(void);
    int (*vcpu_create)(struct vcpu *v, uint64_t npt_root);
    void (*vcpu_destroy)(struct vcpu *v);
    /*
     * Enter the guest with interrupts off; back with interrupts off and the
     * exit described in *exit (an interrupt that ended the run is taken as
     * soon as the caller enables interrupts).
     */
    void (*run)(struct vcpu *v, struct hvm_regs *regs, struct hvm_exit *exit);
    /* v leaves this CPU (the scheduler's switch): NULL if the backend keeps nothing here. */
    void (*vcpu_switch_out)(struct vcpu *v);
    uint64_t (*ctl_read)(struct vcpu *v, enum hvm_ctl what);
    void (*ctl_write)(struct vcpu *v, enum hvm_ctl what, uint64_t value);
    /*
     * Make an external interrupt with this vector pending for the guest,
     * delivered by the CPU through the guest's IDT as soon as its RFLAGS.IF
     * and interrupt shadow allow (SVM: the virtual interrupt, V_IRQ); NULL
     * if the backend cannot yet.
     */
    void (*request_interrupt)(struct vcpu *v, uint8_t vector);
    /* The vector request_interrupt made is still waiting for the guest. */
    bool (*interrupt_requested)(struct vcpu *v);
    /* The nested page tables changed: drop what the CPU cached of them before
     * v's next entry (NULL when every entry flushes anyway). */
    void (*npt_changed)(struct vcpu *v);
    /*
     * The MSRs an SVM guest reaches without exits because its VMCB holds
     * them (FS/GS/KernelGS bases, STAR, LSTAR, CSTAR, SFMASK, SYSENTER);
     * a backend that intercepts them keeps them here. 0, -1 for a #GP, or
     * -2 when msr is not one of them. NULL when they never exit.
     */
    int (*guest_msr_read)(struct vcpu *v, uint32_t msr, uint64_t *val);
    int (*guest_msr_write)(struct vcpu *v, uint32_t msr, uint64_t val);
    /* Deliver an exception on the next entry. */
    void (*inject_exception)(struct vcpu *v, unsigned vector, bool has_error, uint32_t error);
    /* A register dump in the log, for a crashed guest. */
    void (*dump)(struct vcpu *v);
};

/* Grant frames a domain may map (GNTTAB_MAX_FRAMES_LIMIT, tessera/grant_table.h). */
#define HVM_GRANT_FRAMES_MAX 64

/* Xen's HVM_NR_PARAMS in 4.17 (public/hvm/params.h). */
#define HVM_NR_PARAMS 39

/* A vCPU's x2APIC (hvm/vlapic.c). */
#define HVM_VLAPIC_NR_LVT 7             /* CMCI, timer, thermal, perf, LINT0, LINT1, error */
struct hvm_vlapic {
    uint64_t base;                  /* IA32_APIC_BASE */
    uint32_t tpr, svr, tmict, tdcr;
    uint64_t icr;
    uint32_t xapic_ldr, xapic_dfr, xapic_icr_high;  /* xAPIC-mode forms */
    uint32_t lvt[HVM_VLAPIC_NR_LVT];
    uint64_t irr[4];                /* [a] vectors requested and not yet delivered */
};

/* A vCPU's HVM state (arch_vcpu.hvm; NULL for a PV vCPU). */
struct hvm_vcpu {
    struct hvm_regs regs;
    struct hvm_vlapic vlapic;
    void *backend;                  /* the backend's own (SVM: its VMCB) */
    uint64_t backend_pa;
};

/* A domain's HVM state (arch_domain.hvm; NULL for a PV domain). */
struct hvm_domain {
    uint64_t nr_pages;              /* [I] guest-physical memory is [0, nr_pages << 12) */
    uint64_t *p2m;                  /* [I] guest frame -> machine frame */
    uint64_t npt_root;              /* [I] machine address of the nested L4 */
    unsigned npt_frames;            /* [I] nested table pages, for the log */
    uint64_t *ports_logged;         /* [d] one bit per I/O port already reported */
    uint8_t callback_vector;        /* [a] the event upcall's vector, 0 while none */
    uint64_t params[HVM_NR_PARAMS]; /* [d] HVMOP_get/set_param values */
    uint64_t shared_info_gfn;       /* [d] where shared_info is mapped, ~0 while nowhere */
    uint64_t displaced_mfn;         /* [d] the RAM frame shared_info covers there */
    uint64_t console_gfn;           /* [I] the console ring's page (reserved in the map) */
    uint32_t memory_ops_logged;     /* [d] one bit per unsupported memory_op reported */
    /* [d] grant-table frames put outside its RAM (XENMAPSPACE_grant_table), by frame index */
    struct { uint64_t gfn; bool mapped; } grant_frames[HVM_GRANT_FRAMES_MAX];
};

/* The backend in use, NULL when the CPU has none (set once on the boot CPU). */
extern const struct hvm_ops *hvm_ops;

/* Boot CPU: pick a backend and say which ("hvm: ..."). */
void hvm_detect(void);
/* Every CPU, after hvm_detect: enable it here. */
void hvm_cpu_init(void);

static inline bool hvm_available(void) { return hvm_ops != 0; }

/* ---- common HVM code (arch/x86/hvm/) ------------------------------------ */

struct pv_build_request;
/* Build a PVH domain from req (an ELF with PHYS32_ENTRY, or its entry point). */
int hvm_build_domain(const struct pv_build_request *req, struct domain **out);
/* Free what hvm_build_domain added to a domain (from domain_free). */
void hvm_domain_free(struct domain *d);
/* The scheduler's switch (pv/run.c): enter v on a fresh stack at stack_top. */
void hvm_switch_in(struct vcpu *v, uintptr_t stack_top) __attribute__((noreturn));
void hvm_switch_out(struct vcpu *v);
/* copy_from_guest/copy_to_guest for the HVM vCPU running here (guest-virtual addresses). */
int hvm_copy_from_guest_virt(struct vcpu *v, void *dst, uint64_t gva, size_t len);
int hvm_copy_to_guest_virt(struct vcpu *v, uint64_t gva, const void *src, size_t len);
/* Guest-physical memory of d: 0 or -EFAULT outside it. */
int hvm_copy_from_gpa(struct domain *d, void *dst, uint64_t gpa, size_t len);
int hvm_copy_to_gpa(struct domain *d, uint64_t gpa, const void *src, size_t len);
/* The machine frame behind guest frame gfn of d: 0, or -EINVAL outside its memory. */
int hvm_gfn_to_mfn(struct domain *d, uint64_t gfn, uint64_t *mfn);
/* Map frame idx of d's grant table (grown to it if need be) at guest frame gfn,
 * outside d's RAM (XENMEM_add_to_physmap): 0 or -errno. */
int hvm_map_grant_frame(struct domain *d, unsigned idx, uint64_t gfn);
/* Map d's shared_info page at guest frame gfn (XENMEM_add_to_physmap): 0 or -errno. */
int hvm_map_shared_info(struct domain *d, uint64_t gfn);
/* v's event upcall or a pending x2APIC vector requested of the CPU (hvm.c). */
void hvm_interrupt_check(struct vcpu *v);
/* End v's domain for what it did: why and its registers in the log. */
void hvm_domain_crash(struct vcpu *v, const char *why) __attribute__((noreturn));

#endif
