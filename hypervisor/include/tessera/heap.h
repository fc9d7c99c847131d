/*
 * The hypervisor's heap: xmalloc and friends on top of a page source.
 *
 * Small requests (up to HEAP_MAX_SMALL bytes) come from per-size-class
 * slab pages (16, 32, ... 1024 bytes; each object aligned to its class
 * size); larger ones get a run of 2^order pages of their own. Every
 * pointer handed out is at least 16-byte aligned.
 *
 * Misuse is caught where it is cheap: xfree of a pointer the heap did not
 * hand out, of the middle of an allocation, or twice (while the page is
 * still the heap's) is reported through the error handler, which panics
 * unless a test installed another; the bad free then does nothing.
 * Detection reads the page holding the pointer, so a wild pointer into
 * unmapped memory still faults.
 *
 * Locking: one spinlock; the page source is called with it held (lock
 * order: heap, then the page allocator). Not for interrupt context.
 */
#ifndef TESSERA_HEAP_H
#define TESSERA_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define HEAP_PAGE_SIZE   4096u
#define HEAP_MAX_SMALL   1024u
#define HEAP_NR_CLASSES  7          /* 16 .. 1024 */
#define HEAP_MAX_ORDER   18

/*
 * Where pages come from. alloc_pages returns 2^order pages aligned to
 * their total size (as the buddy allocator gives them), or NULL.
 */
struct heap_page_source {
    void *(*alloc_pages)(void *ctx, unsigned order);
    void (*free_pages)(void *ctx, void *va, unsigned order);
    void *ctx;
};

struct heap_stats {
    uint64_t allocs, frees, failed_allocs, bad_frees;
    uint64_t small_in_use;                  /* objects */
    uint64_t big_in_use;                    /* page runs */
    uint64_t bytes_in_use;                  /* rounded up to class / pages */
    uint64_t pages_in_use, peak_pages;      /* taken from the page source */
    uint64_t slabs[HEAP_NR_CLASSES];
};

/* (Re)initialises the heap; the source is copied. Drops any previous state. */
void heap_init(const struct heap_page_source *src);

/* NULL when out of memory, before heap_init, or for absurd sizes. */
void *xmalloc(size_t size);
void *xzalloc(size_t size);
/* align: a power of two (else NULL); alignments above a page are supported. */
void *xmalloc_aligned(size_t size, size_t align);
/* n elements of 'size' bytes; NULL when n * size overflows. */
void *xmalloc_array(size_t n, size_t size);
void *xzalloc_array(size_t n, size_t size);
/* NULL is ignored. */
void xfree(void *ptr);

void heap_get_stats(struct heap_stats *out);

/*
 * Replaces the default reaction to a bad xfree (panic) by fn(what, ptr);
 * NULL restores the default. For tests.
 */
typedef void (*heap_error_fn)(const char *what, const void *ptr);
void heap_set_error_handler(heap_error_fn fn);

#endif
