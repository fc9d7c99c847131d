/*
 * The memory_op operations a toolstack in the control domain issues for
 * the domains it builds (libxc puts each in a one-entry multicall, which
 * pv/hypercall.c serves like a direct call): claim_pages, set_memory_map
 * (read back by the domain through XENMEM_memory_map), maximum_gpfn, the
 * memory-sharing counters, and acquire_resource for a domain's shared
 * grant-table frames (libxc seeds a new domain's grant table through it:
 * Linux's privcmd maps the frames it gives). Answers and their order of
 * checks are Xen 4.17's.
 */
#include <stdint.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <asm/setup.h>
#include <pvabi/memory.h>
#include <pvabi/xen.h>
#include <tessera/compiler.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/grant_table.h>
#include <tessera/guest_access.h>
#include <tessera/heap.h>
#include <tessera/page_alloc.h>

/* An e820 entry as the ABI lays it out: 20 bytes, packed. */
struct __attribute__((packed)) e820_entry {
    uint64_t addr, size;
    uint32_t type;
};
_Static_assert(sizeof(struct e820_entry) == 20, "e820 entry layout");

#define E820_MAX_ENTRIES 1024    /* Xen's E820MAX */

/* XSM_TARGET with the dummy policy, after Xen's lookup: -ESRCH before -EPERM. */
static long target_get(struct vcpu *v, domid_t id, struct domain **out)
{
    if (id == DOMID_SELF || id == v->domain->domain_id) {
        domain_hold(v->domain);
        *out = v->domain;
        return 0;
    }
    struct domain *d = domain_get(id);
    if (!d)
        return -ESRCH;
    if (!v->domain->is_privileged) {
        domain_put(d);
        return -EPERM;
    }
    *out = d;
    return 0;
}

/*
 * XENMEM_claim_pages: the builder asks that the domain's whole allocation
 * be possible before it starts (nr_extents = its total pages; 0 cancels).
 * Checked as Xen checks it; the claim is recorded but does not set memory
 * aside, as the builder allocates at once while nothing else does.
 */
long pv_memory_claim(struct vcpu *v, uint64_t arg)
{
    struct xen_memory_reservation r;

    if (copy_from_guest(&r, arg, sizeof(r)) < 0)
        return -EFAULT;
    if (r.extent_start.p || r.extent_order != 0 || r.mem_flags != 0)
        return -EINVAL;
    struct domain *d = r.domid < DOMID_FIRST_RESERVED ? domain_get(r.domid) : NULL;
    if (!d)
        return -EINVAL;     /* as Xen: a domain that does not exist */
    if (!v->domain->is_privileged) {
        domain_put(d);
        return -EPERM;
    }
    struct page_alloc_stats st;
    page_alloc_stats(&frame_allocator, &st);
    long rc = 0;
    unsigned long flags = spin_lock_irqsave(&d->lock);
    uint64_t tot = __atomic_load_n(&d->tot_pages, __ATOMIC_ACQUIRE);
    if (r.nr_extents == 0)
        d->arch->claimed_pages = 0;
    else if (d->arch->claimed_pages)
        rc = -EINVAL;       /* one claim at a time */
    else if (r.nr_extents <= tot || r.nr_extents > d->max_pages)
        rc = -EINVAL;
    else if (r.nr_extents - tot > st.free)
        rc = -ENOMEM;
    else
        d->arch->claimed_pages = r.nr_extents - tot;
    spin_unlock_irqrestore(&d->lock, flags);
    domain_put(d);
    return rc;
}

/* XENMEM_set_memory_map: the pseudo-physical map the domain will read. */
long pv_memory_set_map(struct vcpu *v, uint64_t arg)
{
    struct xen_foreign_memory_map fmap;
    struct domain *d;

    if (copy_from_guest(&fmap, arg, sizeof(fmap)) < 0)
        return -EFAULT;
    if (fmap.map.nr_entries > E820_MAX_ENTRIES)
        return -EINVAL;
    long rc = target_get(v, fmap.domid, &d);
    if (rc)
        return rc;
    struct e820_entry *map = xmalloc_array(fmap.map.nr_entries ? fmap.map.nr_entries : 1,
                                           sizeof(*map));
    if (!map)
        rc = -ENOMEM;
    else if (copy_from_guest(map, (uint64_t)(uintptr_t)fmap.map.buffer.p,
                             (size_t)fmap.map.nr_entries * sizeof(*map)) < 0)
        rc = -EFAULT;
    if (!rc) {
        unsigned long flags = spin_lock_irqsave(&d->lock);
        void *old = d->arch->memory_map;
        d->arch->memory_map = map;
        d->arch->memory_map_entries = fmap.map.nr_entries;
        spin_unlock_irqrestore(&d->lock, flags);
        map = old;
    }
    xfree(map);
    domain_put(d);
    return rc;
}

/*
 * XENMEM_memory_map for a domain its toolstack gave a map: that map, as
 * Xen. 1 if it answered (with *rc), 0 if the domain has none.
 */
int pv_memory_map_from_toolstack(struct vcpu *v, uint64_t arg, long *rc)
{
    struct domain *d = v->domain;
    struct xen_memory_map map;

    if (!d->arch->memory_map)
        return 0;
    if (copy_from_guest(&map, arg, sizeof(map)) < 0) {
        *rc = -EFAULT;
        return 1;
    }
    *rc = 0;
    unsigned long flags = spin_lock_irqsave(&d->lock);
    map.nr_entries = MIN(map.nr_entries, d->arch->memory_map_entries);
    if (copy_to_guest((uint64_t)(uintptr_t)map.buffer.p, d->arch->memory_map,
                      (size_t)map.nr_entries * sizeof(struct e820_entry)) < 0)
        *rc = -EFAULT;
    spin_unlock_irqrestore(&d->lock, flags);
    if (!*rc && copy_to_guest(arg, &map, sizeof(map)) < 0)
        *rc = -EFAULT;
    return 1;
}

/* XENMEM_maximum_gpfn: for PV, the p2m size the domain (or its builder) put in shared_info, less one. */
long pv_memory_maximum_gpfn(struct vcpu *v, uint64_t arg)
{
    domid_t id;
    struct domain *d;

    if (copy_from_guest(&id, arg, sizeof(id)) < 0)
        return -EFAULT;
    long rc = target_get(v, id, &d);
    if (rc)
        return rc;
    uint64_t max_pfn = __atomic_load_n(&d->shared_info->arch.max_pfn, __ATOMIC_RELAXED);
    domain_put(d);
    return (long)((max_pfn ? max_pfn : 1) - 1);
}

/*
 * XENMEM_acquire_resource: the machine frames of another domain's
 * resource, for the caller to map (a PV caller gets machine frames). Only
 * the grant table's shared frames are offered: a null frame_list asks for
 * how many there can be (max_grant_frames); frames past those the table
 * has make it grow, as Xen's. The ioreq-server and vmtrace resources have
 * no frames for a PV domain (-EINVAL, as Xen); grant status frames and
 * other types -EOPNOTSUPP. The frames fit in one call (at most
 * GNTTAB_MAX_FRAMES_LIMIT), so there is no continuation.
 */
long pv_memory_acquire_resource(struct vcpu *v, uint64_t start, uint64_t arg)
{
    struct xen_mem_acquire_resource r;

    if (copy_from_guest(&r, arg, sizeof(r)) < 0)
        return -EFAULT;
    if (r.pad)
        return -EINVAL;
    if ((r.frame >> 32) || ((r.frame + r.nr_frames) >> 32))
        return -EINVAL;
    /* Xen's "remote domain": not the caller's own, DOMID_SELF is no id. */
    struct domain *d = r.domid < DOMID_FIRST_RESERVED ? domain_get(r.domid) : NULL;
    if (!d)
        return -ESRCH;
    long rc = -EPERM;
    if (d == v->domain || !v->domain->is_privileged)
        goto out;

    rc = -EOPNOTSUPP;
    if (r.type != XENMEM_resource_grant_table ||
        r.id == XENMEM_resource_grant_table_id_status) {
        if (r.type == XENMEM_resource_ioreq_server || r.type == XENMEM_resource_vmtrace_buf ||
            (r.type == XENMEM_resource_grant_table && d->grant_table->version != 2))
            rc = -EINVAL;
        goto out;
    }
    struct grant_table *gt = d->grant_table;
    rc = -EINVAL;
    if (r.id != XENMEM_resource_grant_table_id_shared || gt->max_frames == 0)
        goto out;
    if (!r.frame_list.p) {
        if (r.nr_frames || start)
            goto out;
        r.nr_frames = gt->max_frames;
        rc = copy_to_guest(arg + offsetof(struct xen_mem_acquire_resource, nr_frames),
                           &r.nr_frames, sizeof(r.nr_frames)) < 0 ? -EFAULT : 0;
        goto out;
    }
    if (start >= r.nr_frames || r.frame + r.nr_frames > gt->max_frames)
        goto out;

    uint64_t mfns[GNTTAB_MAX_FRAMES_LIMIT];
    uint32_t n = r.nr_frames - (uint32_t)start, first = (uint32_t)r.frame + (uint32_t)start;
    grant_table_lock(d);
    if (gt->dying || (first + n > gt->nr_frames && gnt_grow(gt, first + n) < 0)) {
        rc = -EINVAL;
    } else {
        for (uint32_t i = 0; i < n; i++)
            mfns[i] = gt->frame_mfn[first + i];
        rc = 0;
    }
    grant_table_unlock(d);
    /* Out after the lock is dropped: a guest copy may fault. */
    uint64_t list = (uint64_t)(uintptr_t)r.frame_list.p + start * sizeof(xen_pfn_t);
    if (!rc && copy_to_guest(list, mfns, n * sizeof(mfns[0])) < 0)
        rc = -EFAULT;
out:
    domain_put(d);
    return rc;
}
