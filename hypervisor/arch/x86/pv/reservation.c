/*
 * memory_op's reservation operations for PV guests: increase_reservation
 * (new frames, their numbers written back), populate_physmap (the same,
 * with the guest's pfns in and the m2p set for them), decrease_reservation
 * (frames given back). Each returns how many extents it did; it stops at
 * the first extent it cannot do, as Xen does, so a guest learns exactly
 * what happened.
 *
 * A frame given back while still in use (mapped, a page table) is freed
 * when its last use goes (pv_release_frame), as Xen does; the domain's
 * reservation drops then. One held by the hypervisor, mapped by another
 * domain through a grant, or a grant-table frame is refused.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <asm/m2p.h>
#include <asm/paging.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <asm/pv_mm.h>
#include <asm/tlb_flush.h>
#include <pvabi/memory.h>
#include <pvabi/xen.h>
#include <tessera/arch.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/grant_table.h>
#include <tessera/guest_access.h>
#include <tessera/heap.h>
#include <tessera/page_alloc.h>
#include <tessera/string.h>

/* Largest extent a guest may ask for: 2 MiB, as Xen's default for domains. */
#define MAX_EXTENT_ORDER 9

static uint64_t extent_addr(const struct xen_memory_reservation *r, uint64_t i)
{
    return (uint64_t)(uintptr_t)r->extent_start.p + i * sizeof(xen_pfn_t);
}

/*
 * A frame a domain receives holds nothing of its last owner: the allocator
 * gives back what dead domains and ballooning guests freed as it was. Xen
 * scrubs a dying domain's frames; clearing on the way in covers every source.
 * Done under d's mm lock, before d can know or map the frame.
 */
static void clear_frames(uint64_t mfn, uint64_t n)
{
    memclear_sparse(phys_to_virt(mfn << PAGE_SHIFT), n << PAGE_SHIFT);
}

/* Allocates 2^order single frames for d, contiguous, cleared; 0 or -ENOMEM (also past the domain's limit). */
static int alloc_extent(struct domain *d, unsigned order, uint64_t *mfn)
{
    uint64_t n = 1ull << order;

    if (__atomic_add_fetch(&d->tot_pages, n, __ATOMIC_ACQ_REL) > d->max_pages) {
        __atomic_sub_fetch(&d->tot_pages, n, __ATOMIC_ACQ_REL);
        return -ENOMEM;
    }
    if (page_alloc_alloc(&frame_allocator, order, d->domain_id, mfn) < 0) {
        __atomic_sub_fetch(&d->tot_pages, n, __ATOMIC_ACQ_REL);
        return -ENOMEM;
    }
    page_alloc_split(&frame_allocator, *mfn, order);
    clear_frames(*mfn, n);
    return 0;
}

static void free_extent(struct domain *d, uint64_t mfn, unsigned order)
{
    pv_free_frames(mfn, 1ull << order);
    __atomic_sub_fetch(&d->tot_pages, 1ull << order, __ATOMIC_ACQ_REL);
}

/*
 * Whether a reservation loop past its first extent should stop at extent i
 * and be continued from there (tessera/arch.h); *resume says where.
 */
static bool stop_at(uint64_t i, uint64_t start, uint64_t *resume)
{
    if (i == start || !arch_hypercall_preempt_check())
        return false;
    *resume = i;
    return true;
}

/* increase_reservation and populate_physmap. */
static long grow(struct domain *d, const struct xen_memory_reservation *r, uint64_t start,
                 bool populate, uint64_t *resume)
{
    uint64_t i;

    for (i = start; i < r->nr_extents && !stop_at(i, start, resume); i++) {
        xen_pfn_t gpfn = 0, mfn;
        if (populate && copy_from_guest(&gpfn, extent_addr(r, i), sizeof(gpfn)) < 0)
            return i ? (long)i : -EFAULT;
        /*
         * Under d's mm lock, so that d's count and its frames change together
         * for the memory audit, also when the control domain grows d.
         */
        pv_mm_lock(d);
        int rc = alloc_extent(d, r->extent_order, &mfn);
        for (uint64_t k = 0; !rc && k < (1ull << r->extent_order); k++)
            m2p_set(mfn + k, populate ? gpfn + k : M2P_INVALID);
        pv_mm_unlock(d);
        if (rc < 0)
            break;
        if (copy_to_guest(extent_addr(r, i), &mfn, sizeof(mfn)) < 0) {
            pv_mm_lock(d);
            free_extent(d, mfn, r->extent_order);
            pv_mm_unlock(d);
            return i ? (long)i : -EFAULT;
        }
    }
    return (long)i;
}

static long shrink(struct domain *d, const struct xen_memory_reservation *r, uint64_t start,
                   uint64_t *resume)
{
    uint64_t i;
    unsigned order = r->extent_order;

    for (i = start; i < r->nr_extents && !stop_at(i, start, resume); i++) {
        xen_pfn_t first;
        if (copy_from_guest(&first, extent_addr(r, i), sizeof(first)) < 0)
            return i ? (long)i : -EFAULT;
        if (first & ((1ull << order) - 1))
            break;
        /* Both locks: no grant map or L1 write can reach the frames meanwhile. */
        pv_mm_lock_all(d);
        bool ok = true;
        for (uint64_t k = 0; k < (1ull << order) && ok; k++)
            ok = pv_frame_releasable(d, first + k) == 0;
        for (uint64_t k = 0; k < (1ull << order) && ok; k++)
            pv_release_frame(d, first + k);
        pv_mm_unlock_all(d);
        if (!ok)
            break;
    }
    return (long)i;
}

/* Whether frame mfn of d can be freed at once: given back, and nothing uses it. */
static bool free_now(struct domain *d, uint64_t mfn)
{
    struct page_info *pi = pv_frame_info(mfn);
    return pv_frame_releasable(d, mfn) == 0 && pv_type_count(pi) == 0 &&
           __atomic_load_n(&pi->map_count, __ATOMIC_ACQUIRE) == 0 && pi->foreign_maps == 0;
}

/* Takes the given-back mark off the first 'marked' frames of the input list. */
static void unmark_inputs(const xen_pfn_t *in, uint64_t pages, uint64_t marked)
{
    for (uint64_t j = 0; j < marked; j++)
        pv_frame_info(in[j / pages] + j % pages)->type_info &= ~PGT_RELEASED;
}

/*
 * Under d's grant and mm locks: every input frame of an exchange is d's,
 * unused, and named once. Each checked frame is marked given back, so a
 * second mention of it (in another extent, or overlapping) is refused like
 * a frame in use; on refusal the marks come off again. 0 or -EINVAL.
 */
static long claim_inputs(struct domain *d, const xen_pfn_t *in, uint64_t n, uint64_t pages)
{
    uint64_t marked = 0;

    for (uint64_t i = 0; i < n; i++) {
        if (in[i] & (pages - 1))
            goto refuse;
        for (uint64_t k = 0; k < pages; k++, marked++) {
            if (!free_now(d, in[i] + k))
                goto refuse;
            pv_frame_info(in[i] + k)->type_info |= PGT_RELEASED;
        }
    }
    return 0;
refuse:
    unmark_inputs(in, pages, marked);
    return -EINVAL;
}

/* At most one extent of the largest order per exchange: what Linux asks for. */
#define EXCHANGE_MAX_PAGES (1u << MAX_EXTENT_ORDER)

/*
 * XENMEM_exchange for the calling domain: its frames in in.extent_start
 * (none of them mapped or otherwise in use) for new extents of out's
 * order below out's address width, as Linux gets machine-contiguous DMA
 * memory below 4 GiB. For a PV guest out.extent_start holds, on the way
 * in, the pfns the new frames are for (their m2p entries are set), on the
 * way out the new frames. Both lists are read once into the hypervisor.
 * All or nothing: 0 with nr_exchanged = every input extent, or an error
 * with nothing changed (-EINVAL bad sizes, more than 512 pages, a frame
 * in use or named twice; -ENOMEM no such memory; -EFAULT; -EPERM another
 * domain's, or an extent order past 9). Xen exchanges chunk by chunk and
 * may stop part way; Linux asks for one chunk at a time, so it sees the same.
 */
long pv_memory_exchange(struct vcpu *v, uint64_t arg)
{
    struct xen_memory_exchange x;
    struct domain *d = v->domain;

    if (copy_from_guest(&x, arg, sizeof(x)) < 0)
        return -EFAULT;
    if ((x.in.domid != DOMID_SELF && x.in.domid != d->domain_id) ||
        (x.out.domid != DOMID_SELF && x.out.domid != d->domain_id))
        return -EPERM;
    /* Orders and counts first: only then is shifting by them defined. */
    if (x.in.extent_order > MAX_EXTENT_ORDER || x.out.extent_order > MAX_EXTENT_ORDER)
        return -EPERM;      /* as Xen: a larger extent is not the guest's to ask for */
    if (x.in.nr_extents > EXCHANGE_MAX_PAGES || x.out.nr_extents > EXCHANGE_MAX_PAGES)
        return -EINVAL;
    uint64_t pages = x.in.nr_extents << x.in.extent_order;
    if (pages == 0 || pages > EXCHANGE_MAX_PAGES ||
        pages != (x.out.nr_extents << x.out.extent_order) || x.nr_exchanged != 0)
        return -EINVAL;
    unsigned bits = XENMEMF_get_address_bits(x.out.mem_flags);
    uint64_t limit = bits > PAGE_SHIFT && bits < 64 ? 1ull << (bits - PAGE_SHIFT) : UINT64_MAX;
    uint64_t in_pages = 1ull << x.in.extent_order, out_pages = 1ull << x.out.extent_order;
    xen_pfn_t *in = xmalloc_array(x.in.nr_extents, sizeof(*in));
    xen_pfn_t *out = xmalloc_array(x.out.nr_extents, sizeof(*out));    /* gpfns, then mfns */
    long rc = in && out ? 0 : -ENOMEM;
    uint64_t done = 0;

    for (uint64_t i = 0; !rc && i < x.in.nr_extents; i++)
        if (copy_from_guest(&in[i], extent_addr(&x.in, i), sizeof(in[i])) < 0)
            rc = -EFAULT;
    for (uint64_t i = 0; !rc && i < x.out.nr_extents; i++)
        if (copy_from_guest(&out[i], extent_addr(&x.out, i), sizeof(out[i])) < 0)
            rc = -EFAULT;
    if (!rc) {
        pv_mm_lock_all(d);
        rc = claim_inputs(d, in, x.in.nr_extents, in_pages);
        bool claimed = !rc;
        for (; !rc && done < x.out.nr_extents; done++) {
            uint64_t mfn, gpfn = out[done];
            if (page_alloc_alloc_below(&frame_allocator, x.out.extent_order, d->domain_id,
                                       limit, &mfn) < 0) {
                rc = -ENOMEM;
                break;
            }
            page_alloc_split(&frame_allocator, mfn, x.out.extent_order);
            clear_frames(mfn, out_pages);
            for (uint64_t k = 0; k < out_pages; k++)
                m2p_set(mfn + k, gpfn + k);
            out[done] = mfn;
        }
        if (rc) {
            for (uint64_t i = 0; i < done; i++)
                pv_free_frames(out[i], out_pages);
            if (claimed)
                unmark_inputs(in, in_pages, pages);
        } else {
            /* A vCPU may still hold a translation of an input frame from before its unmap. */
            flush_tlb_domain(d);
            for (uint64_t i = 0; i < x.in.nr_extents; i++)
                pv_free_frames(in[i], in_pages);
        }
        pv_mm_unlock_all(d);
    }
    /* The new frames' numbers; a fault here leaves the exchange done, as the count says. */
    if (!rc) {
        x.nr_exchanged = x.in.nr_extents;
        for (uint64_t i = 0; i < x.out.nr_extents; i++)
            if (copy_to_guest(extent_addr(&x.out, i), &out[i], sizeof(out[i])) < 0)
                rc = -EFAULT;
        if (copy_to_guest(arg + offsetof(struct xen_memory_exchange, nr_exchanged),
                          &x.nr_exchanged, sizeof(x.nr_exchanged)) < 0)
            rc = -EFAULT;
    }
    xfree(in);
    xfree(out);
    return rc;
}

long pv_memory_reservation(struct vcpu *v, unsigned cmd, uint64_t start, uint64_t arg)
{
    struct xen_memory_reservation r;

    if (copy_from_guest(&r, arg, sizeof(r)) < 0)
        return -EFAULT;
    if (start >= r.nr_extents)
        return (long)start;
    /* A count whose extent numbers would not fit in cmd could not be continued (as Xen). */
    if (r.extent_order > MAX_EXTENT_ORDER || r.nr_extents > (UINT64_MAX >> MEMOP_EXTENT_SHIFT))
        return (long)start;
    /* Guests may ask for memory below an address (DMA); all of ours is fine for PV. */
    /* Another domain's (the control domain's builder): none, or no permission, is 0 extents, as Xen. */
    struct domain *d = v->domain;
    if (r.domid != DOMID_SELF && r.domid != d->domain_id) {
        if (!(d = domain_get(r.domid)))
            return (long)start;
        if (!v->domain->is_privileged) {
            domain_put(d);
            return (long)start;
        }
    }
    long rc;
    uint64_t resume = 0;
    if (!d->grant_table)
        rc = -EINVAL;       /* not fully built */
    else if (cmd == XENMEM_decrease_reservation)
        rc = shrink(d, &r, start, &resume);
    else
        rc = grow(d, &r, start, cmd == XENMEM_populate_physmap, &resume);
    if (d != v->domain)
        domain_put(d);
    if (resume) {
        uint64_t rest[2] = { cmd | (resume << MEMOP_EXTENT_SHIFT), arg };
        rc = arch_hypercall_create_continuation(__HYPERVISOR_memory_op, 2, rest);
    }
    return rc;
}
