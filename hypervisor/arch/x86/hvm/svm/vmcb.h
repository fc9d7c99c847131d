/*
 * The VMCB (AMD64 APM vol. 2, appendix B): a 4 KiB page per vCPU, its
 * control area (what to intercept, how the last exit happened, what to
 * inject) and its save area (the guest's segment, control and some MSR
 * state). Offsets are the architecture's, checked below.
 */
#ifndef HVM_SVM_VMCB_H
#define HVM_SVM_VMCB_H

#include <stddef.h>
#include <stdint.h>

struct vmcb_segment {
    uint16_t selector;
    uint16_t attrib;        /* type:4 S:1 DPL:2 P:1 AVL:1 L:1 DB:1 G:1 */
    uint32_t limit;
    uint64_t base;
} __attribute__((packed));

struct vmcb {
    /* control area */
    uint32_t intercept_cr;          /* 0x000: reads in bits 0-15, writes in 16-31 */
    uint32_t intercept_dr;
    uint32_t intercept_exceptions;
    uint32_t intercept_misc1;       /* 0x00C: INTERCEPT1_* */
    uint32_t intercept_misc2;       /* 0x010: INTERCEPT2_* */
    uint32_t intercept_misc3;
    uint8_t reserved_018[0x03C - 0x018];
    uint16_t pause_filter_threshold;
    uint16_t pause_filter_count;
    uint64_t iopm_base_pa;          /* 0x040 */
    uint64_t msrpm_base_pa;         /* 0x048 */
    uint64_t tsc_offset;            /* 0x050 */
    uint32_t asid;                  /* 0x058 */
    uint8_t tlb_control;            /* 0x05C: 1 flushes every ASID's entries */
    uint8_t reserved_05d[3];
    uint64_t int_ctl;               /* 0x060: V_INTR_MASKING in bit 24 */
    uint64_t int_state;             /* 0x068: bit 0, the guest is in an interrupt shadow */
    uint64_t exit_code;             /* 0x070 */
    uint64_t exit_info1;            /* 0x078 */
    uint64_t exit_info2;            /* 0x080 */
    uint64_t exit_int_info;         /* 0x088: an event whose delivery the exit interrupted */
    uint64_t nested_ctl;            /* 0x090: bit 0, nested paging */
    uint64_t avic_bar;
    uint64_t ghcb_pa;
    uint64_t event_inj;             /* 0x0A8: EVENTINJ_* | vector | error << 32 */
    uint64_t nested_cr3;            /* 0x0B0 */
    uint64_t virt_ext;
    uint32_t clean;                 /* 0x0C0: clean bits (none under TCG: always 0) */
    uint32_t reserved_0c4;
    uint64_t next_rip;              /* 0x0C8: with NRIP save only */
    uint8_t insn_len;               /* 0x0D0: with decode assists only */
    uint8_t insn_bytes[15];
    uint8_t reserved_0e0[0x400 - 0x0E0];
    /* save area */
    struct vmcb_segment es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;   /* 0x400 */
    uint8_t reserved_4a0[0x4CB - 0x4A0];
    uint8_t cpl;                    /* 0x4CB */
    uint32_t reserved_4cc;
    uint64_t efer;                  /* 0x4D0 */
    uint8_t reserved_4d8[0x548 - 0x4D8];
    uint64_t cr4, cr3, cr0, dr7, dr6, rflags, rip;    /* 0x548 */
    uint8_t reserved_580[0x5D8 - 0x580];
    uint64_t rsp;                   /* 0x5D8 */
    uint8_t reserved_5e0[0x5F8 - 0x5E0];
    uint64_t rax;                   /* 0x5F8 */
    uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t cr2;                   /* 0x640 */
    uint8_t reserved_648[0x668 - 0x648];
    uint64_t g_pat;                 /* 0x668: the guest's PAT under nested paging */
    uint64_t dbgctl;
    uint8_t reserved_678[0x1000 - 0x678];
} __attribute__((packed));

_Static_assert(sizeof(struct vmcb) == 0x1000, "a VMCB is one page");
_Static_assert(offsetof(struct vmcb, iopm_base_pa) == 0x040, "VMCB layout");
_Static_assert(offsetof(struct vmcb, int_ctl) == 0x060, "VMCB layout");
_Static_assert(offsetof(struct vmcb, exit_code) == 0x070, "VMCB layout");
_Static_assert(offsetof(struct vmcb, event_inj) == 0x0A8, "VMCB layout");
_Static_assert(offsetof(struct vmcb, next_rip) == 0x0C8, "VMCB layout");
_Static_assert(offsetof(struct vmcb, tr) == 0x490, "VMCB layout");
_Static_assert(offsetof(struct vmcb, efer) == 0x4D0, "VMCB layout");
_Static_assert(offsetof(struct vmcb, cr4) == 0x548, "VMCB layout");
_Static_assert(offsetof(struct vmcb, rip) == 0x578, "VMCB layout");
_Static_assert(offsetof(struct vmcb, rsp) == 0x5D8, "VMCB layout");
_Static_assert(offsetof(struct vmcb, rax) == 0x5F8, "VMCB layout");
_Static_assert(offsetof(struct vmcb, cr2) == 0x640, "VMCB layout");
_Static_assert(offsetof(struct vmcb, g_pat) == 0x668, "VMCB layout");

/* intercept_misc1 */
#define INTERCEPT1_INTR      (1u << 0)
#define INTERCEPT1_NMI       (1u << 1)
#define INTERCEPT1_SMI       (1u << 2)
#define INTERCEPT1_INIT      (1u << 3)
#define INTERCEPT1_CPUID     (1u << 18)
#define INTERCEPT1_INVD      (1u << 22)
#define INTERCEPT1_HLT       (1u << 24)
#define INTERCEPT1_INVLPGA   (1u << 26)
#define INTERCEPT1_IOIO      (1u << 27)
#define INTERCEPT1_MSR       (1u << 28)
#define INTERCEPT1_TASK_SWITCH (1u << 29)
#define INTERCEPT1_SHUTDOWN  (1u << 31)
/* intercept_misc2 */
#define INTERCEPT2_VMRUN     (1u << 0)     /* VMRUN refuses a VMCB without it */
#define INTERCEPT2_VMMCALL   (1u << 1)
#define INTERCEPT2_VMLOAD    (1u << 2)
#define INTERCEPT2_VMSAVE    (1u << 3)
#define INTERCEPT2_STGI      (1u << 4)
#define INTERCEPT2_CLGI      (1u << 5)
#define INTERCEPT2_SKINIT    (1u << 6)
#define INTERCEPT2_ICEBP     (1u << 8)
#define INTERCEPT2_MONITOR   (1u << 10)
#define INTERCEPT2_MWAIT     (1u << 11)
#define INTERCEPT2_XSETBV    (1u << 13)

#define INT_CTL_V_INTR_MASKING (1ull << 24)
#define INT_CTL_V_IRQ          (1ull << 8)      /* a virtual interrupt is pending */
#define INT_CTL_V_INTR_PRIO(p) ((uint64_t)(p) << 16)
#define INT_CTL_V_IGN_TPR      (1ull << 20)     /* deliver it whatever V_TPR says */
#define INT_CTL_V_INTR_VECTOR(v) ((uint64_t)(v) << 32)   /* the int_vector field, 0x064 */
#define INT_CTL_V_INTR_VECTOR_MASK (0xFFull << 32)
#define NESTED_CTL_NP_ENABLE   (1ull << 0)
#define TLB_CONTROL_FLUSH_ALL  1

#define EVENTINJ_VALID      (1ull << 31)
#define EVENTINJ_ERROR_VALID (1ull << 11)
#define EVENTINJ_TYPE_EXCEPTION (3ull << 8)

/* Exit codes the backend names (everything else is reported by number). */
#define SVM_EXIT_EXCP_BASE   0x040
#define SVM_EXIT_INTR        0x060
#define SVM_EXIT_NMI         0x061
#define SVM_EXIT_SMI         0x062
#define SVM_EXIT_INIT        0x063
#define SVM_EXIT_CPUID       0x072
#define SVM_EXIT_INVD        0x076
#define SVM_EXIT_HLT         0x078
#define SVM_EXIT_INVLPGA     0x07A
#define SVM_EXIT_IOIO        0x07B
#define SVM_EXIT_MSR         0x07C
#define SVM_EXIT_TASK_SWITCH 0x07D
#define SVM_EXIT_SHUTDOWN    0x07F
#define SVM_EXIT_VMRUN       0x080
#define SVM_EXIT_VMMCALL     0x081
#define SVM_EXIT_VMLOAD      0x082
#define SVM_EXIT_VMSAVE      0x083
#define SVM_EXIT_STGI        0x084
#define SVM_EXIT_CLGI        0x085
#define SVM_EXIT_SKINIT      0x086
#define SVM_EXIT_ICEBP       0x088
#define SVM_EXIT_MONITOR     0x08A
#define SVM_EXIT_MWAIT       0x08B
#define SVM_EXIT_XSETBV      0x08D
#define SVM_EXIT_NPF         0x400
#define SVM_EXIT_INVALID     ((uint64_t)-1)   /* VMRUN refused the VMCB's state */

/* IOIO exit_info1 */
#define IOIO_TYPE_IN        (1u << 0)
#define IOIO_STR            (1u << 2)
#define IOIO_REP            (1u << 3)
#define IOIO_SIZE_SHIFT     4              /* bits 4-6: 1, 2 or 4 bytes, one-hot */
#define IOIO_ADDR_SHIFT     7              /* bits 7-9: 16-, 32- or 64-bit address, one-hot */
#define IOIO_PORT_SHIFT     16

#endif
