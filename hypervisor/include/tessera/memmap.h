/*
 * The physical memory map: regions as the firmware reported them, cleaned
 * up by memmap_sanitize, and walked for the frames left free for the page
 * allocator.
 */
#ifndef TESSERA_MEMMAP_H
#define TESSERA_MEMMAP_H

#include <stdbool.h>
#include <stdint.h>

/* Region types: the E820/multiboot numbers. Other values are kept as-is. */
#define MEM_USABLE        1
#define MEM_RESERVED      2
#define MEM_ACPI_RECLAIM  3
#define MEM_ACPI_NVS      4
#define MEM_BAD           5

struct mem_region {
    uint64_t base;
    uint64_t length;
    uint32_t type;
};

/* A byte range [start, end) excluded from the free memory. */
struct mem_range {
    uint64_t start;
    uint64_t end;
};

#define MEMMAP_PAGE_SIZE 4096u

/*
 * Makes r[0..*nr) a sorted list of disjoint, non-empty regions:
 *  - drops zero-length entries and entries that reach or wrap past 2^64;
 *  - where regions overlap, the stronger type wins the overlap (bad >
 *    reserved and unknown types > ACPI NVS > ACPI reclaimable > usable),
 *    which may split a usable region in two;
 *  - merges regions of the same type that touch or overlap;
 *  - shrinks usable regions inward to whole 4 KiB pages (dropping those
 *    left empty).
 * 'max' is the capacity of r; splits need room. Returns the number of
 * fixes (entries dropped as invalid plus overlaps resolved between
 * different types or the same type) for the boot log, or -ENOSPC (r is
 * then sorted and partly fixed, never out of bounds) or -EINVAL.
 */
int memmap_sanitize(struct mem_region *r, unsigned *nr, unsigned max);

/* Sum of the lengths of the regions of 'type'. */
uint64_t memmap_total(const struct mem_region *r, unsigned nr, uint32_t type);

/* Is [start, end) entirely inside one region of this type? */
bool memmap_contains(const struct mem_region *r, unsigned nr, uint64_t start, uint64_t end,
                     uint32_t type);
/* Does [start, end) share any byte with a region of this type? */
bool memmap_overlaps(const struct mem_region *r, unsigned nr, uint64_t start, uint64_t end,
                     uint32_t type);

/*
 * Calls fn(ctx, start, end) for each page-aligned piece [start, end) of
 * usable memory in the sanitized map r that is outside every excluded
 * range (excl may be unsorted and overlapping; excluded edges are widened
 * to whole pages). Stops at and returns the first non-zero value fn
 * returns; 0 otherwise.
 */
typedef int (*memmap_free_fn)(void *ctx, uint64_t start, uint64_t end);
int memmap_for_each_free(const struct mem_region *r, unsigned nr,
                         const struct mem_range *excl, unsigned nr_excl,
                         memmap_free_fn fn, void *ctx);

/* "usable", "reserved", ... or "unknown". */
const char *memmap_type_name(uint32_t type);

#endif
