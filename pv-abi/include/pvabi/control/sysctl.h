/*
 * Tessera toolstack-only control interface: system control (sysctl), laid
 * out as Xen 4.17 lays it out.
 *
 * NOT part of the guest ABI: only builds that define PVABI_TOOLSTACK may
 * include it. Call: hypercall __HYPERVISOR_sysctl (35) with one argument, a
 * pointer to struct xen_sysctl, copied in whole and back out on success.
 * Results as for domctl: -EACCES for another interface_version, -EPERM for
 * an unprivileged caller, -ENOSYS for an operation not implemented.
 */
#ifndef PVABI_CONTROL_SYSCTL_H
#define PVABI_CONTROL_SYSCTL_H

#ifndef PVABI_TOOLSTACK
#error "pvabi/control/ is the toolstack-only interface: define PVABI_TOOLSTACK in toolstack builds; guest code must not include it"
#endif

#include <pvabi/control/types.h>
#include <pvabi/control/domctl.h>

/* Changes whenever a sysctl layout changes; 0x15 is Xen 4.17's. */
#define XEN_SYSCTL_INTERFACE_VERSION 0x00000015

/* Operation numbers (xen_sysctl.cmd); gaps stay unused. */
#define XEN_SYSCTL_readconsole                    1
#define XEN_SYSCTL_tbuf_op                        2
#define XEN_SYSCTL_physinfo                       3
#define XEN_SYSCTL_sched_id                       4
#define XEN_SYSCTL_perfc_op                       5
#define XEN_SYSCTL_getdomaininfolist              6
#define XEN_SYSCTL_debug_keys                     7
#define XEN_SYSCTL_getcpuinfo                     8
#define XEN_SYSCTL_availheap                      9
#define XEN_SYSCTL_get_pmstat                    10
#define XEN_SYSCTL_cpu_hotplug                   11
#define XEN_SYSCTL_pm_op                         12
/* 13: never used */
#define XEN_SYSCTL_page_offline_op               14
#define XEN_SYSCTL_lockprof_op                   15
#define XEN_SYSCTL_cputopoinfo                   16
#define XEN_SYSCTL_numainfo                      17
#define XEN_SYSCTL_cpupool_op                    18
#define XEN_SYSCTL_scheduler_op                  19
#define XEN_SYSCTL_coverage_op                   20
#define XEN_SYSCTL_psr_cmt_op                    21
#define XEN_SYSCTL_pcitopoinfo                   22
#define XEN_SYSCTL_psr_alloc                     23
/* 24: retired (tmem_op) */
#define XEN_SYSCTL_get_cpu_levelling_caps        25
#define XEN_SYSCTL_get_cpu_featureset            26
#define XEN_SYSCTL_livepatch_op                  27
/* 28: retired (set_parameter) */
#define XEN_SYSCTL_get_cpu_policy                29

#ifndef __ASSEMBLY__

/* ---- readconsole: the hypervisor's log ring ----
 * Copies up to count bytes, oldest first, from `index` when incremental
 * (else from the oldest byte kept); OUT count = bytes copied, index = where
 * the next incremental read starts. clear empties the ring after reading. */
struct xen_sysctl_readconsole {
    uint8_t  clear;               /* IN: non-zero: empty the ring after */
    uint8_t  incremental;         /* IN: non-zero: start at index */
    uint8_t  pad0, pad1;
    uint32_t index;               /* IN (incremental) / OUT: ring position */
    XEN_GUEST_HANDLE_64(char) buffer; /* IN: where to copy */
    uint32_t count;               /* IN: buffer size; OUT: bytes copied */
};

/* ---- physinfo ---- */
#define XEN_SYSCTL_PHYSCAP_hvm                (1u << 0)
#define XEN_SYSCTL_PHYSCAP_pv                 (1u << 1)
#define XEN_SYSCTL_PHYSCAP_directio           (1u << 2)
#define XEN_SYSCTL_PHYSCAP_hap                (1u << 3)
#define XEN_SYSCTL_PHYSCAP_shadow             (1u << 4)
#define XEN_SYSCTL_PHYSCAP_iommu_hap_pt_share (1u << 5)
#define XEN_SYSCTL_PHYSCAP_vmtrace            (1u << 6)
#define XEN_SYSCTL_PHYSCAP_vpmu               (1u << 7)
#define XEN_SYSCTL_PHYSCAP_gnttab_v1          (1u << 8)
#define XEN_SYSCTL_PHYSCAP_gnttab_v2          (1u << 9)
#define XEN_SYSCTL_PHYSCAP_MAX                XEN_SYSCTL_PHYSCAP_gnttab_v2

struct xen_sysctl_physinfo {
    uint32_t threads_per_core;            /* OUT */
    uint32_t cores_per_socket;            /* OUT */
    uint32_t nr_cpus;                     /* OUT: CPUs online */
    uint32_t max_cpu_id;                  /* OUT: highest possible CPU id */
    uint32_t nr_nodes;                    /* OUT: NUMA nodes online */
    uint32_t max_node_id;                 /* OUT */
    uint32_t cpu_khz;                     /* OUT: TSC rate */
    uint32_t capabilities;                /* OUT: XEN_SYSCTL_PHYSCAP_* */
    uint32_t arch_capabilities;           /* OUT: none defined on x86 */
    uint32_t pad;
    uint64_aligned_t total_pages;         /* OUT: RAM the heap manages */
    uint64_aligned_t free_pages;          /* OUT: of those, free now */
    uint64_aligned_t scrub_pages;         /* OUT: free, waiting to be zeroed */
    uint64_aligned_t outstanding_pages;   /* OUT: claimed by domains */
    uint64_aligned_t max_mfn;             /* OUT: highest possible frame */
    uint32_t hw_cap[8];                   /* OUT: CPUID feature words */
};

/* ---- sched_id: the scheduler the hypervisor runs (XEN_SCHEDULER_*) ---- */
struct xen_sysctl_sched_id {
    uint32_t sched_id;            /* OUT */
};

/* ---- getdomaininfolist ----
 * Up to max_domains entries, one per domain with id >= first_domain, in id
 * order; OUT num_domains = entries written. */
struct xen_sysctl_getdomaininfolist {
    domid_t  first_domain;        /* IN */
    uint32_t max_domains;         /* IN */
    XEN_GUEST_HANDLE_64(xen_domctl_getdomaininfo_t) buffer; /* OUT */
    uint32_t num_domains;         /* OUT */
};

/* ---- getcpuinfo: idle time per CPU ---- */
struct xen_sysctl_cpuinfo {
    uint64_aligned_t idletime;    /* ns */
};
typedef struct xen_sysctl_cpuinfo xen_sysctl_cpuinfo_t;
DEFINE_XEN_GUEST_HANDLE(xen_sysctl_cpuinfo_t);

struct xen_sysctl_getcpuinfo {
    uint32_t max_cpus;            /* IN: entries in info */
    XEN_GUEST_HANDLE_64(xen_sysctl_cpuinfo_t) info; /* OUT */
    uint32_t nr_cpus;             /* OUT: entries written */
};

/* ---- cputopoinfo ----
 * A null cputopo handle asks for the count. Otherwise min(num_cpus, count)
 * entries are written and num_cpus says how many there are. */
#define XEN_INVALID_CORE_ID     (~0U)
#define XEN_INVALID_SOCKET_ID   (~0U)
#define XEN_INVALID_NODE_ID     (~0U)

struct xen_sysctl_cputopo {
    uint32_t core;
    uint32_t socket;
    uint32_t node;
};
typedef struct xen_sysctl_cputopo xen_sysctl_cputopo_t;
DEFINE_XEN_GUEST_HANDLE(xen_sysctl_cputopo_t);

struct xen_sysctl_cputopoinfo {
    uint32_t num_cpus;            /* IN: entries; OUT: CPUs there are */
    XEN_GUEST_HANDLE_64(xen_sysctl_cputopo_t) cputopo; /* OUT */
};

/* ---- numainfo ----
 * Both handles null asks for the count. distance[i * N + j] is the distance
 * from node i to node j, N being the num_nodes written back. */
#define XEN_INVALID_MEM_SZ     (~0U)
#define XEN_INVALID_NODE_DIST  (~0U)

struct xen_sysctl_meminfo {
    uint64_t memsize;             /* bytes */
    uint64_t memfree;             /* bytes */
};
typedef struct xen_sysctl_meminfo xen_sysctl_meminfo_t;
DEFINE_XEN_GUEST_HANDLE(xen_sysctl_meminfo_t);

struct xen_sysctl_numainfo {
    uint32_t num_nodes;           /* IN: entries; OUT: nodes there are */
    XEN_GUEST_HANDLE_64(xen_sysctl_meminfo_t) meminfo; /* OUT */
    XEN_GUEST_HANDLE_64(uint32) distance;              /* OUT */
};

/* ---- cpupool_op ----
 * INFO reports the pool with the lowest id >= cpupool_id (-ENOENT past the
 * last); the letters say which op reads or writes a field. */
#define XEN_SYSCTL_CPUPOOL_OP_CREATE     1  /* C */
#define XEN_SYSCTL_CPUPOOL_OP_DESTROY    2  /* D */
#define XEN_SYSCTL_CPUPOOL_OP_INFO       3  /* I */
#define XEN_SYSCTL_CPUPOOL_OP_ADDCPU     4  /* A */
#define XEN_SYSCTL_CPUPOOL_OP_RMCPU      5  /* R */
#define XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN 6  /* M */
#define XEN_SYSCTL_CPUPOOL_OP_FREEINFO   7  /* F */
#define XEN_SYSCTL_CPUPOOL_PAR_ANY       0xFFFFFFFF

struct xen_sysctl_cpupool_op {
    uint32_t op;                  /* IN: XEN_SYSCTL_CPUPOOL_OP_* */
    uint32_t cpupool_id;          /* IN: CDIARM; OUT: CI */
    uint32_t sched_id;            /* IN: C; OUT: I */
    uint32_t domid;               /* IN: M */
    uint32_t cpu;                 /* IN: AR */
    uint32_t n_dom;               /* OUT: I */
    struct xenctl_bitmap cpumap;  /* OUT: IF */
};

/* ---- get_cpu_featureset ----
 * A null features handle asks for the length (in 32-bit words). */
#define XEN_SYSCTL_cpu_featureset_raw      0
#define XEN_SYSCTL_cpu_featureset_host     1
#define XEN_SYSCTL_cpu_featureset_pv       2
#define XEN_SYSCTL_cpu_featureset_hvm      3
#define XEN_SYSCTL_cpu_featureset_pv_max   4
#define XEN_SYSCTL_cpu_featureset_hvm_max  5

struct xen_sysctl_cpu_featureset {
    uint32_t index;               /* IN: XEN_SYSCTL_cpu_featureset_* */
    uint32_t nr_features;         /* IN: room; OUT: words written */
    XEN_GUEST_HANDLE_64(uint32) features; /* OUT */
};

/* ---- get_cpu_policy ---- */
#define XEN_SYSCTL_cpu_policy_raw          0
#define XEN_SYSCTL_cpu_policy_host         1
#define XEN_SYSCTL_cpu_policy_pv_max       2
#define XEN_SYSCTL_cpu_policy_hvm_max      3
#define XEN_SYSCTL_cpu_policy_pv_default   4
#define XEN_SYSCTL_cpu_policy_hvm_default  5

struct xen_sysctl_cpu_policy {
    uint32_t index;               /* IN: XEN_SYSCTL_cpu_policy_* */
    uint32_t nr_leaves;           /* IN/OUT; max when leaves is null */
    uint32_t nr_msrs;             /* IN/OUT; max when msrs is null */
    uint32_t _rsvd;               /* must be zero */
    XEN_GUEST_HANDLE_64(xen_cpuid_leaf_t) leaves; /* OUT */
    XEN_GUEST_HANDLE_64(xen_msr_entry_t)  msrs;   /* OUT */
};

/* ---- scheduler_op: a pool's scheduler-wide parameters ---- */
#define XEN_SYSCTL_SCHEDOP_putinfo 0
#define XEN_SYSCTL_SCHEDOP_getinfo 1
/* Credit's limits (xl sched-credit -s -t/-r/-m). */
#define XEN_SYSCTL_CSCHED_TSLICE_MAX     1000     /* ms */
#define XEN_SYSCTL_CSCHED_TSLICE_MIN     1
#define XEN_SYSCTL_SCHED_RATELIMIT_MAX   500000   /* us; 0 turns it off */
#define XEN_SYSCTL_SCHED_RATELIMIT_MIN   100
#define XEN_SYSCTL_CSCHED_MGR_DLY_MAX_US (100 * 1000)

struct xen_sysctl_credit_schedule {
    uint32_t tslice_ms;
    uint32_t ratelimit_us;
    uint32_t vcpu_migr_delay_us;
};

struct xen_sysctl_credit2_schedule {
    uint32_t ratelimit_us;
};

struct xen_sysctl_scheduler_op {
    uint32_t cpupool_id;          /* IN: the pool */
    uint32_t sched_id;            /* IN: XEN_SCHEDULER_*, must be the pool's */
    uint32_t cmd;                 /* IN: XEN_SYSCTL_SCHEDOP_* */
    union {
        uint64_aligned_t arinc653_schedule;   /* a handle in Xen; sets the alignment */
        struct xen_sysctl_credit_schedule  sched_credit;    /* IN (put); OUT */
        struct xen_sysctl_credit2_schedule sched_credit2;
    } u;
};

/* The one argument of every sysctl. */
struct xen_sysctl {
    uint32_t cmd;                 /* IN: XEN_SYSCTL_* */
    uint32_t interface_version;   /* IN: XEN_SYSCTL_INTERFACE_VERSION */
    union {
        struct xen_sysctl_readconsole       readconsole;
        struct xen_sysctl_physinfo          physinfo;
        struct xen_sysctl_sched_id          sched_id;
        struct xen_sysctl_getdomaininfolist getdomaininfolist;
        struct xen_sysctl_getcpuinfo        getcpuinfo;
        struct xen_sysctl_cputopoinfo       cputopoinfo;
        struct xen_sysctl_numainfo          numainfo;
        struct xen_sysctl_cpupool_op        cpupool_op;
        struct xen_sysctl_scheduler_op      scheduler_op;
        struct xen_sysctl_cpu_featureset    cpu_featureset;
        struct xen_sysctl_cpu_policy        cpu_policy;
        uint8_t                             pad[128]; /* fixes the size */
    } u;
};
typedef struct xen_sysctl xen_sysctl_t;
DEFINE_XEN_GUEST_HANDLE(xen_sysctl_t);

_Static_assert(sizeof(struct xen_sysctl_readconsole) == 24, "readconsole");
_Static_assert(sizeof(struct xen_sysctl_scheduler_op) == 32, "scheduler_op");
_Static_assert(offsetof(struct xen_sysctl_scheduler_op, u) == 16, "scheduler_op.u");
_Static_assert(offsetof(struct xen_sysctl_readconsole, index) == 4, "readconsole.index");
_Static_assert(offsetof(struct xen_sysctl_readconsole, buffer) == 8, "readconsole.buffer");
_Static_assert(offsetof(struct xen_sysctl_readconsole, count) == 16, "readconsole.count");
_Static_assert(sizeof(struct xen_sysctl_physinfo) == 112, "physinfo");
_Static_assert(offsetof(struct xen_sysctl_physinfo, cpu_khz) == 24, "physinfo.cpu_khz");
_Static_assert(offsetof(struct xen_sysctl_physinfo, total_pages) == 40, "physinfo.total_pages");
_Static_assert(offsetof(struct xen_sysctl_physinfo, free_pages) == 48, "physinfo.free_pages");
_Static_assert(offsetof(struct xen_sysctl_physinfo, max_mfn) == 72, "physinfo.max_mfn");
_Static_assert(offsetof(struct xen_sysctl_physinfo, hw_cap) == 80, "physinfo.hw_cap");
_Static_assert(sizeof(struct xen_sysctl_sched_id) == 4, "sched_id");
_Static_assert(sizeof(struct xen_sysctl_getdomaininfolist) == 24, "getdomaininfolist");
_Static_assert(offsetof(struct xen_sysctl_getdomaininfolist, max_domains) == 4, "getdomaininfolist.max_domains");
_Static_assert(offsetof(struct xen_sysctl_getdomaininfolist, buffer) == 8, "getdomaininfolist.buffer");
_Static_assert(offsetof(struct xen_sysctl_getdomaininfolist, num_domains) == 16, "getdomaininfolist.num_domains");
_Static_assert(sizeof(struct xen_sysctl_cpuinfo) == 8, "cpuinfo");
_Static_assert(sizeof(struct xen_sysctl_getcpuinfo) == 24, "getcpuinfo");
_Static_assert(offsetof(struct xen_sysctl_getcpuinfo, nr_cpus) == 16, "getcpuinfo.nr_cpus");
_Static_assert(sizeof(struct xen_sysctl_cputopo) == 12, "cputopo");
_Static_assert(sizeof(struct xen_sysctl_cputopoinfo) == 16, "cputopoinfo");
_Static_assert(sizeof(struct xen_sysctl_meminfo) == 16, "meminfo");
_Static_assert(sizeof(struct xen_sysctl_numainfo) == 24, "numainfo");
_Static_assert(offsetof(struct xen_sysctl_numainfo, distance) == 16, "numainfo.distance");
_Static_assert(sizeof(struct xen_sysctl_cpupool_op) == 40, "cpupool_op");
_Static_assert(offsetof(struct xen_sysctl_cpupool_op, n_dom) == 20, "cpupool_op.n_dom");
_Static_assert(offsetof(struct xen_sysctl_cpupool_op, cpumap) == 24, "cpupool_op.cpumap");
_Static_assert(sizeof(struct xen_sysctl_cpu_featureset) == 16, "cpu_featureset");
_Static_assert(sizeof(struct xen_sysctl_cpu_policy) == 32, "cpu_policy");
_Static_assert(offsetof(struct xen_sysctl_cpu_policy, leaves) == 16, "cpu_policy.leaves");
_Static_assert(offsetof(struct xen_sysctl, u) == 8, "xen_sysctl.u");
_Static_assert(sizeof(struct xen_sysctl) == 136, "xen_sysctl");

#endif /* !__ASSEMBLY__ */
#endif /* PVABI_CONTROL_SYSCTL_H */
