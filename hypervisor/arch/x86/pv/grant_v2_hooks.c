/*
 * The x86 PV hooks that grant tables v2 and GNTTABOP_unmap_and_replace
 * need (declared in tessera/grant_table.h): moving an ordinary L1 entry
 * into the place of a grant mapping, and giving back the status frames a
 * domain no longer maps.
 *
 * Called with grant locks held; each takes the domain's mm lock (grant
 * locks > mm lock), under which every L1 write and every new reference
 * to a frame happens, so what they check stays true while they act.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/paging.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <asm/tlb_flush.h>
#include <pvabi/xen.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/grant_table.h>

/* Whether pte is the grant mapping of mfn made read-only or writable as asked. */
static bool holds_grant(uint64_t pte, uint64_t mfn, bool readonly)
{
    return (pte & PTE_P) && (pte & PTE_GRANT_MAPPING) &&
           ((pte & PTE_MFN_MASK) >> PAGE_SHIFT) == mfn && !(pte & PTE_W) == readonly;
}

/*
 * Xen steals new_va's entry first and only then looks at va, so a failure
 * after the steal leaves new_va unmapped; the same here. The stolen entry
 * keeps its references (map count, writable type) as it moves between two
 * of the domain's own L1 tables; dropped if it cannot be placed.
 */
int arch_grant_replace_host(struct vcpu *v, uint64_t va, uint64_t mfn, bool readonly,
                            uint64_t new_va)
{
    struct domain *d = v->domain;
    int rc = GNTST_general_error;

    if (!pv_guest_addr_ok(new_va) || !pv_guest_addr_ok(va) || (va & (PAGE_SIZE - 1)))
        return GNTST_general_error;
    pv_mm_lock(d);
    uint64_t *from = pv_find_l1e(d, v->arch->guest_cr3, new_va);
    if (!from)
        goto out;
    uint64_t stolen = __atomic_load_n(from, __ATOMIC_RELAXED);
    if ((stolen & PTE_P) && (stolen & PTE_GRANT_MAPPING))
        goto out;               /* grant mappings move only through the maptrack */
    stolen = __atomic_exchange_n(from, 0, __ATOMIC_SEQ_CST);

    uint64_t *to = pv_find_l1e(d, v->arch->guest_cr3, va);
    if (to && holds_grant(__atomic_load_n(to, __ATOMIC_RELAXED), mfn, readonly)) {
        __atomic_store_n(to, stolen, __ATOMIC_SEQ_CST);
        rc = GNTST_okay;
    }
    /* Both the old translation of new_va and the grant's at va must go. */
    flush_tlb_domain(d);
    if (rc != GNTST_okay)
        pv_put_entry(d, 1, virt_to_phys(from) >> PAGE_SHIFT, stolen);
out:
    pv_mm_unlock(d);
    return rc;
}

int arch_grant_free_status_frames(struct domain *d, const uint64_t *mfn, unsigned int n)
{
    int rc = 0;

    pv_mm_lock(d);
    for (unsigned int i = 0; i < n && !rc; i++) {
        struct page_info *pi = pv_frame_info(mfn[i]);
        if (!pi || pi->owner != d->domain_id)
            rc = -EINVAL;
        else if (__atomic_load_n(&pi->map_count, __ATOMIC_ACQUIRE) || pv_type_count(pi) ||
                 pi->foreign_maps)
            rc = -EBUSY;    /* mapped, its own or the control domain's (pv/foreign.c) */
    }
    if (!rc) {
        /* No entry maps them; a translation cached from an earlier one may survive. */
        flush_tlb_domain(d);
        for (unsigned int i = 0; i < n; i++)
            pv_free_frames(mfn[i], 1);
    }
    pv_mm_unlock(d);
    return rc;
}
