/*
 * PV page types and the references page-table entries hold (the rules are
 * in asm/pv_mm.h). A table is validated when it first gets its type: each
 * present entry must take its references (an L1 entry its frame, and the
 * writable type for a writable mapping; a higher entry the type of the
 * table below, validating that one in turn), or the whole table is
 * refused and every reference it took is dropped again. Levels strictly
 * decrease on the way down, so validation recurses at most four deep and
 * cannot loop.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/io_apic.h>
#include <asm/m2p.h>
#include <asm/paging.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <asm/setup.h>
#include <asm/tlb_flush.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/bootinfo.h>
#include <tessera/grant_table.h>
#include <tessera/memmap.h>
#include <tessera/msix.h>

/* Bits a guest leaf may not carry: a large page and our grant marker. */
#define L1_FORBIDDEN (PTE_PS | PTE_GRANT_MAPPING)
/* A higher-level entry may not be a large page either. */
#define LN_FORBIDDEN (PTE_PS | PTE_GRANT_MAPPING)
#define LEGACY_FIRST_MFN 0xA0    /* VGA memory at 640 KiB ... */
#define LEGACY_END_MFN   0x100   /* ... to the BIOS's end at 1 MiB */
#define IOAPIC_FIRST_MFN 0xFEC00 /* where chipsets put I/O APICs (0xFEC00000, 1 MiB) */
#define IOAPIC_LAST_MFN  0xFECFF
#define HV_L4_FIRST  256
#define HV_L4_LAST   271

struct page_info *pv_frame_info(uint64_t mfn)
{
    if (mfn < frame_allocator.first_mfn || mfn - frame_allocator.first_mfn >= frame_allocator.nr_frames)
        return NULL;
    return &frame_allocator.meta[mfn - frame_allocator.first_mfn];
}

static unsigned type_of(uint32_t ti)
{
    return ti >> PGT_TYPE_SHIFT;
}

unsigned pv_type_count(const struct page_info *pi)
{
    return pi->type_info & PGT_COUNT_MASK;
}

unsigned pv_pt_level(const struct page_info *pi)
{
    return (pi->flags & PGF_PAGETABLE) ? ((pi->flags & PGF_PT_LEVEL) >> PGF_PT_LEVEL_SHIFT) + 1 : 0;
}

/* PGF_PAGETABLE mirrors "validated table" for the common code (grants refuse writing those). */
static void mark_table(struct page_info *pi, unsigned level)
{
    uint8_t flags = pi->flags & (uint8_t)~(PGF_PAGETABLE | PGF_PT_LEVEL);
    if (level)
        flags |= (uint8_t)(PGF_PAGETABLE | ((level - 1) << PGF_PT_LEVEL_SHIFT));
    __atomic_store_n(&pi->flags, flags, __ATOMIC_RELEASE);
}

void pv_mm_lock(struct domain *d)
{
    spin_lock(&d->arch->mm_lock);
}

void pv_mm_unlock(struct domain *d)
{
    spin_unlock(&d->arch->mm_lock);
}

void pv_mm_lock_all(struct domain *d)
{
    if (d->grant_table)
        grant_table_lock(d);
    pv_mm_lock(d);
}

void pv_mm_unlock_all(struct domain *d)
{
    pv_mm_unlock(d);
    if (d->grant_table)
        grant_table_unlock(d);
}

bool pv_frame_is_own_data(const struct domain *d, uint64_t mfn)
{
    struct page_info *pi = pv_frame_info(mfn);
    return pi && pi->owner == d->domain_id && !(pi->flags & (PGF_PAGETABLE | PGF_FREE));
}

static bool is_own(const struct domain *d, const struct page_info *pi)
{
    return pi && pi->owner == d->domain_id && !(pi->flags & PGF_FREE);
}

static bool hv_slot(unsigned level, unsigned index)
{
    return level == 4 && index >= HV_L4_FIRST && index <= HV_L4_LAST;
}

static int validate(struct domain *d, uint64_t mfn, unsigned level)
{
    uint64_t *t = phys_to_virt(mfn << PAGE_SHIFT);

    for (unsigned i = 0; i < 512; i++) {
        if (hv_slot(level, i) || !(t[i] & PTE_P))
            continue;
        int rc = pv_get_entry(d, level, mfn, &t[i]);
        if (rc) {
            while (i-- > 0)
                if (!hv_slot(level, i) && (t[i] & PTE_P))
                    pv_put_entry(d, level, mfn, t[i]);
            return rc;
        }
    }
    if (level == 4)
        paging_copy_hypervisor_slots(t);   /* whatever the guest left there */
    return 0;
}

/*
 * The table is no longer used as one: its entries give their references
 * back. A grant mapping left in an L1 is cleared (Xen kills the guest for
 * this; the grant's counts stay until it is unmapped or the mapper dies,
 * so the granted frame stays safe).
 */
static void devalidate(struct domain *d, uint64_t mfn, unsigned level)
{
    uint64_t *t = phys_to_virt(mfn << PAGE_SHIFT);
    bool cleared_grant = false;

    for (unsigned i = 0; i < 512; i++) {
        uint64_t e = __atomic_load_n(&t[i], __ATOMIC_RELAXED);
        if (hv_slot(level, i) || !(e & PTE_P))
            continue;
        if (level == 1 && (e & PTE_GRANT_MAPPING)) {
            __atomic_store_n(&t[i], 0, __ATOMIC_RELAXED);
            cleared_grant = true;
            continue;
        }
        pv_put_entry(d, level, mfn, e);
    }
    if (cleared_grant)
        flush_tlb_domain(d);
}

/*
 * The one place that decides what a frame may be used as, and so whether
 * it may be written. The rules, which every path obeys because every path
 * comes here (L1 entries through pv_get_entry, mmu_update, update_va_mapping
 * and emulated page-table writes through pv_entry_replace, grant maps and
 * grant copies through arch_frame_get_writable, pins, base pointers,
 * set_gdt):
 *  1. A frame has one type at a time; it changes only while its count is 0.
 *  2. Writing it, by a guest mapping, a grant mapping or a grant copy in
 *     progress, is a use of type "writable".
 *  3. So a page table (L1-L4) or a descriptor page, whose contents the
 *     hardware trusts once validated, is never writable by anyone but the
 *     hypervisor, and a frame that anyone may write is never validated.
 *  4. Held frames (written by the hypervisor, mapped by the guest) and the
 *     domain's grant-table frames never become tables or descriptor pages.
 *  5. A frame given back (released) takes no new use of any type.
 */
int pv_get_type(struct domain *d, uint64_t mfn, enum pv_page_type type)
{
    struct page_info *pi = pv_frame_info(mfn);

    if (!is_own(d, pi))
        return -EINVAL;
    uint32_t ti = pi->type_info;
    bool table = type >= PGT_L1 && type <= PGT_L4;
    if (ti & PGT_RELEASED)
        return -EBUSY;
    if (ti & PGT_COUNT_MASK) {
        /* As Xen: a conflict is -EINVAL for a table type, -EBUSY for writable. */
        if (type_of(ti) != type)
            return table || type == PGT_SEG_DESC ? -EINVAL : -EBUSY;
        if ((ti & PGT_COUNT_MASK) == PGT_COUNT_MASK)
            return -EBUSY;
        pi->type_info = ti + 1;
        return 0;
    }
    bool checked = table || type == PGT_SEG_DESC;    /* contents the hardware trusts */
    if (checked && (__atomic_load_n(&pi->holds, __ATOMIC_ACQUIRE) ||
                    grant_table_has_frame(d, mfn)))
        return -EBUSY;
    /* It was something else: no CPU may keep a translation made under the old type. */
    if (type_of(ti) != PGT_NONE && type_of(ti) != type)
        flush_tlb_domain(d);
    pi->type_info = ((uint32_t)type << PGT_TYPE_SHIFT) | (ti & PGT_RELEASED) | 1;
    if (type == PGT_SEG_DESC && !pv_validate_descriptor_page(mfn)) {
        pi->type_info = ti;
        return -EINVAL;
    }
    if (!table)
        return 0;
    mark_table(pi, type);
    int rc = validate(d, mfn, type);
    if (rc) {
        mark_table(pi, 0);
        pi->type_info = ti;
    }
    return rc;
}

void pv_free_frames(uint64_t mfn, uint64_t n)
{
    for (uint64_t k = 0; k < n; k++) {
        m2p_set(mfn + k, M2P_INVALID);
        page_alloc_free(&frame_allocator, mfn + k, 0);
    }
}

/* Frees a released frame once nothing uses it (the control domain's foreign mappings included). */
static void free_if_released(struct domain *d, uint64_t mfn, struct page_info *pi)
{
    if (!(pi->type_info & PGT_RELEASED) || pv_type_count(pi) ||
        __atomic_load_n(&pi->map_count, __ATOMIC_ACQUIRE) || pi->foreign_maps ||
        grant_frame_in_use(mfn))
        return;
    flush_tlb_domain(d);
    pv_free_frames(mfn, 1);
    __atomic_sub_fetch(&d->tot_pages, 1, __ATOMIC_ACQ_REL);
}

void pv_free_if_released(struct domain *d, uint64_t mfn)
{
    struct page_info *pi = pv_frame_info(mfn);
    if (is_own(d, pi))
        free_if_released(d, mfn, pi);
}

int pv_frame_releasable(struct domain *d, uint64_t mfn)
{
    struct page_info *pi = pv_frame_info(mfn);

    if (!is_own(d, pi))
        return -EINVAL;
    if ((pi->type_info & PGT_RELEASED) || __atomic_load_n(&pi->holds, __ATOMIC_ACQUIRE) ||
        grant_frame_in_use(mfn) ||
        grant_table_has_frame(d, mfn))
        return -EBUSY;
    return 0;
}

int pv_release_frame(struct domain *d, uint64_t mfn)
{
    int rc = pv_frame_releasable(d, mfn);
    if (rc)
        return rc;
    struct page_info *pi = pv_frame_info(mfn);
    pi->type_info |= PGT_RELEASED;
    free_if_released(d, mfn, pi);
    return 0;
}

void pv_put_type(struct domain *d, uint64_t mfn)
{
    struct page_info *pi = pv_frame_info(mfn);

    if (!pi || !(pi->type_info & PGT_COUNT_MASK))
        return;
    pi->type_info--;
    unsigned type = type_of(pi->type_info);
    if (pi->type_info & PGT_COUNT_MASK)
        return;
    if (type >= PGT_L1 && type <= PGT_L4) {
        /* The type stays recorded (see pv_get_type's flush); the table is not one any more. */
        pi->type_info &= ~PGT_PINNED;
        mark_table(pi, 0);
        devalidate(d, mfn, type);
    }
    free_if_released(d, mfn, pi);
}

/*
 * A frame the control domain may map without references: not managed by
 * the frame allocator and not usable RAM (so never the hypervisor's own
 * memory), or the legacy VGA and BIOS area below 1 MiB.
 */
static bool device_frame(const struct domain *d, uint64_t mfn, const struct page_info *pi)
{
    if (!d->is_privileged || (pi && (pi->flags & PGF_MANAGED)))
        return false;
    /* The interrupt controllers stay the hypervisor's: the local APIC page, the I/O APIC's. */
    uint64_t lapic_mfn = rdmsr(MSR_APIC_BASE) >> PAGE_SHIFT & 0xFFFFFFFFFFull;
    if (mfn == lapic_mfn || (mfn >= IOAPIC_FIRST_MFN && mfn <= IOAPIC_LAST_MFN) ||
        io_apic_owns_frame(mfn))
        return false;
    if (mfn >= LEGACY_FIRST_MFN && mfn < LEGACY_END_MFN)
        return true;
    return !memmap_overlaps(boot_info.mem, boot_info.nr_mem, mfn << PAGE_SHIFT,
                            (mfn + 1) << PAGE_SHIFT, MEM_USABLE);
}

/* Whether an entry of a level-'level' table names a validated table of that same level. */
static bool names_own_level(const struct page_info *pi, unsigned level)
{
    return type_of(pi->type_info) == level && pv_type_count(pi) && (pi->flags & PGF_PAGETABLE);
}

/*
 * A linear entry (pv/linear_pt.c): read-only only; naming its own table it
 * takes nothing, naming another table of the level one more use of it.
 */
static int get_linear(struct domain *d, unsigned level, uint64_t table_mfn, uint64_t mfn,
                      uint64_t e)
{
    if (e & PTE_W)
        return -EINVAL;
    if (mfn == table_mfn)
        return 0;
    int rc = linear_pt_get(&d->arch->linear, table_mfn, mfn);
    if (rc)
        return rc;
    rc = pv_get_type(d, mfn, (enum pv_page_type)level);
    if (rc)
        linear_pt_put(&d->arch->linear, table_mfn, mfn);
    return rc;
}

int pv_get_entry(struct domain *d, unsigned level, uint64_t table_mfn, uint64_t *entry)
{
    uint64_t e = *entry;

    if (!(e & PTE_P))
        return 0;
    uint64_t mfn = (e & PTE_MFN_MASK) >> PAGE_SHIFT;
    struct page_info *pi = pv_frame_info(mfn);
    if (level > 1) {
        if (e & LN_FORBIDDEN)
            return -EINVAL;
        if (!pi)
            return -EPERM;
        if (!is_own(d, pi))
            return -EBUSY;
        int rc = mfn == table_mfn || names_own_level(pi, level)
                     ? get_linear(d, level, table_mfn, mfn, e)
                     : pv_get_type(d, mfn, (enum pv_page_type)(level - 1));
        if (rc)
            return rc;
        *entry = e | PTE_U;
        return 0;
    }
    if (e & L1_FORBIDDEN)
        return -EINVAL;
    /*
     * Only its own RAM, as Xen answers: a frame that is not RAM -EPERM,
     * someone else's (the hypervisor's m2p included: guests read it through
     * the hypervisor's slot) or one given back -EBUSY. The control domain
     * may also map what is not RAM at all: firmware, ACPI tables, devices.
     */
    if (device_frame(d, mfn, pi)) {
        *entry = (e | PTE_U) & ~(uint64_t)PTE_G;
        /* An MSI-X table or PBA in use: read-only, as Xen forces it (mmio_ro_ranges). */
        if ((e & PTE_W) && msix_frame_read_only(mfn))
            *entry &= ~(uint64_t)PTE_W;
        return 0;
    }
    if (!pi)
        return -EPERM;
    if (!is_own(d, pi) || (pi->type_info & PGT_RELEASED))
        return -EBUSY;
    if (e & PTE_W) {
        int rc = pv_get_type(d, mfn, PGT_WRITABLE);
        if (rc)
            return rc;
    }
    __atomic_fetch_add(&pi->map_count, 1, __ATOMIC_ACQ_REL);
    *entry = (e | PTE_U) & ~(uint64_t)PTE_G;
    return 0;
}

void pv_put_entry(struct domain *d, unsigned level, uint64_t table_mfn, uint64_t e)
{
    if (!(e & PTE_P))
        return;
    uint64_t mfn = (e & PTE_MFN_MASK) >> PAGE_SHIFT;
    struct page_info *pi = pv_frame_info(mfn);
    if (level > 1) {
        if (mfn == table_mfn)
            return;             /* a self-map took nothing */
        /* A table's type cannot change while referenced: it tells how the entry took it. */
        if (pi && names_own_level(pi, level))
            linear_pt_put(&d->arch->linear, table_mfn, mfn);
        pv_put_type(d, mfn);
        return;
    }
    if (e & PTE_GRANT_MAPPING)
        return;     /* the grant code's */
    if (!pi)
        return;
    if (pi->owner != d->domain_id) {
        pv_foreign_put(d, mfn, e & PTE_W);   /* nothing if not a counted foreign mapping */
        return;
    }
    __atomic_fetch_sub(&pi->map_count, 1, __ATOMIC_ACQ_REL);
    if (e & PTE_W)
        pv_put_type(d, mfn);
    else
        free_if_released(d, mfn, pi);
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

/*
 * Whether new only changes bits of foreign mapping cur that take no
 * references (accessed, dirty, NX, the software bits), as Xen's fast path
 * lets a guest rewrite an entry it could not make anew.
 */
static bool same_foreign_mapping(const struct domain *d, uint64_t cur, uint64_t new)
{
    const uint64_t free_bits = PTE_A | PTE_D | PTE_FLAG_NX | PTE_U | PTE_G | (7ull << 9);
    uint64_t mfn = (cur & PTE_MFN_MASK) >> PAGE_SHIFT;
    struct page_info *pi = pv_frame_info(mfn);

    return (cur & PTE_P) && (new & PTE_P) && !(new & L1_FORBIDDEN) && pi &&
           pi->owner != d->domain_id && pi->foreign_maps && ((cur ^ new) & ~free_bits) == 0;
}

int pv_entry_replace(struct domain *d, unsigned level, uint64_t *entry, uint64_t new)
{
    uint64_t cur = __atomic_load_n(entry, __ATOMIC_RELAXED);

    /* Only unmap_grant_ref removes a grant mapping (pv_grant_entry_set). */
    if (level == 1 && (cur & PTE_P) && (cur & PTE_GRANT_MAPPING))
        return -EBUSY;
    if (level == 1 && same_foreign_mapping(d, cur, new)) {
        __atomic_store_n(entry, (new | PTE_U) & ~(uint64_t)PTE_G, __ATOMIC_SEQ_CST);
        return 0;
    }
    uint64_t table_mfn = virt_to_phys(entry) >> PAGE_SHIFT;
    int rc = pv_get_entry(d, level, table_mfn, &new);     /* refuses the grant marker itself */
    if (rc)
        return rc;
    cur = __atomic_exchange_n(entry, new, __ATOMIC_SEQ_CST);
    pv_put_entry(d, level, table_mfn, cur);
    return 0;
}

int pv_entry_replace_foreign(struct domain *d, struct domain *fd, uint64_t *entry, uint64_t new)
{
    uint64_t cur = __atomic_load_n(entry, __ATOMIC_RELAXED);

    if ((cur & PTE_P) && (cur & PTE_GRANT_MAPPING))
        return -EBUSY;
    if (new & PTE_P) {
        if (new & L1_FORBIDDEN)
            return -EINVAL;
        int rc = pv_foreign_get(fd, (new & PTE_MFN_MASK) >> PAGE_SHIFT, new & PTE_W);
        if (rc)
            return rc;
        new = (new | PTE_U) & ~(uint64_t)PTE_G;
    }
    cur = __atomic_exchange_n(entry, new, __ATOMIC_SEQ_CST);
    pv_put_entry(d, 1, virt_to_phys(entry) >> PAGE_SHIFT, cur);
    return 0;
}

int pv_entry_replace_xen(struct domain *d, uint64_t *entry, uint64_t new)
{
    uint64_t cur = __atomic_load_n(entry, __ATOMIC_RELAXED);

    if ((cur & PTE_P) && (cur & PTE_GRANT_MAPPING))
        return -EBUSY;
    if (new & PTE_P) {
        if (new & L1_FORBIDDEN)
            return -EINVAL;
        /* As Xen: only what it shares read-only with the control domain, only read-only. */
        if ((new & PTE_W) || !m2p_frame((new & PTE_MFN_MASK) >> PAGE_SHIFT))
            return -EBUSY;
        new = (new | PTE_U) & ~(uint64_t)PTE_G;
    }
    cur = __atomic_exchange_n(entry, new, __ATOMIC_SEQ_CST);
    pv_put_entry(d, 1, virt_to_phys(entry) >> PAGE_SHIFT, cur);
    return 0;
}

void pv_grant_entry_set(struct domain *d, uint64_t *entry, uint64_t grant_pte)
{
    uint64_t old = __atomic_exchange_n(entry, grant_pte, __ATOMIC_SEQ_CST);
    pv_put_entry(d, 1, virt_to_phys(entry) >> PAGE_SHIFT, old);
}

int pv_frame_hold(struct domain *d, uint64_t mfn)
{
    struct page_info *pi = pv_frame_info(mfn);
    int rc = -EINVAL;

    pv_mm_lock(d);
    unsigned type = type_of(pi ? pi->type_info : 0);
    bool checked = (type >= PGT_L1 && type <= PGT_L4) || type == PGT_SEG_DESC;
    if (is_own(d, pi) && !(pi->flags & PGF_PAGETABLE) && !(checked && pv_type_count(pi))) {
        uint16_t old = __atomic_load_n(&pi->holds, __ATOMIC_RELAXED);
        /* Only unhold races with this (the increments are under the lock). */
        while (old != UINT16_MAX &&
               !__atomic_compare_exchange_n(&pi->holds, &old, (uint16_t)(old + 1), false,
                                            __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            ;
        if (old != UINT16_MAX)
            rc = 0;
    }
    pv_mm_unlock(d);
    return rc;
}

void pv_frame_unhold(struct domain *d, uint64_t mfn)
{
    struct page_info *pi = pv_frame_info(mfn);

    /*
     * A domain's frames are freed only after its event channels have
     * released theirs (and none is given back while held), so the frame
     * is still d's here; the owner check keeps a stray release harmless.
     */
    if (!is_own(d, pi))
        return;
    uint16_t old = __atomic_load_n(&pi->holds, __ATOMIC_RELAXED);
    while (old && !__atomic_compare_exchange_n(&pi->holds, &old, (uint16_t)(old - 1), false,
                                               __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
        ;
}

int pv_set_base(struct vcpu *v, uint64_t mfn, bool user)
{
    struct domain *d = v->domain;
    uint64_t *slot = user ? &v->arch->user_cr3 : &v->arch->guest_cr3;
    int rc = 0;

    pv_mm_lock_all(d);
    if (mfn)
        rc = pv_get_type(d, mfn, PGT_L4);
    if (!rc) {
        uint64_t old = *slot;
        *slot = mfn << PAGE_SHIFT;
        /* Off the old table before its reference goes. */
        if (!user && v->arch->kernel_mode && v == current_vcpu())
            write_cr3(*slot);
        if (old)
            pv_put_type(d, old >> PAGE_SHIFT);
    }
    pv_mm_unlock_all(d);
    return rc;
}
