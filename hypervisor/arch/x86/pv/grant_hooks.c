/*
 * The x86 PV side of grant tables (the hooks in tessera/grant_table.h):
 * grant mappings written into a PV guest's L1 entries, marked with
 * PTE_GRANT_MAPPING so that exactly the entries grant_table.c knows about
 * carry it; the frame lookups a PV guest's frame numbers need.
 *
 * Called with grant locks held; each takes the mapping domain's mm lock
 * (grant locks > mm lock). Removing a mapping flushes the TLB of every CPU
 * running that domain before the grant code drops its counts, so the frame
 * cannot be freed while a stale translation of it survives.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/paging.h>
#include <asm/hvm.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <asm/setup.h>
#include <asm/tlb_flush.h>
#include <pvabi/xen.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/grant_table.h>

/* A grant mapping as the hardware sees it: a user page (the guest kernel runs in ring 3). */
static uint64_t grant_pte(uint64_t mfn, bool readonly)
{
    return (mfn << PAGE_SHIFT) | PTE_P | PTE_U | PTE_A | (readonly ? 0 : PTE_W | PTE_D) |
           PTE_GRANT_MAPPING;
}

static bool is_grant_of(uint64_t pte, uint64_t mfn)
{
    return (pte & PTE_P) && (pte & PTE_GRANT_MAPPING) && ((pte & PTE_MFN_MASK) >> PAGE_SHIFT) == mfn;
}

/* Writes a grant mapping into *entry unless it already holds one. */
static int install_grant(struct domain *d, uint64_t *entry, uint64_t mfn, bool readonly)
{
    uint64_t cur = __atomic_load_n(entry, __ATOMIC_RELAXED);
    if ((cur & PTE_P) && (cur & PTE_GRANT_MAPPING))
        return GNTST_general_error;
    /* The ordinary mapping it replaces may have been cached by other vCPUs. */
    pv_grant_entry_set(d, entry, grant_pte(mfn, readonly));
    if (cur & PTE_P)
        flush_tlb_domain(d);
    return GNTST_okay;
}

static int remove_grant(struct domain *d, uint64_t *entry, uint64_t mfn)
{
    if (!is_grant_of(__atomic_load_n(entry, __ATOMIC_RELAXED), mfn))
        return GNTST_general_error;
    pv_grant_entry_set(d, entry, 0);
    flush_tlb_domain(d);
    return GNTST_okay;
}

static bool va_ok(uint64_t va)
{
    return pv_guest_addr_ok(va) && !(va & (PAGE_SIZE - 1));
}

/* The L1 entry at machine address pte_maddr, if it lies in one of d's validated L1 tables. */
static uint64_t *l1e_at(struct domain *d, uint64_t pte_maddr)
{
    struct page_info *pi = pv_frame_info(pte_maddr >> PAGE_SHIFT);
    if ((pte_maddr & 7) || !pi || pi->owner != d->domain_id || pv_pt_level(pi) != 1)
        return NULL;
    return phys_to_virt(pte_maddr);
}

/*
 * The four hooks in one: the L1 entry is named by a virtual address in v's
 * page tables or (contains_pte) by its machine address; it is found and
 * changed under the mapping domain's mm lock. 'missing' is the answer when
 * there is no such entry.
 */
static int grant_entry_op(struct vcpu *v, bool contains_pte, uint64_t where, uint64_t mfn,
                          bool readonly, bool map, int missing)
{
    struct domain *d = v->domain;
    int rc = missing;

    if (!contains_pte && !va_ok(where))
        return missing;
    pv_mm_lock(d);
    uint64_t *entry = contains_pte ? l1e_at(d, where) : pv_find_l1e(d, v->arch->guest_cr3, where);
    if (entry)
        rc = map ? install_grant(d, entry, mfn, readonly) : remove_grant(d, entry, mfn);
    pv_mm_unlock(d);
    return rc;
}

int arch_grant_map_host(struct vcpu *v, uint64_t va, uint64_t mfn, bool readonly)
{
    return grant_entry_op(v, false, va, mfn, readonly, true, GNTST_bad_virt_addr);
}

int arch_grant_unmap_host(struct vcpu *v, uint64_t va, uint64_t mfn, bool readonly)
{
    return grant_entry_op(v, false, va, mfn, readonly, false, GNTST_general_error);
}

int arch_grant_map_pte(struct vcpu *v, uint64_t pte_maddr, uint64_t mfn, bool readonly)
{
    return grant_entry_op(v, true, pte_maddr, mfn, readonly, true, GNTST_general_error);
}

int arch_grant_unmap_pte(struct vcpu *v, uint64_t pte_maddr, uint64_t mfn, bool readonly)
{
    return grant_entry_op(v, true, pte_maddr, mfn, readonly, false, GNTST_general_error);
}

/*
 * A PV guest names machine frames directly; the caller checks the owner.
 * A frame the domain gave back (freed once unused) is no longer grantable.
 */
int arch_gfn_to_mfn(struct domain *d, uint64_t gfn, uint64_t *mfn)
{
    /* A PVH guest names its own physical frames: through its p2m. */
    if (d->arch->hvm)
        return hvm_gfn_to_mfn(d, gfn, mfn);
    struct page_info *pi = pv_frame_info(gfn);
    if (!pi || (pi->type_info & PGT_RELEASED))
        return -EINVAL;
    *mfn = gfn;
    return 0;
}

/* A writable use of rd's frame: the page-type rule (pv_get_type in pv/page_type.c). */
int arch_frame_get_writable(struct domain *rd, uint64_t mfn)
{
    pv_mm_lock(rd);
    int rc = pv_get_type(rd, mfn, PGT_WRITABLE);
    pv_mm_unlock(rd);
    return rc;
}

void arch_frame_put_writable(struct domain *rd, uint64_t mfn)
{
    pv_mm_lock(rd);
    pv_put_type(rd, mfn);
    pv_mm_unlock(rd);
}

/* Every frame is in the direct map: nothing to map or unmap. */
void *arch_map_frame(uint64_t mfn)
{
    return pv_frame_info(mfn) ? phys_to_virt(mfn << PAGE_SHIFT) : NULL;
}

void arch_unmap_frame(void *va)
{
    (void)va;
}
