/*
 * The table-management ops: setup_table, query_size, set_version,
 * get_version and get_status_frames. Each takes one argument struct
 * (count must be 1 where Xen says so), copies it in once and its results
 * out once. set_version switches between versions 1 and 2 under Xen's
 * rules; version 2 has status frames, which get_status_frames lists.
 */
#include <stddef.h>
#include <tessera/domain_ops.h>
#include <tessera/errno.h>
#include <tessera/grant_table.h>
#include <tessera/guest_access.h>
#include <tessera/string.h>

/*
 * The domain an op names, for ops that answer in a status field:
 * GNTST_okay with a reference taken, GNTST_bad_domain or
 * GNTST_permission_denied (another domain, caller not privileged).
 */
static int16_t target_domain(struct domain *ld, domid_t id, struct domain **out)
{
    struct domain *d = domain_get(id);

    *out = NULL;
    if (!d || !d->grant_table) {
        if (d)
            domain_put(d);
        return GNTST_bad_domain;
    }
    if (!gnt_is_privileged_for(ld, d)) {
        domain_put(d);
        return GNTST_permission_denied;
    }
    *out = d;
    return GNTST_okay;
}

long gnt_setup_table(struct domain *ld, uint64_t guest_uop, unsigned int count)
{
    struct gnttab_setup_table op;
    uint64_t frames[GNTTAB_MAX_FRAMES_LIMIT];
    struct domain *d;

    if (count != 1)
        return -EINVAL;
    if (copy_from_guest(&op, guest_uop, sizeof(op)))
        return -EFAULT;

    op.status = target_domain(ld, op.dom, &d);
    if (op.status == GNTST_okay) {
        struct grant_table *gt = d->grant_table;
        grant_table_lock(d);
        if (gt->dying || op.nr_frames > gt->max_frames ||
            (op.nr_frames > gt->nr_frames && gnt_grow(gt, op.nr_frames) < 0))
            op.status = GNTST_general_error;
        else
            for (unsigned int i = 0; i < op.nr_frames; i++)
                frames[i] = gt->frame_mfn[i];      /* PV: the guest sees machine frames */
        grant_table_unlock(d);
        domain_put(d);
    }

    /* The frame numbers go out after the lock is dropped: a guest copy may fault. */
    uint64_t list = (uint64_t)(uintptr_t)op.frame_list.p;
    for (unsigned int i = 0; op.status == GNTST_okay && i < op.nr_frames; i++)
        if (copy_to_guest(list + (uint64_t)i * sizeof(xen_pfn_t), &frames[i], sizeof(xen_pfn_t)))
            op.status = GNTST_bad_virt_addr;

    if (copy_to_guest(guest_uop + offsetof(struct gnttab_setup_table, status), &op.status,
                      sizeof(op.status)))
        return -EFAULT;
    return 0;
}

long gnt_query_size(struct domain *ld, uint64_t guest_uop, unsigned int count)
{
    struct gnttab_query_size op;
    struct domain *d;

    if (count != 1)
        return -EINVAL;
    if (copy_from_guest(&op, guest_uop, sizeof(op)))
        return -EFAULT;

    op.status = target_domain(ld, op.dom, &d);
    if (op.status == GNTST_okay) {
        grant_table_lock(d);
        op.nr_frames = d->grant_table->nr_frames;
        op.max_nr_frames = d->grant_table->max_frames;
        grant_table_unlock(d);
        domain_put(d);
    }
    if (copy_to_guest(guest_uop, &op, sizeof(op)))
        return -EFAULT;
    return 0;
}

/* Whether any entry past the reserved ones is mapped (Xen lets those stay). */
static bool entries_in_use(struct grant_table *gt)
{
    unsigned int n = gnt_nr_entries(gt);

    for (grant_ref_t ref = GNTTAB_NR_RESERVED_ENTRIES; ref < n; ref++) {
        const struct grant_active *a = gnt_active(gt, ref);
        if (a->host_ro || a->host_rw || a->dev_ro || a->dev_rw)
            return true;
    }
    return false;
}

/*
 * The reserved entries (toolstack grants: console, xenstore) in version 1
 * form, status bits folded into the flags, each field read once. From
 * version 2: -ERANGE if one is transitive or names a frame above 2^32
 * (v1 cannot hold it; Xen's answer), and an entry of another kind is
 * dropped (as Xen).
 */
static long save_reserved(struct grant_table *gt, grant_entry_v1_t *saved)
{
    for (grant_ref_t ref = 0; ref < GNTTAB_NR_RESERVED_ENTRIES; ref++) {
        if (gt->version == 1) {
            grant_entry_v1_t *e = gnt_entry(gt, ref);
            saved[ref].flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
            saved[ref].domid = __atomic_load_n(&e->domid, __ATOMIC_ACQUIRE);
            saved[ref].frame = __atomic_load_n(&e->frame, __ATOMIC_ACQUIRE);
            continue;
        }
        grant_entry_v2_t *e = gnt_entry_v2(gt, ref);
        uint16_t flags = __atomic_load_n(&e->hdr.flags, __ATOMIC_ACQUIRE);
        saved[ref] = (grant_entry_v1_t){ 0 };
        if ((flags & GTF_type_mask) == GTF_transitive)
            return -ERANGE;
        if ((flags & GTF_type_mask) != GTF_permit_access)
            continue;
        uint64_t frame = __atomic_load_n(&e->full_page.frame, __ATOMIC_ACQUIRE);
        if (frame >> 32)
            return -ERANGE;
        saved[ref].flags = flags | __atomic_load_n(gnt_status(gt, ref), __ATOMIC_ACQUIRE);
        saved[ref].domid = __atomic_load_n(&e->hdr.domid, __ATOMIC_ACQUIRE);
        saved[ref].frame = (uint32_t)frame;
    }
    return 0;
}

/* Writes the saved reserved entries back in the (new) version in force. */
static void restore_reserved(struct grant_table *gt, const grant_entry_v1_t *saved)
{
    for (grant_ref_t ref = 0; ref < GNTTAB_NR_RESERVED_ENTRIES; ref++) {
        if (gt->version == 1) {
            *gnt_entry(gt, ref) = saved[ref];
            continue;
        }
        grant_entry_v2_t *e = gnt_entry_v2(gt, ref);
        *gnt_status(gt, ref) = saved[ref].flags & (GTF_reading | GTF_writing);
        e->hdr.flags = saved[ref].flags & ~(GTF_reading | GTF_writing);
        e->hdr.domid = saved[ref].domid;
        e->full_page.frame = saved[ref].frame;
    }
}

/*
 * The switch itself, under ld's grant lock (Xen's order of checks): no
 * entry past the reserved ones in use (-EBUSY); 1 -> 2 sets up the status
 * frames (-ENOMEM); 2 -> 1 needs reserved entries v1 can hold (-ERANGE)
 * and status frames nobody maps any more (-EBUSY). Then every entry but
 * the reserved ones is cleared.
 */
static long switch_version(struct domain *ld, unsigned int version)
{
    struct grant_table *gt = ld->grant_table;
    grant_entry_v1_t saved[GNTTAB_NR_RESERVED_ENTRIES];

    if (entries_in_use(gt))
        return -EBUSY;
    if (gt->version == 1 && gnt_grow_status(gt, GNTTAB_STATUS_FRAMES(gt->nr_frames)) < 0)
        return -ENOMEM;
    if (save_reserved(gt, saved) < 0)
        return -ERANGE;
    if (gt->version == 2) {
        for (unsigned int i = 0; i < gt->nr_status_frames; i++)
            if (grant_frame_in_use(gt->status_mfn[i]))
                return -EBUSY;
        if (arch_grant_free_status_frames(ld, gt->status_mfn, gt->nr_status_frames) < 0)
            return -EBUSY;
        gnt_shrink_status(gt, 0, false);
    }
    for (unsigned int i = 0; i < gt->nr_frames; i++)
        memset(gt->shared[i], 0, PAGE_SIZE);
    gt->version = version;
    restore_reserved(gt, saved);
    return 0;
}

long gnt_set_version(struct domain *ld, uint64_t guest_uop)
{
    struct grant_table *gt = ld->grant_table;
    struct gnttab_set_version op;
    long rc;

    if (copy_from_guest(&op, guest_uop, sizeof(op)))
        return -EFAULT;
    if (op.version != 1 && op.version != 2) {
        rc = -EINVAL;
    } else if (op.version > gt->max_version) {
        rc = -ENOSYS;           /* as a Xen started with gnttab=max-ver:1 */
    } else {
        grant_table_lock(ld);
        rc = op.version == gt->version ? 0 : switch_version(ld, op.version);
        grant_table_unlock(ld);
    }
    grant_table_lock(ld);
    op.version = gt->version;   /* the version in force, whatever was asked */
    grant_table_unlock(ld);
    if (copy_to_guest(guest_uop, &op, sizeof(op)))
        return -EFAULT;
    return rc;
}

long gnt_get_version(struct domain *ld, uint64_t guest_uop)
{
    struct gnttab_get_version op;

    if (copy_from_guest(&op, guest_uop, sizeof(op)))
        return -EFAULT;
    struct domain *d = domain_get(op.dom);
    if (!d || !d->grant_table) {
        if (d)
            domain_put(d);
        return -ESRCH;
    }
    bool allowed = gnt_is_privileged_for(ld, d);
    if (allowed) {
        grant_table_lock(d);
        op.version = d->grant_table->version;
        grant_table_unlock(d);
    }
    domain_put(d);
    if (!allowed)
        return -EPERM;
    if (copy_to_guest(guest_uop + offsetof(struct gnttab_get_version, version), &op.version,
                      sizeof(op.version)))
        return -EFAULT;
    return 0;
}

long gnt_get_status_frames(struct domain *ld, uint64_t guest_uop, unsigned int count)
{
    struct gnttab_get_status_frames op;
    uint64_t frames[GNTTAB_MAX_STATUS_FRAMES];
    struct domain *d;

    if (count != 1)
        return -EINVAL;
    if (copy_from_guest(&op, guest_uop, sizeof(op)))
        return -EFAULT;

    op.status = target_domain(ld, op.dom, &d);
    if (op.status == GNTST_okay) {
        struct grant_table *gt = d->grant_table;
        grant_table_lock(d);
        /* Version 1 has none: only an empty request succeeds (Xen's answer). */
        if (op.nr_frames > gt->nr_status_frames)
            op.status = GNTST_general_error;
        else
            for (unsigned int i = 0; i < op.nr_frames; i++)
                frames[i] = gt->status_mfn[i];     /* PV: the guest maps machine frames */
        grant_table_unlock(d);
        domain_put(d);
    }

    /* Copied out after the lock is dropped: a guest copy may fault. */
    uint64_t list = (uint64_t)(uintptr_t)op.frame_list.p;
    for (unsigned int i = 0; op.status == GNTST_okay && i < op.nr_frames; i++)
        if (copy_to_guest(list + (uint64_t)i * sizeof(uint64_t), &frames[i], sizeof(uint64_t)))
            op.status = GNTST_bad_virt_addr;

    if (copy_to_guest(guest_uop + offsetof(struct gnttab_get_status_frames, status), &op.status,
                      sizeof(op.status)))
        return -EFAULT;
    return 0;
}
