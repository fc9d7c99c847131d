/*
 * The PV MMU's shared pieces (pv/mm.c), for the code that changes guest
 * page tables or gives frames back: grant mappings (pv/grant_hooks.c) and
 * memory reservations (pv/reservation.c).
 *
 * Rules that make a guest's frames safe to free:
 *  - Every present L1 entry in a guest's page tables that maps a frame in
 *    the ordinary way counts once in that frame's page_info.map_count;
 *    the hypervisor's own long-lived uses of a guest frame (shared_info,
 *    the console ring it drains, a registered vcpu_info) count once too.
 *    Grant mappings are counted by the grant table instead (refcount).
 *  - Every write of an L1 entry, and every check-then-free of a frame,
 *    happens under the domain's mm lock (lock order: grant locks > mm lock
 *    > frame allocator).
 *  - A frame is freed only with map_count 0, no grant mapping, not a page
 *    table, and after every CPU running the domain flushed its TLB.
 */
#ifndef ASM_PV_MM_H
#define ASM_PV_MM_H

#include <stdbool.h>
#include <stdint.h>
#include <tessera/page_alloc.h>

struct domain;

#define PTE_MFN_MASK 0x000FFFFFFFFFF000ull
/*
 * Software bit marking an L1 entry that a grant map made (bit 62, the bit
 * Xen reserves for the same purpose, so PV kernels leave it clear). Guests
 * may neither set it nor overwrite such an entry: only unmap_grant_ref
 * removes it.
 */
#define PTE_GRANT_MAPPING (1ull << 62)

/* page_info of a managed frame, or NULL. */
struct page_info *pv_frame_info(uint64_t mfn);
/* 1-4 for a page table of that level, 0 for any other frame. */
unsigned pv_pt_level(const struct page_info *pi);

void pv_mm_lock(struct domain *d);
void pv_mm_unlock(struct domain *d);

/* The L1 entry that maps va in the tables at cr3 (all d's), or NULL. */
uint64_t *pv_find_l1e(const struct domain *d, uint64_t cr3, uint64_t va);

/*
 * Puts new in L1 entry *entry under d's mm lock, moving the map counts from
 * the frame it held to the frame it gets; the old value is returned in
 * *old. Refuses (-EBUSY) to replace a grant mapping unless grant is true
 * (the grant code itself). new is not checked here.
 */
int pv_l1e_replace(struct domain *d, uint64_t *entry, uint64_t new, bool grant, uint64_t *old);

/* Count one more (+1) or one fewer (-1) long-lived use of a frame. */
void pv_frame_count(uint64_t mfn, int delta);
/* Under d's mm lock: d's data frame mfn gets one more use; -EINVAL if not d's data. */
int pv_frame_hold(struct domain *d, uint64_t mfn);

#endif
