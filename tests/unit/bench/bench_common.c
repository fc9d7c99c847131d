/*
 * Speed of the hypervisor's common code, built as optimised host C
 * without sanitizers. Prints ns per operation; asserts nothing (numbers
 * move with the machine's load).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <tessera/bitmap.h>
#include <tessera/cmdline.h>
#include <tessera/format.h>
#include <tessera/heap.h>
#include <tessera/page_alloc.h>
#include <tessera/timer.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const char *what, double seconds, double ops)
{
    printf("  %-44s %9.1f ns/op  (%.0f ops)\n", what, seconds / ops * 1e9, ops);
}

static volatile uint64_t sink;

static struct page_allocator frames;

static void *bench_alloc_pages(void *ctx, unsigned order)
{
    uint64_t mfn;
    (void)ctx;
    return page_alloc_alloc(&frames, order, DOMID_XEN, &mfn) ? NULL : (void *)(uintptr_t)(mfn << PAGE_SHIFT);
}

static void bench_free_pages(void *ctx, void *va, unsigned order)
{
    (void)ctx;
    page_alloc_free(&frames, (uintptr_t)va >> PAGE_SHIFT, order);
}

static void bench_page_alloc(void)
{
    const uint64_t nr = 1u << 20;                     /* 4 GiB of frames that do not exist */
    struct page_info *meta = calloc(nr, sizeof(*meta));
    static uint64_t held[65536];
    double t;

    page_alloc_init(&frames, meta, 0, nr);
    t = now_s();
    page_alloc_add_free(&frames, 0, nr);
    report("page_alloc_add_free, 4 GiB (per frame)", now_s() - t, (double)nr);

    t = now_s();
    for (int i = 0; i < 1000000; i++) {
        uint64_t mfn;
        page_alloc_alloc(&frames, 0, 1, &mfn);
        page_alloc_free(&frames, mfn, 0);             /* merges back up to 1 GiB */
    }
    report("page alloc+free order 0 (full merge)", now_s() - t, 1e6);

    t = now_s();
    for (int round = 0; round < 10; round++) {
        for (int i = 0; i < 65536; i++)
            page_alloc_alloc(&frames, 0, 1, &held[i]);
        for (int i = 0; i < 65536; i++)
            page_alloc_free(&frames, held[(i * 40503u) & 65535], 0);
    }
    report("page alloc+free order 0, 64k held", now_s() - t, 655360);

    t = now_s();
    for (int i = 0; i < 100000; i++) {
        uint64_t mfn;
        page_alloc_alloc(&frames, 9, 1, &mfn);
        page_alloc_free(&frames, mfn, 9);
    }
    report("page alloc+free order 9 (2 MiB)", now_s() - t, 1e5);
}

static void bench_heap(void)
{
    static void *p[4096];
    static const struct heap_page_source src = { bench_alloc_pages, bench_free_pages, NULL };
    /* Real memory behind the frames this time: the heap writes its headers. */
    const uint64_t nr = 16384;
    uint8_t *pool = aligned_alloc(1u << 26, nr * PAGE_SIZE);
    struct page_info *meta = calloc(nr, sizeof(*meta));
    double t;

    page_alloc_init(&frames, meta, (uintptr_t)pool >> PAGE_SHIFT, nr);
    page_alloc_add_free(&frames, (uintptr_t)pool >> PAGE_SHIFT, nr);
    heap_init(&src);
    t = now_s();
    for (int round = 0; round < 200; round++) {
        for (int i = 0; i < 4096; i++)
            p[i] = xmalloc(64);
        for (int i = 0; i < 4096; i++)
            xfree(p[i]);
    }
    report("xmalloc+xfree 64 bytes", now_s() - t, 200 * 4096);
    t = now_s();
    for (int i = 0; i < 200000; i++)
        xfree(xmalloc(16 + (size_t)(i % 1000)));
    report("xmalloc+xfree 16..1015 bytes", now_s() - t, 200000);
    t = now_s();
    for (int i = 0; i < 100000; i++)
        xfree(xmalloc(20000));
    report("xmalloc+xfree 20000 bytes (page run)", now_s() - t, 100000);
    free(pool);
    free(meta);
}

static void bench_format(void)
{
    char buf[256];
    double t = now_s();

    for (int i = 0; i < 1000000; i++)
        sink += (uint64_t)format(buf, sizeof(buf), "[%4llu.%06llu] d%u: gfn %#lx -> mfn %#lx (%s) %d",
                                 (unsigned long long)i, 123456ull, 7u, (unsigned long)i * 4096,
                                 0xffff8300deadbeefUL, "ok", -i);
    report("format of a typical log line", now_s() - t, 1e6);
    t = now_s();
    for (int i = 0; i < 1000000; i++)
        sink += (uint64_t)snprintf(buf, sizeof(buf), "[%4llu.%06llu] d%u: gfn %#lx -> mfn %#lx (%s) %d",
                                   (unsigned long long)i, 123456ull, 7u, (unsigned long)i * 4096,
                                   0xffff8300deadbeefUL, "ok", -i);
    report("  (glibc snprintf, same line)", now_s() - t, 1e6);
}

static void nop(void *data)
{
    (void)data;
    sink++;
}

static void bench_timers(void)
{
    static struct timer_queue q;
    static struct timer t[500];
    double start;

    timer_queue_init(&q);
    for (int i = 0; i < 500; i++) {
        timer_init(&t[i], nop, NULL, 0);
        timer_add(&q, &t[i], (uint64_t)i * 1000);
    }
    start = now_s();
    for (int i = 0; i < 1000000; i++)
        timer_add(&q, &t[i % 500], (uint64_t)((i * 7919u) % 500000));
    report("timer_add (move) with 500 armed", now_s() - start, 1e6);
    start = now_s();
    uint64_t now = 0;
    for (int i = 0; i < 200; i++) {
        now += 500000;
        timer_queue_run(&q, now);
        for (int k = 0; k < 500; k++)
            timer_add(&q, &t[k], now + (uint64_t)((k * 7919u) % 500000));
    }
    report("timer run + re-add, 500 armed (per timer)", now_s() - start, 200 * 500);
}

static void bench_bitmap(void)
{
    static unsigned long map[BITS_TO_LONGS(1u << 20)];
    double t;

    bitmap_zero(map, 1u << 20);
    for (size_t i = 0; i < (1u << 20); i += 4099)
        bitmap_set(map, i);
    t = now_s();
    size_t found = 0;
    for (int r = 0; r < 100; r++)
        for (size_t i = bitmap_find_first_set(map, 1u << 20); i < (1u << 20);
             i = bitmap_find_next_set(map, 1u << 20, i + 1))
            found++;
    report("bitmap_find_next_set over 1 Mbit (per hit)", now_s() - t, (double)found);
}

int main(void)
{
    printf("hypervisor common code (host build, -O2):\n");
    bench_page_alloc();
    bench_heap();
    bench_format();
    bench_timers();
    bench_bitmap();
    return 0;
}
