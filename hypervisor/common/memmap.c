/*
 * Memory map clean-up. Firmware maps overlap, come unsorted, and hold
 * zero-length or wrapping entries; the page allocator needs disjoint,
 * sorted, page-aligned usable ranges. Runs once at boot on at most a few
 * hundred entries, with no allocator yet: everything is done in place.
 */
#include <stdbool.h>
#include <tessera/compiler.h>
#include <tessera/errno.h>
#include <tessera/memmap.h>

/* Which type keeps an overlap: higher wins; ties go to the higher number. */
static unsigned type_rank(uint32_t type)
{
    switch (type) {
    case MEM_USABLE:       return 0;
    case MEM_ACPI_RECLAIM: return 1;
    case MEM_ACPI_NVS:     return 2;
    case MEM_BAD:          return 4;
    default:               return 3;   /* reserved, and anything unknown */
    }
}

static bool beats(uint32_t a, uint32_t b)
{
    unsigned ra = type_rank(a), rb = type_rank(b);

    return ra != rb ? ra > rb : a > b;
}

static uint64_t end_of(const struct mem_region *r)
{
    return r->base + r->length;
}

static void remove_at(struct mem_region *r, unsigned *nr, unsigned i)
{
    for (unsigned j = i; j + 1 < *nr; j++)
        r[j] = r[j + 1];
    (*nr)--;
}

/* Inserts 'e' keeping r sorted by base; positions before 'from' are left alone. */
static int insert_sorted(struct mem_region *r, unsigned *nr, unsigned max, unsigned from,
                         struct mem_region e)
{
    unsigned j;

    if (*nr == max)
        return -ENOSPC;
    for (j = *nr; j > from && r[j - 1].base > e.base; j--)
        r[j] = r[j - 1];
    r[j] = e;
    (*nr)++;
    return 0;
}

/* Re-places r[i] after its base moved up. */
static void resort_forward(struct mem_region *r, unsigned nr, unsigned i)
{
    while (i + 1 < nr && r[i + 1].base < r[i].base) {
        struct mem_region t = r[i];
        r[i] = r[i + 1];
        r[i + 1] = t;
        i++;
    }
}

static void sort_by_base(struct mem_region *r, unsigned nr)
{
    /* Insertion sort: small n, mostly sorted input, no recursion, stable. */
    for (unsigned i = 1; i < nr; i++) {
        struct mem_region e = r[i];
        unsigned j = i;
        for (; j > 0 && r[j - 1].base > e.base; j--)
            r[j] = r[j - 1];
        r[j] = e;
    }
}

/*
 * Resolves the overlap of r[i] with r[i+1] (r[i].base <= r[i+1].base).
 * Returns 0, or -ENOSPC when a split needs an entry there is no room for.
 */
static int resolve_pair(struct mem_region *r, unsigned *nr, unsigned max, unsigned i)
{
    struct mem_region *a = &r[i], *b = &r[i + 1];
    uint64_t a_end = end_of(a), b_end = end_of(b);

    if (a->type == b->type) {
        if (b_end > a_end)
            a->length = b_end - a->base;
        remove_at(r, nr, i + 1);
        return 0;
    }
    if (beats(a->type, b->type)) {
        /* a keeps the overlap: b loses its head (or everything). */
        if (b_end <= a_end) {
            remove_at(r, nr, i + 1);
        } else {
            b->length = b_end - a_end;
            b->base = a_end;
            resort_forward(r, *nr, i + 1);
        }
        return 0;
    }
    /* b keeps the overlap: a is cut at b's start, its tail re-inserted. */
    struct mem_region tail = { b_end, a_end - b_end, a->type };
    a->length = b->base - a->base;
    if (a_end > b_end) {
        int rc = insert_sorted(r, nr, max, i + 2, tail);
        if (rc)
            return rc;
    }
    if (a->length == 0)
        remove_at(r, nr, i);
    return 0;
}

int memmap_sanitize(struct mem_region *r, unsigned *nr, unsigned max)
{
    int fixes = 0;

    if (!r || !nr || *nr > max)
        return -EINVAL;
    for (unsigned i = 0; i < *nr;) {
        if (r[i].length == 0 || end_of(&r[i]) <= r[i].base) {
            remove_at(r, nr, i);
            fixes++;
        } else {
            i++;
        }
    }
    sort_by_base(r, *nr);

    /*
     * Left to right: once r[i] no longer overlaps r[i+1] it overlaps
     * nothing further right, since everything after starts later.
     */
    for (unsigned i = 0; i + 1 < *nr;) {
        if (end_of(&r[i]) <= r[i + 1].base) {
            i++;
            continue;
        }
        int rc = resolve_pair(r, nr, max, i);
        if (rc)
            return rc;
        fixes++;
    }

    /* Merge touching regions of one type, then trim usable ones to pages. */
    for (unsigned i = 0; i + 1 < *nr;) {
        if (r[i].type == r[i + 1].type && end_of(&r[i]) == r[i + 1].base) {
            r[i].length += r[i + 1].length;
            remove_at(r, nr, i + 1);
        } else {
            i++;
        }
    }
    for (unsigned i = 0; i < *nr;) {
        if (r[i].type == MEM_USABLE) {
            uint64_t start = ALIGN_UP(r[i].base, (uint64_t)MEMMAP_PAGE_SIZE);
            uint64_t end = ALIGN_DOWN(end_of(&r[i]), (uint64_t)MEMMAP_PAGE_SIZE);
            /* ALIGN_UP of a base in the last page wraps to 0: treat as empty. */
            if (start < r[i].base || end <= start) {
                remove_at(r, nr, i);
                continue;
            }
            r[i].base = start;
            r[i].length = end - start;
        }
        i++;
    }
    return fixes;
}

uint64_t memmap_total(const struct mem_region *r, unsigned nr, uint32_t type)
{
    uint64_t total = 0;

    for (unsigned i = 0; i < nr; i++)
        if (r[i].type == type)
            total += r[i].length;
    return total;
}

bool memmap_contains(const struct mem_region *r, unsigned nr, uint64_t start, uint64_t end,
                     uint32_t type)
{
    for (unsigned i = 0; i < nr; i++)
        if (r[i].type == type && start >= r[i].base && end <= r[i].base + r[i].length)
            return true;
    return false;
}

bool memmap_overlaps(const struct mem_region *r, unsigned nr, uint64_t start, uint64_t end,
                     uint32_t type)
{
    for (unsigned i = 0; i < nr; i++)
        if (r[i].type == type && start < r[i].base + r[i].length && end > r[i].base)
            return true;
    return false;
}

/* The first excluded range (page-widened) covering addr, or NULL. */
static const struct mem_range *covering(const struct mem_range *excl, unsigned n, uint64_t addr)
{
    for (unsigned i = 0; i < n; i++) {
        uint64_t s = ALIGN_DOWN(excl[i].start, (uint64_t)MEMMAP_PAGE_SIZE);
        if (excl[i].end > excl[i].start && s <= addr && addr < excl[i].end)
            return &excl[i];
    }
    return NULL;
}

static uint64_t widened_end(const struct mem_range *e)
{
    uint64_t end = ALIGN_UP(e->end, (uint64_t)MEMMAP_PAGE_SIZE);

    return end < e->end ? UINT64_MAX : end;      /* saturate in the last page */
}

int memmap_for_each_free(const struct mem_region *r, unsigned nr,
                         const struct mem_range *excl, unsigned nr_excl,
                         memmap_free_fn fn, void *ctx)
{
    for (unsigned i = 0; i < nr; i++) {
        if (r[i].type != MEM_USABLE)
            continue;
        uint64_t cur = ALIGN_UP(r[i].base, (uint64_t)MEMMAP_PAGE_SIZE);
        uint64_t end = ALIGN_DOWN(end_of(&r[i]), (uint64_t)MEMMAP_PAGE_SIZE);
        if (cur < r[i].base)
            continue;

        while (cur < end) {
            const struct mem_range *hit = covering(excl, nr_excl, cur);
            if (hit) {
                cur = widened_end(hit);
                continue;
            }
            /* Free up to the next excluded range that starts inside. */
            uint64_t stop = end;
            for (unsigned k = 0; k < nr_excl; k++) {
                uint64_t s = ALIGN_DOWN(excl[k].start, (uint64_t)MEMMAP_PAGE_SIZE);
                if (excl[k].end > excl[k].start && s > cur && s < stop)
                    stop = s;
            }
            int rc = fn(ctx, cur, stop);
            if (rc)
                return rc;
            cur = stop;
        }
    }
    return 0;
}

const char *memmap_type_name(uint32_t type)
{
    switch (type) {
    case MEM_USABLE:       return "usable";
    case MEM_RESERVED:     return "reserved";
    case MEM_ACPI_RECLAIM: return "ACPI data";
    case MEM_ACPI_NVS:     return "ACPI NVS";
    case MEM_BAD:          return "bad";
    default:               return "unknown";
    }
}
