/*
 * Tessera guest ABI, x86-64 PV specifics: the flat selectors, the reserved
 * virtual address range, the register frame and the vCPU context that
 * VCPUOP_initialise and the toolstack exchange.
 *
 * A 64-bit PV guest runs both its kernel and its user space in ring 3; the
 * hypervisor keeps two L4 tables per vCPU and tells the modes apart itself.
 */
#ifndef PVABI_ARCH_X86_64_H
#define PVABI_ARCH_X86_64_H

#include <pvabi/types.h>

/*
 * Selectors in the hypervisor-owned part of the GDT (from entry 7168, byte
 * 0xE000). Guests use them as they are; their own GDT frames cover entries
 * 0..7167 only.
 */
#define FIRST_RESERVED_GDT_PAGE  14
#define FIRST_RESERVED_GDT_BYTE  (FIRST_RESERVED_GDT_PAGE * 4096)
#define FIRST_RESERVED_GDT_ENTRY (FIRST_RESERVED_GDT_BYTE / 8)

#define FLAT_RING3_CS32 0xe023  /* GDT entry 7172 */
#define FLAT_RING3_DS32 0xe02b  /* GDT entry 7173 */
#define FLAT_RING3_CS64 0xe033  /* GDT entry 7174 */
#define FLAT_RING3_DS64 0x0000  /* the null selector is fine in long mode */
#define FLAT_RING3_SS32 0xe02b
#define FLAT_RING3_SS64 0xe02b

/* Kernel and user share the ring-3 selectors. */
#define FLAT_KERNEL_CS64 FLAT_RING3_CS64
#define FLAT_KERNEL_CS32 FLAT_RING3_CS32
#define FLAT_KERNEL_CS   FLAT_KERNEL_CS64
#define FLAT_KERNEL_DS64 FLAT_RING3_DS64
#define FLAT_KERNEL_DS32 FLAT_RING3_DS32
#define FLAT_KERNEL_DS   FLAT_KERNEL_DS64
#define FLAT_KERNEL_SS64 FLAT_RING3_SS64
#define FLAT_KERNEL_SS32 FLAT_RING3_SS32
#define FLAT_KERNEL_SS   FLAT_KERNEL_SS64
#define FLAT_USER_CS64   FLAT_RING3_CS64
#define FLAT_USER_CS32   FLAT_RING3_CS32
#define FLAT_USER_CS     FLAT_USER_CS64
#define FLAT_USER_DS64   FLAT_RING3_DS64
#define FLAT_USER_DS32   FLAT_RING3_DS32
#define FLAT_USER_DS     FLAT_USER_DS64
#define FLAT_USER_SS64   FLAT_RING3_SS64
#define FLAT_USER_SS32   FLAT_RING3_SS32
#define FLAT_USER_SS     FLAT_USER_SS64

/*
 * L4 slots 256-271 belong to the hypervisor in every guest address space.
 * The read-only machine-to-phys table (8 bytes per machine frame) starts the
 * range and is readable by the guest.
 */
#define __HYPERVISOR_VIRT_START 0xFFFF800000000000
#define __HYPERVISOR_VIRT_END   0xFFFF880000000000
#define __MACH2PHYS_VIRT_START  0xFFFF800000000000
#define __MACH2PHYS_VIRT_END    0xFFFF804000000000
#ifndef HYPERVISOR_VIRT_START
#define HYPERVISOR_VIRT_START   xen_mk_ulong(__HYPERVISOR_VIRT_START)
#define HYPERVISOR_VIRT_END     xen_mk_ulong(__HYPERVISOR_VIRT_END)
#endif
#define MACH2PHYS_VIRT_START    xen_mk_ulong(__MACH2PHYS_VIRT_START)
#define MACH2PHYS_VIRT_END      xen_mk_ulong(__MACH2PHYS_VIRT_END)
#define MACH2PHYS_NR_ENTRIES    ((MACH2PHYS_VIRT_END - MACH2PHYS_VIRT_START) >> 3)

/* set_segment_base (hypercall 25) selectors. */
#define SEGBASE_FS          0
#define SEGBASE_GS_USER     1
#define SEGBASE_GS_KERNEL   2
#define SEGBASE_GS_USER_SEL 3   /* load user %gs with the selector in base[15:0] */

/* HYPERCALL_iret flag: the frame came from a syscall, return with sysret. */
#define _VGCF_in_syscall 8
#define VGCF_in_syscall  (1 << _VGCF_in_syscall)
#define VGCF_IN_SYSCALL  VGCF_in_syscall

/* Maximum vCPUs whose vcpu_info lives in shared_info. */
#define XEN_LEGACY_MAX_VCPUS 32

/* Trap-table entry flags: bits 0-1 DPL allowed to `int` it, bit 2 masks events. */
#define TI_GET_DPL(_ti)       ((_ti)->flags & 3)
#define TI_GET_IF(_ti)        ((_ti)->flags & 4)
#define TI_SET_DPL(_ti, _dpl) ((_ti)->flags |= (_dpl))
#define TI_SET_IF(_ti, _if)   ((_ti)->flags |= ((!!(_if)) << 2))

/* The forced-emulation prefix: `ud2a; .ascii "xen"` before an instruction. */
#ifdef __ASSEMBLY__
#define XEN_EMULATE_PREFIX .byte 0x0f, 0x0b, 0x78, 0x65, 0x6e;
#define XEN_CPUID          XEN_EMULATE_PREFIX cpuid
#else
#define XEN_EMULATE_PREFIX ".byte 0x0f,0x0b,0x78,0x65,0x6e ; "
#define XEN_CPUID          XEN_EMULATE_PREFIX "cpuid"
#endif

#define xen_pfn_to_cr3(pfn) ((unsigned long)(pfn) << 12)
#define xen_cr3_to_pfn(cr3) ((unsigned long)(cr3) >> 12)

#ifndef __ASSEMBLY__

/* One entry of the virtual IDT (set_trap_table, vcpu_guest_context). IN. */
struct trap_info {
    uint8_t       vector;   /* exception or interrupt vector; 0 ends a table */
    uint8_t       flags;    /* TI_* : DPL in bits 0-1, mask events in bit 2 */
    uint16_t      cs;       /* handler code selector (FLAT_KERNEL_CS) */
    unsigned long address;  /* handler entry point */
};
typedef struct trap_info trap_info_t;
DEFINE_XEN_GUEST_HANDLE(trap_info_t);

_Static_assert(sizeof(struct trap_info) == 16, "trap_info");
_Static_assert(offsetof(struct trap_info, address) == 8, "trap_info.address");

/*
 * The frame HYPERCALL_iret pops from the guest stack (top first): the
 * hypercall page's iret stub pushes rax, r11 and rcx above the frame that
 * exception and event delivery built.
 */
struct iret_context {
    uint64_t rax, r11, rcx, flags, rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct iret_context) == 72, "iret_context");

/*
 * General registers as saved for a vCPU. Only the 64-bit names are given;
 * the layout is what matters to the hypervisor and the toolstack.
 */
struct cpu_user_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint32_t error_code;        /* private to the hypervisor */
    uint32_t entry_vector;      /* private to the hypervisor */
    uint64_t rip;
    uint16_t cs, _pad0[1];
    uint8_t  saved_upcall_mask; /* events mask at the time of the trap */
    uint8_t  _pad1[3];
    uint64_t rflags;            /* IF mirrors !saved_upcall_mask */
    uint64_t rsp;
    uint16_t ss, _pad2[3];
    uint16_t es, _pad3[3];
    uint16_t ds, _pad4[3];
    uint16_t fs, _pad5[3];
    uint16_t gs, _pad6[3];
};
typedef struct cpu_user_regs cpu_user_regs_t;
DEFINE_XEN_GUEST_HANDLE(cpu_user_regs_t);

_Static_assert(sizeof(struct cpu_user_regs) == 200, "cpu_user_regs");
_Static_assert(offsetof(struct cpu_user_regs, rax) == 80, "cpu_user_regs.rax");
_Static_assert(offsetof(struct cpu_user_regs, error_code) == 120, "cpu_user_regs.error_code");
_Static_assert(offsetof(struct cpu_user_regs, rip) == 128, "cpu_user_regs.rip");
_Static_assert(offsetof(struct cpu_user_regs, cs) == 136, "cpu_user_regs.cs");
_Static_assert(offsetof(struct cpu_user_regs, saved_upcall_mask) == 140, "cpu_user_regs.mask");
_Static_assert(offsetof(struct cpu_user_regs, rflags) == 144, "cpu_user_regs.rflags");
_Static_assert(offsetof(struct cpu_user_regs, rsp) == 152, "cpu_user_regs.rsp");
_Static_assert(offsetof(struct cpu_user_regs, ss) == 160, "cpu_user_regs.ss");
_Static_assert(offsetof(struct cpu_user_regs, gs) == 192, "cpu_user_regs.gs");

/* vcpu_guest_context.flags */
#define VGCF_I387_VALID                (1 << 0)
#define VGCF_IN_KERNEL                 (1 << 2)
#define _VGCF_i387_valid               0
#define VGCF_i387_valid                (1 << _VGCF_i387_valid)
#define _VGCF_in_kernel                2
#define VGCF_in_kernel                 (1 << _VGCF_in_kernel)
#define _VGCF_failsafe_disables_events 3
#define VGCF_failsafe_disables_events  (1 << _VGCF_failsafe_disables_events)
#define _VGCF_syscall_disables_events  4
#define VGCF_syscall_disables_events   (1 << _VGCF_syscall_disables_events)
#define _VGCF_online                   5
#define VGCF_online                    (1 << _VGCF_online)

/*
 * Full state of a PV vCPU. IN for VCPUOP_initialise and the toolstack's
 * set-context; OUT for get-context. Frame numbers are machine frames.
 */
struct vcpu_guest_context {
    struct { char x[512]; } fpu_ctxt;       /* FXSAVE image, 16-byte aligned use */
    unsigned long flags;                    /* VGCF_* */
    struct cpu_user_regs user_regs;
    struct trap_info trap_ctxt[256];        /* virtual IDT */
    unsigned long ldt_base, ldt_ents;       /* linear address, entries */
    unsigned long gdt_frames[16], gdt_ents; /* machine frames, entries */
    unsigned long kernel_ss, kernel_sp;     /* stack for kernel entry */
    unsigned long ctrlreg[8];               /* CR3 = kernel L4, CR1 = user L4 */
    unsigned long debugreg[8];
    unsigned long event_callback_eip;
    unsigned long failsafe_callback_eip;
    unsigned long syscall_callback_eip;
    unsigned long vm_assist;                /* VMASST_TYPE_* bitmap */
    uint64_t      fs_base;
    uint64_t      gs_base_kernel;
    uint64_t      gs_base_user;
};
typedef struct vcpu_guest_context vcpu_guest_context_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_guest_context_t);

_Static_assert(offsetof(struct vcpu_guest_context, flags) == 512, "vgc.flags");
_Static_assert(offsetof(struct vcpu_guest_context, user_regs) == 520, "vgc.user_regs");
_Static_assert(offsetof(struct vcpu_guest_context, trap_ctxt) == 720, "vgc.trap_ctxt");
_Static_assert(offsetof(struct vcpu_guest_context, ldt_base) == 4816, "vgc.ldt_base");
_Static_assert(offsetof(struct vcpu_guest_context, gdt_frames) == 4832, "vgc.gdt_frames");
_Static_assert(offsetof(struct vcpu_guest_context, kernel_ss) == 4968, "vgc.kernel_ss");
_Static_assert(offsetof(struct vcpu_guest_context, ctrlreg) == 4984, "vgc.ctrlreg");
_Static_assert(offsetof(struct vcpu_guest_context, debugreg) == 5048, "vgc.debugreg");
_Static_assert(offsetof(struct vcpu_guest_context, event_callback_eip) == 5112, "vgc.event_cb");
_Static_assert(offsetof(struct vcpu_guest_context, vm_assist) == 5136, "vgc.vm_assist");
_Static_assert(offsetof(struct vcpu_guest_context, gs_base_user) == 5160, "vgc.gs_base_user");
_Static_assert(sizeof(struct vcpu_guest_context) == 5168, "vcpu_guest_context");

/* Per-vCPU architectural part of vcpu_info. OUT (written by the hypervisor). */
struct arch_vcpu_info {
    unsigned long cr2;  /* faulting address of the last #PF bounced */
    unsigned long pad;
};
typedef struct arch_vcpu_info arch_vcpu_info_t;
_Static_assert(sizeof(struct arch_vcpu_info) == 16, "arch_vcpu_info");

/* Architectural part of shared_info: the guest's p2m description. IN. */
struct arch_shared_info {
    unsigned long max_pfn;                 /* entries in the p2m */
    xen_pfn_t     pfn_to_mfn_frame_list_list; /* 3-level p2m root, ~0 = use p2m_vaddr */
    unsigned long nmi_reason;              /* OUT */
    unsigned long p2m_cr3;                 /* address space of p2m_vaddr, 0 = none */
    unsigned long p2m_vaddr;               /* virtually mapped linear p2m */
    unsigned long p2m_generation;          /* odd while the guest changes it */
};
typedef struct arch_shared_info arch_shared_info_t;
_Static_assert(sizeof(struct arch_shared_info) == 48, "arch_shared_info");

/* A callback address (set_callbacks, callback_op): a plain 64-bit RIP. */
typedef unsigned long xen_callback_t;

#endif /* !__ASSEMBLY__ */
#endif /* PVABI_ARCH_X86_64_H */
