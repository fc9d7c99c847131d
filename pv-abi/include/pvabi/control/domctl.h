/*
 * Tessera toolstack-only control interface: domain control (domctl), laid
 * out as Xen 4.17 lays it out, so that Debian 12's libxenctrl 4.17 and
 * Tessera's own tools issue the same calls.
 *
 * NOT part of the guest ABI: only builds that define PVABI_TOOLSTACK may
 * include it. Call: hypercall __HYPERVISOR_domctl (36) with one argument, a
 * pointer to struct xen_domctl. The hypervisor copies the whole struct in,
 * acts on `domain`, and copies it back out on success (and on the errors
 * that say so below). Results:
 *   -EACCES  interface_version is not XEN_DOMCTL_INTERFACE_VERSION
 *   -EPERM   the caller is not a privileged (control) domain
 *   -ENOSYS  an operation number this hypervisor does not implement
 *   -ESRCH   no domain has id `domain`
 * The payload of each operation is the member of `u` named after it.
 */
#ifndef PVABI_CONTROL_DOMCTL_H
#define PVABI_CONTROL_DOMCTL_H

#ifndef PVABI_TOOLSTACK
#error "pvabi/control/ is the toolstack-only interface: define PVABI_TOOLSTACK in toolstack builds; guest code must not include it"
#endif

#include <pvabi/control/types.h>

/* Changes whenever a domctl layout changes; 0x15 is Xen 4.17's. */
#define XEN_DOMCTL_INTERFACE_VERSION 0x00000015

/*
 * Operation numbers (xen_domctl.cmd). Gaps are numbers Xen retired; they
 * stay unused. Tessera implements those its docs/control-interface.md
 * lists and answers -ENOSYS to the rest.
 */
#define XEN_DOMCTL_createdomain                   1
#define XEN_DOMCTL_destroydomain                  2
#define XEN_DOMCTL_pausedomain                    3
#define XEN_DOMCTL_unpausedomain                  4
#define XEN_DOMCTL_getdomaininfo                  5
/* 6, 7, 8: retired (getmemlist, getpageframeinfo, getpageframeinfo2) */
#define XEN_DOMCTL_setvcpuaffinity                9
#define XEN_DOMCTL_shadow_op                     10
#define XEN_DOMCTL_max_mem                       11
#define XEN_DOMCTL_setvcpucontext                12
#define XEN_DOMCTL_getvcpucontext                13
#define XEN_DOMCTL_getvcpuinfo                   14
#define XEN_DOMCTL_max_vcpus                     15
#define XEN_DOMCTL_scheduler_op                  16
#define XEN_DOMCTL_setdomainhandle               17
#define XEN_DOMCTL_setdebugging                  18
#define XEN_DOMCTL_irq_permission                19
#define XEN_DOMCTL_iomem_permission              20
#define XEN_DOMCTL_ioport_permission             21
#define XEN_DOMCTL_hypercall_init                22
/* 23: hypervisor-internal (soft reset continuation) */
#define XEN_DOMCTL_settimeoffset                 24
#define XEN_DOMCTL_getvcpuaffinity               25
#define XEN_DOMCTL_real_mode_area                26
#define XEN_DOMCTL_resumedomain                  27
#define XEN_DOMCTL_sendtrigger                   28
#define XEN_DOMCTL_subscribe                     29
/* 30-32: never used on x86 */
#define XEN_DOMCTL_gethvmcontext                 33
#define XEN_DOMCTL_sethvmcontext                 34
#define XEN_DOMCTL_set_address_size              35
#define XEN_DOMCTL_get_address_size              36
#define XEN_DOMCTL_assign_device                 37
#define XEN_DOMCTL_bind_pt_irq                   38
#define XEN_DOMCTL_memory_mapping                39
#define XEN_DOMCTL_ioport_mapping                40
/* 41: retired (pin_mem_cacheattr) */
#define XEN_DOMCTL_set_ext_vcpucontext           42
#define XEN_DOMCTL_get_ext_vcpucontext           43
#define XEN_DOMCTL_set_opt_feature               44
#define XEN_DOMCTL_test_assign_device            45
#define XEN_DOMCTL_set_target                    46
#define XEN_DOMCTL_deassign_device               47
#define XEN_DOMCTL_unbind_pt_irq                 48
/* 49: retired (set_cpuid) */
#define XEN_DOMCTL_get_device_group              50
/* 51-53: retired */
#define XEN_DOMCTL_debug_op                      54
#define XEN_DOMCTL_gethvmcontext_partial         55
#define XEN_DOMCTL_vm_event_op                   56
#define XEN_DOMCTL_mem_sharing_op                57
/* 58: retired (disable_migrate) */
#define XEN_DOMCTL_gettscinfo                    59
#define XEN_DOMCTL_settscinfo                    60
#define XEN_DOMCTL_getpageframeinfo3             61
#define XEN_DOMCTL_setvcpuextstate               62
#define XEN_DOMCTL_getvcpuextstate               63
#define XEN_DOMCTL_set_access_required           64
#define XEN_DOMCTL_audit_p2m                     65
#define XEN_DOMCTL_set_virq_handler              66
#define XEN_DOMCTL_set_broken_page_p2m           67
#define XEN_DOMCTL_setnodeaffinity               68
#define XEN_DOMCTL_getnodeaffinity               69
/* 70: retired (set_max_evtchn, now in createdomain) */
#define XEN_DOMCTL_cacheflush                    71
#define XEN_DOMCTL_get_vcpu_msrs                 72
#define XEN_DOMCTL_set_vcpu_msrs                 73
#define XEN_DOMCTL_setvnumainfo                  74
#define XEN_DOMCTL_psr_cmt_op                    75
/* 76: never used */
#define XEN_DOMCTL_monitor_op                    77
#define XEN_DOMCTL_psr_alloc                     78
#define XEN_DOMCTL_soft_reset                    79
/* 80: retired (set_gnttab_limits, now in createdomain) */
#define XEN_DOMCTL_vuart_op                      81
#define XEN_DOMCTL_get_cpu_policy                82
#define XEN_DOMCTL_set_cpu_policy                83
#define XEN_DOMCTL_vmtrace_op                    84
#define XEN_DOMCTL_get_paging_mempool_size       85
#define XEN_DOMCTL_set_paging_mempool_size       86
#define XEN_DOMCTL_gdbsx_guestmemio            1000
#define XEN_DOMCTL_gdbsx_pausevcpu             1001
#define XEN_DOMCTL_gdbsx_unpausevcpu           1002
#define XEN_DOMCTL_gdbsx_domstatus             1003

#ifndef __ASSEMBLY__

/* ---- createdomain ----
 * xen_domctl.domain IN: the id wanted, or 0 / any id >= DOMID_FIRST_RESERVED
 * (libxenctrl sends 0xffff) to let the hypervisor choose; OUT: the id given.
 * The domain starts paused, with no memory and no vCPUs yet (max_vcpus
 * allocates those). A wanted id already in use: -EEXIST. */
#define XEN_DOMCTL_CDF_hvm           (1U << 0)  /* HVM, not PV */
#define XEN_DOMCTL_CDF_hap           (1U << 1)  /* hardware-assisted paging */
#define XEN_DOMCTL_CDF_s3_integrity  (1U << 2)
#define XEN_DOMCTL_CDF_oos_off       (1U << 3)
#define XEN_DOMCTL_CDF_xs_domain     (1U << 4)  /* runs xenstored */
#define XEN_DOMCTL_CDF_iommu         (1U << 5)
#define XEN_DOMCTL_CDF_nested_virt   (1U << 6)
#define XEN_DOMCTL_CDF_vpmu          (1U << 7)
#define XEN_DOMCTL_CDF_MAX           XEN_DOMCTL_CDF_vpmu

#define XEN_DOMCTL_IOMMU_no_sharept  (1U << 0)
#define XEN_DOMCTL_IOMMU_MAX         XEN_DOMCTL_IOMMU_no_sharept

/* grant_opts: the low 4 bits are the highest grant table version allowed. */
#define XEN_DOMCTL_GRANT_version_mask 0xf
#define XEN_DOMCTL_GRANT_version(v)   ((v) & XEN_DOMCTL_GRANT_version_mask)

struct xen_domctl_createdomain {
    uint32_t ssidref;             /* IN: security label (XSM), 0 */
    xen_domain_handle_t handle;   /* IN: the toolstack's UUID */
    uint32_t flags;               /* IN: XEN_DOMCTL_CDF_* */
    uint32_t iommu_opts;          /* IN: XEN_DOMCTL_IOMMU_* */
    uint32_t max_vcpus;           /* IN: vCPU limit, >= 1 */
    uint32_t max_evtchn_port;     /* IN: highest event channel port */
    int32_t  max_grant_frames;    /* IN: < 0: the hypervisor's default */
    int32_t  max_maptrack_frames; /* IN: < 0: the hypervisor's default */
    uint32_t grant_opts;          /* IN: XEN_DOMCTL_GRANT_version(v) */
    uint32_t vmtrace_size;        /* IN: per-vCPU trace buffer, 0 = none */
    uint32_t cpupool_id;          /* IN: 0 or an existing pool */
    struct xen_arch_domainconfig arch; /* IN */
};

/* ---- getdomaininfo (and sysctl getdomaininfolist) ----
 * Reports the domain with the lowest id >= xen_domctl.domain (-ESRCH if
 * there is none); `domain` names the one reported. */
#define XEN_DOMINF_dying       (1U << 0)  /* being destroyed */
#define XEN_DOMINF_hvm_guest   (1U << 1)
#define XEN_DOMINF_shutdown    (1U << 2)  /* shut down: reason in the code */
#define XEN_DOMINF_paused      (1U << 3)  /* paused by the toolstack */
#define XEN_DOMINF_blocked     (1U << 4)  /* every vCPU waits for an event */
#define XEN_DOMINF_running     (1U << 5)  /* some vCPU is on a CPU now */
#define XEN_DOMINF_debugged    (1U << 6)
#define XEN_DOMINF_xs_domain   (1U << 7)
#define XEN_DOMINF_hap         (1U << 8)
/* The guest's SHUTDOWN_* code sits in flags bits 16-23. */
#define XEN_DOMINF_shutdownmask  255
#define XEN_DOMINF_shutdownshift 16

/* max_vcpu_id of a domain that has no vCPUs yet. */
#define XEN_INVALID_MAX_VCPU_ID (~0U)

struct xen_domctl_getdomaininfo {
    domid_t  domain;                     /* OUT: the domain reported */
    uint16_t pad1;
    uint32_t flags;                      /* OUT: XEN_DOMINF_* */
    uint64_aligned_t tot_pages;          /* OUT: pages it owns now */
    uint64_aligned_t max_pages;          /* OUT: its allocation limit */
    uint64_aligned_t outstanding_pages;  /* OUT: claimed, not yet populated */
    uint64_aligned_t shr_pages;          /* OUT: shared (0 here) */
    uint64_aligned_t paged_pages;        /* OUT: paged out (0 here) */
    uint64_aligned_t shared_info_frame;  /* OUT: machine frame of shared_info */
    uint64_aligned_t cpu_time;           /* OUT: ns run, all vCPUs */
    uint32_t nr_online_vcpus;            /* OUT */
    uint32_t max_vcpu_id;                /* OUT: highest vCPU id, or invalid */
    uint32_t ssidref;                    /* OUT */
    xen_domain_handle_t handle;          /* OUT: UUID given at creation */
    uint32_t cpupool;                    /* OUT */
    uint8_t  gpaddr_bits;                /* OUT: guest physical address bits */
    uint8_t  pad2[7];
    struct xen_arch_domainconfig arch_config; /* OUT */
};
typedef struct xen_domctl_getdomaininfo xen_domctl_getdomaininfo_t;
DEFINE_XEN_GUEST_HANDLE(xen_domctl_getdomaininfo_t);

/* ---- getpageframeinfo3: page types of a list of frames ---- */
#define XEN_DOMCTL_PFINFO_LTAB_SHIFT    28
#define XEN_DOMCTL_PFINFO_NOTAB         (0x0U << 28)
#define XEN_DOMCTL_PFINFO_L1TAB         (0x1U << 28)
#define XEN_DOMCTL_PFINFO_L2TAB         (0x2U << 28)
#define XEN_DOMCTL_PFINFO_L3TAB         (0x3U << 28)
#define XEN_DOMCTL_PFINFO_L4TAB         (0x4U << 28)
#define XEN_DOMCTL_PFINFO_LTABTYPE_MASK (0x7U << 28)
#define XEN_DOMCTL_PFINFO_LPINTAB       (0x1U << 31)
#define XEN_DOMCTL_PFINFO_XTAB          (0xfU << 28)
#define XEN_DOMCTL_PFINFO_XALLOC        (0xeU << 28)
#define XEN_DOMCTL_PFINFO_BROKEN        (0xdU << 28)
#define XEN_DOMCTL_PFINFO_LTAB_MASK     (0xfU << 28)

struct xen_domctl_getpageframeinfo3 {
    uint64_aligned_t num;                   /* IN: entries in array */
    XEN_GUEST_HANDLE_64(xen_pfn_t) array;   /* IN: frames; OUT: frame|type */
};

/* ---- shadow_op ----
 * A PV domain runs on its own page tables, so OFF is -EINVAL unless
 * log-dirty mode is on; the allocation accessors report 0 MB. */
#define XEN_DOMCTL_SHADOW_OP_OFF              0
#define XEN_DOMCTL_SHADOW_OP_ENABLE_TEST      1
#define XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY  2
/* 3: retired (ENABLE_TRANSLATE) */
#define XEN_DOMCTL_SHADOW_OP_CLEAN           11
#define XEN_DOMCTL_SHADOW_OP_PEEK            12
#define XEN_DOMCTL_SHADOW_OP_GET_ALLOCATION  30
#define XEN_DOMCTL_SHADOW_OP_SET_ALLOCATION  31
#define XEN_DOMCTL_SHADOW_OP_ENABLE          32

#define XEN_DOMCTL_SHADOW_ENABLE_REFCOUNT  (1 << 1)
#define XEN_DOMCTL_SHADOW_ENABLE_LOG_DIRTY (1 << 2)
#define XEN_DOMCTL_SHADOW_ENABLE_TRANSLATE (1 << 3)
#define XEN_DOMCTL_SHADOW_ENABLE_EXTERNAL  (1 << 4)

#define XEN_DOMCTL_SHADOW_LOGDIRTY_FINAL   (1 << 0)

struct xen_domctl_shadow_op_stats {
    uint32_t fault_count;
    uint32_t dirty_count;
};

struct xen_domctl_shadow_op {
    uint32_t op;                  /* IN: XEN_DOMCTL_SHADOW_OP_* */
    uint32_t mode;                /* IN: ENABLE_* or LOGDIRTY_* flags */
    uint32_t mb;                  /* IN/OUT: allocation in MiB */
    XEN_GUEST_HANDLE_64(uint8) dirty_bitmap; /* OUT (CLEAN, PEEK) */
    uint64_aligned_t pages;       /* IN: bitmap bits; OUT: bits written */
    struct xen_domctl_shadow_op_stats stats; /* OUT */
};

/* ---- max_mem: the allocation limit in KiB ---- */
struct xen_domctl_max_mem {
    uint64_aligned_t max_memkb;   /* IN */
};

/* ---- setvcpucontext / getvcpucontext ----
 * The 64-bit PV context: ctrlreg[3] = xen_pfn_to_cr3(L4 frame). Set needs
 * the domain paused; a null ctxt on set resets the vCPU. */
struct xen_domctl_vcpucontext {
    uint32_t vcpu;                                  /* IN */
    XEN_GUEST_HANDLE_64(vcpu_guest_context_t) ctxt; /* IN (set) / OUT (get) */
};

/* ---- getvcpuinfo ---- */
struct xen_domctl_getvcpuinfo {
    uint32_t vcpu;                /* IN */
    uint8_t  online;              /* OUT: up (not down by VCPUOP_down) */
    uint8_t  blocked;             /* OUT: waiting for an event */
    uint8_t  running;             /* OUT: on a CPU now */
    uint64_aligned_t cpu_time;    /* OUT: ns run */
    uint32_t cpu;                 /* OUT: the CPU it runs or last ran on */
};

/* ---- setnodeaffinity / getnodeaffinity ---- */
struct xen_domctl_nodeaffinity {
    struct xenctl_bitmap nodemap; /* IN (set) / OUT (get) */
};

/* ---- setvcpuaffinity / getvcpuaffinity ----
 * Set: IN the masks named by flags; OUT the effective ones (hard: the mask
 * and the pool's online CPUs; soft: that and the soft mask). Get: OUT the
 * masks as set, untouched. */
#define XEN_VCPUAFFINITY_HARD   (1U << 0)
#define XEN_VCPUAFFINITY_SOFT   (1U << 1)
#define XEN_VCPUAFFINITY_FORCE  (1U << 2)  /* undo SCHEDOP_pin_override */

struct xen_domctl_vcpuaffinity {
    uint32_t vcpu;                      /* IN */
    uint32_t flags;                     /* IN: XEN_VCPUAFFINITY_* */
    struct xenctl_bitmap cpumap_hard;   /* IN/OUT */
    struct xenctl_bitmap cpumap_soft;   /* IN/OUT */
};

/* ---- max_vcpus: allocates the vCPUs; must equal createdomain's ---- */
struct xen_domctl_max_vcpus {
    uint32_t max;                 /* IN */
};

/* ---- scheduler_op ---- */
/* 4: retired (SEDF) */
#define XEN_SCHEDULER_CREDIT   5
#define XEN_SCHEDULER_CREDIT2  6
#define XEN_SCHEDULER_ARINC653 7
#define XEN_SCHEDULER_RTDS     8
#define XEN_SCHEDULER_NULL     9

#define XEN_DOMCTL_SCHEDOP_putinfo     0
#define XEN_DOMCTL_SCHEDOP_getinfo     1
#define XEN_DOMCTL_SCHEDOP_putvcpuinfo 2
#define XEN_DOMCTL_SCHEDOP_getvcpuinfo 3

struct xen_domctl_sched_credit {
    uint16_t weight;              /* relative share, 1..65535 */
    uint16_t cap;                 /* % of one CPU, 0 = no cap */
};

struct xen_domctl_sched_credit2 {
    uint16_t weight;
    uint16_t cap;
};

#define XEN_DOMCTL_SCHEDRT_extra (1U << 0)
struct xen_domctl_sched_rtds {
    uint32_t period;
    uint32_t budget;
    uint32_t flags;               /* XEN_DOMCTL_SCHEDRT_* */
};

typedef struct xen_domctl_schedparam_vcpu {
    union {
        struct xen_domctl_sched_credit  credit;
        struct xen_domctl_sched_credit2 credit2;
        struct xen_domctl_sched_rtds    rtds;
    } u;
    uint32_t vcpuid;
} xen_domctl_schedparam_vcpu_t;
DEFINE_XEN_GUEST_HANDLE(xen_domctl_schedparam_vcpu_t);

/* sched_id must name the scheduler the domain's pool runs (else -EINVAL);
 * putinfo sets the domain's parameters, getinfo reads them. */
struct xen_domctl_scheduler_op {
    uint32_t sched_id;            /* IN: XEN_SCHEDULER_* */
    uint32_t cmd;                 /* IN: XEN_DOMCTL_SCHEDOP_* */
    union {                       /* IN (put) / OUT (get) */
        struct xen_domctl_sched_credit  credit;
        struct xen_domctl_sched_credit2 credit2;
        struct xen_domctl_sched_rtds    rtds;
        struct {
            XEN_GUEST_HANDLE_64(xen_domctl_schedparam_vcpu_t) vcpus;
            uint32_t nr_vcpus;    /* IN: entries; OUT: entries done */
            uint32_t padding;
        } v;
    } u;
};

/* ---- setdomainhandle ---- */
struct xen_domctl_setdomainhandle {
    xen_domain_handle_t handle;   /* IN */
};

/* ---- hypercall_init: write the hypercall page into one of its frames ---- */
struct xen_domctl_hypercall_init {
    uint64_aligned_t gmfn;        /* IN: a frame the domain owns */
};

/* ---- settimeoffset ---- */
struct xen_domctl_settimeoffset {
    int64_aligned_t time_offset_seconds; /* IN: added to the wallclock */
};

/* ---- set_address_size / get_address_size: 64 for a 64-bit PV domain ---- */
struct xen_domctl_address_size {
    uint32_t size;                /* IN (set) / OUT (get): bits */
};

/* ---- set/get_ext_vcpucontext: 32-bit entry points and MCE state ---- */
struct xen_domctl_ext_vcpucontext {
    uint32_t vcpu;                         /* IN */
    uint32_t size;                         /* IN (set) / OUT (get): bytes */
    uint64_aligned_t syscall32_callback_eip;
    uint64_aligned_t sysenter_callback_eip;
    uint16_t syscall32_callback_cs;
    uint16_t sysenter_callback_cs;
    uint8_t  syscall32_disables_events;
    uint8_t  sysenter_disables_events;
    uint8_t  pad[2];
    uint64_aligned_t mcg_cap;              /* machine-check state (Xen's */
    uint64_aligned_t mci_ctl2_bank0;       /* hvm_vmce_vcpu, mcg_cap being */
    uint64_aligned_t mci_ctl2_bank1;       /* its caps) */
    uint64_aligned_t mcg_ext_ctl;
};

/* ---- gettscinfo / settscinfo ----
 * tsc_mode: 0 default, 1 always emulate, 2 never emulate (Xen's values). */
struct xen_domctl_tsc_info {
    uint32_t tsc_mode;            /* IN/OUT */
    uint32_t gtsc_khz;            /* IN/OUT: guest TSC rate, 0 = host's */
    uint32_t incarnation;         /* IN/OUT: bumped on migration */
    uint32_t pad;
    uint64_aligned_t elapsed_nsec; /* IN/OUT */
};

/* ---- get_cpu_policy / set_cpu_policy ----
 * A null leaves/msrs handle on get asks for the maximum counts. */
struct xen_domctl_cpu_policy {
    uint32_t nr_leaves;                           /* IN/OUT */
    uint32_t nr_msrs;                             /* IN/OUT */
    XEN_GUEST_HANDLE_64(xen_cpuid_leaf_t) leaves; /* IN/OUT */
    XEN_GUEST_HANDLE_64(xen_msr_entry_t)  msrs;   /* IN/OUT */
    uint32_t err_leaf, err_subleaf, err_msr;      /* OUT (set): what was refused */
};
typedef struct xen_domctl_cpu_policy xen_domctl_cpu_policy_t;

/* ---- setvcpuextstate / getvcpuextstate: the XSAVE image ---- */
struct xen_domctl_vcpuextstate {
    uint32_t vcpu;                           /* IN */
    uint64_aligned_t xfeature_mask;          /* IN/OUT (get) */
    uint64_aligned_t size;                   /* IN; OUT (get) */
    XEN_GUEST_HANDLE_64(uint64) buffer;
};

/* The one argument of every domctl. */
struct xen_domctl {
    uint32_t cmd;                 /* IN: XEN_DOMCTL_* */
    uint32_t interface_version;   /* IN: XEN_DOMCTL_INTERFACE_VERSION */
    domid_t  domain;              /* IN: the target (OUT for create) */
    uint16_t _pad[3];
    union {
        struct xen_domctl_createdomain      createdomain;
        struct xen_domctl_getdomaininfo     getdomaininfo;
        struct xen_domctl_getpageframeinfo3 getpageframeinfo3;
        struct xen_domctl_nodeaffinity      nodeaffinity;
        struct xen_domctl_vcpuaffinity      vcpuaffinity;
        struct xen_domctl_shadow_op         shadow_op;
        struct xen_domctl_max_mem           max_mem;
        struct xen_domctl_vcpucontext       vcpucontext;
        struct xen_domctl_getvcpuinfo       getvcpuinfo;
        struct xen_domctl_max_vcpus         max_vcpus;
        struct xen_domctl_scheduler_op      scheduler_op;
        struct xen_domctl_setdomainhandle   setdomainhandle;
        struct xen_domctl_hypercall_init    hypercall_init;
        struct xen_domctl_settimeoffset     settimeoffset;
        struct xen_domctl_tsc_info          tsc_info;
        struct xen_domctl_address_size      address_size;
        struct xen_domctl_ext_vcpucontext   ext_vcpucontext;
        struct xen_domctl_cpu_policy        cpu_policy;
        struct xen_domctl_vcpuextstate      vcpuextstate;
        uint8_t                             pad[128]; /* fixes the size */
    } u;
};
typedef struct xen_domctl xen_domctl_t;
DEFINE_XEN_GUEST_HANDLE(xen_domctl_t);

_Static_assert(sizeof(struct xen_domctl_createdomain) == 64, "createdomain");
_Static_assert(offsetof(struct xen_domctl_createdomain, handle) == 4, "createdomain.handle");
_Static_assert(offsetof(struct xen_domctl_createdomain, flags) == 20, "createdomain.flags");
_Static_assert(offsetof(struct xen_domctl_createdomain, max_vcpus) == 28, "createdomain.max_vcpus");
_Static_assert(offsetof(struct xen_domctl_createdomain, max_grant_frames) == 36, "createdomain.max_grant_frames");
_Static_assert(offsetof(struct xen_domctl_createdomain, grant_opts) == 44, "createdomain.grant_opts");
_Static_assert(offsetof(struct xen_domctl_createdomain, cpupool_id) == 52, "createdomain.cpupool_id");
_Static_assert(offsetof(struct xen_domctl_createdomain, arch) == 56, "createdomain.arch");
_Static_assert(sizeof(struct xen_domctl_getdomaininfo) == 112, "getdomaininfo");
_Static_assert(offsetof(struct xen_domctl_getdomaininfo, flags) == 4, "getdomaininfo.flags");
_Static_assert(offsetof(struct xen_domctl_getdomaininfo, tot_pages) == 8, "getdomaininfo.tot_pages");
_Static_assert(offsetof(struct xen_domctl_getdomaininfo, shared_info_frame) == 48, "getdomaininfo.shared_info_frame");
_Static_assert(offsetof(struct xen_domctl_getdomaininfo, cpu_time) == 56, "getdomaininfo.cpu_time");
_Static_assert(offsetof(struct xen_domctl_getdomaininfo, nr_online_vcpus) == 64, "getdomaininfo.nr_online_vcpus");
_Static_assert(offsetof(struct xen_domctl_getdomaininfo, handle) == 76, "getdomaininfo.handle");
_Static_assert(offsetof(struct xen_domctl_getdomaininfo, cpupool) == 92, "getdomaininfo.cpupool");
_Static_assert(offsetof(struct xen_domctl_getdomaininfo, gpaddr_bits) == 96, "getdomaininfo.gpaddr_bits");
_Static_assert(offsetof(struct xen_domctl_getdomaininfo, arch_config) == 104, "getdomaininfo.arch_config");
_Static_assert(sizeof(struct xen_domctl_getpageframeinfo3) == 16, "getpageframeinfo3");
_Static_assert(sizeof(struct xen_domctl_shadow_op) == 40, "shadow_op");
_Static_assert(offsetof(struct xen_domctl_shadow_op, dirty_bitmap) == 16, "shadow_op.dirty_bitmap");
_Static_assert(offsetof(struct xen_domctl_shadow_op, stats) == 32, "shadow_op.stats");
_Static_assert(sizeof(struct xen_domctl_max_mem) == 8, "max_mem");
_Static_assert(sizeof(struct xen_domctl_vcpucontext) == 16, "vcpucontext");
_Static_assert(offsetof(struct xen_domctl_vcpucontext, ctxt) == 8, "vcpucontext.ctxt");
_Static_assert(sizeof(struct xen_domctl_getvcpuinfo) == 24, "getvcpuinfo");
_Static_assert(offsetof(struct xen_domctl_getvcpuinfo, online) == 4, "getvcpuinfo.online");
_Static_assert(offsetof(struct xen_domctl_getvcpuinfo, cpu_time) == 8, "getvcpuinfo.cpu_time");
_Static_assert(offsetof(struct xen_domctl_getvcpuinfo, cpu) == 16, "getvcpuinfo.cpu");
_Static_assert(sizeof(struct xen_domctl_nodeaffinity) == 16, "nodeaffinity");
_Static_assert(sizeof(struct xen_domctl_vcpuaffinity) == 40, "vcpuaffinity");
_Static_assert(offsetof(struct xen_domctl_vcpuaffinity, cpumap_hard) == 8, "vcpuaffinity.cpumap_hard");
_Static_assert(offsetof(struct xen_domctl_vcpuaffinity, cpumap_soft) == 24, "vcpuaffinity.cpumap_soft");
_Static_assert(sizeof(struct xen_domctl_max_vcpus) == 4, "max_vcpus");
_Static_assert(sizeof(struct xen_domctl_schedparam_vcpu) == 16, "schedparam_vcpu");
_Static_assert(offsetof(struct xen_domctl_schedparam_vcpu, vcpuid) == 12, "schedparam_vcpu.vcpuid");
_Static_assert(sizeof(struct xen_domctl_scheduler_op) == 24, "scheduler_op");
_Static_assert(offsetof(struct xen_domctl_scheduler_op, u) == 8, "scheduler_op.u");
_Static_assert(offsetof(struct xen_domctl_scheduler_op, u.v.nr_vcpus) == 16, "scheduler_op.u.v.nr_vcpus");
_Static_assert(sizeof(struct xen_domctl_setdomainhandle) == 16, "setdomainhandle");
_Static_assert(sizeof(struct xen_domctl_hypercall_init) == 8, "hypercall_init");
_Static_assert(sizeof(struct xen_domctl_settimeoffset) == 8, "settimeoffset");
_Static_assert(sizeof(struct xen_domctl_address_size) == 4, "address_size");
_Static_assert(sizeof(struct xen_domctl_ext_vcpucontext) == 64, "ext_vcpucontext");
_Static_assert(offsetof(struct xen_domctl_ext_vcpucontext, mcg_cap) == 32, "ext_vcpucontext.mcg_cap");
_Static_assert(sizeof(struct xen_domctl_tsc_info) == 24, "tsc_info");
_Static_assert(offsetof(struct xen_domctl_tsc_info, elapsed_nsec) == 16, "tsc_info.elapsed_nsec");
_Static_assert(sizeof(struct xen_domctl_cpu_policy) == 40, "cpu_policy");
_Static_assert(offsetof(struct xen_domctl_cpu_policy, leaves) == 8, "cpu_policy.leaves");
_Static_assert(offsetof(struct xen_domctl_cpu_policy, err_leaf) == 24, "cpu_policy.err_leaf");
_Static_assert(sizeof(struct xen_domctl_vcpuextstate) == 32, "vcpuextstate");
_Static_assert(offsetof(struct xen_domctl, domain) == 8, "xen_domctl.domain");
_Static_assert(offsetof(struct xen_domctl, u) == 16, "xen_domctl.u");
_Static_assert(sizeof(struct xen_domctl) == 144, "xen_domctl");

#endif /* !__ASSEMBLY__ */
#endif /* PVABI_CONTROL_DOMCTL_H */
