/*
 * The PV MMU, as far as it goes yet: update_va_mapping, which changes one
 * L1 entry of the calling vCPU's page tables after checking it. A guest
 * may map only frames it owns (or its shared_info), never one of its page
 * tables writable, and its kernel mappings are always user mappings (the
 * guest kernel runs in ring 3).
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/paging.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <asm/setup.h>
#include <pvabi/xen.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/page_alloc.h>

#define PTE_MFN_MASK 0x000FFFFFFFFFF000ull
/* Bits a guest may not set in a leaf entry: PAT-ish and "available" bits are its own. */
#define PTE_GUEST_FORBIDDEN (PTE_PS)

static struct page_info *frame_info(uint64_t mfn)
{
    if (mfn < frame_allocator.first_mfn || mfn - frame_allocator.first_mfn >= frame_allocator.nr_frames)
        return NULL;
    return &frame_allocator.meta[mfn - frame_allocator.first_mfn];
}

void pv_mark_pagetable(uint64_t mfn, bool is_table)
{
    struct page_info *pi = frame_info(mfn);
    if (!pi)
        return;
    if (is_table)
        pi->flags |= PGF_PAGETABLE;
    else
        pi->flags &= ~PGF_PAGETABLE;
}

/* May domain d put this leaf entry in its page tables? 0 or a negative errno. */
static int check_l1e(const struct domain *d, uint64_t pte)
{
    if (!(pte & PTE_P))
        return 0;
    if (pte & PTE_GUEST_FORBIDDEN)
        return -EINVAL;
    uint64_t mfn = (pte & PTE_MFN_MASK) >> PAGE_SHIFT;
    if (mfn == d->shared_info_mfn)
        return 0;
    struct page_info *pi = frame_info(mfn);
    if (!pi || pi->owner != d->domain_id)
        return -EPERM;
    if ((pte & PTE_W) && (pi->flags & PGF_PAGETABLE))
        return -EBUSY;
    return 0;
}

/* The L1 entry mapping va in the tables at cr3, or NULL if no L1 covers it. */
static uint64_t *find_l1e(const struct domain *d, uint64_t cr3, uint64_t va)
{
    uint64_t table = cr3 & PTE_MFN_MASK;
    for (int level = 4; level > 1; level--) {
        uint64_t *t = phys_to_virt(table);
        uint64_t e = t[(va >> (12 + 9 * (level - 1))) & 511];
        if (!(e & PTE_P) || (e & PTE_PS))
            return NULL;
        table = e & PTE_MFN_MASK;
        struct page_info *pi = frame_info(table >> PAGE_SHIFT);
        if (!pi || pi->owner != d->domain_id)
            return NULL;
    }
    return (uint64_t *)phys_to_virt(table) + ((va >> 12) & 511);
}

long hc_update_va_mapping(struct vcpu *v, const uint64_t a[5])
{
    uint64_t va = a[0], val = a[1], flags = a[2];
    bool canonical = va < 0x0000800000000000ull || va >= 0xFFFF800000000000ull;

    if (!canonical || (va >= HYPERVISOR_VIRT_START && va < HYPERVISOR_VIRT_END))
        return -EINVAL;
    if ((flags & ~(UVMF_FLUSHTYPE_MASK | UVMF_ALL)) != 0)
        return -EINVAL;   /* a vCPU mask pointer in the high bits is not supported yet */
    int rc = check_l1e(v->domain, val);
    if (rc)
        return rc;
    uint64_t *l1e = find_l1e(v->domain, v->arch->guest_cr3, va);
    if (!l1e)
        return -EINVAL;
    if (val & PTE_P)
        val |= PTE_U;
    __atomic_store_n(l1e, val, __ATOMIC_SEQ_CST);

    switch (flags & UVMF_FLUSHTYPE_MASK) {
    case UVMF_INVLPG:
        invlpg((const void *)(uintptr_t)va);
        break;
    case UVMF_TLB_FLUSH:
        write_cr3(read_cr3());
        break;
    }
    return 0;
}
