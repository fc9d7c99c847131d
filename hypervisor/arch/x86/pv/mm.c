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
#include <asm/m2p.h>
#include <asm/pv_hypercalls.h>
#include <asm/setup.h>
#include <pvabi/xen.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>
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

void pv_mark_pagetable(uint64_t mfn, unsigned level)
{
    struct page_info *pi = frame_info(mfn);
    if (!pi)
        return;
    pi->flags &= (uint8_t)~(PGF_PAGETABLE | PGF_PT_LEVEL);
    if (level >= 1 && level <= 4)
        pi->flags |= (uint8_t)(PGF_PAGETABLE | ((level - 1) << PGF_PT_LEVEL_SHIFT));
}

bool pv_frame_is_own_l4(const struct domain *d, uint64_t mfn)
{
    struct page_info *pi = frame_info(mfn);
    return pi && pi->owner == d->domain_id && (pi->flags & PGF_PAGETABLE) &&
           ((pi->flags & PGF_PT_LEVEL) >> PGF_PT_LEVEL_SHIFT) == 3;
}

bool pv_frame_is_own_data(const struct domain *d, uint64_t mfn)
{
    struct page_info *pi = frame_info(mfn);
    return pi && pi->owner == d->domain_id && !(pi->flags & PGF_PAGETABLE);
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
    case MMUEXT_TLB_FLUSH_ALL:      /* one vCPU per CPU: the others flush on entry */
        write_cr3(read_cr3());
        return 0;
    case MMUEXT_INVLPG_LOCAL:
    case MMUEXT_INVLPG_ALL:
        if (op->arg1.linear_addr >= HYPERVISOR_VIRT_START &&
            op->arg1.linear_addr < HYPERVISOR_VIRT_END)
            return -EINVAL;
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

static unsigned pt_level(const struct page_info *pi)
{
    return (pi->flags & PGF_PAGETABLE) ? ((pi->flags & PGF_PT_LEVEL) >> PGF_PT_LEVEL_SHIFT) + 1 : 0;
}

/*
 * One MMU_NORMAL_PT_UPDATE. Page tables are only the ones the builder made
 * (there is no pinning yet), so the checks are: the entry lies in one of
 * the domain's tables; an L1 entry maps what update_va_mapping would allow;
 * a higher entry links one of the domain's tables of the level below; the
 * hypervisor's L4 slots are never touched.
 */
static long pt_update(struct vcpu *v, uint64_t ptr, uint64_t val, bool preserve_ad)
{
    struct domain *d = v->domain;
    uint64_t table_mfn = ptr >> PAGE_SHIFT;
    unsigned index = (unsigned)((ptr & (PAGE_SIZE - 1)) >> 3);
    struct page_info *pi = frame_info(table_mfn);

    if ((ptr & 7) || !pi || pi->owner != d->domain_id)
        return -EINVAL;
    unsigned level = pt_level(pi);
    if (level == 0)
        return -EINVAL;
    if (level == 4 && index >= 256 && index <= 271)
        return -EPERM;
    if (level == 1) {
        long rc = check_l1e(d, val);
        if (rc)
            return rc;
    } else if (val & PTE_P) {
        struct page_info *next = frame_info((val & PTE_MFN_MASK) >> PAGE_SHIFT);
        if ((val & PTE_PS) || !next || next->owner != d->domain_id || pt_level(next) != level - 1)
            return -EINVAL;
    }
    uint64_t *entry = (uint64_t *)phys_to_virt(table_mfn << PAGE_SHIFT) + index;
    if (val & PTE_P)
        val |= PTE_U;
    if (preserve_ad)
        val |= __atomic_load_n(entry, __ATOMIC_RELAXED) & (PTE_A | PTE_D);
    __atomic_store_n(entry, val, __ATOMIC_SEQ_CST);
    return 0;
}

/* mmu_update(reqs, count, done, domid): stops at the first failure. */
long hc_mmu_update(struct vcpu *v, const uint64_t a[5])
{
    uint64_t reqs = a[0], count = a[1], done_ptr = a[2];
    unsigned domid = (unsigned)a[3];
    unsigned done = 0;
    long rc = 0;
    bool flush = false;

    if (domid != DOMID_SELF && domid != v->domain->domain_id)
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
            struct page_info *pi = frame_info(ptr >> PAGE_SHIFT);
            if (!pi || pi->owner != v->domain->domain_id) {
                rc = -EPERM;
                break;
            }
            m2p_set(ptr >> PAGE_SHIFT, u.val);
        } else if (cmd == MMU_NORMAL_PT_UPDATE || cmd == MMU_PT_UPDATE_PRESERVE_AD) {
            if ((rc = pt_update(v, ptr, u.val, cmd == MMU_PT_UPDATE_PRESERVE_AD)) < 0)
                break;
            flush = true;
        } else {
            rc = -ENOSYS;
            break;
        }
    }
    if (flush)
        write_cr3(read_cr3());
    if (done_ptr && copy_to_guest(done_ptr, &done, sizeof(done)) < 0 && rc == 0)
        rc = -EFAULT;
    return rc;
}
