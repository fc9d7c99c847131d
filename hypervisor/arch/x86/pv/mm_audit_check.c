/*
 * The PV memory audit's check (asm/pv_mm_audit.h): one domain's page
 * types, type counts, map counts and reservation, recounted from its
 * validated tables, pins, base pointers and GDTs and compared with
 * page_info. The rules it checks are those of asm/pv_mm.h:
 *  - a frame is flagged a page table exactly when it has a table type with
 *    a count, and that count is the number of entries of validated tables
 *    one level up that name it, plus its pin, plus (L4) the vCPU base
 *    pointers that hold it;
 *  - a writable frame's count is the number of writable ordinary L1
 *    entries naming it plus its writable grant mappings plus its writable
 *    foreign mappings (each holds a writable use); a descriptor page's the
 *    GDT slots holding it;
 *  - map_count is the number of present ordinary L1 entries naming it;
 *  - an entry of a validated table names only the domain's own frames
 *    (a grant mapping excepted, which the grant table must know about;
 *    the control domain may also name frames the allocator does not
 *    manage, the m2p's frames read-only, and, in L1 entries, other
 *    domains' frames counted as foreign
 *    mappings: it is the only domain that can make those, so each such
 *    frame's foreign_maps and foreign_writable are exactly its entries
 *    naming it, and a writable one is typed writable), never carries a
 *    large-page bit, and an upper entry names a
 *    validated table one level down, or (a read-only linear entry) its own
 *    table or another of its level; L4 slots 256-271 are the hypervisor's;
 *  - no frame mapped writable through a grant is a table or descriptor
 *    page, no held frame is a table, every descriptor of a descriptor page
 *    is a code or data segment of DPL 3 (or not present), a given-back
 *    frame nothing uses is freed, and the domain owns exactly tot_pages
 *    frames besides those outside its reservation.
 * Pure code: frames are read through the callbacks, so it runs on the host.
 */
#include <stdarg.h>
#include <asm/pv_mm.h>
#include <asm/pv_mm_audit.h>
#include <tessera/compiler.h>
#include <tessera/errno.h>
#include <tessera/format.h>

#define PTE_P  0x001ull
#define PTE_W  0x002ull
#define PTE_PS 0x080ull
#define HV_SLOT_FIRST 256
#define HV_SLOT_LAST  271
#define DESC_S   (1ull << 44)
#define DESC_DPL (3ull << 45)
#define DESC_P   (1ull << 47)

static const char *const type_names[] = { "none", "L1", "L2", "L3", "L4", "writable",
                                          "descriptor page", "type 7" };

static int __printf(3, 4) fail(char *why, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(why, len, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

static unsigned type_of(uint32_t ti)
{
    return ti >> PGT_TYPE_SHIFT;
}

static unsigned level_of(const struct page_info *pi)
{
    return (pi->flags & PGF_PAGETABLE) ? ((pi->flags & PGF_PT_LEVEL) >> PGF_PT_LEVEL_SHIFT) + 1 : 0;
}

static const struct page_info *info(const struct page_allocator *pa, uint64_t mfn)
{
    if (mfn < pa->first_mfn || mfn - pa->first_mfn >= pa->nr_frames)
        return NULL;
    return &pa->meta[mfn - pa->first_mfn];
}

static bool owned(const struct page_info *pi, uint16_t id)
{
    return pi && pi->owner == id && !(pi->flags & PGF_FREE);
}

/* One present entry of d's validated level-'level' table at mfn. */
static int check_entry(const struct page_allocator *pa, const struct mm_audit_domain *d,
                       const struct mm_audit_ops *ops, struct mm_audit_scratch *s,
                       uint64_t mfn, unsigned level, unsigned slot, uint64_t e,
                       char *why, size_t len)
{
    uint64_t target = (e & PTE_MFN_MASK) >> 12;
    const struct page_info *pi = info(pa, target);

    if (level > 1) {
        if (e & (PTE_PS | PTE_GRANT_MAPPING))
            return fail(why, len, "L%u %#lx slot %u: entry %#lx has a large-page or grant bit",
                        level, mfn, slot, e);
        /* A linear entry: read-only, naming its own table (no use) or one of its level. */
        bool linear = target == mfn || (owned(pi, d->id) && level_of(pi) == level);
        if (linear && (e & PTE_W))
            return fail(why, len, "L%u %#lx slot %u: writable linear entry %#lx", level, mfn,
                        slot, e);
        if (!owned(pi, d->id) || (!linear && level_of(pi) != level - 1))
            return fail(why, len, "L%u %#lx slot %u: entry %#lx names frame %#lx (owner %u, "
                        "table level %u), not an L%u of domain %u", level, mfn, slot, e, target,
                        pi ? pi->owner : 0xFFFFu, pi ? level_of(pi) : 0, level - 1, d->id);
        if (target != mfn)
            s->type_refs[target - pa->first_mfn]++;
        return 0;
    }
    if (e & PTE_GRANT_MAPPING) {
        unsigned ro = 0, rw = 0;
        ops->grant_counts(ops->ctx, target, &ro, &rw);
        if (ro + rw == 0 || ((e & PTE_W) && rw == 0))
            return fail(why, len, "L1 %#lx slot %u: grant entry %#lx but frame %#lx has %u "
                        "read-only and %u writable grant mappings", mfn, slot, e, target, ro, rw);
        return 0;
    }
    if (e & PTE_PS)
        return fail(why, len, "L1 %#lx slot %u: entry %#lx has the PAT/large bit", mfn, slot, e);
    if (!pi || !(pi->flags & PGF_MANAGED)) {
        if (d->privileged)
            return 0;   /* firmware and devices: no references */
        return fail(why, len, "L1 %#lx slot %u: entry %#lx maps unmanaged frame %#lx",
                    mfn, slot, e, target);
    }
    if (!owned(pi, d->id) && d->privileged && pi->owner == DOMID_XEN && !(e & PTE_W) &&
        ops->xen_readable && ops->xen_readable(ops->ctx, target))
        return 0;   /* the m2p, mapped through foreigndom DOMID_XEN: no references */
    if (!owned(pi, d->id) && d->privileged && pi->foreign_maps && !(pi->flags & PGF_FREE)) {
        /* A foreign mapping: counted per frame here, compared in check_foreign. */
        if ((e & PTE_W) && (type_of(pi->type_info) != PGT_WRITABLE ||
                            !(pi->type_info & PGT_COUNT_MASK)))
            return fail(why, len, "L1 %#lx slot %u: writable foreign entry %#lx maps frame %#lx "
                        "of domain %u typed %s (count %u)", mfn, slot, e, target, pi->owner,
                        type_names[type_of(pi->type_info)], pi->type_info & PGT_COUNT_MASK);
        s->map_refs[target - pa->first_mfn]++;
        if (e & PTE_W)
            s->type_refs[target - pa->first_mfn]++;
        return 0;
    }
    if (!owned(pi, d->id))
        return fail(why, len, "L1 %#lx slot %u: entry %#lx maps frame %#lx of owner %u "
                    "(flags %#x), not domain %u's", mfn, slot, e, target, pi->owner, pi->flags,
                    d->id);
    if ((e & PTE_W) && (type_of(pi->type_info) != PGT_WRITABLE ||
                        !(pi->type_info & PGT_COUNT_MASK)))
        return fail(why, len, "L1 %#lx slot %u: writable entry %#lx maps frame %#lx typed %s "
                    "(count %u)", mfn, slot, e, target, type_names[type_of(pi->type_info)],
                    pi->type_info & PGT_COUNT_MASK);
    s->map_refs[target - pa->first_mfn]++;
    if (e & PTE_W)
        s->type_refs[target - pa->first_mfn]++;
    return 0;
}

static int check_table(const struct page_allocator *pa, const struct mm_audit_domain *d,
                       const struct mm_audit_ops *ops, struct mm_audit_scratch *s,
                       uint64_t mfn, unsigned level, char *why, size_t len)
{
    const uint64_t *t = ops->frame(ops->ctx, mfn);

    for (unsigned i = 0; i < 512; i++) {
        uint64_t e = __atomic_load_n(&t[i], __ATOMIC_RELAXED);
        if (level == 4 && i >= HV_SLOT_FIRST && i <= HV_SLOT_LAST) {
            if (ops->hv_l4 && e != ops->hv_l4[i])
                return fail(why, len, "L4 %#lx slot %u: %#lx, the hypervisor's is %#lx",
                            mfn, i, e, ops->hv_l4[i]);
            continue;
        }
        if (!(e & PTE_P))
            continue;
        int rc = check_entry(pa, d, ops, s, mfn, level, i, e, why, len);
        if (rc)
            return rc;
    }
    return 0;
}

static int check_descriptors(const struct mm_audit_ops *ops, uint64_t mfn, char *why, size_t len)
{
    const uint64_t *t = ops->frame(ops->ctx, mfn);

    for (unsigned i = 0; i < 512; i++) {
        uint64_t desc = __atomic_load_n(&t[i], __ATOMIC_RELAXED);
        if ((desc & DESC_P) && (!(desc & DESC_S) || (desc & DESC_DPL) != DESC_DPL))
            return fail(why, len, "descriptor page %#lx entry %u: %#lx is a system descriptor "
                        "or not DPL 3", mfn, i, desc);
    }
    return 0;
}

/* References held outside the tables: base pointers and GDT slots. */
static int count_holders(const struct page_allocator *pa, const struct mm_audit_domain *d,
                         struct mm_audit_scratch *s, char *why, size_t len)
{
    for (unsigned i = 0; i < d->nr_bases; i++) {
        const struct page_info *pi = info(pa, d->bases[i]);
        if (!owned(pi, d->id) || level_of(pi) != 4)
            return fail(why, len, "base pointer %#lx is not a validated L4 of domain %u",
                        d->bases[i], d->id);
        s->type_refs[d->bases[i] - pa->first_mfn]++;
    }
    for (unsigned i = 0; i < d->nr_gdt_frames; i++) {
        const struct page_info *pi = info(pa, d->gdt_frames[i]);
        if (!owned(pi, d->id) || type_of(pi->type_info) != PGT_SEG_DESC)
            return fail(why, len, "GDT frame %#lx is not a descriptor page of domain %u",
                        d->gdt_frames[i], d->id);
        s->type_refs[d->gdt_frames[i] - pa->first_mfn]++;
    }
    return 0;
}

/* One owned frame's recorded counts and flags against what was counted. */
static int check_frame(const struct page_allocator *pa, const struct mm_audit_ops *ops,
                       struct mm_audit_scratch *s, uint64_t i, char *why, size_t len)
{
    const struct page_info *pi = &pa->meta[i];
    uint64_t mfn = pa->first_mfn + i;
    uint32_t ti = pi->type_info;
    unsigned type = type_of(ti), count = ti & PGT_COUNT_MASK;
    bool table = type >= PGT_L1 && type <= PGT_L4;
    unsigned ro = 0, rw = 0;
    ops->grant_counts(ops->ctx, mfn, &ro, &rw);
    uint32_t refs = s->type_refs[i] + ((ti & PGT_PINNED) ? 1 : 0) +
                    (type == PGT_WRITABLE ? rw + pi->foreign_writable : 0);

    if (rw && type != PGT_WRITABLE)
        return fail(why, len, "frame %#lx typed %s (count %u) has %u writable grant mappings",
                    mfn, type_names[type], count, rw);
    if (pi->foreign_writable > pi->foreign_maps ||
        (pi->foreign_writable && type != PGT_WRITABLE))
        return fail(why, len, "frame %#lx typed %s (count %u) has %u writable of %u foreign "
                    "mappings", mfn, type_names[type], count, pi->foreign_writable,
                    pi->foreign_maps);
    if ((ti & PGT_PINNED) && !(table && count))
        return fail(why, len, "frame %#lx pinned but typed %s (count %u)", mfn,
                    type_names[type], count);
    if (count != refs)
        return fail(why, len, "frame %#lx typed %s: type count %u, references found %u", mfn,
                    type_names[type], count, refs);
    if (pi->map_count != s->map_refs[i])
        return fail(why, len, "frame %#lx: map_count %u, L1 entries mapping it %u", mfn,
                    pi->map_count, s->map_refs[i]);
    if (!!(pi->flags & PGF_PAGETABLE) != (table && count))
        return fail(why, len, "frame %#lx: page-table flag %u but typed %s (count %u)", mfn,
                    !!(pi->flags & PGF_PAGETABLE), type_names[type], count);
    if ((pi->flags & PGF_PAGETABLE) && level_of(pi) != type)
        return fail(why, len, "frame %#lx: flagged L%u but typed %s", mfn, level_of(pi),
                    type_names[type]);
    if (pi->holds && table && count)
        return fail(why, len, "frame %#lx held by the hypervisor is an %s table", mfn,
                    type_names[type]);
    if ((ti & PGT_RELEASED) && !count && !pi->map_count && !pi->foreign_maps && !ro && !rw)
        return fail(why, len, "frame %#lx given back and unused but not freed", mfn);
    if (type == PGT_SEG_DESC && count)
        return check_descriptors(ops, mfn, why, len);
    return 0;
}

/*
 * The control domain's foreign entries against every other domain's
 * frame: each frame's foreign counts are exactly the entries found.
 */
static int check_foreign(const struct page_allocator *pa, const struct mm_audit_domain *d,
                         const struct mm_audit_scratch *s, char *why, size_t len)
{
    for (uint64_t i = 0; i < pa->nr_frames; i++) {
        const struct page_info *pi = &pa->meta[i];
        if (owned(pi, d->id) || !(pi->flags & PGF_MANAGED) || (pi->flags & PGF_FREE))
            continue;
        if (pi->foreign_maps != s->map_refs[i] || pi->foreign_writable != s->type_refs[i])
            return fail(why, len, "frame %#lx of domain %u: %u foreign mappings (%u writable), "
                        "domain %u's L1 entries naming it %u (%u writable)", pa->first_mfn + i,
                        pi->owner, pi->foreign_maps, pi->foreign_writable, d->id,
                        s->map_refs[i], s->type_refs[i]);
    }
    return 0;
}

int mm_audit_check(const struct page_allocator *pa, const struct mm_audit_domain *d,
                   const struct mm_audit_ops *ops, struct mm_audit_scratch *s,
                   char *why, size_t len)
{
    uint64_t owned_frames = 0, outside = 0;
    int rc;

    for (uint64_t i = 0; i < pa->nr_frames; i++) {
        s->type_refs[i] = s->map_refs[i] = 0;   /* another's frame: the foreign entries found */
        if (!owned(&pa->meta[i], d->id))
            continue;
        owned_frames++;
        if (ops->outside_reservation(ops->ctx, pa->first_mfn + i))
            outside++;
    }
    for (uint64_t i = 0; i < pa->nr_frames; i++) {
        const struct page_info *pi = &pa->meta[i];
        if (owned(pi, d->id) && level_of(pi) &&
            (rc = check_table(pa, d, ops, s, pa->first_mfn + i, level_of(pi), why, len)))
            return rc;
    }
    if ((rc = count_holders(pa, d, s, why, len)))
        return rc;
    for (uint64_t i = 0; i < pa->nr_frames; i++)
        if (owned(&pa->meta[i], d->id) && (rc = check_frame(pa, ops, s, i, why, len)))
            return rc;
    if (d->privileged && (rc = check_foreign(pa, d, s, why, len)))
        return rc;
    if (owned_frames - outside != d->tot_pages)
        return fail(why, len, "domain %u owns %lu frames (%lu outside its reservation) but "
                    "tot_pages is %lu", d->id, owned_frames, outside, d->tot_pages);
    return 0;
}
