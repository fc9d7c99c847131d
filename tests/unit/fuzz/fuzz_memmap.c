/*
 * libFuzzer target for memmap_sanitize and memmap_for_each_free. The input
 * is a list of 17-byte records (base, length, type selector) and a
 * capacity; the result must be sorted, disjoint, merged and page-aligned
 * where usable, and the free walk must stay inside usable memory.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/memmap.h>

#define MAX_REGIONS 64

static uint64_t get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

struct walk {
    const struct mem_region *r;
    unsigned nr;
    uint64_t last_end;
};

static int check_free(void *ctx, uint64_t start, uint64_t end)
{
    struct walk *w = ctx;
    int inside = 0;

    if (start >= end || start % MEMMAP_PAGE_SIZE || end % MEMMAP_PAGE_SIZE || start < w->last_end)
        abort();
    for (unsigned i = 0; i < w->nr; i++)
        if (w->r[i].type == MEM_USABLE && start >= w->r[i].base &&
            end - w->r[i].base <= w->r[i].length)
            inside = 1;
    if (!inside)
        abort();
    w->last_end = end;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mem_region r[MAX_REGIONS];
    struct mem_range ex[4];
    unsigned nr = 0, max;

    if (size < 1)
        return 0;
    max = 1 + data[0] % MAX_REGIONS;
    data++, size--;
    /* Small numbers more often: overlaps are what is interesting. */
    while (size >= 17 && nr < max) {
        uint64_t base = get64(data), len = get64(data + 8);
        if (data[16] & 0x80) {
            base &= 0xfffff;
            len &= 0x3ffff;
        }
        r[nr++] = (struct mem_region){ base, len, (uint32_t)(data[16] & 0x7f) % 8 };
        data += 17, size -= 17;
    }
    unsigned nex = 0;
    while (size >= 16 && nex < 4) {
        ex[nex].start = get64(data) & 0xfffff;
        ex[nex].end = ex[nex].start + (get64(data + 8) & 0xffff);
        nex++;
        data += 16, size -= 16;
    }

    int rc = memmap_sanitize(r, &nr, max);
    if (rc < 0)
        return 0;
    if (nr > max)
        abort();
    for (unsigned i = 0; i < nr; i++) {
        if (r[i].length == 0 || r[i].base + r[i].length <= r[i].base)
            abort();
        if (r[i].type == MEM_USABLE && (r[i].base % MEMMAP_PAGE_SIZE || r[i].length % MEMMAP_PAGE_SIZE))
            abort();
        if (i && r[i - 1].base + r[i - 1].length > r[i].base)
            abort();
        if (i && r[i - 1].type == r[i].type && r[i - 1].base + r[i - 1].length == r[i].base)
            abort();
    }
    struct walk w = { r, nr, 0 };
    memmap_for_each_free(r, nr, ex, nex, check_free, &w);
    return 0;
}
