/*
 * Buddy allocator over machine frame numbers. Free blocks sit on one
 * doubly linked list per order, linked through page_info by frame index;
 * a block's buddy at order k is the block whose MFN differs in bit k.
 */
#include <stdbool.h>
#include <tessera/errno.h>
#include <tessera/page_alloc.h>

static uint32_t idx_of(const struct page_allocator *pa, uint64_t mfn)
{
    return (uint32_t)(mfn - pa->first_mfn);
}

static bool in_span(const struct page_allocator *pa, uint64_t mfn, uint64_t count)
{
    return mfn >= pa->first_mfn && count <= pa->nr_frames &&
           mfn - pa->first_mfn <= pa->nr_frames - count;
}

static void list_push(struct page_allocator *pa, unsigned order, uint32_t i)
{
    struct page_info *p = &pa->meta[i];

    p->prev = PAGE_NO_LINK;
    p->next = pa->free_head[order];
    if (p->next != PAGE_NO_LINK)
        pa->meta[p->next].prev = i;
    pa->free_head[order] = i;
}

static void list_remove(struct page_allocator *pa, unsigned order, uint32_t i)
{
    struct page_info *p = &pa->meta[i];

    if (p->prev != PAGE_NO_LINK)
        pa->meta[p->prev].next = p->next;
    else
        pa->free_head[order] = p->next;
    if (p->next != PAGE_NO_LINK)
        pa->meta[p->next].prev = p->prev;
    p->next = p->prev = PAGE_NO_LINK;
}

/*
 * Frees the block [mfn, mfn + 2^order) and merges it with its buddies for
 * as long as they are free. Only the freed frames are rewritten; a merge
 * costs O(1) (one head flag cleared), so freeing one frame next to a free
 * 1 GiB neighbourhood stays cheap.
 */
static void free_and_merge(struct page_allocator *pa, uint64_t mfn, unsigned order)
{
    uint32_t first = idx_of(pa, mfn);

    for (uint64_t k = 0; k < (1ull << order); k++) {
        pa->meta[first + k].flags = PGF_MANAGED | PGF_FREE;
        pa->meta[first + k].owner = DOMID_INVALID;
    }
    while (order < PAGE_MAX_ORDER) {
        uint64_t buddy = mfn ^ (1ull << order);
        if (!in_span(pa, buddy, 1ull << order))
            break;
        struct page_info *b = &pa->meta[idx_of(pa, buddy)];
        if ((b->flags & (PGF_FREE | PGF_HEAD)) != (PGF_FREE | PGF_HEAD) || b->order != order)
            break;
        list_remove(pa, order, idx_of(pa, buddy));
        /* The higher half's head becomes an inner frame of the merged block. */
        pa->meta[idx_of(pa, mfn | (1ull << order))].flags &= (uint8_t)~PGF_HEAD;
        mfn &= ~(1ull << order);
        order++;
    }
    uint32_t head = idx_of(pa, mfn);
    pa->meta[head].flags |= PGF_HEAD;
    pa->meta[head].order = (uint8_t)order;
    list_push(pa, order, head);
}

void page_alloc_init(struct page_allocator *pa, struct page_info *meta,
                     uint64_t first_mfn, uint64_t nr_frames)
{
    /* Indexes must stay below PAGE_NO_LINK; frames past that are refused by add_free. */
    if (nr_frames >= PAGE_NO_LINK)
        nr_frames = PAGE_NO_LINK - 1;
    spin_lock_init(&pa->lock);
    pa->meta = meta;
    pa->first_mfn = first_mfn;
    pa->nr_frames = nr_frames;
    for (unsigned o = 0; o <= PAGE_MAX_ORDER; o++)
        pa->free_head[o] = PAGE_NO_LINK;
    pa->nr_managed = pa->nr_free = pa->nr_used_xen = pa->nr_used_domains = 0;
    pa->check_error = NULL;
    for (uint64_t i = 0; i < nr_frames; i++)
        meta[i] = (struct page_info){ .next = PAGE_NO_LINK, .prev = PAGE_NO_LINK,
                                      .owner = DOMID_INVALID };
}

int page_alloc_add_free(struct page_allocator *pa, uint64_t mfn, uint64_t count)
{
    if (!in_span(pa, mfn, count))
        return -ERANGE;
    spin_lock(&pa->lock);
    for (uint64_t k = 0; k < count; k++) {
        if (pa->meta[idx_of(pa, mfn + k)].flags & PGF_MANAGED) {
            spin_unlock(&pa->lock);
            return -EEXIST;
        }
    }
    pa->nr_managed += count;
    pa->nr_free += count;
    while (count) {
        /* The largest aligned block that starts here and fits. */
        unsigned order = mfn ? (unsigned)__builtin_ctzll(mfn) : PAGE_MAX_ORDER;
        unsigned fit = 63 - (unsigned)__builtin_clzll(count);
        if (order > fit)
            order = fit;
        if (order > PAGE_MAX_ORDER)
            order = PAGE_MAX_ORDER;
        free_and_merge(pa, mfn, order);
        mfn += 1ull << order;
        count -= 1ull << order;
    }
    spin_unlock(&pa->lock);
    return 0;
}

/* Takes free head i of order o off its list and keeps its lowest 2^order frames for owner. [lock] */
static uint64_t take_block(struct page_allocator *pa, uint32_t i, unsigned o, unsigned order,
                           uint16_t owner)
{
    list_remove(pa, o, i);
    /* Split: the upper halves go back on the lists. */
    while (o > order) {
        o--;
        uint32_t upper = i + (1u << o);
        pa->meta[upper].flags = PGF_MANAGED | PGF_FREE | PGF_HEAD;
        pa->meta[upper].order = (uint8_t)o;
        list_push(pa, o, upper);
    }
    for (uint64_t k = 0; k < (1ull << order); k++) {
        pa->meta[i + k].flags = PGF_MANAGED;
        pa->meta[i + k].owner = owner;
        pa->meta[i + k].map_count = 0;
        pa->meta[i + k].type_info = 0;
        pa->meta[i + k].foreign_maps = 0;
        pa->meta[i + k].foreign_writable = 0;
        pa->meta[i + k].holds = 0;
    }
    pa->meta[i].flags |= PGF_HEAD;
    pa->meta[i].order = (uint8_t)order;
    pa->nr_free -= 1ull << order;
    if (owner == DOMID_XEN)
        pa->nr_used_xen += 1ull << order;
    else
        pa->nr_used_domains += 1ull << order;
    return pa->first_mfn + i;
}

int page_alloc_alloc(struct page_allocator *pa, unsigned order, uint16_t owner,
                     uint64_t *mfn_out)
{
    return page_alloc_alloc_below(pa, order, owner, UINT64_MAX, mfn_out);
}

int page_alloc_alloc_below(struct page_allocator *pa, unsigned order, uint16_t owner,
                           uint64_t limit_mfn, uint64_t *mfn_out)
{
    if (order > PAGE_MAX_ORDER || owner == DOMID_INVALID)
        return -EINVAL;
    spin_lock(&pa->lock);
    for (unsigned o = order; o <= PAGE_MAX_ORDER; o++) {
        /* Without a limit the first block of the smallest fitting order does. */
        for (uint32_t i = pa->free_head[o]; i != PAGE_NO_LINK; i = pa->meta[i].next) {
            if (pa->first_mfn + i + (1ull << order) > limit_mfn)
                continue;
            *mfn_out = take_block(pa, i, o, order, owner);
            spin_unlock(&pa->lock);
            return 0;
        }
    }
    spin_unlock(&pa->lock);
    return -ENOMEM;
}

/* An allocated block goes back: the counters, then the lists. [lock] */
static void release_block(struct page_allocator *pa, uint64_t mfn, unsigned order)
{
    if (pa->meta[idx_of(pa, mfn)].owner == DOMID_XEN)
        pa->nr_used_xen -= 1ull << order;
    else
        pa->nr_used_domains -= 1ull << order;
    pa->nr_free += 1ull << order;
    free_and_merge(pa, mfn, order);
}

/* The checks a block's first frame and order must pass before the lock: 0, -EINVAL, -ERANGE. */
static int check_block_args(struct page_allocator *pa, uint64_t mfn, unsigned order)
{
    if (order > PAGE_MAX_ORDER || (mfn & ((1ull << order) - 1)))
        return -EINVAL;
    return in_span(pa, mfn, 1ull << order) ? 0 : -ERANGE;
}

int page_alloc_free(struct page_allocator *pa, uint64_t mfn, unsigned order)
{
    int rc = check_block_args(pa, mfn, order);

    if (rc)
        return rc;
    spin_lock(&pa->lock);
    struct page_info *p = &pa->meta[idx_of(pa, mfn)];
    if (p->flags & PGF_FREE)
        rc = -EALREADY;
    else if (!(p->flags & PGF_MANAGED) || !(p->flags & PGF_HEAD) || p->order != order)
        rc = -EINVAL;
    if (!rc)
        release_block(pa, mfn, order);
    spin_unlock(&pa->lock);
    return rc;
}

int page_alloc_split(struct page_allocator *pa, uint64_t mfn, unsigned order)
{
    int rc = check_block_args(pa, mfn, order);

    if (rc)
        return rc;
    spin_lock(&pa->lock);
    uint32_t first = idx_of(pa, mfn);
    struct page_info *p = &pa->meta[first];
    if ((p->flags & (PGF_MANAGED | PGF_FREE | PGF_HEAD)) != (PGF_MANAGED | PGF_HEAD) ||
        p->order != order) {
        rc = -EINVAL;
    } else {
        for (uint64_t k = 0; k < (1ull << order); k++) {
            pa->meta[first + k].flags |= PGF_HEAD;
            pa->meta[first + k].order = 0;
        }
    }
    spin_unlock(&pa->lock);
    return rc;
}

uint64_t page_alloc_free_owned(struct page_allocator *pa, uint16_t owner,
                               void (*on_free)(uint64_t mfn))
{
    uint64_t freed = 0;

    if (owner == DOMID_XEN || owner == DOMID_INVALID)
        return 0;
    spin_lock(&pa->lock);
    for (uint64_t i = 0; i < pa->nr_frames;) {
        struct page_info *p = &pa->meta[i];
        if ((p->flags & (PGF_MANAGED | PGF_FREE | PGF_HEAD)) != (PGF_MANAGED | PGF_HEAD)) {
            i++;
            continue;
        }
        uint64_t n = 1ull << p->order;
        if (p->owner == owner) {
            uint64_t mfn = pa->first_mfn + i;
            if (on_free)
                for (uint64_t k = 0; k < n; k++)
                    on_free(mfn + k);
            release_block(pa, mfn, p->order);
            freed += n;
        }
        i += n;
    }
    spin_unlock(&pa->lock);
    return freed;
}

uint16_t page_owner(struct page_allocator *pa, uint64_t mfn)
{
    if (!in_span(pa, mfn, 1))
        return DOMID_INVALID;
    return __atomic_load_n(&pa->meta[idx_of(pa, mfn)].owner, __ATOMIC_RELAXED);
}

void page_alloc_stats(struct page_allocator *pa, struct page_alloc_stats *out)
{
    spin_lock(&pa->lock);
    out->managed = pa->nr_managed;
    out->free = pa->nr_free;
    out->used_xen = pa->nr_used_xen;
    out->used_domains = pa->nr_used_domains;
    for (unsigned o = 0; o <= PAGE_MAX_ORDER; o++) {
        out->free_blocks[o] = 0;
        for (uint32_t i = pa->free_head[o]; i != PAGE_NO_LINK && out->free_blocks[o] <= pa->nr_frames;
             i = pa->meta[i].next)
            out->free_blocks[o]++;
    }
    spin_unlock(&pa->lock);
}

static int check_fail(struct page_allocator *pa, const char *why)
{
    pa->check_error = why;
    return -EINVAL;
}

static int check_locked(struct page_allocator *pa)
{
    uint64_t listed = 0, free_frames = 0, xen = 0, dom = 0, managed = 0;

    /* Lists: well linked, heads of the right order, aligned, buddy not free. */
    for (unsigned o = 0; o <= PAGE_MAX_ORDER; o++) {
        uint32_t prev = PAGE_NO_LINK;
        for (uint32_t i = pa->free_head[o]; i != PAGE_NO_LINK; i = pa->meta[i].next) {
            const struct page_info *p = &pa->meta[i];
            uint64_t mfn = pa->first_mfn + i;
            if (i >= pa->nr_frames || ++listed > pa->nr_frames)
                return check_fail(pa, "free list broken or cyclic");
            if (p->prev != prev)
                return check_fail(pa, "free list back link wrong");
            if ((p->flags & (PGF_FREE | PGF_HEAD | PGF_MANAGED)) != (PGF_FREE | PGF_HEAD | PGF_MANAGED) ||
                p->order != o)
                return check_fail(pa, "listed block is not a free head of its order");
            if ((mfn & ((1ull << o) - 1)) || !in_span(pa, mfn, 1ull << o))
                return check_fail(pa, "free block misaligned or outside the span");
            uint64_t buddy = mfn ^ (1ull << o);
            if (o < PAGE_MAX_ORDER && in_span(pa, buddy, 1ull << o)) {
                const struct page_info *b = &pa->meta[buddy - pa->first_mfn];
                if ((b->flags & (PGF_FREE | PGF_HEAD)) == (PGF_FREE | PGF_HEAD) && b->order == o)
                    return check_fail(pa, "two free buddies not merged");
            }
            prev = i;
        }
    }

    /* Frames: walk block by block. */
    uint64_t heads_free = 0;
    for (uint64_t i = 0; i < pa->nr_frames;) {
        const struct page_info *p = &pa->meta[i];
        if (!(p->flags & PGF_MANAGED)) {
            if (p->flags || p->owner != DOMID_INVALID)
                return check_fail(pa, "unmanaged frame with state");
            i++;
            continue;
        }
        if (!(p->flags & PGF_HEAD))
            return check_fail(pa, "managed frame outside any block");
        uint64_t n = 1ull << p->order;
        if (i + n > pa->nr_frames)
            return check_fail(pa, "block runs past the span");
        bool is_free = p->flags & PGF_FREE;
        for (uint64_t k = 1; k < n; k++) {
            const struct page_info *q = &pa->meta[i + k];
            if ((q->flags & (PGF_HEAD | PGF_FREE | PGF_MANAGED)) !=
                    (is_free ? (PGF_FREE | PGF_MANAGED) : PGF_MANAGED) ||
                q->owner != p->owner)
                return check_fail(pa, "frame inside a block disagrees with its head");
        }
        if (is_free) {
            heads_free++;
            free_frames += n;
            if (p->owner != DOMID_INVALID)
                return check_fail(pa, "free frame with an owner");
        } else if (p->owner == DOMID_XEN) {
            xen += n;
        } else if (p->owner == DOMID_INVALID) {
            return check_fail(pa, "allocated frame without an owner");
        } else {
            dom += n;
        }
        managed += n;
        i += n;
    }
    if (heads_free != listed)
        return check_fail(pa, "free blocks missing from the lists");
    if (free_frames != pa->nr_free || xen != pa->nr_used_xen || dom != pa->nr_used_domains ||
        managed != pa->nr_managed)
        return check_fail(pa, "counters disagree with the frames");
    return 0;
}

int page_alloc_check(struct page_allocator *pa)
{
    spin_lock(&pa->lock);
    int rc = check_locked(pa);
    spin_unlock(&pa->lock);
    return rc;
}
