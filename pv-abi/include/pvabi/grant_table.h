/*
 * Tessera guest ABI: grant tables, grant_table_op(cmd, arg, count).
 *
 * A domain grants another access to one of its frames by filling an entry of
 * its grant table (shared pages it gets from setup_table or add_to_physmap);
 * the grantee maps or copies through the hypervisor by (domid, ref). Version
 * 1 entries are 8 bytes; version 2 entries are 16 bytes with the status bits
 * moved to separate status frames.
 *
 * Ordering for a granting guest writing an entry: frame and domid first, a
 * write barrier, then flags (the hypervisor acts only on valid flags).
 */
#ifndef PVABI_GRANT_TABLE_H
#define PVABI_GRANT_TABLE_H

#include <pvabi/xen.h>

#define GNTTABOP_map_grant_ref        0
#define GNTTABOP_unmap_grant_ref      1
#define GNTTABOP_setup_table          2
#define GNTTABOP_dump_table           3
#define GNTTABOP_transfer             4
#define GNTTABOP_copy                 5
#define GNTTABOP_query_size           6
#define GNTTABOP_unmap_and_replace    7
#define GNTTABOP_set_version          8
#define GNTTABOP_get_status_frames    9
#define GNTTABOP_get_version         10
#define GNTTABOP_swap_grant_ref      11
#define GNTTABOP_cache_flush         12

/* Entries 0-7 are reserved for the toolstack. */
#define GNTTAB_NR_RESERVED_ENTRIES 8
#define GNTTAB_RESERVED_CONSOLE    0
#define GNTTAB_RESERVED_XENSTORE   1

/* Entry flags (grant_entry_v1.flags, grant_entry_header.flags). */
#define GTF_invalid          (0U << 0)
#define GTF_permit_access    (1U << 0)
#define GTF_accept_transfer  (2U << 0)
#define GTF_transitive       (3U << 0)  /* v2 only */
#define GTF_type_mask        (3U << 0)
#define _GTF_readonly        2          /* grantee may map read-only only */
#define GTF_readonly         (1U << _GTF_readonly)
#define _GTF_reading         3          /* set by the hypervisor while mapped/read */
#define GTF_reading          (1U << _GTF_reading)
#define _GTF_writing         4          /* set by the hypervisor while mapped writable */
#define GTF_writing          (1U << _GTF_writing)
#define _GTF_PWT             5
#define GTF_PWT              (1U << _GTF_PWT)
#define _GTF_PCD             6
#define GTF_PCD              (1U << _GTF_PCD)
#define _GTF_PAT             7
#define GTF_PAT              (1U << _GTF_PAT)
#define _GTF_sub_page        8          /* v2 only */
#define GTF_sub_page         (1U << _GTF_sub_page)
#define _GTF_transfer_committed 2
#define GTF_transfer_committed  (1U << _GTF_transfer_committed)
#define _GTF_transfer_completed 3
#define GTF_transfer_completed  (1U << _GTF_transfer_completed)

/* gnttab_map_grant_ref.flags */
#define _GNTMAP_device_map      0
#define GNTMAP_device_map       (1 << _GNTMAP_device_map)
#define _GNTMAP_host_map        1
#define GNTMAP_host_map         (1 << _GNTMAP_host_map)
#define _GNTMAP_readonly        2
#define GNTMAP_readonly         (1 << _GNTMAP_readonly)
#define _GNTMAP_application_map 3
#define GNTMAP_application_map  (1 << _GNTMAP_application_map)
#define _GNTMAP_contains_pte    4   /* host_addr is the machine address of a PTE */
#define GNTMAP_contains_pte     (1 << _GNTMAP_contains_pte)
#define _GNTMAP_guest_avail0    16
#define GNTMAP_guest_avail_mask ((uint32_t)~0 << _GNTMAP_guest_avail0)

/* gnttab_copy.flags */
#define _GNTCOPY_source_gref 0
#define GNTCOPY_source_gref  (1 << _GNTCOPY_source_gref)
#define _GNTCOPY_dest_gref   1
#define GNTCOPY_dest_gref    (1 << _GNTCOPY_dest_gref)

#define GNTTAB_CACHE_CLEAN       (1u << 0)
#define GNTTAB_CACHE_INVAL       (1u << 1)
#define GNTTAB_CACHE_SOURCE_GREF (1u << 31)

/* Per-operation status codes (the `status` fields); the hypercall itself
 * returns 0 when it could read and write the argument array. */
#define GNTST_okay              (0)
#define GNTST_general_error     (-1)
#define GNTST_bad_domain        (-2)
#define GNTST_bad_gntref        (-3)
#define GNTST_bad_handle        (-4)
#define GNTST_bad_virt_addr     (-5)
#define GNTST_bad_dev_addr      (-6)
#define GNTST_no_device_space   (-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page          (-9)
#define GNTST_bad_copy_arg      (-10)   /* copy crosses a page boundary */
#define GNTST_address_too_big   (-11)
#define GNTST_eagain            (-12)
#define GNTST_no_space          (-13)

/* Messages indexed by -GNTST_*, for diagnostics. */
#define GNTTABOP_error_msgs {                       \
    "okay",                                         \
    "undefined error",                              \
    "unrecognised domain id",                       \
    "invalid grant reference",                      \
    "invalid mapping handle",                       \
    "invalid virtual address",                      \
    "invalid device address",                       \
    "no spare translation slot in the I/O MMU",     \
    "permission denied",                            \
    "bad page",                                     \
    "copy arguments cross page boundary",           \
    "page address size too large",                  \
    "operation not done; try again",                \
    "out of space",                                 \
}

#ifndef __ASSEMBLY__

typedef uint32_t grant_ref_t;
typedef uint32_t grant_handle_t;

/* Version 1 entry, written by the granting domain. */
struct grant_entry_v1 {
    uint16_t flags;     /* GTF_* */
    domid_t  domid;     /* the domain allowed in */
    uint32_t frame;     /* the frame granted (or accepting a transfer) */
};
typedef struct grant_entry_v1 grant_entry_v1_t;

/* Version 2: a common header, then per-type bodies, 16 bytes in all. */
struct grant_entry_header {
    uint16_t flags;
    domid_t  domid;
};
typedef struct grant_entry_header grant_entry_header_t;

union grant_entry_v2 {
    grant_entry_header_t hdr;
    struct {
        grant_entry_header_t hdr;
        uint32_t pad0;
        uint64_t frame;
    } full_page;
    struct {
        grant_entry_header_t hdr;
        uint16_t page_off;
        uint16_t length;
        uint64_t frame;
    } sub_page;
    struct {
        grant_entry_header_t hdr;
        domid_t trans_domid;
        uint16_t pad0;
        grant_ref_t gref;
    } transitive;
    uint32_t __spacer[4];
};
typedef union grant_entry_v2 grant_entry_v2_t;

/* v2 status frames hold one of these per entry (GTF_reading/writing). */
typedef uint16_t grant_status_t;

struct gnttab_map_grant_ref {
    uint64_t host_addr;         /* IN: VA (or PTE address) to map at */
    uint32_t flags;             /* IN: GNTMAP_* */
    grant_ref_t ref;            /* IN */
    domid_t dom;                /* IN: the granting domain */
    int16_t status;             /* OUT: GNTST_* */
    grant_handle_t handle;      /* OUT: for unmap */
    uint64_t dev_bus_addr;      /* OUT: with GNTMAP_device_map */
};
typedef struct gnttab_map_grant_ref gnttab_map_grant_ref_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_map_grant_ref_t);

struct gnttab_unmap_grant_ref {
    uint64_t host_addr;         /* IN */
    uint64_t dev_bus_addr;      /* IN */
    grant_handle_t handle;      /* IN */
    int16_t status;             /* OUT */
};
typedef struct gnttab_unmap_grant_ref gnttab_unmap_grant_ref_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_unmap_grant_ref_t);

/* Size the table and learn the frames that hold it (PV). */
struct gnttab_setup_table {
    domid_t dom;                                /* IN */
    uint32_t nr_frames;                         /* IN */
    int16_t status;                             /* OUT */
    XEN_GUEST_HANDLE(xen_pfn_t) frame_list;     /* OUT: nr_frames machine frames */
};
typedef struct gnttab_setup_table gnttab_setup_table_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_setup_table_t);

struct gnttab_dump_table {
    domid_t dom;                /* IN */
    int16_t status;             /* OUT */
};
typedef struct gnttab_dump_table gnttab_dump_table_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_dump_table_t);

struct gnttab_transfer {
    xen_pfn_t mfn;              /* IN */
    domid_t domid;              /* IN */
    grant_ref_t ref;            /* IN */
    int16_t status;             /* OUT */
};
typedef struct gnttab_transfer gnttab_transfer_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_transfer_t);

/* Copy bytes between frames named by grant or by own frame number; neither
 * side may cross a page boundary. */
struct gnttab_copy {
    struct gnttab_copy_ptr {
        union {
            grant_ref_t ref;
            xen_pfn_t   gmfn;
        } u;
        domid_t  domid;
        uint16_t offset;
    } source, dest;             /* IN */
    uint16_t len;               /* IN */
    uint16_t flags;             /* IN: GNTCOPY_* */
    int16_t  status;            /* OUT */
};
typedef struct gnttab_copy gnttab_copy_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_copy_t);

struct gnttab_query_size {
    domid_t dom;                /* IN */
    uint32_t nr_frames;         /* OUT */
    uint32_t max_nr_frames;     /* OUT */
    int16_t status;             /* OUT */
};
typedef struct gnttab_query_size gnttab_query_size_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_query_size_t);

struct gnttab_unmap_and_replace {
    uint64_t host_addr;         /* IN */
    uint64_t new_addr;          /* IN */
    grant_handle_t handle;      /* IN */
    int16_t status;             /* OUT */
};
typedef struct gnttab_unmap_and_replace gnttab_unmap_and_replace_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_unmap_and_replace_t);

struct gnttab_set_version {
    uint32_t version;           /* IN: 1 or 2; OUT: the version in force */
};
typedef struct gnttab_set_version gnttab_set_version_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_set_version_t);

struct gnttab_get_status_frames {
    uint32_t nr_frames;                     /* IN */
    domid_t dom;                            /* IN */
    int16_t status;                         /* OUT */
    XEN_GUEST_HANDLE(uint64_t) frame_list;  /* OUT */
};
typedef struct gnttab_get_status_frames gnttab_get_status_frames_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_get_status_frames_t);

struct gnttab_get_version {
    domid_t dom;                /* IN */
    uint16_t pad;
    uint32_t version;           /* OUT */
};
typedef struct gnttab_get_version gnttab_get_version_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_get_version_t);

struct gnttab_swap_grant_ref {
    grant_ref_t ref_a;          /* IN */
    grant_ref_t ref_b;          /* IN */
    int16_t status;             /* OUT */
};
typedef struct gnttab_swap_grant_ref gnttab_swap_grant_ref_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_swap_grant_ref_t);

struct gnttab_cache_flush {
    union {
        uint64_t dev_bus_addr;
        grant_ref_t ref;
    } a;                        /* IN */
    uint16_t offset;            /* IN */
    uint16_t length;            /* IN */
    uint32_t op;                /* IN: GNTTAB_CACHE_* */
};
typedef struct gnttab_cache_flush gnttab_cache_flush_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_cache_flush_t);

_Static_assert(sizeof(struct grant_entry_v1) == 8, "grant_entry_v1");
_Static_assert(offsetof(struct grant_entry_v1, frame) == 4, "grant_entry_v1.frame");
_Static_assert(sizeof(union grant_entry_v2) == 16, "grant_entry_v2");
_Static_assert(offsetof(union grant_entry_v2, full_page.frame) == 8, "grant_entry_v2.frame");
_Static_assert(sizeof(struct grant_entry_header) == 4, "grant_entry_header");
_Static_assert(offsetof(union grant_entry_v2, sub_page.page_off) == 4, "grant_entry_v2.sub_page.page_off");
_Static_assert(offsetof(union grant_entry_v2, sub_page.length) == 6, "grant_entry_v2.sub_page.length");
_Static_assert(offsetof(union grant_entry_v2, sub_page.frame) == 8, "grant_entry_v2.sub_page.frame");
_Static_assert(offsetof(union grant_entry_v2, transitive.trans_domid) == 4, "grant_entry_v2.trans_domid");
_Static_assert(offsetof(union grant_entry_v2, transitive.gref) == 8, "grant_entry_v2.transitive.gref");
_Static_assert(sizeof(grant_status_t) == 2, "grant_status_t");
_Static_assert(sizeof(struct gnttab_map_grant_ref) == 32, "gnttab_map_grant_ref");
_Static_assert(offsetof(struct gnttab_map_grant_ref, status) == 18, "map_grant_ref.status");
_Static_assert(offsetof(struct gnttab_map_grant_ref, handle) == 20, "map_grant_ref.handle");
_Static_assert(sizeof(struct gnttab_unmap_grant_ref) == 24, "gnttab_unmap_grant_ref");
_Static_assert(sizeof(struct gnttab_setup_table) == 24, "gnttab_setup_table");
_Static_assert(offsetof(struct gnttab_setup_table, frame_list) == 16, "setup_table.frame_list");
_Static_assert(sizeof(struct gnttab_copy) == 40, "gnttab_copy");
_Static_assert(offsetof(struct gnttab_copy, dest) == 16, "gnttab_copy.dest");
_Static_assert(offsetof(struct gnttab_copy, len) == 32, "gnttab_copy.len");
_Static_assert(sizeof(struct gnttab_query_size) == 16, "gnttab_query_size");
_Static_assert(sizeof(struct gnttab_get_status_frames) == 16, "gnttab_get_status_frames");
_Static_assert(offsetof(struct gnttab_get_status_frames, frame_list) == 8, "get_status_frames.frame_list");
_Static_assert(sizeof(struct gnttab_unmap_and_replace) == 24, "gnttab_unmap_and_replace");
_Static_assert(offsetof(struct gnttab_unmap_and_replace, status) == 20, "unmap_and_replace.status");
_Static_assert(sizeof(struct gnttab_set_version) == 4, "gnttab_set_version");
_Static_assert(sizeof(struct gnttab_get_version) == 8, "gnttab_get_version");

#endif /* !__ASSEMBLY__ */
#endif /* PVABI_GRANT_TABLE_H */
