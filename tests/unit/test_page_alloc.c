/*
 * common/page_alloc.c: the buddy allocator over frames that do not exist
 * (only their page_info array does), checked against a reference model.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/errno.h>
#include <tessera/page_alloc.h>
#include "unit.h"

static struct page_allocator pa;

static struct page_info *new_allocator(uint64_t first_mfn, uint64_t nr)
{
    struct page_info *meta = calloc(nr, sizeof(*meta));
    page_alloc_init(&pa, meta, first_mfn, nr);
    return meta;
}

static void stats(struct page_alloc_stats *s)
{
    page_alloc_stats(&pa, s);
}

/*
 * 16 bytes of allocator and PV state, the foreign-mapping counts
 * (pv/foreign.c) and the hypervisor's hold count (pv/page_type.c), padded.
 */
static void test_page_info_is_24_bytes(void)
{
    CU_ASSERT_EQUAL(sizeof(struct page_info), 24);
}

static void test_fresh_allocator_has_nothing(void)
{
    struct page_info *meta = new_allocator(0x1000, 64);
    uint64_t mfn;
    struct page_alloc_stats s;

    CU_ASSERT_EQUAL(page_alloc_alloc(&pa, 0, 1, &mfn), -ENOMEM);
    CU_ASSERT_EQUAL(page_owner(&pa, 0x1000), DOMID_INVALID);
    CU_ASSERT_EQUAL(page_alloc_check(&pa), 0);
    stats(&s);
    CU_ASSERT_EQUAL(s.managed, 0);
    CU_ASSERT_EQUAL(s.free, 0);
    free(meta);
}

static void test_add_free_aligned_range_is_one_block(void)
{
    struct page_info *meta = new_allocator(0, 1024);
    struct page_alloc_stats s;

    CU_ASSERT_EQUAL(page_alloc_add_free(&pa, 0, 1024), 0);
    stats(&s);
    CU_ASSERT_EQUAL(s.free, 1024);
    CU_ASSERT_EQUAL(s.managed, 1024);
    CU_ASSERT_EQUAL(s.free_blocks[10], 1);
    CU_ASSERT_EQUAL(page_alloc_check(&pa), 0);
    free(meta);
}

static void test_add_free_unaligned_range_splits_maximally(void)
{
    struct page_info *meta = new_allocator(0x100, 0x100);
    struct page_alloc_stats s;

    /* [0x101, 0x131): 0x101 o0, 0x102 o1, 0x104 o2, 0x108 o3, 0x110 o4, 0x120 o4, 0x130 o0 */
    CU_ASSERT_EQUAL(page_alloc_add_free(&pa, 0x101, 0x30), 0);
    stats(&s);
    CU_ASSERT_EQUAL(s.free, 0x30);
    CU_ASSERT_EQUAL(s.free_blocks[0], 2);
    CU_ASSERT_EQUAL(s.free_blocks[1], 1);
    CU_ASSERT_EQUAL(s.free_blocks[2], 1);
    CU_ASSERT_EQUAL(s.free_blocks[3], 1);
    CU_ASSERT_EQUAL(s.free_blocks[4], 2);
    CU_ASSERT_EQUAL(s.free_blocks[5], 0);
    CU_ASSERT_EQUAL(page_alloc_check(&pa), 0);
    /* Adding the neighbours merges everything into one aligned 256-frame block. */
    CU_ASSERT_EQUAL(page_alloc_add_free(&pa, 0x100, 1), 0);
    CU_ASSERT_EQUAL(page_alloc_add_free(&pa, 0x131, 0xcf), 0);
    stats(&s);
    CU_ASSERT_EQUAL(s.free_blocks[8], 1);
    CU_ASSERT_EQUAL(s.free, 0x100);
    CU_ASSERT_EQUAL(page_alloc_check(&pa), 0);
    free(meta);
}

static void test_add_free_rejects_overlap_and_range(void)
{
    struct page_info *meta = new_allocator(0x100, 0x100);
    struct page_alloc_stats before, after;

    CU_ASSERT_EQUAL(page_alloc_add_free(&pa, 0x110, 0x10), 0);
    stats(&before);
    CU_ASSERT_EQUAL(page_alloc_add_free(&pa, 0x100, 0x11), -EEXIST);
    CU_ASSERT_EQUAL(page_alloc_add_free(&pa, 0xff, 2), -ERANGE);
    CU_ASSERT_EQUAL(page_alloc_add_free(&pa, 0x1ff, 2), -ERANGE);
    CU_ASSERT_EQUAL(page_alloc_add_free(&pa, UINT64_MAX, 2), -ERANGE);
    stats(&after);
    CU_ASSERT_EQUAL(memcmp(&before, &after, sizeof(before)), 0);
    CU_ASSERT_EQUAL(page_alloc_check(&pa), 0);
    free(meta);
}

static void test_alloc_free_roundtrip_restores_state(void)
{
    struct page_info *meta = new_allocator(0, 512);
    struct page_alloc_stats before, mid, after;
    uint64_t mfn;

    page_alloc_add_free(&pa, 0, 512);
    stats(&before);
    CU_ASSERT_EQUAL_FATAL(page_alloc_alloc(&pa, 0, 7, &mfn), 0);
    CU_ASSERT_EQUAL(page_owner(&pa, mfn), 7);
    stats(&mid);
    CU_ASSERT_EQUAL(mid.free, 511);
    CU_ASSERT_EQUAL(mid.used_domains, 1);
    for (unsigned o = 0; o < 9; o++)
        CU_ASSERT_EQUAL(mid.free_blocks[o], 1);        /* split into one of each */
    CU_ASSERT_EQUAL(page_alloc_check(&pa), 0);
    CU_ASSERT_EQUAL(page_alloc_free(&pa, mfn, 0), 0);
    CU_ASSERT_EQUAL(page_owner(&pa, mfn), DOMID_INVALID);
    stats(&after);
    CU_ASSERT_EQUAL(memcmp(&before, &after, sizeof(before)), 0);
    CU_ASSERT_EQUAL(page_alloc_check(&pa), 0);
    free(meta);
}

static void test_blocks_are_naturally_aligned(void)
{
    struct page_info *meta = new_allocator(0x333, 0x4000);
    uint64_t mfn;

    page_alloc_add_free(&pa, 0x333, 0x4000);
    for (unsigned o = 0; o <= 12; o++) {
        CU_ASSERT_EQUAL_FATAL(page_alloc_alloc(&pa, o, DOMID_XEN, &mfn), 0);
        CU_ASSERT_EQUAL(mfn & ((1ull << o) - 1), 0);
        CU_ASSERT(mfn >= 0x333 && mfn + (1ull << o) <= 0x333 + 0x4000);
        CU_ASSERT_EQUAL(page_owner(&pa, mfn + (1ull << o) - 1), DOMID_XEN);
    }
    CU_ASSERT_EQUAL(page_alloc_check(&pa), 0);
    free(meta);
}

static void test_exhaustion_then_full_coalescing(void)
{
    struct page_info *meta = new_allocator(0, 300);
    struct page_alloc_stats before, after;
    uint64_t mfns[300], mfn;
    unsigned n = 0;

    page_alloc_add_free(&pa, 0, 300);
    stats(&before);
    while (page_alloc_alloc(&pa, 0, 1, &mfn) == 0)
        mfns[n++] = mfn;
    CU_ASSERT_EQUAL(n, 300);
    CU_ASSERT_EQUAL(page_alloc_alloc(&pa, 0, 1, &mfn), -ENOMEM);
    CU_ASSERT_EQUAL(page_alloc_check(&pa), 0);
    /* Free in a scrambled order. */
    for (unsigned i = 0; i < n; i++) {
        unsigned j = (i * 7919u) % n;
        uint64_t t = mfns[i]; mfns[i] = mfns[j]; mfns[j] = t;
    }
    for (unsigned i = 0; i < n; i++)
        CU_ASSERT_EQUAL(page_alloc_free(&pa, mfns[i], 0), 0);
    stats(&after);
    CU_ASSERT_EQUAL(memcmp(&before, &after, sizeof(before)), 0);
    CU_ASSERT_EQUAL(page_alloc_check(&pa), 0);
    free(meta);
}

static void test_big_order_needs_a_big_block(void)
{
    struct page_info *meta = new_allocator(0, 1u << 19);
    uint64_t a, b, c;

    page_alloc_add_free(&pa, 0, 1u << 19);
    CU_ASSERT_EQUAL(page_alloc_alloc(&pa, PAGE_MAX_ORDER, DOMID_XEN, &a), 0);
    CU_ASSERT_EQUAL(page_alloc_alloc(&pa, 0, DOMID_XEN, &c), 0);
    /* One order-18 block is left, split by c: no second one. */
    CU_ASSERT_EQUAL(page_alloc_alloc(&pa, PAGE_MAX_ORDER, DOMID_XEN, &b), -ENOMEM);
    CU_ASSERT_EQUAL(page_alloc_free(&pa, c, 0), 0);
    CU_ASSERT_EQUAL(page_alloc_alloc(&pa, PAGE_MAX_ORDER, DOMID_XEN, &b), 0);
    CU_ASSERT_NOT_EQUAL(a, b);
    CU_ASSERT_EQUAL(page_alloc_alloc(&pa, PAGE_MAX_ORDER + 1, DOMID_XEN, &b), -EINVAL);
    CU_ASSERT_EQUAL(page_alloc_check(&pa), 0);
    free(meta);
}

static void test_misuse_is_refused_without_damage(void)
{
    struct page_info *meta = new_allocator(0x1000, 0x100);
    struct page_alloc_stats before, after;
    uint64_t blk, single;

    page_alloc_add_free(&pa, 0x1000, 0x80);            /* 0x1080.. unmanaged */
    CU_ASSERT_EQUAL_FATAL(page_alloc_alloc(&pa, 3, 5, &blk), 0);
    CU_ASSERT_EQUAL_FATAL(page_alloc_alloc(&pa, 0, 5, &single), 0);
    CU_ASSERT_EQUAL(page_alloc_free(&pa, single, 0), 0);
    stats(&before);

    CU_ASSERT_EQUAL(page_alloc_free(&pa, single, 0), -EALREADY);   /* double free */
    CU_ASSERT_EQUAL(page_alloc_free(&pa, blk, 2), -EINVAL);        /* wrong order */
    CU_ASSERT_EQUAL(page_alloc_free(&pa, blk, 4), -EINVAL);        /* wrong order (or misaligned) */
    CU_ASSERT_EQUAL(page_alloc_free(&pa, blk + 1, 0), -EINVAL);    /* inside the block */
    CU_ASSERT_EQUAL(page_alloc_free(&pa, blk + 1, 3), -EINVAL);    /* misaligned */
    CU_ASSERT_EQUAL(page_alloc_free(&pa, 0x1090, 0), -EINVAL);     /* never managed */
    CU_ASSERT_EQUAL(page_alloc_free(&pa, 0x2000, 0), -ERANGE);
    CU_ASSERT_EQUAL(page_alloc_free(&pa, 0x0, 0), -ERANGE);
    CU_ASSERT_EQUAL(page_alloc_free(&pa, blk, PAGE_MAX_ORDER + 1), -EINVAL);
    CU_ASSERT_EQUAL(page_alloc_alloc(&pa, 0, DOMID_INVALID, &single), -EINVAL);
    stats(&after);
    CU_ASSERT_EQUAL(memcmp(&before, &after, sizeof(before)), 0);
    CU_ASSERT_EQUAL(page_alloc_check(&pa), 0);
    CU_ASSERT_EQUAL(page_alloc_free(&pa, blk, 3), 0);
    CU_ASSERT_EQUAL(page_alloc_check(&pa), 0);
    free(meta);
}

static void test_owner_classes_counted(void)
{
    struct page_info *meta = new_allocator(0, 64);
    struct page_alloc_stats s;
    uint64_t a, b;

    page_alloc_add_free(&pa, 0, 64);
    page_alloc_alloc(&pa, 2, DOMID_XEN, &a);
    page_alloc_alloc(&pa, 3, 0, &b);                    /* dom0 */
    stats(&s);
    CU_ASSERT_EQUAL(s.used_xen, 4);
    CU_ASSERT_EQUAL(s.used_domains, 8);
    CU_ASSERT_EQUAL(s.free, 52);
    CU_ASSERT_EQUAL(page_owner(&pa, b + 7), 0);
    CU_ASSERT_EQUAL(page_owner(&pa, 1000), DOMID_INVALID);
    page_alloc_free(&pa, a, 2);
    stats(&s);
    CU_ASSERT_EQUAL(s.used_xen, 0);
    free(meta);
}

static void test_check_detects_corruption(void)
{
    struct page_info *meta = new_allocator(0, 64);
    uint64_t a;

    page_alloc_add_free(&pa, 0, 64);
    page_alloc_alloc(&pa, 0, 3, &a);
    CU_ASSERT_EQUAL(page_alloc_check(&pa), 0);
    meta[a].owner = DOMID_INVALID;                      /* scribble */
    CU_ASSERT_EQUAL(page_alloc_check(&pa), -EINVAL);
    CU_ASSERT_PTR_NOT_NULL(pa.check_error);
    meta[a].owner = 3;
    pa.nr_free++;
    CU_ASSERT_EQUAL(page_alloc_check(&pa), -EINVAL);
    CU_ASSERT_STRING_EQUAL(pa.check_error, "counters disagree with the frames");
    free(meta);
}

/* Random operations against a model of who owns each frame. */
static uint64_t rng = 0xda3e39cb94b95bdbull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

struct block { uint64_t mfn; unsigned order; uint16_t owner; };

static void test_random_against_model(void)
{
    const uint64_t first = 0x10000, nr = 4096 + 77;
    struct page_info *meta = new_allocator(first, nr);
    uint16_t *model = malloc(nr * sizeof(*model));
    struct block *live = malloc(nr * sizeof(*live));
    unsigned nlive = 0, failures = 0;
    uint64_t model_free = 0;
    struct page_alloc_stats initial, s;

    for (uint64_t i = 0; i < nr; i++)
        model[i] = DOMID_INVALID;
    /* Managed: everything except a hole in the middle. */
    page_alloc_add_free(&pa, first + 3, 1000);
    page_alloc_add_free(&pa, first + 1200, nr - 1200);
    model_free = 1000 + nr - 1200;
    stats(&initial);

    for (int op = 0; op < 20000; op++) {
        if (nlive == 0 || rnd() % 100 < 55) {
            unsigned order = (unsigned)(rnd() % 100 < 70 ? rnd() % 3 : rnd() % 9);
            uint16_t owner = rnd() % 4 == 0 ? DOMID_XEN : (uint16_t)(rnd() % 5);
            uint64_t mfn;
            int rc = page_alloc_alloc(&pa, order, owner, &mfn);
            if (rc == 0) {
                if (mfn & ((1ull << order) - 1) || mfn < first || mfn + (1ull << order) > first + nr)
                    failures++;
                for (uint64_t k = 0; k < (1ull << order); k++) {
                    if (model[mfn - first + k] != DOMID_INVALID)
                        failures++;                    /* handed out twice */
                    model[mfn - first + k] = owner;
                }
                live[nlive++] = (struct block){ mfn, order, owner };
                model_free -= 1ull << order;
            } else if (rc != -ENOMEM || (order == 0 && model_free > 0)) {
                /* A single frame must always be found while any is free. */
                failures++;
            }
        } else {
            unsigned j = (unsigned)(rnd() % nlive);
            struct block b = live[j];
            if (page_alloc_free(&pa, b.mfn, b.order) != 0)
                failures++;
            for (uint64_t k = 0; k < (1ull << b.order); k++)
                model[b.mfn - first + k] = DOMID_INVALID;
            live[j] = live[--nlive];
            model_free += 1ull << b.order;
        }
        if (op % 500 == 0) {
            if (page_alloc_check(&pa) != 0)
                failures++;
            for (uint64_t i = 0; i < nr; i++)
                if (page_owner(&pa, first + i) != model[i])
                    failures++;
            stats(&s);
            if (s.free != model_free)
                failures++;
        }
    }
    while (nlive) {
        struct block b = live[--nlive];
        if (page_alloc_free(&pa, b.mfn, b.order) != 0)
            failures++;
    }
    stats(&s);
    CU_ASSERT_EQUAL(memcmp(&initial, &s, sizeof(s)), 0);   /* fully coalesced again */
    CU_ASSERT_EQUAL(page_alloc_check(&pa), 0);
    CU_ASSERT_EQUAL(failures, 0);
    free(model);
    free(live);
    free(meta);
}

/* CPUs allocating and freeing at once. */
static void *churn(void *arg)
{
    uint64_t held[64];
    unsigned n = 0, seed = (unsigned)(uintptr_t)arg;
    unsigned long errors = 0;

    for (int i = 0; i < 20000; i++) {
        seed = seed * 1103515245u + 12345u;
        if (n < 64 && (seed >> 16) % 2) {
            if (page_alloc_alloc(&pa, (seed >> 20) % 3, (uint16_t)(uintptr_t)arg, &held[n]) == 0) {
                if (page_owner(&pa, held[n]) != (uint16_t)(uintptr_t)arg)
                    errors++;
                n++;
            }
        } else if (n) {
            n--;
            uint64_t mfn = held[n];
            unsigned order = pa.meta[mfn - pa.first_mfn].order;
            if (page_alloc_free(&pa, mfn, order) != 0)
                errors++;
        }
    }
    while (n) {
        n--;
        page_alloc_free(&pa, held[n], pa.meta[held[n] - pa.first_mfn].order);
    }
    return (void *)errors;
}

static void test_concurrent_alloc_free(void)
{
    struct page_info *meta = new_allocator(0, 2048);
    struct page_alloc_stats s;
    pthread_t t[4];
    void *errors;
    unsigned long total = 0;

    page_alloc_add_free(&pa, 0, 2048);
    for (uintptr_t i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, churn, (void *)(i + 1));
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], &errors);
        total += (unsigned long)errors;
    }
    CU_ASSERT_EQUAL(total, 0);
    stats(&s);
    CU_ASSERT_EQUAL(s.free, 2048);
    CU_ASSERT_EQUAL(s.free_blocks[11], 1);
    CU_ASSERT_EQUAL(page_alloc_check(&pa), 0);
    free(meta);
}

static void test_split_frees_frames_one_by_one(void)
{
    struct page_info *meta = new_allocator(0, 64);
    struct page_alloc_stats s;
    uint64_t mfn;

    page_alloc_add_free(&pa, 0, 64);
    CU_ASSERT_EQUAL(page_alloc_alloc(&pa, 3, 7, &mfn), 0);
    meta[mfn + 2].map_count = 5;
    /* A fresh allocation hands the owner zeroed fields, whatever the free list left. */
    CU_ASSERT_EQUAL(page_alloc_split(&pa, mfn, 2), -EINVAL);      /* wrong order */
    CU_ASSERT_EQUAL(page_alloc_split(&pa, mfn + 1, 3), -EINVAL);  /* misaligned */
    CU_ASSERT_EQUAL(page_alloc_split(&pa, mfn, 3), 0);
    CU_ASSERT_EQUAL(page_alloc_check(&pa), 0);
    CU_ASSERT_EQUAL(page_alloc_split(&pa, mfn, 3), -EINVAL);      /* already split */
    /* Each frame is now its own block: free every other one. */
    for (uint64_t k = 0; k < 8; k += 2)
        CU_ASSERT_EQUAL(page_alloc_free(&pa, mfn + k, 0), 0);
    CU_ASSERT_EQUAL(page_alloc_free(&pa, mfn + 1, 3), -EINVAL);
    CU_ASSERT_EQUAL(page_owner(&pa, mfn + 1), 7);
    CU_ASSERT_EQUAL(page_owner(&pa, mfn + 2), DOMID_INVALID);
    CU_ASSERT_EQUAL(page_alloc_check(&pa), 0);
    stats(&s);
    CU_ASSERT_EQUAL(s.used_domains, 4);
    for (uint64_t k = 1; k < 8; k += 2)
        CU_ASSERT_EQUAL(page_alloc_free(&pa, mfn + k, 0), 0);
    stats(&s);
    CU_ASSERT_EQUAL(s.free, 64);
    CU_ASSERT_EQUAL(s.free_blocks[6], 1);
    CU_ASSERT_EQUAL(page_alloc_alloc(&pa, 6, 7, &mfn), 0);
    CU_ASSERT_EQUAL(meta[mfn + 2].map_count, 0);
    CU_ASSERT_EQUAL(page_alloc_check(&pa), 0);
    free(meta);
}

static void test_alloc_below_a_limit(void)
{
    struct page_info *meta = new_allocator(0, 1024);
    uint64_t mfn, hog;

    page_alloc_add_free(&pa, 0, 1024);
    /* Take the low half away but for one order-2 block at 0x40. */
    CU_ASSERT_EQUAL(page_alloc_alloc(&pa, 9, 1, &hog), 0);
    CU_ASSERT_EQUAL(hog, 0);
    CU_ASSERT_EQUAL(page_alloc_split(&pa, hog, 9), 0);
    for (uint64_t k = 0x40; k < 0x44; k++)
        CU_ASSERT_EQUAL(page_alloc_free(&pa, k, 0), 0);
    CU_ASSERT_EQUAL(page_alloc_alloc_below(&pa, 3, 2, 0x200, &mfn), -ENOMEM);  /* too big */
    CU_ASSERT_EQUAL(page_alloc_alloc_below(&pa, 2, 2, 0x43, &mfn), -ENOMEM);   /* ends too high */
    CU_ASSERT_EQUAL(page_alloc_alloc_below(&pa, 2, 2, 0x44, &mfn), 0);
    CU_ASSERT_EQUAL(mfn, 0x40);
    CU_ASSERT_EQUAL(page_owner(&pa, 0x43), 2);
    CU_ASSERT_EQUAL(page_alloc_alloc_below(&pa, 0, 2, 0x200, &mfn), -ENOMEM);  /* low half all taken */
    CU_ASSERT_EQUAL(page_alloc_alloc_below(&pa, 0, 2, UINT64_MAX, &mfn), 0);
    CU_ASSERT(mfn >= 0x200);
    CU_ASSERT_EQUAL(page_alloc_alloc_below(&pa, 1, DOMID_INVALID, 0x400, &mfn), -EINVAL);
    CU_ASSERT_EQUAL(page_alloc_check(&pa), 0);
    free(meta);
}

static uint64_t freed_seen[64];
static unsigned nr_freed_seen;

static void note_freed(uint64_t mfn)
{
    if (nr_freed_seen < 64)
        freed_seen[nr_freed_seen++] = mfn;
}

static void test_free_owned_frees_only_that_owner(void)
{
    struct page_info *meta = new_allocator(0x100, 256);
    struct page_alloc_stats s;
    uint64_t a, b, c, x;

    page_alloc_add_free(&pa, 0x100, 256);
    CU_ASSERT_EQUAL(page_alloc_alloc(&pa, 2, 3, &a), 0);
    CU_ASSERT_EQUAL(page_alloc_alloc(&pa, 0, 4, &b), 0);
    CU_ASSERT_EQUAL(page_alloc_alloc(&pa, 4, 3, &c), 0);
    CU_ASSERT_EQUAL(page_alloc_alloc(&pa, 0, DOMID_XEN, &x), 0);
    CU_ASSERT_EQUAL(page_alloc_split(&pa, c, 4), 0);
    CU_ASSERT_EQUAL(page_alloc_free(&pa, c + 5, 0), 0);   /* a hole in the split block */
    nr_freed_seen = 0;
    CU_ASSERT_EQUAL(page_alloc_free_owned(&pa, 3, note_freed), 4 + 15);
    CU_ASSERT_EQUAL(nr_freed_seen, 19);
    for (unsigned i = 0; i < nr_freed_seen; i++)
        CU_ASSERT(freed_seen[i] != c + 5 && freed_seen[i] != b && freed_seen[i] != x);
    CU_ASSERT_EQUAL(page_owner(&pa, a), DOMID_INVALID);
    CU_ASSERT_EQUAL(page_owner(&pa, c + 15), DOMID_INVALID);
    CU_ASSERT_EQUAL(page_owner(&pa, b), 4);
    CU_ASSERT_EQUAL(page_owner(&pa, x), DOMID_XEN);
    CU_ASSERT_EQUAL(page_alloc_free_owned(&pa, 3, NULL), 0);
    CU_ASSERT_EQUAL(page_alloc_free_owned(&pa, DOMID_XEN, NULL), 0);   /* never the hypervisor's */
    CU_ASSERT_EQUAL(page_alloc_check(&pa), 0);
    stats(&s);
    CU_ASSERT_EQUAL(s.used_domains, 1);
    CU_ASSERT_EQUAL(s.used_xen, 1);
    free(meta);
}

int main(void)
{
    static const struct unit_case cases[] = {
        UNIT_CASE(page_info_is_24_bytes),
        UNIT_CASE(fresh_allocator_has_nothing),
        UNIT_CASE(add_free_aligned_range_is_one_block),
        UNIT_CASE(add_free_unaligned_range_splits_maximally),
        UNIT_CASE(add_free_rejects_overlap_and_range),
        UNIT_CASE(alloc_free_roundtrip_restores_state),
        UNIT_CASE(blocks_are_naturally_aligned),
        UNIT_CASE(exhaustion_then_full_coalescing),
        UNIT_CASE(big_order_needs_a_big_block),
        UNIT_CASE(misuse_is_refused_without_damage),
        UNIT_CASE(owner_classes_counted),
        UNIT_CASE(check_detects_corruption),
        UNIT_CASE(random_against_model),
        UNIT_CASE(concurrent_alloc_free),
        UNIT_CASE(split_frees_frames_one_by_one),
        UNIT_CASE(free_owned_frees_only_that_owner),
        UNIT_CASE(alloc_below_a_limit),
    };

    unit_begin();
    UNIT_SUITE("page_alloc", cases);
    return unit_end();
}
