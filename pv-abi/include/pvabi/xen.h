/*
 * Tessera guest ABI, core: hypercall numbers, the pages the hypervisor shares
 * with every PV guest (start_info, shared_info, vcpu_info, vcpu_time_info),
 * the MMU update and multicall records, console_io and vm_assist, domain ids.
 *
 * Binary-compatible with Xen's public interface at level 0x00040e00 for
 * x86-64 PV guests; pv-abi's differential layout test holds us to that.
 */
#ifndef PVABI_XEN_H
#define PVABI_XEN_H

#include <pvabi/types.h>
#include <pvabi/arch_x86_64.h>

/*
 * Hypercall numbers. On x86-64 PV, `syscall` with RAX = number and arguments
 * in RDI, RSI, RDX, R10, R8; result in RAX (negative XEN_E* on error). The
 * hypercall page holds a 32-byte stub for each number at offset number*32.
 * Numbers marked "compat" are older forms kept only so they are never reused.
 */
#define __HYPERVISOR_set_trap_table          0
#define __HYPERVISOR_mmu_update              1
#define __HYPERVISOR_set_gdt                 2
#define __HYPERVISOR_stack_switch            3
#define __HYPERVISOR_set_callbacks           4
#define __HYPERVISOR_fpu_taskswitch          5
#define __HYPERVISOR_sched_op_compat         6   /* compat */
#define __HYPERVISOR_platform_op             7
#define __HYPERVISOR_set_debugreg            8
#define __HYPERVISOR_get_debugreg            9
#define __HYPERVISOR_update_descriptor      10
/* 11 is unused (retired) */
#define __HYPERVISOR_memory_op              12
#define __HYPERVISOR_multicall              13
#define __HYPERVISOR_update_va_mapping      14
#define __HYPERVISOR_set_timer_op           15
#define __HYPERVISOR_event_channel_op_compat 16  /* compat */
#define __HYPERVISOR_xen_version            17
#define __HYPERVISOR_console_io             18
#define __HYPERVISOR_physdev_op_compat      19   /* compat */
#define __HYPERVISOR_grant_table_op         20
#define __HYPERVISOR_vm_assist              21
#define __HYPERVISOR_update_va_mapping_otherdomain 22
#define __HYPERVISOR_iret                   23   /* special stub, see below */
#define __HYPERVISOR_vcpu_op                24
#define __HYPERVISOR_set_segment_base       25
#define __HYPERVISOR_mmuext_op              26
#define __HYPERVISOR_xsm_op                 27
#define __HYPERVISOR_nmi_op                 28
#define __HYPERVISOR_sched_op               29
#define __HYPERVISOR_callback_op            30
#define __HYPERVISOR_xenoprof_op            31
#define __HYPERVISOR_event_channel_op       32
#define __HYPERVISOR_physdev_op             33
#define __HYPERVISOR_hvm_op                 34
#define __HYPERVISOR_sysctl                 35
#define __HYPERVISOR_domctl                 36   /* Tessera: pvabi/control/ */
#define __HYPERVISOR_kexec_op               37
#define __HYPERVISOR_tmem_op                38
#define __HYPERVISOR_argo_op                39
#define __HYPERVISOR_xenpmu_op              40
#define __HYPERVISOR_dm_op                  41
#define __HYPERVISOR_hypfs_op               42
#define __HYPERVISOR_arch_0                 48
#define __HYPERVISOR_arch_1                 49
#define __HYPERVISOR_arch_2                 50
#define __HYPERVISOR_arch_3                 51
#define __HYPERVISOR_arch_4                 52
#define __HYPERVISOR_arch_5                 53
#define __HYPERVISOR_arch_6                 54
#define __HYPERVISOR_arch_7                 55

/* The hypercall page: one page, 32 bytes per hypercall number. */
#define PVABI_HYPERCALL_STUB_SIZE 32
#define PVABI_HYPERCALL_PAGE_SLOTS (4096 / PVABI_HYPERCALL_STUB_SIZE)

/*
 * Virtual IRQs, bound with EVTCHNOP_bind_virq. "per-vCPU" ones are bound
 * once per vCPU; "global" ones once per domain, usually by the control domain.
 */
#define VIRQ_TIMER      0   /* per-vCPU: timer expiry */
#define VIRQ_DEBUG      1   /* per-vCPU: dump debug state */
#define VIRQ_CONSOLE    2   /* global: bytes on the hypervisor console */
#define VIRQ_DOM_EXC    3   /* global: some domain shut down or died */
#define VIRQ_TBUF       4   /* global: trace buffer records */
/* 5 is unused (retired) */
#define VIRQ_DEBUGGER   6   /* global: a domain paused for a debugger */
#define VIRQ_XENOPROF   7   /* per-vCPU: profiling sample */
#define VIRQ_CON_RING   8   /* global: console ring has data */
#define VIRQ_PCPU_STATE 9   /* global: physical CPU state changed */
#define VIRQ_MEM_EVENT  10  /* global: memory event */
#define VIRQ_ARGO       11  /* global: Argo message */
#define VIRQ_ENOMEM     12  /* global: hypervisor heap low */
#define VIRQ_XENPMU     13  /* per-vCPU: PMU interrupt */
#define VIRQ_ARCH_0     16
#define VIRQ_ARCH_1     17
#define VIRQ_ARCH_2     18
#define VIRQ_ARCH_3     19
#define VIRQ_ARCH_4     20
#define VIRQ_ARCH_5     21
#define VIRQ_ARCH_6     22
#define VIRQ_ARCH_7     23
#define NR_VIRQS        24

/*
 * mmu_update: the low 2 bits of mmu_update.ptr select the command, the rest
 * is a machine address.
 */
#define MMU_NORMAL_PT_UPDATE       0  /* checked *ptr = val */
#define MMU_MACHPHYS_UPDATE        1  /* m2p[ptr >> 12] = val */
#define MMU_PT_UPDATE_PRESERVE_AD  2  /* as NORMAL, keeping A and D bits */
#define MMU_PT_UPDATE_NO_TRANSLATE 3  /* as NORMAL, val never translated */

/* mmuext_op commands. */
#define MMUEXT_PIN_L1_TABLE       0
#define MMUEXT_PIN_L2_TABLE       1
#define MMUEXT_PIN_L3_TABLE       2
#define MMUEXT_PIN_L4_TABLE       3
#define MMUEXT_UNPIN_TABLE        4
#define MMUEXT_NEW_BASEPTR        5
#define MMUEXT_TLB_FLUSH_LOCAL    6
#define MMUEXT_INVLPG_LOCAL       7
#define MMUEXT_TLB_FLUSH_MULTI    8
#define MMUEXT_INVLPG_MULTI       9
#define MMUEXT_TLB_FLUSH_ALL     10
#define MMUEXT_INVLPG_ALL        11
#define MMUEXT_FLUSH_CACHE       12
#define MMUEXT_SET_LDT           13
/* 14 is unused (retired) */
#define MMUEXT_NEW_USER_BASEPTR  15
#define MMUEXT_CLEAR_PAGE        16
#define MMUEXT_COPY_PAGE         17
#define MMUEXT_FLUSH_CACHE_GLOBAL 18
#define MMUEXT_MARK_SUPER        19
#define MMUEXT_UNMARK_SUPER      20

/* update_va_mapping flags: flush type in bits 0-1, scope in bit 2 (or a
 * pointer to a vCPU bitmap ORed in for UVMF_MULTI). */
#define UVMF_NONE           (xen_mk_ulong(0) << 0)
#define UVMF_TLB_FLUSH      (xen_mk_ulong(1) << 0)
#define UVMF_INVLPG         (xen_mk_ulong(2) << 0)
#define UVMF_FLUSHTYPE_MASK (xen_mk_ulong(3) << 0)
#define UVMF_MULTI          (xen_mk_ulong(0) << 2)
#define UVMF_LOCAL          (xen_mk_ulong(0) << 2)
#define UVMF_ALL            (xen_mk_ulong(1) << 2)

/* console_io(cmd, count, buffer) */
#define CONSOLEIO_write 0   /* IN buffer: bytes to the hypervisor console */
#define CONSOLEIO_read  1   /* OUT buffer: bytes typed on it (privileged) */

/* vm_assist(cmd, type) */
#define VMASST_CMD_enable               0
#define VMASST_CMD_disable              1
#define VMASST_TYPE_4gb_segments        0   /* 32-bit only */
#define VMASST_TYPE_4gb_segments_notify 1   /* 32-bit only */
#define VMASST_TYPE_writable_pagetables 2
#define VMASST_TYPE_pae_extended_cr3    3
#define VMASST_TYPE_architectural_iopl  4
#define VMASST_TYPE_runstate_update_flag 5
#define VMASST_TYPE_m2p_strict          32

/* Domain ids at and above DOMID_FIRST_RESERVED name no ordinary domain. */
#define DOMID_FIRST_RESERVED xen_mk_uint(0x7FF0)
#define DOMID_SELF           xen_mk_uint(0x7FF0)
#define DOMID_IO             xen_mk_uint(0x7FF1)
#define DOMID_XEN            xen_mk_uint(0x7FF2)
#define DOMID_COW            xen_mk_uint(0x7FF3)
#define DOMID_INVALID        xen_mk_uint(0x7FF4)
#define DOMID_IDLE           xen_mk_uint(0x7FFF)
#define DOMID_MASK           xen_mk_uint(0x7FFF)

/* start_info.flags */
#define SIF_PRIVILEGED      (1 << 0)    /* domain may use privileged ops */
#define SIF_INITDOMAIN      (1 << 1)    /* the initial control domain */
#define SIF_MULTIBOOT_MOD   (1 << 2)    /* mod_start is a multiboot module list */
#define SIF_MOD_START_PFN   (1 << 3)    /* mod_start is a PFN, not a VA */
#define SIF_VIRT_P2M_4TOOLS (1 << 4)    /* tools understand a virtual p2m */
#define SIF_PM_MASK         (0xFF << 8)

#define MAX_GUEST_CMDLINE 1024

/* vcpu_time_info.flags */
#define XEN_PVCLOCK_TSC_STABLE_BIT (1 << 0)
#define XEN_PVCLOCK_GUEST_STOPPED  (1 << 1)

/* The 2-level event channel ABI: 64 words of 64 bits. */
#define EVTCHN_2L_NR_CHANNELS (sizeof(xen_ulong_t) * sizeof(xen_ulong_t) * 64)

#ifndef __ASSEMBLY__

/* One page-table (or m2p) update. IN. */
struct mmu_update {
    uint64_t ptr;   /* machine address of the entry | MMU_* command */
    uint64_t val;   /* new contents */
};
typedef struct mmu_update mmu_update_t;
DEFINE_XEN_GUEST_HANDLE(mmu_update_t);
_Static_assert(sizeof(struct mmu_update) == 16, "mmu_update");

/* One extended MMU operation. IN. */
struct mmuext_op {
    unsigned int cmd;   /* MMUEXT_* */
    union {
        xen_pfn_t     mfn;          /* PIN/UNPIN, NEW_*BASEPTR, CLEAR/COPY_PAGE, *MARK_SUPER */
        unsigned long linear_addr;  /* INVLPG_*, SET_LDT */
    } arg1;
    union {
        unsigned int nr_ents;                 /* SET_LDT */
        XEN_GUEST_HANDLE(const_void) vcpumask; /* *_MULTI */
        xen_pfn_t src_mfn;                    /* COPY_PAGE */
    } arg2;
};
typedef struct mmuext_op mmuext_op_t;
DEFINE_XEN_GUEST_HANDLE(mmuext_op_t);
_Static_assert(sizeof(struct mmuext_op) == 24, "mmuext_op");
_Static_assert(offsetof(struct mmuext_op, arg1) == 8, "mmuext_op.arg1");
_Static_assert(offsetof(struct mmuext_op, arg2) == 16, "mmuext_op.arg2");

/* One call of a multicall batch. op and args IN, result OUT. */
struct multicall_entry {
    xen_ulong_t op, result;
    xen_ulong_t args[6];
};
typedef struct multicall_entry multicall_entry_t;
DEFINE_XEN_GUEST_HANDLE(multicall_entry_t);
_Static_assert(sizeof(struct multicall_entry) == 64, "multicall_entry");
_Static_assert(offsetof(struct multicall_entry, args) == 16, "multicall_entry.args");

/*
 * pvclock: per-vCPU time published by the hypervisor. OUT. A reader takes
 * version, reads the rest, and retries if version was odd or has changed:
 *   now_ns = system_time + (((tsc - tsc_timestamp) << tsc_shift) * mul) >> 32
 * (a negative tsc_shift shifts right).
 */
struct vcpu_time_info {
    uint32_t version;
    uint32_t pad0;
    uint64_t tsc_timestamp;     /* TSC at the last update */
    uint64_t system_time;       /* ns since the hypervisor booted, at that TSC */
    uint32_t tsc_to_system_mul; /* 32.32 fixed point ns per (shifted) tick */
    int8_t   tsc_shift;
    uint8_t  flags;             /* XEN_PVCLOCK_* */
    uint8_t  pad1[2];
};
typedef struct vcpu_time_info vcpu_time_info_t;
_Static_assert(sizeof(struct vcpu_time_info) == 32, "vcpu_time_info");
_Static_assert(offsetof(struct vcpu_time_info, tsc_timestamp) == 8, "vti.tsc_timestamp");
_Static_assert(offsetof(struct vcpu_time_info, system_time) == 16, "vti.system_time");
_Static_assert(offsetof(struct vcpu_time_info, tsc_to_system_mul) == 24, "vti.mul");
_Static_assert(offsetof(struct vcpu_time_info, tsc_shift) == 28, "vti.shift");
_Static_assert(offsetof(struct vcpu_time_info, flags) == 29, "vti.flags");

/*
 * Per-vCPU event and time state. evtchn_upcall_pending and
 * evtchn_pending_sel are set by the hypervisor and cleared by the guest;
 * evtchn_upcall_mask is the guest's "interrupts disabled" flag (1 at boot).
 */
struct vcpu_info {
    uint8_t evtchn_upcall_pending;  /* OUT, guest clears */
    uint8_t evtchn_upcall_mask;     /* IN */
    xen_ulong_t evtchn_pending_sel; /* OUT, guest clears: one bit per pending word */
    struct arch_vcpu_info arch;
    struct vcpu_time_info time;     /* OUT */
};
typedef struct vcpu_info vcpu_info_t;
_Static_assert(sizeof(struct vcpu_info) == 64, "vcpu_info");
_Static_assert(offsetof(struct vcpu_info, evtchn_upcall_mask) == 1, "vcpu_info.mask");
_Static_assert(offsetof(struct vcpu_info, evtchn_pending_sel) == 8, "vcpu_info.sel");
_Static_assert(offsetof(struct vcpu_info, arch) == 16, "vcpu_info.arch");
_Static_assert(offsetof(struct vcpu_info, time) == 32, "vcpu_info.time");

/*
 * The page shared by the hypervisor and the whole domain. Event channel
 * pending bits are set by the hypervisor and cleared by the guest; mask bits
 * belong to the guest (read-only to the hypervisor).
 */
struct shared_info {
    struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
    xen_ulong_t evtchn_pending[sizeof(xen_ulong_t) * 8];
    xen_ulong_t evtchn_mask[sizeof(xen_ulong_t) * 8];
    /* Wallclock at system_time 0, same version protocol as vcpu_time_info. OUT. */
    uint32_t wc_version;
    uint32_t wc_sec;
    uint32_t wc_nsec;
    uint32_t wc_sec_hi;
    struct arch_shared_info arch;
};
typedef struct shared_info shared_info_t;
_Static_assert(offsetof(struct shared_info, evtchn_pending) == 2048, "shared_info.pending");
_Static_assert(offsetof(struct shared_info, evtchn_mask) == 2560, "shared_info.mask");
_Static_assert(offsetof(struct shared_info, wc_version) == 3072, "shared_info.wc_version");
_Static_assert(offsetof(struct shared_info, wc_sec_hi) == 3084, "shared_info.wc_sec_hi");
_Static_assert(offsetof(struct shared_info, arch) == 3088, "shared_info.arch");
_Static_assert(sizeof(struct shared_info) == 3136, "shared_info");
#define xen_wc_sec_hi wc_sec_hi

/*
 * start_info: the page whose virtual address a PV guest finds in RSI at
 * entry. Entirely OUT. Addresses are guest-virtual unless they say machine.
 */
struct start_info {
    char magic[32];             /* "xen-3.0-x86_64" and NUL padding */
    unsigned long nr_pages;     /* pages allocated to the domain */
    unsigned long shared_info;  /* machine address of shared_info */
    uint32_t flags;             /* SIF_* */
    xen_pfn_t store_mfn;        /* machine frame of the xenstore ring */
    uint32_t store_evtchn;      /* its event channel */
    union {
        struct {
            xen_pfn_t mfn;      /* machine frame of the console ring */
            uint32_t  evtchn;   /* its event channel */
        } domU;
        struct {
            uint32_t info_off;  /* offset of dom0_vga_console_info in this page */
            uint32_t info_size;
        } dom0;
    } console;
    /* Only meaningful at first boot, not after resume: */
    unsigned long pt_base;      /* virtual address of the L4 table */
    unsigned long nr_pt_frames; /* bootstrap page-table frames */
    unsigned long mfn_list;     /* virtual address of the p2m array */
    unsigned long mod_start;    /* initrd: virtual address (or PFN, SIF_MOD_START_PFN) */
    unsigned long mod_len;      /* initrd size in bytes */
    int8_t cmd_line[MAX_GUEST_CMDLINE];
    unsigned long first_p2m_pfn; /* first PFN of the separately mapped p2m */
    unsigned long nr_p2m_frames;
};
typedef struct start_info start_info_t;
_Static_assert(offsetof(struct start_info, nr_pages) == 32, "start_info.nr_pages");
_Static_assert(offsetof(struct start_info, flags) == 48, "start_info.flags");
_Static_assert(offsetof(struct start_info, store_mfn) == 56, "start_info.store_mfn");
_Static_assert(offsetof(struct start_info, store_evtchn) == 64, "start_info.store_evtchn");
_Static_assert(offsetof(struct start_info, console.domU.mfn) == 72, "start_info.console");
_Static_assert(offsetof(struct start_info, console.domU.evtchn) == 80, "start_info.console.evtchn");
_Static_assert(offsetof(struct start_info, pt_base) == 88, "start_info.pt_base");
_Static_assert(offsetof(struct start_info, mfn_list) == 104, "start_info.mfn_list");
_Static_assert(offsetof(struct start_info, mod_start) == 112, "start_info.mod_start");
_Static_assert(offsetof(struct start_info, cmd_line) == 128, "start_info.cmd_line");
_Static_assert(offsetof(struct start_info, first_p2m_pfn) == 1152, "start_info.first_p2m_pfn");
_Static_assert(sizeof(struct start_info) == 1168, "start_info");

/* One multiboot module as listed when SIF_MULTIBOOT_MOD is set. */
struct xen_multiboot_mod_list {
    uint32_t mod_start;     /* physical address of the first byte */
    uint32_t mod_end;       /* physical address of the last byte (inclusive) */
    uint32_t cmdline;       /* physical address of its NUL-terminated command line */
    uint32_t pad;           /* zero */
};
_Static_assert(sizeof(struct xen_multiboot_mod_list) == 16, "xen_multiboot_mod_list");

/* The initial domain's description of the boot video console. OUT. */
#define XEN_VGATYPE_TEXT_MODE_3 0x03
#define XEN_VGATYPE_VESA_LFB    0x23
#define XEN_VGATYPE_EFI_LFB     0x70
typedef struct dom0_vga_console_info {
    uint8_t video_type;     /* XEN_VGATYPE_* */
    union {
        struct {
            uint16_t font_height;
            uint16_t cursor_x, cursor_y;
            uint16_t rows, columns;
        } text_mode_3;
        struct {
            uint16_t width, height;
            uint16_t bytes_per_line;
            uint16_t bits_per_pixel;
            uint32_t lfb_base;          /* low 32 bits */
            uint32_t lfb_size;          /* in 64 KiB units */
            uint8_t  red_pos, red_size;
            uint8_t  green_pos, green_size;
            uint8_t  blue_pos, blue_size;
            uint8_t  rsvd_pos, rsvd_size;
            uint32_t gbl_caps;
            uint16_t mode_attrs;
            uint16_t pad;
            uint32_t ext_lfb_base;      /* high 32 bits of lfb_base */
        } vesa_lfb;
    } u;
} dom0_vga_console_info_t;
#define xen_vga_console_info   dom0_vga_console_info
#define xen_vga_console_info_t dom0_vga_console_info_t
_Static_assert(sizeof(struct dom0_vga_console_info) == 40, "dom0_vga_console_info");
_Static_assert(offsetof(struct dom0_vga_console_info, u.vesa_lfb.lfb_base) == 12, "vga.lfb_base");

#endif /* !__ASSEMBLY__ */
#endif /* PVABI_XEN_H */
