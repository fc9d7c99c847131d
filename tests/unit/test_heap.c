/*
 * common/heap.c on top of the real buddy allocator (common/page_alloc.c)
 * managing a host buffer, as the hypervisor stacks them.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/heap.h>
#include <tessera/page_alloc.h>
#include "arch_stubs.h"
#include "unit.h"

#define POOL_PAGES 4096u                       /* 16 MiB */
static uint8_t *pool;
static struct page_info *pool_meta;
static struct page_allocator frames;
static unsigned fail_after = UINT32_MAX;      /* page source refuses after this many */

static void *pool_alloc(void *ctx, unsigned order)
{
    uint64_t mfn;
    (void)ctx;
    if (fail_after == 0)
        return NULL;
    fail_after--;
    if (page_alloc_alloc(&frames, order, DOMID_XEN, &mfn))
        return NULL;
    return (void *)(uintptr_t)(mfn << PAGE_SHIFT);
}

static void pool_free(void *ctx, void *va, unsigned order)
{
    (void)ctx;
    CU_ASSERT_EQUAL(page_alloc_free(&frames, (uintptr_t)va >> PAGE_SHIFT, order), 0);
}

static const struct heap_page_source source = { pool_alloc, pool_free, NULL };

static const char *last_error;
static const void *last_error_ptr;
static unsigned errors_seen;

static void record_error(const char *what, const void *ptr)
{
    last_error = what;
    last_error_ptr = ptr;
    errors_seen++;
}

static void fresh_heap(void)
{
    if (!pool) {
        pool = aligned_alloc(1u << 24, (size_t)POOL_PAGES * PAGE_SIZE);
        pool_meta = calloc(POOL_PAGES, sizeof(*pool_meta));
    }
    page_alloc_init(&frames, pool_meta, (uintptr_t)pool >> PAGE_SHIFT, POOL_PAGES);
    page_alloc_add_free(&frames, (uintptr_t)pool >> PAGE_SHIFT, POOL_PAGES);
    fail_after = UINT32_MAX;
    heap_init(&source);
    heap_set_error_handler(record_error);
    last_error = NULL;
    errors_seen = 0;
}

static struct heap_stats hs(void)
{
    struct heap_stats s;
    heap_get_stats(&s);
    return s;
}

/* Runs first, before any heap_init. */
static void test_xmalloc_before_init_is_null(void)
{
    CU_ASSERT_PTR_NULL(xmalloc(16));
    xfree(NULL);
}

static void test_small_classes_aligned_and_disjoint(void)
{
    static const size_t sizes[] = { 1, 15, 16, 17, 32, 48, 64, 100, 128, 200, 256, 511, 512, 1000, 1024 };
    void *p[15][20];

    fresh_heap();
    for (unsigned s = 0; s < 15; s++)
        for (unsigned k = 0; k < 20; k++) {
            p[s][k] = xmalloc(sizes[s]);
            CU_ASSERT_PTR_NOT_NULL_FATAL(p[s][k]);
            CU_ASSERT_EQUAL((uintptr_t)p[s][k] % 16, 0);
            memset(p[s][k], (int)(s * 20 + k), sizes[s]);
        }
    for (unsigned s = 0; s < 15; s++)
        for (unsigned k = 0; k < 20; k++) {
            const uint8_t *b = p[s][k];
            for (size_t i = 0; i < sizes[s]; i++)
                if (b[i] != (uint8_t)(s * 20 + k)) {
                    CU_FAIL("an object was overwritten by another");
                    return;
                }
            xfree(p[s][k]);
        }
    CU_ASSERT_EQUAL(hs().small_in_use, 0);
    CU_ASSERT_EQUAL(hs().bytes_in_use, 0);
    CU_ASSERT_EQUAL(errors_seen, 0);
}

static void test_xzalloc_zeroes_reused_memory(void)
{
    fresh_heap();
    uint8_t *a = xmalloc(200);
    memset(a, 0xee, 200);
    xfree(a);
    uint8_t *b = xzalloc(200);
    CU_ASSERT_PTR_EQUAL(b, a);                 /* the same slot came back */
    for (int i = 0; i < 200; i++)
        CU_ASSERT_EQUAL_FATAL(b[i], 0);
    xfree(b);
}

static void test_zero_size_gives_unique_pointers(void)
{
    fresh_heap();
    void *a = xmalloc(0), *b = xmalloc(0);
    CU_ASSERT_PTR_NOT_NULL(a);
    CU_ASSERT_PTR_NOT_NULL(b);
    CU_ASSERT_PTR_NOT_EQUAL(a, b);
    xfree(a);
    xfree(b);
    CU_ASSERT_EQUAL(errors_seen, 0);
}

static void test_big_allocations_use_page_runs(void)
{
    fresh_heap();
    uint8_t *a = xmalloc(5000), *b = xmalloc(1 << 20);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    memset(a, 1, 5000);
    memset(b, 2, 1 << 20);
    struct heap_stats s = hs();
    CU_ASSERT_EQUAL(s.big_in_use, 2);
    CU_ASSERT_EQUAL(s.pages_in_use, 2 + 512);   /* 5000+64 -> 2 pages; 1 MiB+64 -> 512 */
    CU_ASSERT_EQUAL(a[4999], 1);
    xfree(a);
    xfree(b);
    s = hs();
    CU_ASSERT_EQUAL(s.big_in_use, 0);
    CU_ASSERT_EQUAL(s.pages_in_use, 0);
    CU_ASSERT_EQUAL(s.peak_pages, 514);
}

static void test_aligned_allocations(void)
{
    static const size_t aligns[] = { 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 65536, 1 << 20 };
    static const size_t sizes[] = { 8, 100, 3000, 10000 };

    fresh_heap();
    for (unsigned a = 0; a < 12; a++)
        for (unsigned s = 0; s < 4; s++) {
            uint8_t *p = xmalloc_aligned(sizes[s], aligns[a]);
            CU_ASSERT_PTR_NOT_NULL_FATAL(p);
            CU_ASSERT_EQUAL((uintptr_t)p % aligns[a], 0);
            memset(p, 0x5a, sizes[s]);
            xfree(p);
        }
    CU_ASSERT_EQUAL(errors_seen, 0);
    CU_ASSERT_EQUAL(hs().pages_in_use, hs().slabs[0] + hs().slabs[1] + hs().slabs[2] +
                    hs().slabs[3] + hs().slabs[4] + hs().slabs[5] + hs().slabs[6]);
    CU_ASSERT_EQUAL(hs().big_in_use, 0);
}

static void test_bad_alignment_and_sizes_fail(void)
{
    fresh_heap();
    CU_ASSERT_PTR_NULL(xmalloc_aligned(16, 48));
    CU_ASSERT_PTR_NULL(xmalloc_aligned(16, 0));
    CU_ASSERT_PTR_NULL(xmalloc(SIZE_MAX));
    CU_ASSERT_PTR_NULL(xmalloc(SIZE_MAX - 4095));
    CU_ASSERT_PTR_NULL(xmalloc((size_t)64 << 20));    /* more than the pool holds */
    CU_ASSERT_EQUAL(hs().failed_allocs, 5);
    CU_ASSERT_EQUAL(hs().pages_in_use, 0);
}

static void test_arrays_check_overflow(void)
{
    fresh_heap();
    uint32_t *a = xzalloc_array(100, sizeof(uint32_t));
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    for (int i = 0; i < 100; i++)
        CU_ASSERT_EQUAL_FATAL(a[i], 0);
    uint64_t *b = xmalloc_array(3, sizeof(uint64_t));
    CU_ASSERT_PTR_NOT_NULL(b);
    CU_ASSERT_PTR_NULL(xmalloc_array(SIZE_MAX / 2 + 2, 2));
    CU_ASSERT_PTR_NULL(xzalloc_array((size_t)1 << 33, (size_t)1 << 32));
    CU_ASSERT_EQUAL(hs().failed_allocs, 0);       /* refused before asking the heap */
    xfree(a);
    xfree(b);
    CU_ASSERT_EQUAL(hs().bytes_in_use, 0);
}

static void test_double_free_small_detected(void)
{
    fresh_heap();
    void *keep = xmalloc(64);                  /* keeps the slab page alive */
    void *p = xmalloc(64);
    xfree(p);
    CU_ASSERT_EQUAL(errors_seen, 0);
    xfree(p);
    CU_ASSERT_EQUAL(errors_seen, 1);
    CU_ASSERT_STRING_EQUAL(last_error, "double free");
    CU_ASSERT_PTR_EQUAL(last_error_ptr, p);
    CU_ASSERT_EQUAL(hs().bad_frees, 1);
    /* The bad free changed nothing: the next two allocations are distinct. */
    void *a = xmalloc(64), *b = xmalloc(64);
    CU_ASSERT_PTR_NOT_EQUAL(a, b);
    xfree(a);
    xfree(b);
    xfree(keep);
}

static void test_double_free_big_detected(void)
{
    fresh_heap();
    void *p = xmalloc(20000);
    xfree(p);
    xfree(p);
    CU_ASSERT_EQUAL(errors_seen, 1);
    CU_ASSERT_STRING_EQUAL(last_error, "double free");
}

static void test_interior_pointers_rejected(void)
{
    fresh_heap();
    uint8_t *s = xmalloc(64), *b = xmalloc(10000);
    xfree(s + 16);
    CU_ASSERT_STRING_EQUAL(last_error, "not the start of a heap object");
    xfree(b + 64);
    CU_ASSERT_STRING_EQUAL(last_error, "not the start of a heap object");
    xfree(s + 3);
    CU_ASSERT_STRING_EQUAL(last_error, "not a heap pointer");
    CU_ASSERT_EQUAL(errors_seen, 3);
    xfree(s);
    xfree(b);
    CU_ASSERT_EQUAL(errors_seen, 3);
    CU_ASSERT_EQUAL(hs().bytes_in_use, 0);
}

static void test_foreign_pointer_rejected(void)
{
    static _Alignas(4096) uint8_t foreign[8192];

    fresh_heap();
    xfree(foreign + 4096 + 256);
    CU_ASSERT_EQUAL(errors_seen, 1);
    CU_ASSERT_STRING_EQUAL(last_error, "not a heap pointer");
}

static void test_default_handler_panics(void)
{
    fresh_heap();
    heap_set_error_handler(NULL);
    void *keep = xmalloc(32), *p = xmalloc(32);
    xfree(p);
    stub_console_reset();
    if (setjmp(stub_panic_jmp) == 0) {
        stub_panic_armed = true;
        xfree(p);
        CU_FAIL("no panic");
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(stub_console, "PANIC on CPU 0: xfree(0x"));
    CU_ASSERT_PTR_NOT_NULL(strstr(stub_console, "): double free"));
    heap_set_error_handler(record_error);
    xfree(keep);
}

static void test_empty_slabs_are_returned(void)
{
    void *p[1000];

    fresh_heap();
    for (int i = 0; i < 1000; i++)
        p[i] = xmalloc(64);
    CU_ASSERT(hs().slabs[2] >= 1000 / 63);
    for (int i = 0; i < 1000; i++)
        xfree(p[i]);
    CU_ASSERT_EQUAL(hs().small_in_use, 0);
    CU_ASSERT(hs().slabs[2] <= 1);             /* at most one kept for reuse */
    CU_ASSERT_EQUAL(hs().pages_in_use, hs().slabs[2]);
}

static void test_source_exhaustion_and_recovery(void)
{
    fresh_heap();
    fail_after = 2;
    void *a = xmalloc(100), *b = xmalloc(9000);  /* one slab page, one run */
    CU_ASSERT_PTR_NOT_NULL(a);
    CU_ASSERT_PTR_NOT_NULL(b);
    CU_ASSERT_PTR_NULL(xmalloc(9000));
    CU_ASSERT_PTR_NULL(xmalloc(300));            /* a new class needs a page too */
    CU_ASSERT_PTR_NOT_NULL(xmalloc(100));        /* same slab: no page needed */
    fail_after = UINT32_MAX;
    void *c = xmalloc(300);
    CU_ASSERT_PTR_NOT_NULL(c);
    CU_ASSERT_EQUAL(hs().failed_allocs, 2);
}

static uint64_t rng = 0x853c49e6748fea9bull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void test_random_alloc_free_keeps_contents(void)
{
    struct { uint8_t *p; size_t size; uint8_t tag; } live[512];
    unsigned n = 0, corrupt = 0;

    fresh_heap();
    for (int op = 0; op < 30000; op++) {
        if (n < 512 && (n == 0 || rnd() % 2)) {
            size_t size = rnd() % 8 ? rnd() % 1100 : rnd() % 70000;
            size_t align = rnd() % 10 ? 16 : (size_t)1 << (4 + rnd() % 10);
            uint8_t *p = xmalloc_aligned(size, align);
            CU_ASSERT_PTR_NOT_NULL_FATAL(p);
            if ((uintptr_t)p % align)
                corrupt++;
            uint8_t tag = (uint8_t)rnd();
            memset(p, tag, size);
            live[n].p = p;
            live[n].size = size;
            live[n].tag = tag;
            n++;
        } else {
            unsigned j = (unsigned)(rnd() % n);
            for (size_t i = 0; i < live[j].size; i++)
                if (live[j].p[i] != live[j].tag) {
                    corrupt++;
                    break;
                }
            xfree(live[j].p);
            live[j] = live[--n];
        }
    }
    while (n)
        xfree(live[--n].p);
    struct heap_stats s = hs();
    CU_ASSERT_EQUAL(corrupt, 0);
    CU_ASSERT_EQUAL(errors_seen, 0);
    CU_ASSERT_EQUAL(s.small_in_use, 0);
    CU_ASSERT_EQUAL(s.big_in_use, 0);
    CU_ASSERT_EQUAL(s.bytes_in_use, 0);
    CU_ASSERT_EQUAL(s.allocs, s.frees);
    CU_ASSERT_EQUAL(page_alloc_check(&frames), 0);
}

static void *heap_worker(void *arg)
{
    void *held[32] = { 0 };
    unsigned seed = (unsigned)(uintptr_t)arg;
    uintptr_t bad = 0;

    for (int i = 0; i < 20000; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned slot = (seed >> 16) % 32;
        if (held[slot]) {
            if (*(unsigned *)held[slot] != slot + (unsigned)(uintptr_t)arg * 100)
                bad++;
            xfree(held[slot]);
            held[slot] = NULL;
        } else {
            size_t size = 4 + (seed >> 8) % (seed % 16 == 0 ? 9000 : 600);
            held[slot] = xmalloc(size);
            if (!held[slot]) {
                bad++;
                continue;
            }
            *(unsigned *)held[slot] = slot + (unsigned)(uintptr_t)arg * 100;
        }
    }
    for (unsigned s = 0; s < 32; s++)
        xfree(held[s]);
    return (void *)bad;
}

static void test_concurrent_use(void)
{
    pthread_t t[4];
    void *bad;
    uintptr_t total = 0;

    fresh_heap();
    for (uintptr_t i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, heap_worker, (void *)(i + 1));
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], &bad);
        total += (uintptr_t)bad;
    }
    CU_ASSERT_EQUAL(total, 0);
    CU_ASSERT_EQUAL(hs().bytes_in_use, 0);
    CU_ASSERT_EQUAL(errors_seen, 0);
}

int main(void)
{
    static const struct unit_case cases[] = {
        UNIT_CASE(xmalloc_before_init_is_null),
        UNIT_CASE(small_classes_aligned_and_disjoint),
        UNIT_CASE(xzalloc_zeroes_reused_memory),
        UNIT_CASE(zero_size_gives_unique_pointers),
        UNIT_CASE(big_allocations_use_page_runs),
        UNIT_CASE(aligned_allocations),
        UNIT_CASE(bad_alignment_and_sizes_fail),
        UNIT_CASE(arrays_check_overflow),
        UNIT_CASE(double_free_small_detected),
        UNIT_CASE(double_free_big_detected),
        UNIT_CASE(interior_pointers_rejected),
        UNIT_CASE(foreign_pointer_rejected),
        UNIT_CASE(default_handler_panics),
        UNIT_CASE(empty_slabs_are_returned),
        UNIT_CASE(source_exhaustion_and_recovery),
        UNIT_CASE(random_alloc_free_keeps_contents),
        UNIT_CASE(concurrent_use),
    };

    unit_begin();
    UNIT_SUITE("heap", cases);
    int rc = unit_end();
    free(pool);
    free(pool_meta);
    return rc;
}
