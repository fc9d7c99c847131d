/*
 * The PV MMU, as far as it goes yet: update_va_mapping and mmu_update
 * (L1 entries checked and counted, higher levels relinking the builder's
 * tables), mmuext_op's base pointers and flushes, MMU_MACHPHYS_UPDATE.
 * Guest page tables are the ones the builder made (no pinning yet): a
 * guest may map only frames it owns (or the m2p table read-only), never one
 * of its page tables writable, and its kernel mappings are always user
 * mappings (the guest kernel runs in ring 3). The counting rules are in
 * asm/pv_mm.h.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/m2p.h>
#include <asm/paging.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <asm/pv_mm.h>
#include <asm/setup.h>
#include <asm/tlb_flush.h>
#include <pvabi/xen.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>
#include <tessera/page_alloc.h>

/*
 * Bits a guest may not set in a leaf entry: large pages, and our grant
 * marker. The global bit is cleared rather than refused: guest
 * translations must not outlive a CR3 reload (asm/tlb_flush.h).
 */
#define PTE_GUEST_FORBIDDEN (PTE_PS | PTE_GRANT_MAPPING)

struct page_info *pv_frame_info(uint64_t mfn)
{
    if (mfn < frame_allocator.first_mfn || mfn - frame_allocator.first_mfn >= frame_allocator.nr_frames)
        return NULL;
    return &frame_allocator.meta[mfn - frame_allocator.first_mfn];
}

unsigned pv_pt_level(const struct page_info *pi)
{
    return (pi->flags & PGF_PAGETABLE) ? ((pi->flags & PGF_PT_LEVEL) >> PGF_PT_LEVEL_SHIFT) + 1 : 0;
}

void pv_mm_lock(struct domain *d)
{
    spin_lock(&d->arch->mm_lock);
}

void pv_mm_unlock(struct domain *d)
{
    spin_unlock(&d->arch->mm_lock);
}

void pv_frame_count(uint64_t mfn, int delta)
{
    struct page_info *pi = pv_frame_info(mfn);
    if (pi)
        __atomic_fetch_add(&pi->map_count, (uint32_t)delta, __ATOMIC_ACQ_REL);
}

int pv_frame_hold(struct domain *d, uint64_t mfn)
{
    int rc = -EINVAL;

    pv_mm_lock(d);
    if (pv_frame_is_own_data(d, mfn)) {
        pv_frame_count(mfn, +1);
        rc = 0;
    }
    pv_mm_unlock(d);
    return rc;
}

void pv_mark_pagetable(uint64_t mfn, unsigned level)
{
    struct page_info *pi = pv_frame_info(mfn);
    if (!pi)
        return;
    pi->flags &= (uint8_t)~(PGF_PAGETABLE | PGF_PT_LEVEL);
    if (level >= 1 && level <= 4)
        pi->flags |= (uint8_t)(PGF_PAGETABLE | ((level - 1) << PGF_PT_LEVEL_SHIFT));
}

bool pv_frame_is_own_l4(const struct domain *d, uint64_t mfn)
{
    struct page_info *pi = pv_frame_info(mfn);
    return pi && pi->owner == d->domain_id && pv_pt_level(pi) == 4;
}

bool pv_frame_is_own_data(const struct domain *d, uint64_t mfn)
{
    struct page_info *pi = pv_frame_info(mfn);
    return pi && pi->owner == d->domain_id && !(pi->flags & (PGF_PAGETABLE | PGF_FREE));
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
    /* The m2p table is readable by every guest, writable by none. */
    uint64_t m2p_first, m2p_n;
    m2p_frames(&m2p_first, &m2p_n);
    if (mfn >= m2p_first && mfn < m2p_first + m2p_n)
        return (pte & PTE_W) ? -EBUSY : 0;
    struct page_info *pi = pv_frame_info(mfn);
    if (!pi || pi->owner != d->domain_id || (pi->flags & PGF_FREE))
        return -EPERM;
    if ((pte & PTE_W) && (pi->flags & PGF_PAGETABLE))
        return -EBUSY;
    return 0;
}

/* What the hardware gets for a guest leaf entry that passed check_l1e. */
static uint64_t guest_l1e(uint64_t pte)
{
    return (pte & PTE_P) ? (pte | PTE_U) & ~(uint64_t)PTE_G : pte;
}

uint64_t *pv_find_l1e(const struct domain *d, uint64_t cr3, uint64_t va)
{
    uint64_t table = cr3 & PTE_MFN_MASK;
    for (int level = 4; level > 1; level--) {
        uint64_t *t = phys_to_virt(table);
        uint64_t e = t[(va >> (12 + 9 * (level - 1))) & 511];
        if (!(e & PTE_P) || (e & PTE_PS))
            return NULL;
        table = e & PTE_MFN_MASK;
        struct page_info *pi = pv_frame_info(table >> PAGE_SHIFT);
        if (!pi || pi->owner != d->domain_id || pv_pt_level(pi) != (unsigned)level - 1)
            return NULL;
    }
    return (uint64_t *)phys_to_virt(table) + ((va >> 12) & 511);
}

int pv_l1e_replace(struct domain *d, uint64_t *entry, uint64_t new, bool grant, uint64_t *old)
{
    (void)d;   /* the caller holds d's mm lock */
    uint64_t cur = __atomic_load_n(entry, __ATOMIC_RELAXED);
    if ((cur & PTE_P) && (cur & PTE_GRANT_MAPPING) && !grant)
        return -EBUSY;
    /* Count the new frame before it is reachable, release the old after. */
    if ((new & PTE_P) && !(new & PTE_GRANT_MAPPING))
        pv_frame_count((new & PTE_MFN_MASK) >> PAGE_SHIFT, +1);
    cur = __atomic_exchange_n(entry, new, __ATOMIC_SEQ_CST);
    if ((cur & PTE_P) && !(cur & PTE_GRANT_MAPPING))
        pv_frame_count((cur & PTE_MFN_MASK) >> PAGE_SHIFT, -1);
    if (old)
        *old = cur;
    return 0;
}

/* The flush a UVMF_* or mmuext flush type asks for. All-vCPU flushes reach every CPU running d. */
static void flush_for(struct vcpu *v, uint64_t flags, uint64_t va)
{
    bool all = flags & UVMF_ALL;

    switch (flags & UVMF_FLUSHTYPE_MASK) {
    case UVMF_INVLPG:
        if (all)
            flush_tlb_domain(v->domain);
        else
            invlpg((const void *)(uintptr_t)va);
        break;
    case UVMF_TLB_FLUSH:
        if (all)
            flush_tlb_domain(v->domain);
        else
            write_cr3(read_cr3());
        break;
    }
}

long hc_update_va_mapping(struct vcpu *v, const uint64_t a[5])
{
    uint64_t va = a[0], val = a[1], flags = a[2];
    struct domain *d = v->domain;
    bool canonical = va < 0x0000800000000000ull || va >= 0xFFFF800000000000ull;

    if (!canonical || (va >= HYPERVISOR_VIRT_START && va < HYPERVISOR_VIRT_END))
        return -EINVAL;
    if ((flags & ~(UVMF_FLUSHTYPE_MASK | UVMF_ALL)) != 0)
        return -EINVAL;   /* a vCPU mask pointer in the high bits is not supported yet */
    pv_mm_lock(d);
    int rc = check_l1e(d, val);
    uint64_t *l1e = rc ? NULL : pv_find_l1e(d, v->arch->guest_cr3, va);
    if (!rc && !l1e)
        rc = -EINVAL;
    if (!rc)
        rc = pv_l1e_replace(d, l1e, guest_l1e(val), false, NULL);
    pv_mm_unlock(d);
    if (!rc)
        flush_for(v, flags, va);
    return rc;
}

static long mmuext_one(struct vcpu *v, const struct mmuext_op *op)
{
    struct arch_vcpu *a = v->arch;

    switch (op->cmd) {
    case MMUEXT_NEW_BASEPTR:
        if (!pv_frame_is_own_l4(v->domain, op->arg1.mfn))
            return -EINVAL;
        a->guest_cr3 = op->arg1.mfn << PAGE_SHIFT;
        if (a->kernel_mode)
            write_cr3(a->guest_cr3);
        return 0;
    case MMUEXT_NEW_USER_BASEPTR:
        if (op->arg1.mfn == 0) {
            a->user_cr3 = 0;
            return 0;
        }
        if (!pv_frame_is_own_l4(v->domain, op->arg1.mfn))
            return -EINVAL;
        a->user_cr3 = op->arg1.mfn << PAGE_SHIFT;
        return 0;
    case MMUEXT_TLB_FLUSH_LOCAL:
        write_cr3(read_cr3());
        return 0;
    case MMUEXT_TLB_FLUSH_ALL:
        flush_tlb_domain(v->domain);
        return 0;
    case MMUEXT_INVLPG_LOCAL:
    case MMUEXT_INVLPG_ALL:
        if (op->arg1.linear_addr >= HYPERVISOR_VIRT_START &&
            op->arg1.linear_addr < HYPERVISOR_VIRT_END)
            return -EINVAL;
        if (op->cmd == MMUEXT_INVLPG_ALL)
            flush_tlb_domain(v->domain);
        else
            invlpg((const void *)(uintptr_t)op->arg1.linear_addr);
        return 0;
    default:
        return -ENOSYS;   /* pinning, LDT, page copy: with the full PV MMU */
    }
}

/* mmuext_op(ops, count, done, domid): stops at the first failure. */
long hc_mmuext_op(struct vcpu *v, const uint64_t a[5])
{
    uint64_t ops = a[0], count = a[1], done_ptr = a[2];
    unsigned domid = (unsigned)a[3];
    unsigned done = 0;
    long rc = 0;

    if (domid != DOMID_SELF && domid != v->domain->domain_id)
        return -ESRCH;   /* foreign MMU operations: not for now */
    if (count > 4096)
        return -EINVAL;
    for (; done < count; done++) {
        struct mmuext_op op;
        if (copy_from_guest(&op, ops + done * sizeof(op), sizeof(op)) < 0) {
            rc = -EFAULT;
            break;
        }
        if ((rc = mmuext_one(v, &op)) < 0)
            break;
    }
    if (done_ptr && copy_to_guest(done_ptr, &done, sizeof(done)) < 0 && rc == 0)
        rc = -EFAULT;
    return rc;
}

/*
 * One MMU_NORMAL_PT_UPDATE, under d's mm lock. The checks: the entry lies
 * in one of the domain's tables; an L1 entry maps what update_va_mapping
 * would allow; a higher entry links one of the domain's tables of the level
 * below; the hypervisor's L4 slots are never touched.
 */
static long pt_update(struct domain *d, uint64_t ptr, uint64_t val, bool preserve_ad)
{
    uint64_t table_mfn = ptr >> PAGE_SHIFT;
    unsigned index = (unsigned)((ptr & (PAGE_SIZE - 1)) >> 3);
    struct page_info *pi = pv_frame_info(table_mfn);

    if ((ptr & 7) || !pi || pi->owner != d->domain_id)
        return -EINVAL;
    unsigned level = pv_pt_level(pi);
    if (level == 0)
        return -EINVAL;
    if (level == 4 && index >= 256 && index <= 271)
        return -EPERM;
    uint64_t *entry = (uint64_t *)phys_to_virt(table_mfn << PAGE_SHIFT) + index;
    if (preserve_ad)
        val |= __atomic_load_n(entry, __ATOMIC_RELAXED) & (PTE_A | PTE_D);
    if (level == 1) {
        long rc = check_l1e(d, val);
        return rc ? rc : pv_l1e_replace(d, entry, guest_l1e(val), false, NULL);
    }
    if (val & PTE_P) {
        struct page_info *next = pv_frame_info((val & PTE_MFN_MASK) >> PAGE_SHIFT);
        if ((val & PTE_PS) || !next || next->owner != d->domain_id || pv_pt_level(next) != level - 1)
            return -EINVAL;
        val |= PTE_U;
    }
    __atomic_store_n(entry, val, __ATOMIC_SEQ_CST);
    return 0;
}

/* mmu_update(reqs, count, done, domid): stops at the first failure. */
long hc_mmu_update(struct vcpu *v, const uint64_t a[5])
{
    uint64_t reqs = a[0], count = a[1], done_ptr = a[2];
    unsigned domid = (unsigned)a[3];
    struct domain *d = v->domain;
    unsigned done = 0;
    long rc = 0;
    bool flush = false;

    if (domid != DOMID_SELF && domid != d->domain_id)
        return -ESRCH;
    if (count > 4096)
        return -EINVAL;
    for (; done < count; done++) {
        struct mmu_update u;
        if (copy_from_guest(&u, reqs + done * sizeof(u), sizeof(u)) < 0) {
            rc = -EFAULT;
            break;
        }
        unsigned cmd = u.ptr & 3;
        uint64_t ptr = u.ptr & ~3ull;
        if (cmd == MMU_MACHPHYS_UPDATE) {
            struct page_info *pi = pv_frame_info(ptr >> PAGE_SHIFT);
            if (!pi || pi->owner != d->domain_id) {
                rc = -EPERM;
                break;
            }
            m2p_set(ptr >> PAGE_SHIFT, u.val);
        } else if (cmd == MMU_NORMAL_PT_UPDATE || cmd == MMU_PT_UPDATE_PRESERVE_AD) {
            pv_mm_lock(d);
            rc = pt_update(d, ptr, u.val, cmd == MMU_PT_UPDATE_PRESERVE_AD);
            pv_mm_unlock(d);
            if (rc < 0)
                break;
            flush = true;
        } else {
            rc = -ENOSYS;
            break;
        }
    }
    /* Xen leaves flushing to the guest; a stale entry of ours would only
     * ever reach a frame still counted, so the local flush is a courtesy. */
    if (flush)
        write_cr3(read_cr3());
    if (done_ptr && copy_to_guest(done_ptr, &done, sizeof(done)) < 0 && rc == 0)
        rc = -EFAULT;
    return rc;
}
