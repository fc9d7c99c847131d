/*
 * The table-management ops: setup_table, query_size, set_version,
 * get_version and get_status_frames. Each takes one argument struct
 * (count must be 1 where Xen says so), copies it in once and its results
 * out once. Version 1 is the only one: set_version(2) is refused with
 * -ENOSYS, as by a Xen limited to version 1, and there are no status
 * frames.
 */
#include <stddef.h>
#include <tessera/domain_ops.h>
#include <tessera/errno.h>
#include <tessera/grant_table.h>
#include <tessera/guest_access.h>

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

long gnt_set_version(struct domain *ld, uint64_t guest_uop)
{
    struct gnttab_set_version op;
    long rc;

    (void)ld;
    if (copy_from_guest(&op, guest_uop, sizeof(op)))
        return -EFAULT;
    if (op.version == 1)
        rc = 0;
    else if (op.version == 2)
        rc = -ENOSYS;
    else
        rc = -EINVAL;
    op.version = 1;             /* the version in force, whatever was asked */
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
    domain_put(d);
    if (!allowed)
        return -EPERM;
    op.version = 1;
    if (copy_to_guest(guest_uop + offsetof(struct gnttab_get_version, version), &op.version,
                      sizeof(op.version)))
        return -EFAULT;
    return 0;
}

long gnt_get_status_frames(struct domain *ld, uint64_t guest_uop, unsigned int count)
{
    struct gnttab_get_status_frames op;
    struct domain *d;

    if (count != 1)
        return -EINVAL;
    if (copy_from_guest(&op, guest_uop, sizeof(op)))
        return -EFAULT;

    op.status = target_domain(ld, op.dom, &d);
    if (op.status == GNTST_okay) {
        /* Version 1 has no status frames: only an empty request succeeds. */
        if (op.nr_frames > 0)
            op.status = GNTST_general_error;
        domain_put(d);
    }
    if (copy_to_guest(guest_uop + offsetof(struct gnttab_get_status_frames, status), &op.status,
                      sizeof(op.status)))
        return -EFAULT;
    return 0;
}
