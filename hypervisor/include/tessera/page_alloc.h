/*
 * The buddy allocator of machine frames (4 KiB). Blocks of 2^order frames
 * (order 0..PAGE_MAX_ORDER), naturally aligned in machine frame numbers so
 * an order-9 block can back a 2 MiB mapping.
 *
 * All state lives in the allocator and in the caller's struct page_info
 * array (one entry per frame of the managed span). The frames' own memory
 * is never read or written, so the allocator works before anything is
 * mapped and tests can manage frames that do not exist.
 *
 * Locking: every function takes the allocator's own spinlock (plain, not
 * irqsave), so none may be called from an interrupt handler. page_owner
 * reads without the lock: its answer may be stale by the time it returns.
 */
#ifndef TESSERA_PAGE_ALLOC_H
#define TESSERA_PAGE_ALLOC_H

#include <stdbool.h>
#include <stdint.h>
#include <tessera/spinlock.h>

#define PAGE_SHIFT     12
#define PAGE_SIZE      (1ul << PAGE_SHIFT)
#define PAGE_MAX_ORDER 18                  /* 2^18 frames = 1 GiB */

/* The same numbers as the guest ABI's (pvabi/xen.h), which may be included too. */
#ifndef DOMID_XEN
#define DOMID_XEN      0x7FF2u             /* owned by the hypervisor */
#endif
#ifndef DOMID_INVALID
#define DOMID_INVALID  0x7FF4u             /* owned by nobody: free or unmanaged */
#endif

/* page_info.flags */
#define PGF_MANAGED    0x01   /* was given to the allocator (page_alloc_add_free) */
#define PGF_FREE       0x02   /* part of a free block */
#define PGF_HEAD       0x04   /* first frame of a block (free or allocated) */

/*
 * Set by the PV memory code: the frame is one of a guest's page tables,
 * of the level in PGF_PT_LEVEL (0-3 for L1-L4).
 */
#define PGF_PAGETABLE  0x10
#define PGF_PT_LEVEL   0x60
#define PGF_PT_LEVEL_SHIFT 5
#define PAGE_NO_LINK   UINT32_MAX

/*
 * One per frame; 20 bytes. Fields are [lock] unless noted. The first eight
 * bytes serve the allocator while the frame is free and its owner once
 * allocated (page_alloc_alloc zeroes them for the owner).
 */
struct page_info {
    union {
        struct {
            uint32_t next, prev;   /* free list links (frame indexes), free heads only */
        };
        struct {
            /* [a] PV: ordinary L1 entries mapping it, kept by the PV MMU (pv/mm.c) */
            uint32_t map_count;
            uint32_t type_info;    /* [owner] its use, e.g. a PV page type (asm/pv_mm.h); 0 */
        };
    };
    uint16_t owner;        /* domain id, DOMID_XEN, or DOMID_INVALID */
    uint8_t order;         /* block order, valid in head frames */
    uint8_t flags;         /* PGF_* */
    uint32_t refcount;     /* for later users (grant/mapping counts); 0 here */
    /* [owner's mm lock] PV: L1 entries of other domains' tables mapping it (pv/foreign.c) */
    uint16_t foreign_maps;
    uint16_t foreign_writable;   /* how many of those are writable */
    /*
     * [atomic; taken under the owner's mm lock] PV: hypervisor mappings of
     * it the guest cannot see (vcpu_info, shared_info, FIFO event pages;
     * pv_frame_hold). While any, it takes no page-table or descriptor
     * type and cannot be given back.
     */
    uint16_t holds;
};

struct page_alloc_stats {
    uint64_t managed;      /* frames ever given to the allocator */
    uint64_t free;
    uint64_t used_xen;     /* allocated to DOMID_XEN */
    uint64_t used_domains; /* allocated to any other owner */
    uint64_t free_blocks[PAGE_MAX_ORDER + 1];
};

struct page_allocator {
    spinlock_t lock;
    struct page_info *meta;                /* [I] meta[i] is frame first_mfn + i */
    uint64_t first_mfn;                    /* [I] */
    uint64_t nr_frames;                    /* [I] */
    uint32_t free_head[PAGE_MAX_ORDER + 1];
    uint64_t nr_managed, nr_free, nr_used_xen, nr_used_domains;
    const char *check_error;               /* last page_alloc_check failure */
};

/*
 * Prepares an allocator for frames [first_mfn, first_mfn + nr_frames)
 * with meta[nr_frames]; nr_frames must be below 2^32 (16 TiB), since
 * free-list links are 32-bit frame indexes (a larger span is cut there). Every frame starts unmanaged:
 * nothing can be allocated until page_alloc_add_free.
 */
void page_alloc_init(struct page_allocator *pa, struct page_info *meta,
                     uint64_t first_mfn, uint64_t nr_frames);

/*
 * Gives frames [mfn, mfn + count) to the allocator, any alignment: they
 * are split into maximal naturally aligned blocks and merged with free
 * neighbours. Returns 0, -ERANGE if outside the span, or -EEXIST if any of
 * them is already managed (then nothing is added).
 */
int page_alloc_add_free(struct page_allocator *pa, uint64_t mfn, uint64_t count);

/*
 * Allocates 2^order contiguous frames for 'owner' (not DOMID_INVALID).
 * Returns 0 and the first frame in *mfn_out, -EINVAL or -ENOMEM.
 */
int page_alloc_alloc(struct page_allocator *pa, unsigned order, uint16_t owner,
                     uint64_t *mfn_out);

/*
 * The same, for a block that ends at or below frame limit_mfn (memory a
 * device that addresses fewer bits can reach): the lowest fitting part of
 * the first free block that starts low enough. -EINVAL, -ENOMEM.
 */
int page_alloc_alloc_below(struct page_allocator *pa, unsigned order, uint16_t owner,
                           uint64_t limit_mfn, uint64_t *mfn_out);

/*
 * Frees a block from page_alloc_alloc, with the order it was allocated
 * with. Refuses, leaving all state untouched: -ERANGE outside the span,
 * -EINVAL misaligned or not the head of an allocated block or the wrong
 * order, -EALREADY a free block (double free).
 */
int page_alloc_free(struct page_allocator *pa, uint64_t mfn, unsigned order);

/*
 * Splits an allocated block of 2^order frames into 2^order blocks of one
 * frame each (same owner), so that each can be freed on its own. 0,
 * -ERANGE outside the span, -EINVAL not the head of an allocated block of
 * that order.
 */
int page_alloc_split(struct page_allocator *pa, uint64_t mfn, unsigned order);

/*
 * Frees every allocated block owned by 'owner' (not DOMID_XEN or
 * DOMID_INVALID), calling on_free(mfn) for each frame first if it is not
 * NULL (with the allocator's lock held: it must not call back in). For a
 * domain that is gone, whose frames nobody else can be changing; O(span).
 * Returns the number of frames freed.
 */
uint64_t page_alloc_free_owned(struct page_allocator *pa, uint16_t owner,
                               void (*on_free)(uint64_t mfn));

/* Owner of a frame: DOMID_INVALID when free, unmanaged or outside the span. */
uint16_t page_owner(struct page_allocator *pa, uint64_t mfn);

void page_alloc_stats(struct page_allocator *pa, struct page_alloc_stats *out);

/*
 * Checks every invariant (free lists, flags, buddies merged, counters):
 * returns 0, or -EINVAL with pa->check_error saying what is wrong. O(n).
 */
int page_alloc_check(struct page_allocator *pa);

#endif
