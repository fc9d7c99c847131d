/*
 * Grant tables: each domain's table (its shared frames, active records and
 * maptrack), its life cycle, the frame helpers the memory code uses, and
 * the grant_table_op dispatcher. The operations themselves are in
 * grant_table_map.c, grant_table_copy.c and grant_table_setup.c; taking
 * and dropping uses of an entry in grant_table_pin.c.
 */
#include <stddef.h>
#include <pvabi/xen.h>
#include <tessera/arch.h>
#include <tessera/compiler.h>
#include <tessera/domain_ops.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>
#include <tessera/grant_table.h>
#include <tessera/heap.h>
#include <tessera/string.h>

BUILD_BUG_ON(GNTTAB_ENTRIES_PER_FRAME != 512);
BUILD_BUG_ON(GNTTAB_V2_ENTRIES_PER_FRAME != 256);
BUILD_BUG_ON(GNTTAB_MAX_STATUS_FRAMES != 8);
/* The reserved entries fit in one frame of either version (they survive a switch). */
BUILD_BUG_ON(GNTTAB_NR_RESERVED_ENTRIES > GNTTAB_V2_ENTRIES_PER_FRAME);
BUILD_BUG_ON(GNTTAB_DEFAULT_MAX_FRAMES > GNTTAB_MAX_FRAMES_LIMIT);
/* Handles fit in 32 bits with GNTTAB_NO_HANDLE left over. */
BUILD_BUG_ON((uint64_t)GNTTAB_MAPTRACK_CHUNK * GNTTAB_MAPTRACK_MAX_CHUNKS >= UINT32_MAX);

/* Xen keeps the upper bits of cmd for its own continuations. */
#define GNTTABOP_CMD_BITS 12

/* ---- locks and small accessors ----------------------------------------- */

void grant_table_lock(struct domain *d)
{
    spin_lock(&d->grant_table->lock);
}

void grant_table_unlock(struct domain *d)
{
    spin_unlock(&d->grant_table->lock);
}

void gnt_lock_pair(struct domain *a, struct domain *b)
{
    if (a == b) {
        grant_table_lock(a);
        return;
    }
    struct domain *first = a->domain_id < b->domain_id ? a : b;
    struct domain *second = first == a ? b : a;
    spin_lock(&first->grant_table->lock);
    spin_lock(&second->grant_table->lock);
}

void gnt_unlock_pair(struct domain *a, struct domain *b)
{
    if (a == b) {
        grant_table_unlock(a);
        return;
    }
    spin_unlock(&a->grant_table->lock);
    spin_unlock(&b->grant_table->lock);
}

struct page_info *gnt_frame_info(uint64_t mfn)
{
    if (mfn < frame_allocator.first_mfn || mfn - frame_allocator.first_mfn >= frame_allocator.nr_frames)
        return NULL;
    return &frame_allocator.meta[mfn - frame_allocator.first_mfn];
}

/*
 * The entries the shared frames hold in the version in force. The active
 * arrays are sized for version 1 (512 a frame), so they cover either.
 */
unsigned int gnt_nr_entries(const struct grant_table *gt)
{
    unsigned int per_frame = gt->version == 2 ? GNTTAB_V2_ENTRIES_PER_FRAME : GNTTAB_ENTRIES_PER_FRAME;
    return gt->nr_frames * per_frame;
}

grant_entry_v1_t *gnt_entry(struct grant_table *gt, grant_ref_t ref)
{
    grant_entry_v1_t *frame = gt->shared[ref / GNTTAB_ENTRIES_PER_FRAME];
    return &frame[ref % GNTTAB_ENTRIES_PER_FRAME];
}

grant_entry_v2_t *gnt_entry_v2(struct grant_table *gt, grant_ref_t ref)
{
    grant_entry_v2_t *frame = gt->shared[ref / GNTTAB_V2_ENTRIES_PER_FRAME];
    return &frame[ref % GNTTAB_V2_ENTRIES_PER_FRAME];
}

grant_entry_header_t *gnt_header(struct grant_table *gt, grant_ref_t ref)
{
    return gt->version == 2 ? &gnt_entry_v2(gt, ref)->hdr : (grant_entry_header_t *)gnt_entry(gt, ref);
}

uint16_t *gnt_status(struct grant_table *gt, grant_ref_t ref)
{
    if (gt->version == 2)
        return &gt->status[ref / GNTTAB_STATUS_PER_FRAME][ref % GNTTAB_STATUS_PER_FRAME];
    return &gnt_entry(gt, ref)->flags;
}

struct grant_active *gnt_active(struct grant_table *gt, grant_ref_t ref)
{
    return &gt->active[ref / GNTTAB_ENTRIES_PER_FRAME][ref % GNTTAB_ENTRIES_PER_FRAME];
}

/* The maptrack entry of a handle, or NULL past the allocated ones. */
struct grant_mapping *gnt_maptrack(struct grant_table *gt, grant_handle_t handle)
{
    if (handle / GNTTAB_MAPTRACK_CHUNK >= gt->maptrack_chunks)
        return NULL;
    return &gt->maptrack[handle / GNTTAB_MAPTRACK_CHUNK][handle % GNTTAB_MAPTRACK_CHUNK];
}

/* Xen's XSM_TARGET default: a domain itself or the control domain. */
bool gnt_is_privileged_for(const struct domain *cur, const struct domain *d)
{
    return cur == d || cur->is_privileged;
}

/* ---- frames ------------------------------------------------------------ */

void grant_frame_counts(uint64_t mfn, unsigned int *ro, unsigned int *rw)
{
    struct page_info *pi = gnt_frame_info(mfn);
    uint32_t count = pi ? __atomic_load_n(&pi->refcount, __ATOMIC_ACQUIRE) : 0;

    *ro = count & GRANT_FRAME_COUNT_MAX;
    *rw = count / GRANT_FRAME_RW_ONE;
}

bool grant_frame_in_use(uint64_t mfn)
{
    struct page_info *pi = gnt_frame_info(mfn);
    return pi && __atomic_load_n(&pi->refcount, __ATOMIC_ACQUIRE) != 0;
}

bool grant_table_has_frame(struct domain *d, uint64_t mfn)
{
    struct grant_table *gt = d->grant_table;
    if (!gt)
        return false;
    for (unsigned int i = 0; i < gt->nr_frames; i++)
        if (gt->frame_mfn[i] == mfn)
            return true;
    for (unsigned int i = 0; i < gt->nr_status_frames; i++)
        if (gt->status_mfn[i] == mfn)
            return true;
    return false;
}

int grant_table_free_frame(struct domain *d, uint64_t mfn)
{
    int rc;

    if (d->grant_table)
        grant_table_lock(d);
    if (page_owner(&frame_allocator, mfn) != d->domain_id)
        rc = -EPERM;
    else if (grant_frame_in_use(mfn) || grant_table_has_frame(d, mfn))
        rc = -EBUSY;
    else
        rc = page_alloc_free(&frame_allocator, mfn, 0);
    if (d->grant_table)
        grant_table_unlock(d);
    return rc;
}

/* ---- growing the table --------------------------------------------------- */

static void gnt_release_frame(struct grant_table *gt, unsigned int i)
{
    arch_unmap_frame(gt->shared[i]);
    page_alloc_free(&frame_allocator, gt->frame_mfn[i], 0);
    xfree(gt->active[i]);
    gt->shared[i] = NULL;
    gt->active[i] = NULL;
    gt->frame_mfn[i] = 0;
}

/*
 * Drops the status frames above the first 'keep', freeing them unless the
 * caller already gave them back (arch_grant_free_status_frames).
 */
void gnt_shrink_status(struct grant_table *gt, unsigned int keep, bool free_frames)
{
    while (gt->nr_status_frames > keep) {
        unsigned int i = --gt->nr_status_frames;
        arch_unmap_frame(gt->status[i]);
        if (free_frames)
            page_alloc_free(&frame_allocator, gt->status_mfn[i], 0);
        gt->status[i] = NULL;
        gt->status_mfn[i] = 0;
    }
}

/*
 * Status frames (version 2) until there are nr_status, zeroed, owned by the
 * domain so that it can map them writable (as Xen shares them). Under gt's
 * lock. All or nothing: 0 or -ENOMEM with the table as it was.
 */
int gnt_grow_status(struct grant_table *gt, unsigned int nr_status)
{
    unsigned int old = gt->nr_status_frames;

    if (nr_status > GNTTAB_MAX_STATUS_FRAMES)
        return -EINVAL;
    for (unsigned int i = old; i < nr_status; i++) {
        uint64_t mfn;
        if (page_alloc_alloc(&frame_allocator, 0, gt->domain->domain_id, &mfn) < 0)
            goto undo;
        gt->status[i] = arch_map_frame(mfn);
        if (!gt->status[i]) {
            page_alloc_free(&frame_allocator, mfn, 0);
            goto undo;
        }
        memset(gt->status[i], 0, PAGE_SIZE);
        gt->status_mfn[i] = mfn;
        gt->nr_status_frames = i + 1;
    }
    return 0;

undo:
    gnt_shrink_status(gt, old, true);
    return -ENOMEM;
}


/*
 * Sets up frames until the table has nr_frames (and, in version 2, the
 * status frames they need), under gt's lock or before anyone can see gt.
 * All or nothing: 0 or -ENOMEM with the table as it was.
 */
int gnt_grow(struct grant_table *gt, unsigned int nr_frames)
{
    unsigned int old = gt->nr_frames, old_status = gt->nr_status_frames;

    if (nr_frames > gt->max_frames)
        return -EINVAL;
    if (gt->version == 2 && gnt_grow_status(gt, GNTTAB_STATUS_FRAMES(nr_frames)) < 0)
        return -ENOMEM;
    for (unsigned int i = old; i < nr_frames; i++) {
        uint64_t mfn;
        if (page_alloc_alloc(&frame_allocator, 0, gt->domain->domain_id, &mfn) < 0)
            goto undo;
        gt->frame_mfn[i] = mfn;
        gt->shared[i] = arch_map_frame(mfn);
        gt->active[i] = xzalloc_array(GNTTAB_ENTRIES_PER_FRAME, sizeof(struct grant_active));
        if (!gt->shared[i] || !gt->active[i]) {
            if (gt->shared[i])
                arch_unmap_frame(gt->shared[i]);
            page_alloc_free(&frame_allocator, mfn, 0);
            xfree(gt->active[i]);
            gt->shared[i] = NULL;
            gt->active[i] = NULL;
            gt->frame_mfn[i] = 0;
            goto undo;
        }
        memset(gt->shared[i], 0, PAGE_SIZE);
        gt->nr_frames = i + 1;
    }
    return 0;

undo:
    while (gt->nr_frames > old)
        gnt_release_frame(gt, --gt->nr_frames);
    gnt_shrink_status(gt, old_status, true);
    return -ENOMEM;
}

/* ---- life cycle ------------------------------------------------------------ */

int grant_table_domain_init(struct domain *d, unsigned int max_frames)
{
    if (d->grant_table)
        return -EEXIST;
    if (max_frames == 0)
        max_frames = GNTTAB_DEFAULT_MAX_FRAMES;
    if (max_frames > GNTTAB_MAX_FRAMES_LIMIT)
        return -EINVAL;

    struct grant_table *gt = xzalloc(sizeof(*gt));
    if (!gt)
        return -ENOMEM;
    spin_lock_init(&gt->lock);
    gt->domain = d;
    gt->max_frames = max_frames;
    gt->version = 1;
    gt->max_version = 2;
    gt->maptrack_free = GNTTAB_NO_HANDLE;
    if (gnt_grow(gt, 1) < 0) {
        xfree(gt);
        return -ENOMEM;
    }
    d->grant_table = gt;
    return 0;
}

int grant_table_set_max_version(struct domain *d, unsigned int max_version)
{
    if (!d->grant_table || max_version < 1 || max_version > 2)
        return -EINVAL;
    d->grant_table->max_version = max_version;
    return 0;
}

/* The next live mapping of gt at or after *handle, or NULL. Under gt's lock. */
static struct grant_mapping *next_live_mapping(struct grant_table *gt, grant_handle_t *handle)
{
    unsigned int total = gt->maptrack_chunks * GNTTAB_MAPTRACK_CHUNK;

    for (; *handle < total; (*handle)++) {
        struct grant_mapping *m = gnt_maptrack(gt, *handle);
        if (m->flags)
            return m;
    }
    return NULL;
}

void grant_table_domain_destroy(struct domain *d)
{
    struct grant_table *gt = d->grant_table;
    grant_handle_t handle = 0;

    if (!gt)
        return;
    grant_table_lock(d);
    if (gt->dying) {
        grant_table_unlock(d);
        return;
    }
    gt->dying = true;

    /*
     * d's vCPUs are stopped and gt->dying refuses new mappings, so the
     * maptrack only shrinks; d's lock is dropped around each release to
     * take the granter's lock in order.
     */
    struct grant_mapping *m;
    while ((m = next_live_mapping(gt, &handle))) {
        struct domain *rd = m->rd;
        domain_hold(rd);
        grant_table_unlock(d);

        gnt_lock_pair(d, rd);
        bool released = m->flags && m->rd == rd;
        if (released)
            gnt_release_mapping(d, m, handle);
        gnt_unlock_pair(d, rd);

        if (released)
            domain_put(rd);     /* the mapping's reference */
        domain_put(rd);         /* ours */
        grant_table_lock(d);
        handle++;
    }
    grant_table_unlock(d);
}

void grant_table_domain_free(struct domain *d)
{
    struct grant_table *gt = d->grant_table;

    if (!gt)
        return;
    grant_table_domain_destroy(d);
    /* Nothing maps them now: no reference to d is left. */
    gnt_shrink_status(gt, 0, true);
    while (gt->nr_frames)
        gnt_release_frame(gt, --gt->nr_frames);
    for (unsigned int i = 0; i < gt->maptrack_chunks; i++)
        xfree(gt->maptrack[i]);
    d->grant_table = NULL;
    xfree(gt);
}

/* ---- the hypercall ------------------------------------------------------------ */

static const char *const op_names[] = {
    [GNTTABOP_map_grant_ref] = "map_grant_ref",
    [GNTTABOP_unmap_grant_ref] = "unmap_grant_ref",
    [GNTTABOP_setup_table] = "setup_table",
    [GNTTABOP_dump_table] = "dump_table",
    [GNTTABOP_transfer] = "transfer",
    [GNTTABOP_copy] = "copy",
    [GNTTABOP_query_size] = "query_size",
    [GNTTABOP_unmap_and_replace] = "unmap_and_replace",
    [GNTTABOP_set_version] = "set_version",
    [GNTTABOP_get_status_frames] = "get_status_frames",
    [GNTTABOP_get_version] = "get_version",
    [GNTTABOP_swap_grant_ref] = "swap_grant_ref",
    [GNTTABOP_cache_flush] = "cache_flush",
};

const char *gnttab_op_name(unsigned int cmd)
{
    return cmd < ARRAY_SIZE(op_names) ? op_names[cmd] : NULL;
}

/*
 * Between the ops of a batch (never before the first): whether to give the
 * CPU up, and then the hypercall again for the ops left (tessera/arch.h).
 */
static bool batch_preempted(unsigned int i, unsigned int cmd, uint64_t uop, size_t size,
                            unsigned int count, long *rc)
{
    if (!i || !arch_hypercall_preempt_check())
        return false;
    uint64_t rest[3] = { cmd, uop + (uint64_t)i * size, count - i };
    *rc = arch_hypercall_create_continuation(__HYPERVISOR_grant_table_op, 3, rest);
    return true;
}

static long map_batch(struct vcpu *v, uint64_t uop, unsigned int count)
{
    long rc;

    for (unsigned int i = 0; i < count; i++) {
        uint64_t addr = uop + (uint64_t)i * sizeof(struct gnttab_map_grant_ref);
        struct gnttab_map_grant_ref op;

        if (batch_preempted(i, GNTTABOP_map_grant_ref, uop, sizeof(op), count, &rc))
            return rc;
        if (copy_from_guest(&op, addr, sizeof(op)))
            return -EFAULT;
        gnt_map_one(v->domain, v, &op);
        if (copy_to_guest(addr, &op, sizeof(op)))
            return -EFAULT;
    }
    return 0;
}

static long unmap_batch(struct domain *ld, uint64_t uop, unsigned int count)
{
    long rc;

    for (unsigned int i = 0; i < count; i++) {
        uint64_t addr = uop + (uint64_t)i * sizeof(struct gnttab_unmap_grant_ref);
        struct gnttab_unmap_grant_ref op;

        if (batch_preempted(i, GNTTABOP_unmap_grant_ref, uop, sizeof(op), count, &rc))
            return rc;
        if (copy_from_guest(&op, addr, sizeof(op)))
            return -EFAULT;
        gnt_unmap_one(ld, &op);
        if (copy_to_guest(addr + offsetof(struct gnttab_unmap_grant_ref, status), &op.status,
                          sizeof(op.status)))
            return -EFAULT;
    }
    return 0;
}

static long unmap_and_replace_batch(struct domain *ld, uint64_t uop, unsigned int count)
{
    long rc;

    for (unsigned int i = 0; i < count; i++) {
        uint64_t addr = uop + (uint64_t)i * sizeof(struct gnttab_unmap_and_replace);
        struct gnttab_unmap_and_replace op;

        if (batch_preempted(i, GNTTABOP_unmap_and_replace, uop, sizeof(op), count, &rc))
            return rc;
        if (copy_from_guest(&op, addr, sizeof(op)))
            return -EFAULT;
        op.status = gnt_unmap_common(ld, op.handle, op.host_addr, 0, op.new_addr);
        if (copy_to_guest(addr + offsetof(struct gnttab_unmap_and_replace, status), &op.status,
                          sizeof(op.status)))
            return -EFAULT;
    }
    return 0;
}

static long copy_batch(struct domain *ld, uint64_t uop, unsigned int count)
{
    long rc;

    for (unsigned int i = 0; i < count; i++) {
        uint64_t addr = uop + (uint64_t)i * sizeof(struct gnttab_copy);
        struct gnttab_copy op;

        if (batch_preempted(i, GNTTABOP_copy, uop, sizeof(op), count, &rc))
            return rc;
        if (copy_from_guest(&op, addr, sizeof(op)))
            return -EFAULT;
        op.status = gnt_copy_one(ld, &op);
        if (copy_to_guest(addr + offsetof(struct gnttab_copy, status), &op.status,
                          sizeof(op.status)))
            return -EFAULT;
    }
    return 0;
}

long do_grant_table_op(unsigned int cmd, uint64_t guest_uop, unsigned int count)
{
    struct vcpu *v = current_vcpu();

    if ((int)count < 0)
        return -EINVAL;
    if (cmd >> GNTTABOP_CMD_BITS)
        return -EINVAL;
    if (!v || !v->domain->grant_table)
        return -ENOSYS;

    struct domain *ld = v->domain;
    switch (cmd) {
    case GNTTABOP_map_grant_ref:
        return map_batch(v, guest_uop, count);
    case GNTTABOP_unmap_grant_ref:
        return unmap_batch(ld, guest_uop, count);
    case GNTTABOP_unmap_and_replace:
        return unmap_and_replace_batch(ld, guest_uop, count);
    case GNTTABOP_copy:
        return copy_batch(ld, guest_uop, count);
    case GNTTABOP_setup_table:
        return gnt_setup_table(ld, guest_uop, count);
    case GNTTABOP_query_size:
        return gnt_query_size(ld, guest_uop, count);
    case GNTTABOP_set_version:
        return gnt_set_version(ld, guest_uop);
    case GNTTABOP_get_version:
        return gnt_get_version(ld, guest_uop);
    case GNTTABOP_get_status_frames:
        return gnt_get_status_frames(ld, guest_uop, count);
    default:
        return -ENOSYS;
    }
}
