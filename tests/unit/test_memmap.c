/* common/memmap.c: sanitizing against a per-unit model, and the free-range walk. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <tessera/errno.h>
#include <tessera/memmap.h>
#include "unit.h"

#define R(b, l, t) ((struct mem_region){ (b), (l), (t) })
#define PG 0x1000ull

static void assert_region(const struct mem_region *r, uint64_t base, uint64_t len, uint32_t type)
{
    CU_ASSERT_EQUAL(r->base, base);
    CU_ASSERT_EQUAL(r->length, len);
    CU_ASSERT_EQUAL(r->type, type);
}

static void test_clean_map_needs_no_fixes(void)
{
    struct mem_region r[8] = {
        R(0, 0x9f000, MEM_USABLE), R(0xf0000, 0x10000, MEM_RESERVED),
        R(0x100000, 0x7ff00000, MEM_USABLE), R(0xfee00000, 0x1000, MEM_RESERVED) };
    unsigned nr = 4;

    CU_ASSERT_EQUAL(memmap_sanitize(r, &nr, 8), 0);
    CU_ASSERT_EQUAL(nr, 4);
    assert_region(&r[2], 0x100000, 0x7ff00000, MEM_USABLE);
}

static void test_unsorted_is_sorted_without_fixes(void)
{
    struct mem_region r[8] = {
        R(0x100000, 0x100000, MEM_USABLE), R(0, 0x9f000, MEM_USABLE), R(0xf0000, 0x10000, MEM_RESERVED) };
    unsigned nr = 3;

    CU_ASSERT_EQUAL(memmap_sanitize(r, &nr, 8), 0);
    CU_ASSERT_EQUAL(nr, 3);
    assert_region(&r[0], 0, 0x9f000, MEM_USABLE);
    assert_region(&r[1], 0xf0000, 0x10000, MEM_RESERVED);
    assert_region(&r[2], 0x100000, 0x100000, MEM_USABLE);
}

static void test_zero_length_and_wrapping_dropped(void)
{
    struct mem_region r[8] = {
        R(0x1000, 0, MEM_USABLE), R(0x2000, 0x1000, MEM_USABLE),
        R(0xfffffffffffff000ull, 0x2000, MEM_RESERVED), R(0xfffffffffffff000ull, 0x1000, MEM_RESERVED) };
    unsigned nr = 4;

    /* Ending exactly at 2^64 has no representable end either: dropped too. */
    CU_ASSERT_EQUAL(memmap_sanitize(r, &nr, 8), 3);
    CU_ASSERT_EQUAL(nr, 1);
    assert_region(&r[0], 0x2000, 0x1000, MEM_USABLE);
}

static void test_reserved_inside_usable_splits_it(void)
{
    struct mem_region r[8] = { R(0, 0x100000, MEM_USABLE), R(0x40000, 0x2000, MEM_RESERVED) };
    unsigned nr = 2;

    CU_ASSERT_EQUAL(memmap_sanitize(r, &nr, 8), 1);
    CU_ASSERT_EQUAL_FATAL(nr, 3);
    assert_region(&r[0], 0, 0x40000, MEM_USABLE);
    assert_region(&r[1], 0x40000, 0x2000, MEM_RESERVED);
    assert_region(&r[2], 0x42000, 0xbe000, MEM_USABLE);
}

static void test_usable_inside_reserved_vanishes(void)
{
    struct mem_region r[8] = { R(0x10000, 0x10000, MEM_RESERVED), R(0x12000, 0x1000, MEM_USABLE) };
    unsigned nr = 2;

    CU_ASSERT_EQUAL(memmap_sanitize(r, &nr, 8), 1);
    CU_ASSERT_EQUAL(nr, 1);
    assert_region(&r[0], 0x10000, 0x10000, MEM_RESERVED);
}

static void test_partial_overlaps_trim_usable(void)
{
    struct mem_region r[8] = {
        R(0x0, 0x5000, MEM_USABLE), R(0x4000, 0x4000, MEM_ACPI_RECLAIM),
        R(0xa000, 0x4000, MEM_ACPI_NVS), R(0xc000, 0x4000, MEM_USABLE) };
    unsigned nr = 4;

    CU_ASSERT_EQUAL(memmap_sanitize(r, &nr, 8), 2);
    CU_ASSERT_EQUAL_FATAL(nr, 4);
    assert_region(&r[0], 0, 0x4000, MEM_USABLE);
    assert_region(&r[1], 0x4000, 0x4000, MEM_ACPI_RECLAIM);
    assert_region(&r[2], 0xa000, 0x4000, MEM_ACPI_NVS);
    assert_region(&r[3], 0xe000, 0x2000, MEM_USABLE);
}

static void test_same_type_overlap_and_adjacency_merge(void)
{
    struct mem_region r[8] = {
        R(0x0, 0x3000, MEM_USABLE), R(0x2000, 0x3000, MEM_USABLE), R(0x5000, 0x1000, MEM_USABLE),
        R(0x8000, 0x1000, MEM_RESERVED), R(0x9000, 0x1000, MEM_RESERVED) };
    unsigned nr = 5;

    CU_ASSERT_EQUAL(memmap_sanitize(r, &nr, 8), 1);   /* only the overlap is a fix */
    CU_ASSERT_EQUAL_FATAL(nr, 2);
    assert_region(&r[0], 0, 0x6000, MEM_USABLE);
    assert_region(&r[1], 0x8000, 0x2000, MEM_RESERVED);
}

static void test_usable_aligned_inward_to_pages(void)
{
    struct mem_region r[8] = {
        R(0x800, 0x3000, MEM_USABLE), R(0x9fc00, 0x400, MEM_RESERVED), R(0x10100, 0x800, MEM_USABLE),
        R(0x20800, 0x100, MEM_RESERVED) };
    unsigned nr = 4;

    CU_ASSERT_EQUAL(memmap_sanitize(r, &nr, 8), 0);
    CU_ASSERT_EQUAL_FATAL(nr, 3);
    assert_region(&r[0], 0x1000, 0x2000, MEM_USABLE);
    assert_region(&r[1], 0x20800, 0x100, MEM_RESERVED);    /* reserved keeps exact edges */
    assert_region(&r[2], 0x9fc00, 0x400, MEM_RESERVED);
}

static void test_type_strength_order(void)
{
    struct mem_region r[8] = {
        R(0x0, 0x4000, MEM_RESERVED), R(0x1000, 0x1000, MEM_BAD),
        R(0x10000, 0x2000, MEM_ACPI_RECLAIM), R(0x10000, 0x2000, MEM_ACPI_NVS),
        R(0x20000, 0x1000, 12), R(0x20000, 0x1000, MEM_RESERVED) };
    unsigned nr = 6;

    CU_ASSERT_EQUAL(memmap_sanitize(r, &nr, 8), 3);
    CU_ASSERT_EQUAL_FATAL(nr, 5);
    assert_region(&r[0], 0, 0x1000, MEM_RESERVED);
    assert_region(&r[1], 0x1000, 0x1000, MEM_BAD);
    assert_region(&r[2], 0x2000, 0x2000, MEM_RESERVED);
    assert_region(&r[3], 0x10000, 0x2000, MEM_ACPI_NVS);
    assert_region(&r[4], 0x20000, 0x1000, 12);             /* unknown ties reserved, higher wins */
}

static void test_split_without_room_is_enospc(void)
{
    struct mem_region r[2] = { R(0, 0x10000, MEM_USABLE), R(0x4000, 0x1000, MEM_RESERVED) };
    unsigned nr = 2;

    CU_ASSERT_EQUAL(memmap_sanitize(r, &nr, 2), -ENOSPC);
    CU_ASSERT(nr <= 2);
    nr = 3;
    CU_ASSERT_EQUAL(memmap_sanitize(r, &nr, 2), -EINVAL);
    CU_ASSERT_EQUAL(memmap_sanitize(NULL, &nr, 2), -EINVAL);
}

static void test_totals_by_type(void)
{
    struct mem_region r[4] = { R(0, 0x1000, MEM_USABLE), R(0x2000, 0x3000, MEM_USABLE),
                               R(0x9000, 0x10, MEM_RESERVED) };

    CU_ASSERT_EQUAL(memmap_total(r, 3, MEM_USABLE), 0x4000);
    CU_ASSERT_EQUAL(memmap_total(r, 3, MEM_RESERVED), 0x10);
    CU_ASSERT_EQUAL(memmap_total(r, 3, MEM_BAD), 0);
    CU_ASSERT_STRING_EQUAL(memmap_type_name(MEM_ACPI_NVS), "ACPI NVS");
    CU_ASSERT_STRING_EQUAL(memmap_type_name(77), "unknown");
}

/* Random maps against a model with 256-byte units over 64 KiB. */
#define UNIT_BYTES 256u
#define NUNITS     256u
static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static unsigned model_rank(uint32_t t)
{
    return t == MEM_USABLE ? 0 : t == MEM_ACPI_RECLAIM ? 1 : t == MEM_ACPI_NVS ? 2 : t == MEM_BAD ? 4 : 3;
}

static void test_random_maps_match_model(void)
{
    static const uint32_t types[] = { MEM_USABLE, MEM_USABLE, MEM_USABLE, MEM_RESERVED,
                                      MEM_ACPI_RECLAIM, MEM_ACPI_NVS, MEM_BAD, 9 };
    unsigned failures = 0;

    for (int iter = 0; iter < 3000; iter++) {
        struct mem_region r[64];
        unsigned nr = 1 + (unsigned)(rnd() % 12);
        uint32_t model[NUNITS] = { 0 };

        for (unsigned i = 0; i < nr; i++) {
            uint64_t start = rnd() % NUNITS, len = rnd() % 40;
            if (start + len > NUNITS)
                len = NUNITS - start;
            r[i] = R(start * UNIT_BYTES, len * UNIT_BYTES, types[rnd() % 8]);
            for (uint64_t u = start; u < start + len; u++) {
                uint32_t t = r[i].type, m = model[u];
                if (!m || model_rank(t) > model_rank(m) || (model_rank(t) == model_rank(m) && t > m))
                    model[u] = t;
            }
        }
        /* Expected: non-usable as modelled; usable only in fully usable pages. */
        uint32_t expect[NUNITS], got[NUNITS] = { 0 };
        for (unsigned u = 0; u < NUNITS; u++) {
            expect[u] = model[u];
            if (model[u] == MEM_USABLE) {
                unsigned first = u - u % 16;
                for (unsigned k = first; k < first + 16; k++)
                    if (model[k] != MEM_USABLE)
                        expect[u] = 0;
            }
        }
        int rc = memmap_sanitize(r, &nr, 64);
        if (rc < 0) {
            failures++;
            continue;
        }
        for (unsigned i = 0; i < nr; i++) {
            if (r[i].length == 0 || (i > 0 && r[i - 1].base + r[i - 1].length > r[i].base))
                failures++;
            if (i > 0 && r[i - 1].type == r[i].type && r[i - 1].base + r[i - 1].length == r[i].base)
                failures++;                         /* should have merged */
            for (uint64_t u = r[i].base / UNIT_BYTES; u < (r[i].base + r[i].length) / UNIT_BYTES; u++)
                got[u] = r[i].type;
        }
        if (memcmp(expect, got, sizeof(got)) != 0)
            failures++;
    }
    CU_ASSERT_EQUAL(failures, 0);
}

/* ---- free ranges ---- */

struct collected {
    uint64_t start[32], end[32];
    unsigned n;
    int stop_after;
};

static int collect(void *ctx, uint64_t start, uint64_t end)
{
    struct collected *c = ctx;
    c->start[c->n] = start;
    c->end[c->n] = end;
    c->n++;
    return c->stop_after && (int)c->n == c->stop_after ? 42 : 0;
}

static void test_free_ranges_minus_exclusions(void)
{
    struct mem_region r[4] = { R(0, 0x9f000, MEM_USABLE), R(0xf0000, 0x10000, MEM_RESERVED),
                               R(0x100000, 0x1000000, MEM_USABLE) };
    struct mem_range ex[] = {
        { 0, 0x100000 },                  /* the low 1 MiB */
        { 0x200000, 0x400000 },           /* the hypervisor image */
        { 0x800123, 0x900456 },           /* a module, unaligned: widened to pages */
        { 0x380000, 0x500000 },           /* overlaps the image */
        { 0x5000000, 0x6000000 },         /* outside memory */
        { 0x700000, 0x700000 },           /* empty: ignored */
    };
    struct collected c = { .n = 0 };

    CU_ASSERT_EQUAL(memmap_for_each_free(r, 3, ex, 6, collect, &c), 0);
    CU_ASSERT_EQUAL_FATAL(c.n, 3);
    CU_ASSERT_EQUAL(c.start[0], 0x100000);
    CU_ASSERT_EQUAL(c.end[0], 0x200000);
    CU_ASSERT_EQUAL(c.start[1], 0x500000);
    CU_ASSERT_EQUAL(c.end[1], 0x800000);
    CU_ASSERT_EQUAL(c.start[2], 0x901000);
    CU_ASSERT_EQUAL(c.end[2], 0x1100000);
}

static void test_free_ranges_stop_on_callback_value(void)
{
    struct mem_region r[2] = { R(0x1000, 0x1000, MEM_USABLE), R(0x10000, 0x1000, MEM_USABLE) };
    struct collected c = { .n = 0, .stop_after = 1 };

    CU_ASSERT_EQUAL(memmap_for_each_free(r, 2, NULL, 0, collect, &c), 42);
    CU_ASSERT_EQUAL(c.n, 1);
}

static void test_free_ranges_all_excluded(void)
{
    struct mem_region r[1] = { R(0x100000, 0x100000, MEM_USABLE) };
    struct mem_range ex[] = { { 0x80000, 0x300000 } };
    struct collected c = { .n = 0 };

    CU_ASSERT_EQUAL(memmap_for_each_free(r, 1, ex, 1, collect, &c), 0);
    CU_ASSERT_EQUAL(c.n, 0);
}

static void test_free_ranges_random_against_pages(void)
{
    unsigned failures = 0;

    for (int iter = 0; iter < 2000; iter++) {
        struct mem_region r[4];
        struct mem_range ex[5];
        bool usable[64] = { false }, excluded[64] = { false }, got[64] = { false };
        unsigned nr = 0;
        uint64_t cur = 0;
        while (nr < 4 && cur < 64) {
            uint64_t start = cur + rnd() % 8, len = 1 + rnd() % 12;
            if (start + len > 64)
                break;
            r[nr++] = R(start * PG, len * PG, MEM_USABLE);
            for (uint64_t p = start; p < start + len; p++)
                usable[p] = true;
            cur = start + len + 1;
        }
        unsigned ne = (unsigned)(rnd() % 5);
        for (unsigned i = 0; i < ne; i++) {
            uint64_t s = rnd() % (64 * PG), e = s + rnd() % (10 * PG);
            ex[i] = (struct mem_range){ s, e };
            for (uint64_t p = s / PG; e > s && p < 64 && p * PG < e; p++)
                excluded[p] = true;
        }
        struct collected c = { .n = 0 };
        memmap_for_each_free(r, nr, ex, ne, collect, &c);
        for (unsigned i = 0; i < c.n; i++) {
            if (c.start[i] % PG || c.end[i] % PG || c.end[i] <= c.start[i])
                failures++;
            for (uint64_t p = c.start[i] / PG; p < c.end[i] / PG && p < 64; p++) {
                if (got[p])
                    failures++;                 /* reported twice */
                got[p] = true;
            }
        }
        for (unsigned p = 0; p < 64; p++)
            if (got[p] != (usable[p] && !excluded[p]))
                failures++;
    }
    CU_ASSERT_EQUAL(failures, 0);
}

static void test_contains_and_overlaps(void)
{
    const struct mem_region r[] = {
        { 0x0, 0x9F000, MEM_USABLE },
        { 0xF0000, 0x10000, MEM_RESERVED },
        { 0x100000, 0x100000, MEM_USABLE },
    };

    CU_ASSERT_TRUE(memmap_contains(r, 3, 0x1000, 0x2000, MEM_USABLE));
    CU_ASSERT_FALSE(memmap_contains(r, 3, 0x9E000, 0xA0000, MEM_USABLE));   /* runs past the end */
    CU_ASSERT_TRUE(memmap_contains(r, 3, 0xFF000, 0x100000, MEM_RESERVED));
    CU_ASSERT_FALSE(memmap_contains(r, 3, 0x1000, 0x2000, MEM_RESERVED));
    CU_ASSERT_TRUE(memmap_overlaps(r, 3, 0x9E000, 0xA0000, MEM_USABLE));
    CU_ASSERT_FALSE(memmap_overlaps(r, 3, 0x9F000, 0xA0000, MEM_USABLE));   /* touches, no overlap */
    CU_ASSERT_FALSE(memmap_overlaps(r, 3, 0xA0000, 0xF0000, MEM_USABLE));
    CU_ASSERT_TRUE(memmap_overlaps(r, 3, 0x1FF000, 0x201000, MEM_USABLE));
    CU_ASSERT_FALSE(memmap_overlaps(r, 3, 0x200000, 0x201000, MEM_USABLE));
    CU_ASSERT_FALSE(memmap_overlaps(r, 0, 0x0, ~0ull, MEM_USABLE));
}

int main(void)
{
    static const struct unit_case cases[] = {
        UNIT_CASE(clean_map_needs_no_fixes),
        UNIT_CASE(unsorted_is_sorted_without_fixes),
        UNIT_CASE(zero_length_and_wrapping_dropped),
        UNIT_CASE(reserved_inside_usable_splits_it),
        UNIT_CASE(usable_inside_reserved_vanishes),
        UNIT_CASE(partial_overlaps_trim_usable),
        UNIT_CASE(same_type_overlap_and_adjacency_merge),
        UNIT_CASE(usable_aligned_inward_to_pages),
        UNIT_CASE(type_strength_order),
        UNIT_CASE(split_without_room_is_enospc),
        UNIT_CASE(totals_by_type),
        UNIT_CASE(random_maps_match_model),
        UNIT_CASE(free_ranges_minus_exclusions),
        UNIT_CASE(free_ranges_stop_on_callback_value),
        UNIT_CASE(free_ranges_all_excluded),
        UNIT_CASE(free_ranges_random_against_pages),
        UNIT_CASE(contains_and_overlaps),
    };

    unit_begin();
    UNIT_SUITE("memmap", cases);
    return unit_end();
}
