/*
 * Grant tables: the GNTTABOP_* hypercall (version 1 and 2 entries) and
 * what the rest of the hypervisor needs from them (domain life cycle, the
 * frames that must not be freed while mapped).
 *
 * A domain's grant table is a set of frames it shares with the hypervisor
 * (v1: 512 entries of 8 bytes each; v2: 256 of 16 bytes, plus status
 * frames of 2048 two-byte status words), allocated by setup_table, plus
 * three private structures: an "active" record per entry (how often and by whom
 * it is mapped), the maptrack of mappings this domain made of others'
 * grants (a handle is an index into it), and, per machine frame, a count of
 * the grant mappings of it in page_info.refcount.
 *
 * Locking rules
 *  - Each domain's struct grant_table has one spinlock (gt->lock). It
 *    guards everything in the struct: the frame list, the active records,
 *    the maptrack and its free list, and the grant mapping counts of every
 *    frame the domain owns (page_info.refcount, written atomically so that
 *    readers without the lock see whole values).
 *  - An operation on two domains (map and unmap: the mapper's maptrack and
 *    the granter's active record; copy between two domains) takes both
 *    locks, lower domain id first; one lock when both are the same domain.
 *  - Lock order (domain.h): domain_list_lock > domain.lock > grant locks >
 *    the arch's page-table locks > the heap and frame allocator locks
 *    (maptrack chunks and table frames are allocated under grant locks).
 *    Grant locks and event-channel locks are never held together.
 *  - The arch hooks (tessera/arch.h, "grant tables") are called with grant
 *    locks held: they must not take a grant lock or call back into this
 *    subsystem.
 *  - Entries are shared with the granting guest, which writes them at any
 *    time. The hypervisor reads flags+domid as one 32-bit word. Version 1:
 *    it sets GTF_reading/GTF_writing with a compare-and-swap on that word,
 *    so a guest that revokes (clears flags) with its own compare-and-swap
 *    either sees the status bits or wins the race before the grant is used.
 *    Version 2: the bits live in the entry's status word; the hypervisor
 *    sets them, then reads the header again and backs off if the guest
 *    revoked meanwhile (the guest clears flags, then reads status). The
 *    frame (and a sub-page's offset and length, or a transitive grant's
 *    domain and reference) is read once, after the status bits are set.
 *
 * Life cycle and dying domains
 *  - grant_table_domain_init() when the domain is built (one frame is set
 *    up at once, as in Xen); grant_table_domain_destroy() when it dies,
 *    with its vCPUs stopped and its page tables still in place;
 *    grant_table_domain_free() from domain_free().
 *  - Each live mapping holds a reference on the granting domain. So a
 *    granter that dies while others map its frames stays allocated (its
 *    struct domain, grant table and the mapped frames) until the last of
 *    those mappings is unmapped or its mapper dies; only then can
 *    domain_free() run and release its memory. Until then every such
 *    frame reports grant_frame_in_use().
 *  - A dying mapper: grant_table_domain_destroy() removes each of its host
 *    mappings through arch_grant_unmap_host/_pte(), drops the counts, clears the
 *    granters' GTF_reading/GTF_writing bits and the references it held.
 *
 * Not implemented (answered -ENOSYS, as by a Xen without the feature):
 * transfer, swap_grant_ref, dump_table, cache_flush.
 * Long batches of map, unmap and copy give their CPU up between ops and
 * are continued with the ops left (arch_hypercall_create_continuation).
 */
#ifndef TESSERA_GRANT_TABLE_H
#define TESSERA_GRANT_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <pvabi/grant_table.h>
#include <tessera/arch.h>
#include <tessera/domain.h>
#include <tessera/page_alloc.h>
#include <tessera/spinlock.h>

/* Limits (per domain). */
#define GNTTAB_DEFAULT_MAX_FRAMES   32u          /* Xen's toolstack default */
#define GNTTAB_MAX_FRAMES_LIMIT     64u          /* most a domain may be given */
#define GNTTAB_ENTRIES_PER_FRAME    (PAGE_SIZE / sizeof(grant_entry_v1_t))   /* 512: v1, and the active arrays */
#define GNTTAB_V2_ENTRIES_PER_FRAME (PAGE_SIZE / sizeof(grant_entry_v2_t))   /* 256 */
#define GNTTAB_STATUS_PER_FRAME     (PAGE_SIZE / sizeof(grant_status_t))     /* 2048 */
/* Status frames for n v2 shared frames (Xen's grant_to_status_frames). */
#define GNTTAB_STATUS_FRAMES(n) \
    (((n) * GNTTAB_V2_ENTRIES_PER_FRAME + GNTTAB_STATUS_PER_FRAME - 1) / GNTTAB_STATUS_PER_FRAME)
#define GNTTAB_MAX_STATUS_FRAMES    GNTTAB_STATUS_FRAMES(GNTTAB_MAX_FRAMES_LIMIT)   /* 8 */
/* A transitive grant may name an ordinary one, never another transitive one (as Xen). */
#define GNTTAB_MAX_TRANSITIVE_DEPTH 1u
#define GNTTAB_MAPTRACK_CHUNK       256u         /* handles allocated at a time */
#define GNTTAB_MAPTRACK_MAX_CHUNKS  1024u        /* so at most 262144 mappings */
#define GNTTAB_MAX_PIN              0xFFFFu      /* per counter of an entry */

/* page_info.refcount of a domain's frame: grant mappings of it. */
#define GRANT_FRAME_RO_ONE          0x00000001u  /* read-only mappings, bits 0-15 */
#define GRANT_FRAME_RW_ONE          0x00010000u  /* writable mappings, bits 16-31 */
#define GRANT_FRAME_COUNT_MAX       0xFFFFu

/* The machine frames the hypervisor manages (arch/x86/setup.c). */
extern struct page_allocator frame_allocator;

/* ---- the hypercall --------------------------------------------------- */

/*
 * grant_table_op (hypercall 20) for the calling vCPU. cmd is GNTTABOP_*,
 * guest_uop the guest address of an array of count argument structs.
 * Each op is copied in once, acted on, and its result copied out once
 * (the whole struct for map, query_size, set/get_version; the status field
 * for the others). Per-op results are GNTST_* codes in the status fields;
 * the hypercall itself returns 0, -EFAULT (an argument could not be read
 * or written; earlier ops in the batch are done), -EINVAL (negative count,
 * continuation bits in cmd, count != 1 for setup_table / query_size /
 * get_status_frames, a version other than 1 or 2), -ESRCH (get_version of
 * no domain), -EPERM (get_version of another domain, unprivileged),
 * -EBUSY / -ERANGE / -ENOMEM (set_version: entries in use, reserved
 * entries version 1 cannot hold, no memory for status frames) or -ENOSYS
 * (unknown or unimplemented op, version 2 above the domain's maximum, no
 * grant table).
 */
long do_grant_table_op(unsigned int cmd, uint64_t guest_uop, unsigned int count);

/* "map_grant_ref" for GNTTABOP_map_grant_ref; NULL for unknown numbers. */
const char *gnttab_op_name(unsigned int cmd);

/* ---- domain life cycle ----------------------------------------------- */

/*
 * Gives d a grant table of at most max_frames frames (0: the default),
 * with one frame set up. 0, -EINVAL (max_frames above the limit), -EEXIST
 * (already has one), or -ENOMEM; nothing is left allocated on failure.
 */
int grant_table_domain_init(struct domain *d, unsigned int max_frames);

/*
 * The highest version d may set (1 or 2; 2 unless limited, like Xen's
 * gnttab=max-ver:N). Before the domain runs. 0 or -EINVAL.
 */
int grant_table_set_max_version(struct domain *d, unsigned int max_version);

/*
 * d is dying: removes every mapping d made (see above), and refuses every
 * further map, copy or setup involving d. Mappings others hold of d's
 * frames stay until they are unmapped. Idempotent. Call with a reference
 * to d held, its vCPUs stopped and its page tables still present.
 */
void grant_table_domain_destroy(struct domain *d);

/*
 * Releases d's grant table: its frames go back to the frame allocator.
 * From domain_free(), when no reference (and so no mapping of d's frames)
 * remains; it runs grant_table_domain_destroy() first if nobody did.
 */
void grant_table_domain_free(struct domain *d);

/* ---- frames ---------------------------------------------------------- */

/* Take / drop d's grant lock, for the memory code's check-then-free. */
void grant_table_lock(struct domain *d);
void grant_table_unlock(struct domain *d);

/*
 * Whether any grant mapping of this frame exists (its page_info.refcount
 * is not 0). A frame in use must not be freed, given to another domain,
 * exchanged or turned into a page table. For an answer that stays true,
 * hold the owner's grant lock (grant_table_lock) while acting on it.
 */
bool grant_frame_in_use(uint64_t mfn);
/* The read-only and writable grant mappings of a frame. */
void grant_frame_counts(uint64_t mfn, unsigned int *ro, unsigned int *rw);

/* Whether mfn is one of d's grant-table (shared or status) frames (never to be freed by the memory code). */
bool grant_table_has_frame(struct domain *d, uint64_t mfn);

/*
 * For the memory code (decrease_reservation, domain teardown): frees d's
 * order-0 frame mfn unless it is mapped through a grant or is one of d's
 * grant-table frames. 0, -EBUSY (in use: nothing changed), -EPERM (not
 * d's), or page_alloc_free's error.
 */
int grant_table_free_frame(struct domain *d, uint64_t mfn);

/*
 * Checks every invariant of d's table (active records against the
 * maptracks of the mapping domains, frame counts against active records,
 * status bits against pins, the maptrack free list). 0, or -EINVAL with a
 * reason in *why. For tests and a quiescent system: it walks every
 * registered domain's maptrack without its lock, then takes d's lock.
 */
int grant_table_check(struct domain *d, const char **why);

/* The arch hooks the grant code calls are in tessera/arch.h ("Grant tables"). */

/* ---- internals shared by grant_table*.c (and read by the tests) ------- */

/* Per entry: the pins of the mappings made of it. [g] granter's lock */
struct grant_active {
    uint64_t mfn;              /* the granted frame, valid while pinned */
    domid_t domid;             /* the mapping domain, valid while pinned */
    uint16_t host_ro, host_rw; /* GNTMAP_host_map mappings */
    uint16_t dev_ro, dev_rw;   /* GNTMAP_device_map mappings */
};

/* Per mapping this domain made. [g] mapper's lock */
struct grant_mapping {
    uint32_t flags;            /* GNTMAP_host_map|device_map|readonly|contains_pte; 0 = free */
    grant_ref_t ref;           /* in rd's table */
    struct domain *rd;         /* granter; a reference is held while flags != 0 */
    struct vcpu *v;            /* whose page tables hold the host mapping */
    uint64_t host_addr;        /* where it is mapped: a VA, or a PTE's machine address */
    uint64_t mfn;
    uint32_t next_free;        /* free list link while flags == 0 */
};

struct grant_table {
    spinlock_t lock;
    struct domain *domain;                        /* [I] */
    unsigned int max_frames;                      /* [I] */
    unsigned int max_version;                     /* [I] 1 or 2 */
    unsigned int version;                         /* [g] 1 or 2 */
    unsigned int nr_frames;                       /* [g] set up so far */
    unsigned int nr_status_frames;                /* [g] v2: GNTTAB_STATUS_FRAMES(nr_frames); v1: 0 */
    bool dying;                                   /* [g] destroy has run */
    uint64_t frame_mfn[GNTTAB_MAX_FRAMES_LIMIT];  /* [g] the shared frames */
    void *shared[GNTTAB_MAX_FRAMES_LIMIT];        /* [g] their mappings: v1 or v2 entries */
    uint64_t status_mfn[GNTTAB_MAX_STATUS_FRAMES]; /* [g] v2 status frames */
    grant_status_t *status[GNTTAB_MAX_STATUS_FRAMES]; /* [g] their mappings */
    struct grant_active *active[GNTTAB_MAX_FRAMES_LIMIT]; /* [g] one array per frame */
    struct grant_mapping *maptrack[GNTTAB_MAPTRACK_MAX_CHUNKS]; /* [g] */
    unsigned int maptrack_chunks;                 /* [g] allocated */
    uint32_t maptrack_free;                       /* [g] head, UINT32_MAX = none */
    unsigned int maptrack_live;                   /* [g] handles in use */
};

#define GNTTAB_NO_HANDLE UINT32_MAX

/* grant_table.c */
void gnt_lock_pair(struct domain *a, struct domain *b);
void gnt_unlock_pair(struct domain *a, struct domain *b);
struct page_info *gnt_frame_info(uint64_t mfn);
unsigned int gnt_nr_entries(const struct grant_table *gt);
/* ref below gnt_nr_entries(gt); v1 and v2 entries start with the same header. */
grant_entry_v1_t *gnt_entry(struct grant_table *gt, grant_ref_t ref);        /* v1 */
grant_entry_v2_t *gnt_entry_v2(struct grant_table *gt, grant_ref_t ref);     /* v2 */
grant_entry_header_t *gnt_header(struct grant_table *gt, grant_ref_t ref);
/* Where GTF_reading/GTF_writing live: v1 the entry's flags, v2 its status word. */
uint16_t *gnt_status(struct grant_table *gt, grant_ref_t ref);
int gnt_grow_status(struct grant_table *gt, unsigned int nr_status);
void gnt_shrink_status(struct grant_table *gt, unsigned int keep, bool free_frames);
struct grant_active *gnt_active(struct grant_table *gt, grant_ref_t ref);
int gnt_grow(struct grant_table *gt, unsigned int nr_frames);
struct grant_mapping *gnt_maptrack(struct grant_table *gt, grant_handle_t handle);
bool gnt_is_privileged_for(const struct domain *cur, const struct domain *d);

/* grant_table_pin.c: taking and dropping uses of an entry, under rd's lock. */
/* What an entry grants, read once after its status bits were set. */
struct gnt_grant {
    uint64_t frame;            /* full page, sub-page: the granted frame */
    uint16_t offset, length;   /* the bytes granted (0, 4096 for a full page) */
    bool transitive;           /* v2: trans_domid/trans_ref name the grant to use */
    domid_t trans_domid;
    grant_ref_t trans_ref;
};
/* Kinds of use gnt_pin_status may be asked for. */
enum gnt_use { GNT_USE_MAP, GNT_USE_COPY, GNT_USE_COPY_NESTED };
int gnt_pin_status(struct grant_table *rgt, grant_ref_t ref, domid_t ldom, bool readonly,
                   enum gnt_use use, struct gnt_grant *out);
void gnt_drop_status(struct grant_table *rgt, grant_ref_t ref);
int gnt_frame_of(struct domain *rd, uint64_t gfn, uint64_t *mfn);
int gnt_frame_use_get(struct domain *rd, uint64_t mfn, bool readonly);
void gnt_frame_use_put(struct domain *rd, uint64_t mfn, bool readonly);
int gnt_host_map(struct vcpu *v, uint32_t flags, uint64_t addr, uint64_t mfn);
int gnt_host_unmap(struct vcpu *v, uint32_t flags, uint64_t addr, uint64_t mfn);
int gnt_host_replace(struct vcpu *v, uint32_t flags, uint64_t addr, uint64_t mfn, uint64_t new_addr);
void gnt_release_mapping(struct domain *ld, struct grant_mapping *m, grant_handle_t handle);
grant_handle_t gnt_maptrack_get(struct grant_table *lgt);
void gnt_maptrack_put(struct grant_table *lgt, grant_handle_t handle);

/* grant_table_map.c, grant_table_copy.c, grant_table_setup.c: one op each. */
void gnt_map_one(struct domain *ld, struct vcpu *v, struct gnttab_map_grant_ref *op);
void gnt_unmap_one(struct domain *ld, struct gnttab_unmap_grant_ref *op);
/* unmap_grant_ref, and unmap_and_replace with new_addr (0 for a plain unmap). */
int16_t gnt_unmap_common(struct domain *ld, grant_handle_t handle, uint64_t host_addr,
                         uint64_t dev_bus_addr, uint64_t new_addr);
int16_t gnt_copy_one(struct domain *ld, const struct gnttab_copy *op);
long gnt_setup_table(struct domain *ld, uint64_t guest_uop, unsigned int count);
long gnt_query_size(struct domain *ld, uint64_t guest_uop, unsigned int count);
long gnt_set_version(struct domain *ld, uint64_t guest_uop);
long gnt_get_version(struct domain *ld, uint64_t guest_uop);
long gnt_get_status_frames(struct domain *ld, uint64_t guest_uop, unsigned int count);

#endif
