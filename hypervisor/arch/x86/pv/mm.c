/*
 * The PV MMU hypercalls: update_va_mapping, mmu_update (page-table entries
 * of any level, MMU_MACHPHYS_UPDATE), mmuext_op (pinning, base pointers,
 * flushes). The checks and references behind them are page types
 * (pv/page_type.c, rules in asm/pv_mm.h): a guest maps only frames it
 * owns (the m2p table read-only), never a page table writable, builds
 * tables only from its own frames, and its kernel mappings are always user
 * mappings (the guest kernel runs in ring 3). The control domain may also
 * map another domain's frames into its own L1 tables and pin that
 * domain's tables (a foreigndom: pv/foreign.c).
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
#include <tessera/arch.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>
#include <tessera/page_alloc.h>

/*
 * Which vCPUs an update_va_mapping flush is for: UVMF_LOCAL, UVMF_ALL, or
 * (UVMF_MULTI) a pointer to a vCPU bitmap in the bits above the flush
 * type. A bitmap is read to check it, then served like UVMF_ALL: every
 * CPU running the domain flushes, which covers any subset. 0 or -EFAULT.
 */
static long flush_scope(uint64_t flags, bool *all)
{
    uint64_t scope = flags & ~UVMF_FLUSHTYPE_MASK;
    uint64_t mask;

    *all = scope != UVMF_LOCAL;
    if (scope == UVMF_LOCAL || scope == UVMF_ALL)
        return 0;
    return copy_from_guest(&mask, scope, sizeof(mask)) < 0 ? -EFAULT : 0;
}

/* The flush a UVMF_* flush type asks for. All-vCPU flushes reach every CPU running d. */
static void flush_for(struct vcpu *v, uint64_t flags, bool all, uint64_t va)
{
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

long hc_update_va_mapping(struct vcpu *v, uint64_t va, uint64_t val, uint64_t flags)
{
    struct domain *d = v->domain;
    int rc = -EINVAL;
    bool all;

    if (!pv_guest_addr_ok(va))
        return -EINVAL;
    if (flush_scope(flags, &all) < 0)
        return -EFAULT;
    pv_mm_lock_all(d);
    uint64_t *l1e = pv_find_l1e(d, v->arch->guest_cr3, va);
    if (l1e)
        rc = pv_entry_replace(d, 1, l1e, val);
    pv_mm_unlock_all(d);
    if (!rc)
        flush_for(v, flags, all, va);
    return rc;
}

/*
 * DOMID_XEN as a foreigndom: the hypervisor's frames the control domain
 * may read, the m2p table (save/restore maps it so), and nothing else.
 * Only its id is ever looked at.
 */
static struct domain xen_pg_owner = { .domain_id = DOMID_XEN };

/* MMUEXT_PIN_*: a pin is one more use of the frame as a table of that level. */
int pv_pin_table(struct domain *d, uint64_t mfn, enum pv_page_type type)
{
    struct page_info *pi = pv_frame_info(mfn);
    int rc;

    pv_mm_lock_all(d);
    if (!pi || pi->owner != d->domain_id)
        rc = -EINVAL;
    else if (pi->type_info & PGT_PINNED)
        rc = -EINVAL;       /* as Xen: already pinned */
    else if ((rc = pv_get_type(d, mfn, type)) == 0)
        pi->type_info |= PGT_PINNED;
    pv_mm_unlock_all(d);
    return rc;
}

static long unpin(struct domain *d, uint64_t mfn)
{
    struct page_info *pi = pv_frame_info(mfn);
    long rc = -EINVAL;

    pv_mm_lock_all(d);
    if (pi && pi->owner == d->domain_id && (pi->type_info & PGT_PINNED)) {
        pi->type_info &= ~PGT_PINNED;
        pv_put_type(d, mfn);
        rc = 0;
    }
    pv_mm_unlock_all(d);
    return rc;
}

/*
 * One operation; pg_owner is the domain whose tables pins and unpins are
 * for (the builder pins a new domain's L4 so). Every other operation is
 * about the caller's own address space: -EPERM with a foreign pg_owner, as Xen.
 */
static long mmuext_one(struct vcpu *v, struct domain *pg_owner, const struct mmuext_op *op)
{
    if (pg_owner == &xen_pg_owner && op->cmd <= MMUEXT_UNPIN_TABLE)
        return -EINVAL;     /* the hypervisor's frames are no guest's tables */
    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
    case MMUEXT_PIN_L4_TABLE:
        return pv_pin_table(pg_owner, op->arg1.mfn, (enum pv_page_type)(op->cmd - MMUEXT_PIN_L1_TABLE + 1));
    case MMUEXT_UNPIN_TABLE:
        return unpin(pg_owner, op->arg1.mfn);
    }
    if (pg_owner != v->domain)
        return op->cmd == MMUEXT_CLEAR_PAGE || op->cmd == MMUEXT_COPY_PAGE || op->cmd == 14 ||
               op->cmd > MMUEXT_FLUSH_CACHE_GLOBAL ? -ENOSYS : -EPERM;
    switch (op->cmd) {
    case MMUEXT_NEW_BASEPTR:
        return op->arg1.mfn ? pv_set_base(v, op->arg1.mfn, false) : -EINVAL;
    case MMUEXT_NEW_USER_BASEPTR:
        return pv_set_base(v, op->arg1.mfn, true);   /* 0: no user tables */
    case MMUEXT_TLB_FLUSH_LOCAL:
        write_cr3(read_cr3());
        return 0;
    case MMUEXT_TLB_FLUSH_ALL:
        flush_tlb_domain(v->domain);
        return 0;
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_INVLPG_MULTI: {
        /* The vCPU bitmap is checked (unreadable: -EINVAL, as Xen), then every CPU running the domain flushes. */
        uint64_t mask;
        if (copy_from_guest(&mask, (uint64_t)(uintptr_t)op->arg2.vcpumask.p, sizeof(mask)) < 0)
            return -EINVAL;
        flush_tlb_domain(v->domain);
        return 0;
    }
    case MMUEXT_SET_LDT:
        /* No LDT is what every guest starts with and Linux asks for by default. */
        if (op->arg1.linear_addr & (PAGE_SIZE - 1) || op->arg2.nr_ents > 8192)
            return -EINVAL;
        return op->arg2.nr_ents == 0 ? 0 : -ENOSYS;
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
        return -ENOSYS;   /* LDT, page copy and clear, foreign pins: not yet */
    }
}

/*
 * A batch continued after a preemption (tessera/arch.h) carries
 * MMU_UPDATE_PREEMPTED in its count, and the number done before it in
 * *done_ptr: the count and done so far it starts from.
 */
static unsigned batch_resume(unsigned *count, uint64_t done_ptr)
{
    unsigned done = 0;

    if (*count & MMU_UPDATE_PREEMPTED) {
        *count &= ~MMU_UPDATE_PREEMPTED;
        if (done_ptr)
            (void)copy_from_guest(&done, done_ptr, sizeof(done));   /* as Xen: unreadable is 0 */
    }
    return done;
}

/* The rest of an mmu_update/mmuext_op batch from item i, issued again later. */
static long batch_continue(unsigned op, uint64_t items, unsigned i, size_t size, unsigned count,
                           uint64_t done_ptr, unsigned domid)
{
    uint64_t rest[4] = { items + (uint64_t)i * size, (count - i) | MMU_UPDATE_PREEMPTED, done_ptr,
                         domid };
    return arch_hypercall_create_continuation(op, 4, rest);
}

/*
 * The domain a foreigndom names (Xen's get_pg_owner), held: DOMID_SELF is
 * the caller, DOMID_XEN the hypervisor; its own id, DOMID_IO (not offered)
 * and a domain that does not exist: -ESRCH. A dying one is found, as Xen
 * finds it, and its frames refused (-EBUSY, pv/foreign.c). Privilege is
 * checked by the callers, where Xen checks it.
 */
static long pg_owner_get(struct vcpu *v, unsigned domid, struct domain **out)
{
    if (domid == DOMID_SELF) {
        *out = v->domain;
        return 0;
    }
    if (domid == DOMID_XEN) {
        *out = &xen_pg_owner;
        return 0;
    }
    if (domid == v->domain->domain_id || domid >= DOMID_FIRST_RESERVED)
        return -ESRCH;
    *out = domain_get_any((domid_t)domid);
    return *out ? 0 : -ESRCH;
}

static void pg_owner_put(struct vcpu *v, struct domain *pg_owner)
{
    if (pg_owner != v->domain && pg_owner != &xen_pg_owner)
        domain_put(pg_owner);
}

/* Xen's XSM_TARGET with the dummy policy: one's own domain, or any for the control domain. */
static bool may_target(const struct vcpu *v, const struct domain *pg_owner)
{
    return pg_owner == v->domain || v->domain->is_privileged;
}

/* mmuext_op(ops, count, done, domid): stops at the first failure. */
long hc_mmuext_op(struct vcpu *v, uint64_t ops, unsigned int count, uint64_t done_ptr,
                  unsigned int domid)
{
    unsigned done = batch_resume(&count, done_ptr), i;
    struct domain *pg_owner;
    long rc = pg_owner_get(v, domid, &pg_owner);

    if (rc)
        return rc;
    if (!may_target(v, pg_owner)) {
        pg_owner_put(v, pg_owner);
        return -EPERM;
    }
    for (i = 0; i < count; i++) {
        struct mmuext_op op;
        if (i && arch_hypercall_preempt_check()) {
            rc = batch_continue(__HYPERVISOR_mmuext_op, ops, i, sizeof(op), count, done_ptr, domid);
            break;
        }
        if (copy_from_guest(&op, ops + (uint64_t)i * sizeof(op), sizeof(op)) < 0) {
            rc = -EFAULT;
            break;
        }
        if ((rc = mmuext_one(v, pg_owner, &op)) < 0)
            break;
    }
    pg_owner_put(v, pg_owner);
    done += i;
    if (done_ptr && copy_to_guest(done_ptr, &done, sizeof(done)) < 0 && rc == 0)
        rc = -EFAULT;
    return rc;
}

/*
 * One MMU_NORMAL_PT_UPDATE, under d's locks. An entry of a validated table
 * is checked and referenced as its level needs (pv_entry_replace); the
 * hypervisor's L4 slots are never touched. Any other frame of d's is
 * written as plain memory, as Xen does, if it may be writable.
 */
static long pt_update(struct domain *d, struct domain *pg_owner, uint64_t ptr, uint64_t val,
                      bool preserve_ad)
{
    uint64_t table_mfn = ptr >> PAGE_SHIFT;
    unsigned index = (unsigned)((ptr & (PAGE_SIZE - 1)) >> 3);
    struct page_info *pi = pv_frame_info(table_mfn);

    if ((ptr & 7) || !pi || pi->owner != d->domain_id || (pi->flags & PGF_FREE))
        return -EINVAL;
    uint64_t *entry = (uint64_t *)phys_to_virt(table_mfn << PAGE_SHIFT) + index;
    unsigned level = pv_pt_level(pi);
    if (level == 0) {
        long rc = pv_get_type(d, table_mfn, PGT_WRITABLE);
        if (rc)
            return rc;
        __atomic_store_n(entry, val, __ATOMIC_SEQ_CST);
        pv_put_type(d, table_mfn);
        return 0;
    }
    if (level == 4 && index >= 256 && index <= 271)
        return -EINVAL;     /* the hypervisor's slots, as Xen answers */
    if (pg_owner != d && level != 1)
        return -EINVAL;     /* as Xen: only leaves may name another domain's frames */
    if (preserve_ad)
        val |= __atomic_load_n(entry, __ATOMIC_RELAXED) & (PTE_A | PTE_D);
    if (pg_owner == &xen_pg_owner)
        return pv_entry_replace_xen(d, entry, val);
    if (pg_owner != d)
        return pv_entry_replace_foreign(d, pg_owner, entry, val);
    return pv_entry_replace(d, level, entry, val);
}

/*
 * mmu_update(reqs, count, done, domid): stops at the first failure. With a
 * foreign domid (the control domain only: -EPERM at the first request
 * otherwise, as Xen checks it there) new L1 entries name that domain's
 * frames and MMU_MACHPHYS_UPDATE is for its frames; the tables written are
 * always the caller's.
 */
long hc_mmu_update(struct vcpu *v, uint64_t reqs, unsigned int count, uint64_t done_ptr,
                   unsigned int domid)
{
    struct domain *d = v->domain, *pg_owner;
    unsigned done = batch_resume(&count, done_ptr), i;
    long rc = pg_owner_get(v, domid & 0xFFFF, &pg_owner);
    bool flush = false;

    if (rc)
        return rc;
    if (domid >> 16) {
        pg_owner_put(v, pg_owner);
        return -ESRCH;  /* page tables of another domain (Xen's PFD): not offered */
    }
    for (i = 0; i < count; i++) {
        struct mmu_update u;
        if (i && arch_hypercall_preempt_check()) {
            rc = batch_continue(__HYPERVISOR_mmu_update, reqs, i, sizeof(u), count, done_ptr, domid);
            break;
        }
        if (copy_from_guest(&u, reqs + (uint64_t)i * sizeof(u), sizeof(u)) < 0) {
            rc = -EFAULT;
            break;
        }
        unsigned cmd = u.ptr & 3;
        uint64_t ptr = u.ptr & ~3ull;
        /* Every cmd of the two bits is known; NO_TRANSLATE is NORMAL for a PV pg_owner (as Xen). */
        if (!may_target(v, pg_owner)) {
            rc = -EPERM;
            break;
        }
        if (cmd == MMU_MACHPHYS_UPDATE) {
            /* As Xen: a frame pg_owner does not own is -EINVAL (and the hypervisor's are none of ours). */
            struct page_info *pi = pv_frame_info(ptr >> PAGE_SHIFT);
            if (!pi || pi->owner != pg_owner->domain_id || (pi->flags & PGF_FREE) ||
                pg_owner == &xen_pg_owner) {
                rc = -EINVAL;
                break;
            }
            m2p_set(ptr >> PAGE_SHIFT, u.val);
        } else {
            pv_mm_lock_all(d);
            rc = pt_update(d, pg_owner, ptr, u.val, cmd == MMU_PT_UPDATE_PRESERVE_AD);
            pv_mm_unlock_all(d);
            if (rc < 0)
                break;
            flush = true;
        }
    }
    /* Xen leaves flushing to the guest; a stale entry of ours would only
     * ever reach a frame still counted, so the local flush is a courtesy. */
    if (flush)
        write_cr3(read_cr3());
    pg_owner_put(v, pg_owner);
    done += i;
    if (done_ptr && copy_to_guest(done_ptr, &done, sizeof(done)) < 0 && rc == 0)
        rc = -EFAULT;
    return rc;
}
