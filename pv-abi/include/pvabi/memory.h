/*
 * Tessera guest ABI: memory reservation and physmap, memory_op(cmd, arg).
 * For the simple queries (maximum_ram_page, current/maximum_reservation,
 * maximum_gpfn) the result is the return value and arg is a domid_t pointer
 * (or unused for maximum_ram_page).
 */
#ifndef PVABI_MEMORY_H
#define PVABI_MEMORY_H

#include <pvabi/xen.h>
#include <pvabi/physdev.h>

#define XENMEM_increase_reservation     0
#define XENMEM_decrease_reservation     1
#define XENMEM_maximum_ram_page         2
#define XENMEM_current_reservation      3
#define XENMEM_maximum_reservation      4
#define XENMEM_machphys_mfn_list        5
#define XENMEM_populate_physmap         6
#define XENMEM_add_to_physmap           7
#define XENMEM_memory_map               9
#define XENMEM_machine_memory_map      10
#define XENMEM_exchange                11
#define XENMEM_machphys_mapping        12
#define XENMEM_set_memory_map          13
#define XENMEM_maximum_gpfn            14
#define XENMEM_remove_from_physmap     15
#define XENMEM_set_pod_target          16
#define XENMEM_get_pod_target          17
#define XENMEM_add_to_physmap_batch    23
#define XENMEM_machphys_compat_mfn_list 25
#define XENMEM_get_vnumainfo           26
#define XENMEM_acquire_resource        28
/* 8 is unused; 18-22, 24 and 27 are toolstack-only operations in Xen and
 * are kept free here so they are never reused. */

/*
 * The memory_op cmd argument: the operation in the low 6 bits; above them,
 * for the reservation operations, the extent to start from (how a
 * hypervisor resumes a long request; guests pass 0).
 */
#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK     ((1u << MEMOP_EXTENT_SHIFT) - 1)

/* xen_memory_reservation.mem_flags */
#define XENMEMF_address_bits(x)       (x)
#define XENMEMF_get_address_bits(x)   ((x) & 0xffu)
#define XENMEMF_node(x)               (((x) + 1) << 8)
#define XENMEMF_get_node(x)           ((((x) >> 8) - 1) & 0xffu)
#define XENMEMF_populate_on_demand    (1 << 16)
#define XENMEMF_exact_node_request    (1 << 17)
#define XENMEMF_exact_node(n)         (XENMEMF_node(n) | XENMEMF_exact_node_request)
#define XENMEMF_vnode                 (1 << 18)

/* xen_add_to_physmap.space */
#define XENMAPSPACE_shared_info  0
#define XENMAPSPACE_grant_table  1
#define XENMAPSPACE_gmfn         2
#define XENMAPSPACE_gmfn_range   3
#define XENMAPSPACE_gmfn_foreign 4
#define XENMAPSPACE_dev_mmio     5
#define XENMAPIDX_grant_table_status 0x80000000

#define XENMEM_resource_ioreq_server 0
#define XENMEM_resource_grant_table  1
#define XENMEM_resource_vmtrace_buf  2
#define XENMEM_resource_grant_table_id_shared 0
#define XENMEM_resource_grant_table_id_status 1

#ifndef __ASSEMBLY__

/* increase/decrease_reservation, populate_physmap. */
struct xen_memory_reservation {
    XEN_GUEST_HANDLE(xen_pfn_t) extent_start; /* IN/OUT: frames */
    xen_ulong_t nr_extents;     /* IN: count; the result says how many were done */
    unsigned int extent_order;  /* IN: log2 pages per extent */
    unsigned int mem_flags;     /* IN: XENMEMF_* */
    domid_t domid;              /* IN */
};
typedef struct xen_memory_reservation xen_memory_reservation_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_reservation_t);

struct xen_memory_exchange {
    struct xen_memory_reservation in;
    struct xen_memory_reservation out;
    xen_ulong_t nr_exchanged;   /* OUT */
};
typedef struct xen_memory_exchange xen_memory_exchange_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_exchange_t);

struct xen_memory_domain {
    domid_t domid;
};

/* The machine frames that hold the read-only m2p table. */
struct xen_machphys_mfn_list {
    unsigned int max_extents;                   /* IN */
    XEN_GUEST_HANDLE(xen_pfn_t) extent_start;   /* OUT */
    unsigned int nr_extents;                    /* OUT */
};
typedef struct xen_machphys_mfn_list xen_machphys_mfn_list_t;
DEFINE_XEN_GUEST_HANDLE(xen_machphys_mfn_list_t);

/* Where the m2p table is mapped in the guest. OUT. */
struct xen_machphys_mapping {
    xen_ulong_t v_start, v_end;
    xen_ulong_t max_mfn;
};
typedef struct xen_machphys_mapping xen_machphys_mapping_t;
DEFINE_XEN_GUEST_HANDLE(xen_machphys_mapping_t);

struct xen_add_to_physmap {
    domid_t domid;          /* IN */
    uint16_t size;          /* IN: for gmfn_range */
    unsigned int space;     /* IN: XENMAPSPACE_* */
    xen_ulong_t idx;        /* IN: index into the space */
    xen_pfn_t gpfn;         /* IN: where to put it */
};
typedef struct xen_add_to_physmap xen_add_to_physmap_t;
DEFINE_XEN_GUEST_HANDLE(xen_add_to_physmap_t);

struct xen_add_to_physmap_batch {
    domid_t domid;          /* IN */
    uint16_t space;         /* IN */
    uint16_t size;          /* IN */
    union xen_add_to_physmap_batch_extra {
        domid_t foreign_domid;
        uint16_t res0;
    } u;
    XEN_GUEST_HANDLE(xen_ulong_t) idxs;     /* IN */
    XEN_GUEST_HANDLE(xen_pfn_t) gpfns;      /* IN */
    XEN_GUEST_HANDLE(int) errs;             /* OUT */
};
typedef struct xen_add_to_physmap_batch xen_add_to_physmap_batch_t;
DEFINE_XEN_GUEST_HANDLE(xen_add_to_physmap_batch_t);

struct xen_remove_from_physmap {
    domid_t domid;          /* IN */
    xen_pfn_t gpfn;         /* IN */
};
typedef struct xen_remove_from_physmap xen_remove_from_physmap_t;
DEFINE_XEN_GUEST_HANDLE(xen_remove_from_physmap_t);

/* E820-style map of the guest's pseudo-physical memory. */
struct xen_memory_map {
    unsigned int nr_entries;            /* IN: room; OUT: entries written */
    XEN_GUEST_HANDLE(void) buffer;      /* OUT: 20-byte e820 entries */
};
typedef struct xen_memory_map xen_memory_map_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_map_t);

struct xen_foreign_memory_map {
    domid_t domid;
    struct xen_memory_map map;
};
typedef struct xen_foreign_memory_map xen_foreign_memory_map_t;
DEFINE_XEN_GUEST_HANDLE(xen_foreign_memory_map_t);

struct xen_pod_target {
    uint64_t target_pages;  /* IN */
    uint64_t tot_pages;     /* OUT */
    uint64_t pod_cache_pages; /* OUT */
    uint64_t pod_entries;   /* OUT */
    domid_t domid;          /* IN */
};
typedef struct xen_pod_target xen_pod_target_t;

struct xen_mem_acquire_resource {
    domid_t domid;          /* IN */
    uint16_t type;          /* IN: XENMEM_resource_* */
    uint32_t id;            /* IN */
    uint32_t nr_frames;     /* IN/OUT */
    uint32_t pad;
    uint64_t frame;         /* IN: first frame of the resource */
    XEN_GUEST_HANDLE(xen_pfn_t) frame_list; /* IN/OUT */
};
typedef struct xen_mem_acquire_resource xen_mem_acquire_resource_t;
DEFINE_XEN_GUEST_HANDLE(xen_mem_acquire_resource_t);

struct xen_vmemrange {
    uint64_t start, end;
    unsigned int flags;
    unsigned int nid;
};
typedef struct xen_vmemrange xen_vmemrange_t;
DEFINE_XEN_GUEST_HANDLE(xen_vmemrange_t);

struct xen_vnuma_topology_info {
    domid_t domid;              /* IN */
    uint16_t pad;
    unsigned int nr_vnodes;     /* IN/OUT */
    unsigned int nr_vcpus;      /* IN/OUT */
    unsigned int nr_vmemranges; /* IN/OUT */
    union {
        XEN_GUEST_HANDLE(uint) h;
        uint64_t pad;
    } vdistance;
    union {
        XEN_GUEST_HANDLE(uint) h;
        uint64_t pad;
    } vcpu_to_vnode;
    union {
        XEN_GUEST_HANDLE(xen_vmemrange_t) h;
        uint64_t pad;
    } vmemrange;
};
typedef struct xen_vnuma_topology_info xen_vnuma_topology_info_t;
DEFINE_XEN_GUEST_HANDLE(xen_vnuma_topology_info_t);

_Static_assert(sizeof(struct xen_memory_reservation) == 32, "xen_memory_reservation");
_Static_assert(offsetof(struct xen_memory_reservation, extent_order) == 16, "reservation.order");
_Static_assert(offsetof(struct xen_memory_reservation, domid) == 24, "reservation.domid");
_Static_assert(sizeof(struct xen_memory_exchange) == 72, "xen_memory_exchange");
_Static_assert(sizeof(struct xen_machphys_mfn_list) == 24, "xen_machphys_mfn_list");
_Static_assert(sizeof(struct xen_machphys_mapping) == 24, "xen_machphys_mapping");
_Static_assert(sizeof(struct xen_add_to_physmap) == 24, "xen_add_to_physmap");
_Static_assert(offsetof(struct xen_add_to_physmap, idx) == 8, "add_to_physmap.idx");
_Static_assert(sizeof(struct xen_add_to_physmap_batch) == 32, "xen_add_to_physmap_batch");
_Static_assert(sizeof(struct xen_remove_from_physmap) == 16, "xen_remove_from_physmap");
_Static_assert(sizeof(struct xen_memory_map) == 16, "xen_memory_map");
_Static_assert(sizeof(struct xen_mem_acquire_resource) == 32, "xen_mem_acquire_resource");
_Static_assert(sizeof(struct xen_vnuma_topology_info) == 40, "xen_vnuma_topology_info");

#endif /* !__ASSEMBLY__ */
#endif /* PVABI_MEMORY_H */
