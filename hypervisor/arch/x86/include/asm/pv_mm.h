/*
 * The PV MMU's shared pieces: page types and references (pv/page_type.c),
 * for the hypercalls that change guest page tables (pv/mm.c), grant
 * mappings (pv/grant_hooks.c), vCPU contexts and the builder, and the code
 * that gives frames back (pv/reservation.c).
 *
 * Every frame a PV domain owns has a type with a count (page_info.type_info):
 *  - L1..L4: it is a page table of that level, its entries validated, as
 *    long as something uses it as one: an entry of a table one level up,
 *    a pin (MMUEXT_PIN_*), or (L4) a vCPU's base pointer;
 *  - writable: as long as some L1 entry maps it writable (or the
 *    hypervisor writes it for the guest for a moment);
 *  - descriptor page: part of a vCPU's GDT, every descriptor checked;
 *  - a frame changes type only when its count is 0, and a frame that was
 *    writable or a table before has every CPU running the domain flush its
 *    TLB first, so no stale writable or table translation survives;
 *  - "held" frames (shared_info, the console ring, a registered vcpu_info)
 *    are written by the hypervisor: never page tables, never given back;
 *  - a frame given back (decrease_reservation) while still in use is
 *    "released": it takes no new references and is freed when its type
 *    count and map count both reach 0 (as Xen frees it on its last
 *    reference; the domain's reservation drops then).
 * Every present ordinary L1 entry also counts once in its frame's
 * map_count. The control domain's L1 entries naming another domain's
 * frames (mmu_update with a foreigndom, pv/foreign.c) count in the frame's
 * foreign_maps instead (a writable one also in foreign_writable and as a
 * writable use of the owner's frame); a given-back frame waits for those
 * too, and a domain whose frames are so mapped is held until the last
 * such entry goes, after its destruction if need be. Grant mappings (PTE_GRANT_MAPPING) are counted by the grant
 * table; a writable grant mapping, and a grant copy while it writes, hold
 * a writable use of the granter's frame (arch_frame_get_writable), so one
 * rule, pv_get_type's, decides every "may this frame be written".
 *
 * Locking: all of a domain's type changes, L1 writes and check-then-free
 * happen under its mm lock; the hypercalls that can create page tables
 * take the domain's grant lock first (pv_mm_lock_all), so that a grant
 * mapping cannot slip in between the check and the type change. Lock
 * order: grant locks > mm lock > frame allocator.
 */
#ifndef ASM_PV_MM_H
#define ASM_PV_MM_H

#include <stdbool.h>
#include <stdint.h>
#include <tessera/page_alloc.h>

struct domain;
struct vcpu;

#define PTE_MFN_MASK 0x000FFFFFFFFFF000ull
/*
 * In mmu_update's and mmuext_op's count when the hypervisor continues a
 * batch it stopped part way (Xen's encoding, its own and not in the public
 * headers): the rest of the count is below it, and the number done before
 * is read back from the guest's done pointer.
 */
#define MMU_UPDATE_PREEMPTED 0x80000000u
/*
 * Software bit marking an L1 entry that a grant map made (bit 62, the bit
 * Xen reserves for the same purpose, so PV kernels leave it clear). Guests
 * may neither set it nor overwrite such an entry: only unmap_grant_ref
 * removes it.
 */
#define PTE_GRANT_MAPPING (1ull << 62)

/* page_info.type_info */
#define PGT_COUNT_MASK 0x03FFFFFFu
#define PGT_RELEASED   0x04000000u   /* given back while in use: freed when unused */
#define PGT_PINNED     0x10000000u
#define PGT_TYPE_SHIFT 29
enum pv_page_type {
    PGT_NONE = 0,
    PGT_L1 = 1, PGT_L2, PGT_L3, PGT_L4,   /* = the level */
    PGT_WRITABLE = 5,
    PGT_SEG_DESC = 6,                      /* a page of the guest's GDT (pv/gdt.c) */
};

/* page_info of a managed frame, or NULL. */
struct page_info *pv_frame_info(uint64_t mfn);
/* 1-4 for a validated page table of that level, 0 for any other frame. */
unsigned pv_pt_level(const struct page_info *pi);
unsigned pv_type_count(const struct page_info *pi);

void pv_mm_lock(struct domain *d);
void pv_mm_unlock(struct domain *d);
/* The domain's grant lock, then its mm lock: for operations that may create page tables. */
void pv_mm_lock_all(struct domain *d);
void pv_mm_unlock_all(struct domain *d);

/*
 * Under d's mm lock. One more use of d's frame mfn as 'type': 0, -EINVAL
 * (not d's frame, or its contents are not a valid table of that level),
 * -EBUSY (in use as another type, or held / grant-mapped writable for a
 * table type).
 */
int pv_get_type(struct domain *d, uint64_t mfn, enum pv_page_type type);
/* One use fewer; a table whose count reaches 0 drops its entries' references. */
void pv_put_type(struct domain *d, uint64_t mfn);

/*
 * Under d's mm lock. Takes the references a level-'level' entry of d's
 * table table_mfn needs (normalising it: user bit on present entries, no
 * global bit; a read-only entry naming a table of its own level is a
 * linear one, pv/linear_pt.c), or refuses: 0, -EINVAL (bad bits, a lower
 * table that does not validate, a writable or forbidden linear entry),
 * -EPERM (a frame d may not map), -EBUSY (type conflict).
 */
int pv_get_entry(struct domain *d, unsigned level, uint64_t table_mfn, uint64_t *entry);
void pv_put_entry(struct domain *d, unsigned level, uint64_t table_mfn, uint64_t entry);

/* The L1 entry that maps va in the tables at cr3 (all d's, validated), or NULL. */
uint64_t *pv_find_l1e(const struct domain *d, uint64_t cr3, uint64_t va);

/*
 * Under d's mm lock: a guest's change to entry *entry of a validated
 * level-'level' table of d. The new entry is checked in full and takes its
 * references before the old one's are dropped; an L1 entry holding a grant
 * mapping is never replaced (-EBUSY), and a guest may not write the grant
 * marker (-EINVAL). Otherwise as pv_get_entry.
 */
int pv_entry_replace(struct domain *d, unsigned level, uint64_t *entry, uint64_t new);

/*
 * Under d's mm lock, for the grant code only: puts a grant mapping (an
 * entry with PTE_GRANT_MAPPING, which takes no references: the grant
 * table counts it) or 0 in L1 entry *entry, dropping what the old entry held.
 */
void pv_grant_entry_set(struct domain *d, uint64_t *entry, uint64_t grant_pte);

/*
 * Under d's grant and mm locks: gives d's frame back, now if nothing uses
 * it, else when its last use goes. 0, or -EBUSY (held, grant-mapped, a
 * grant-table frame, already given back) / -EINVAL (not d's).
 */
int pv_release_frame(struct domain *d, uint64_t mfn);
/*
 * Frames [mfn, mfn + n), single-frame blocks of a domain's that nothing
 * uses, go back to the allocator with their m2p entries cleared (the
 * caller accounts the domain's pages and flushes first as needed).
 */
void pv_free_frames(uint64_t mfn, uint64_t n);

/* Whether pv_release_frame would take it (the same answers), changing nothing. */
int pv_frame_releasable(struct domain *d, uint64_t mfn);

/*
 * Under d's grant and mm locks: an MMU_NORMAL_PT_UPDATE of L1 entry *entry
 * of d's with foreigndom fd (fd != d, d privileged): a present new entry
 * must name fd's frame and takes a foreign reference on it (as
 * pv_foreign_get); the old entry's references go. 0, -EINVAL (bad bits),
 * -EBUSY (a grant mapping there, or as pv_foreign_get), -EPERM.
 */
int pv_entry_replace_foreign(struct domain *d, struct domain *fd, uint64_t *entry, uint64_t new);
/*
 * The same with foreigndom DOMID_XEN: a present new entry must map a frame
 * of the m2p table read-only (no reference: those frames are never freed);
 * anything else -EBUSY, as Xen.
 */
int pv_entry_replace_xen(struct domain *d, uint64_t *entry, uint64_t new);

/*
 * Foreign references (pv/foreign.c). pv_foreign_get, under the mapper's
 * locks: one more mapping of fd's frame mfn by another domain: 0, -EPERM
 * (not RAM), -EBUSY (not fd's, given back, or writable and fd's table or
 * descriptor page). pv_foreign_put, under mapper d's locks: one fewer (a
 * frame no held domain owns: nothing); the frame may be freed, d's TLBs
 * flushed first, and after fd's last one fd is released (below).
 */
int pv_foreign_get(struct domain *fd, uint64_t mfn, bool writable);
void pv_foreign_put(struct domain *d, uint64_t mfn, bool writable);
/*
 * With no lock held: drops the reference of each domain whose last foreign
 * mapping went (which frees a destroyed one). Cheap when there is none.
 */
void pv_foreign_release(void);

/* Under d's mm lock: frees d's frame mfn if it was given back and nothing uses it any more. */
void pv_free_if_released(struct domain *d, uint64_t mfn);

/*
 * One more hypervisor mapping of d's data frame mfn (page_info.holds),
 * which takes d's mm lock: 0, or -EINVAL (not d's, a page table or
 * descriptor page now, or held 65535 times already).
 */
int pv_frame_hold(struct domain *d, uint64_t mfn);
/*
 * One fewer, with no lock (callers may hold event-channel locks): once
 * none is left the frame is the guest's again, to give back or use as a
 * table, as Xen's put_page_and_type. A frame no longer d's is left alone.
 */
void pv_frame_unhold(struct domain *d, uint64_t mfn);

/* MMUEXT_PIN_*: 0, -EINVAL (not d's, already pinned), or as pv_get_type. */
int pv_pin_table(struct domain *d, uint64_t mfn, enum pv_page_type type);

/* A vCPU's kernel (user = false) or user base pointer: 0, or as pv_get_type(L4). */
int pv_set_base(struct vcpu *v, uint64_t mfn, bool user);

#endif
