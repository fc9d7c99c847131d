/*
 * The PV memory audit's check (hypervisor/arch/x86/pv/mm_audit_check.c) on
 * a fake machine: a domain with a four-level table, a writable and a
 * read-only mapping, a pinned L4 held by a base pointer, a descriptor page
 * and a shared_info frame passes; each single broken count, type, flag or
 * entry is found and named.
 */
#include <string.h>
#include <asm/pv_mm.h>
#include <asm/pv_mm_audit.h>
#include "unit.h"

#define FIRST   0x100u
#define NFRAMES 64u
#define DOM     1
#define OTHER   2
#define P  0x001ull
#define W  0x002ull
#define U  0x004ull
#define PS 0x080ull
#define L4F (FIRST + 0)
#define L3F (FIRST + 1)
#define L2F (FIRST + 2)
#define L1F (FIRST + 3)
#define RWF (FIRST + 4)   /* mapped writable and read-only */
#define ROF (FIRST + 5)   /* mapped read-only */
#define GDTF (FIRST + 6)
#define FREEF (FIRST + 7) /* owned, unused */
#define SIF (FIRST + 8)   /* shared_info: outside the reservation */
#define OTHERF (FIRST + 16)
#define DESC_OK 0x00cffa000000ffffull   /* code, DPL 3, present */

static struct page_info meta[NFRAMES];
static uint64_t mem[NFRAMES][512];
static struct page_allocator pa = { .meta = meta, .first_mfn = FIRST, .nr_frames = NFRAMES };
static uint64_t hv_l4[512];
static unsigned grant_ro[NFRAMES], grant_rw[NFRAMES];
static uint32_t type_refs[NFRAMES], map_refs[NFRAMES];
static struct mm_audit_scratch scratch = { type_refs, map_refs };
static struct mm_audit_domain dom;
static char why[256];

static const uint64_t *frame(void *ctx, uint64_t mfn)
{
    (void)ctx;
    return mem[mfn - FIRST];
}

static void counts(void *ctx, uint64_t mfn, unsigned *ro, unsigned *rw)
{
    (void)ctx;
    *ro = mfn >= FIRST && mfn < FIRST + NFRAMES ? grant_ro[mfn - FIRST] : 0;
    *rw = mfn >= FIRST && mfn < FIRST + NFRAMES ? grant_rw[mfn - FIRST] : 0;
}

static bool outside(void *ctx, uint64_t mfn)
{
    (void)ctx;
    return mfn == SIF;
}

static const struct mm_audit_ops ops = { frame, counts, outside, hv_l4, NULL, NULL };

static struct page_info *pi(uint64_t mfn) { return &meta[mfn - FIRST]; }

static void set_type(uint64_t mfn, unsigned type, unsigned count, uint32_t extra)
{
    pi(mfn)->type_info = ((uint32_t)type << PGT_TYPE_SHIFT) | count | extra;
    if (type >= PGT_L1 && type <= PGT_L4 && count)
        pi(mfn)->flags |= PGF_PAGETABLE | (uint8_t)((type - 1) << PGF_PT_LEVEL_SHIFT);
}

static uint64_t pte(uint64_t mfn, uint64_t flags) { return (mfn << 12) | flags; }

/* The good machine: every check passes on it. */
static void build(void)
{
    memset(meta, 0, sizeof(meta));
    memset(mem, 0, sizeof(mem));
    memset(grant_ro, 0, sizeof(grant_ro));
    memset(grant_rw, 0, sizeof(grant_rw));
    for (unsigned i = 0; i < NFRAMES; i++)
        meta[i] = (struct page_info){ .owner = DOMID_INVALID, .flags = PGF_MANAGED | PGF_FREE };
    for (uint64_t m = FIRST; m <= SIF; m++)
        *pi(m) = (struct page_info){ .owner = DOM, .flags = PGF_MANAGED };
    *pi(OTHERF) = (struct page_info){ .owner = OTHER, .flags = PGF_MANAGED };
    for (unsigned s = 256; s <= 271; s++)
        hv_l4[s] = mem[L4F - FIRST][s] = 0xabc000ull + s;
    mem[L4F - FIRST][0] = pte(L3F, P | W | U);
    mem[L3F - FIRST][0] = pte(L2F, P | W | U);
    mem[L2F - FIRST][0] = pte(L1F, P | W | U);
    mem[L1F - FIRST][0] = pte(RWF, P | W | U);
    mem[L1F - FIRST][1] = pte(ROF, P | U);
    mem[L1F - FIRST][2] = pte(RWF, P | U);
    mem[GDTF - FIRST][0] = DESC_OK;
    set_type(L4F, PGT_L4, 2, PGT_PINNED);      /* the pin and the base pointer */
    set_type(L3F, PGT_L3, 1, 0);
    set_type(L2F, PGT_L2, 1, 0);
    set_type(L1F, PGT_L1, 1, 0);
    set_type(RWF, PGT_WRITABLE, 1, 0);
    pi(RWF)->map_count = 2;
    pi(ROF)->map_count = 1;
    set_type(GDTF, PGT_SEG_DESC, 1, 0);
    dom = (struct mm_audit_domain){ .id = DOM, .tot_pages = 8, .bases = { L4F }, .nr_bases = 1,
                                    .gdt_frames = { GDTF }, .nr_gdt_frames = 1 };
}

static int run(void)
{
    why[0] = 0;
    return mm_audit_check(&pa, &dom, &ops, &scratch, why, sizeof(why));
}

/* The check fails and its reason holds 'what'. */
static void expect_finding(const char *what)
{
    int rc = run();
    CU_ASSERT_EQUAL(rc, -EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, what));
    if (!strstr(why, what))
        fprintf(stderr, "reason '%s' lacks '%s'\n", why, what);
}

static void test_good_domain_passes(void)
{
    build();
    CU_ASSERT_EQUAL(run(), 0);
    CU_ASSERT_EQUAL(run(), 0);      /* the scratch counters start again each time */
}

static void test_map_count_off_by_one(void)
{
    build();
    pi(ROF)->map_count = 2;
    expect_finding("map_count 2, L1 entries mapping it 1");
}

static void test_foreign_frame_mapped(void)
{
    build();
    mem[L1F - FIRST][3] = pte(OTHERF, P | U);
    expect_finding("of owner 2");
}

static void test_grant_bit_without_grant(void)
{
    build();
    mem[L1F - FIRST][3] = pte(OTHERF, P | W | U | PTE_GRANT_MAPPING);
    expect_finding("grant entry");
    grant_ro[OTHERF - FIRST] = 1;    /* read-only grant: a writable entry is still wrong */
    expect_finding("0 writable grant mappings");
    grant_rw[OTHERF - FIRST] = 1;
    CU_ASSERT_EQUAL(run(), 0);
}

static void test_table_mapped_writable(void)
{
    build();
    mem[L1F - FIRST][3] = pte(L2F, P | W | U);
    expect_finding("writable entry");
}

static void test_table_count_wrong(void)
{
    build();
    set_type(L3F, PGT_L3, 2, 0);
    expect_finding("type count 2, references found 1");
}

static void test_unpinned_l4_count(void)
{
    build();
    pi(L4F)->type_info &= ~PGT_PINNED;
    expect_finding("type count 2, references found 1");
}

static void test_reservation_mismatch(void)
{
    build();
    dom.tot_pages = 9;
    expect_finding("tot_pages is 9");
}

static void test_system_descriptor_in_gdt(void)
{
    build();
    mem[GDTF - FIRST][5] = 0x0000ec0000080000ull;   /* a DPL-3 call gate: S clear */
    expect_finding("descriptor page");
}

static void test_table_grant_mapped_writable(void)
{
    build();
    grant_rw[L1F - FIRST] = 1;
    expect_finding("writable grant mappings");
}

static void test_writable_grant_holds_writable_use(void)
{
    build();
    grant_rw[FREEF - FIRST] = 1;        /* mapped writable by another domain: one use */
    expect_finding("typed none (count 0) has 1 writable grant mappings");
    set_type(FREEF, PGT_WRITABLE, 1, 0);
    CU_ASSERT_EQUAL(run(), 0);
    set_type(FREEF, PGT_WRITABLE, 2, 0);
    expect_finding("type count 2, references found 1");
}

static void test_linear_entries(void)
{
    build();
    mem[L4F - FIRST][1] = pte(L4F, P | U);          /* a self-map takes no use */
    CU_ASSERT_EQUAL(run(), 0);
    mem[L4F - FIRST][1] = pte(L4F, P | W | U);
    expect_finding("writable linear entry");
    build();
    mem[L3F - FIRST][1] = pte(L3F, P | U);
    mem[L2F - FIRST][1] = pte(L2F, P | U);
    CU_ASSERT_EQUAL(run(), 0);
    mem[L4F - FIRST][2] = pte(L4F, P | U);
    set_type(L3F, PGT_L3, 1, 0);
    CU_ASSERT_EQUAL(run(), 0);
}

static void test_hypervisor_slot_changed(void)
{
    build();
    mem[L4F - FIRST][260] = 0;
    expect_finding("slot 260");
}

static void test_large_page_in_l2(void)
{
    build();
    mem[L2F - FIRST][1] = pte(FREEF, P | W | U | PS);
    expect_finding("large-page");
}

static void test_released_unused_not_freed(void)
{
    build();
    pi(FREEF)->type_info |= PGT_RELEASED;
    expect_finding("not freed");
    pi(FREEF)->map_count = 1;       /* still mapped somewhere it does not say: also wrong */
    expect_finding("map_count 1");
}

static void test_unmanaged_frame_only_for_control_domain(void)
{
    build();
    mem[L1F - FIRST][4] = pte(0x10, P | U);      /* below the managed span */
    expect_finding("unmanaged");
    dom.privileged = true;
    CU_ASSERT_EQUAL(run(), 0);
}

/* DOM as the control domain maps OTHERF writable and read-only: counted as foreign mappings. */
static void build_foreign(void)
{
    build();
    dom.privileged = true;
    mem[L1F - FIRST][3] = pte(OTHERF, P | W | U);
    mem[L1F - FIRST][4] = pte(OTHERF, P | U);
    set_type(OTHERF, PGT_WRITABLE, 1, 0);
    pi(OTHERF)->foreign_maps = 2;
    pi(OTHERF)->foreign_writable = 1;
}

static void test_foreign_mappings_counted(void)
{
    build_foreign();
    CU_ASSERT_EQUAL(run(), 0);
}

static void test_foreign_count_off(void)
{
    build_foreign();
    pi(OTHERF)->foreign_maps = 3;
    expect_finding("3 foreign mappings (1 writable), domain 1's L1 entries naming it 2 (1 writable)");
    build_foreign();
    mem[L1F - FIRST][3] = pte(OTHERF, P | U);       /* the writable use is left over */
    expect_finding("1 writable), domain 1's L1 entries naming it 2 (0 writable)");
}

static void test_foreign_only_for_control_domain(void)
{
    build_foreign();
    dom.privileged = false;
    expect_finding("maps frame 0x110 of owner 2");
}

static void test_foreign_writable_needs_type(void)
{
    build_foreign();
    set_type(OTHERF, PGT_L1, 1, 0);
    expect_finding("writable foreign entry");
}

/* The owner's side: a frame of DOM's that the control domain maps writable. */
static void test_owner_counts_foreign_writable(void)
{
    build();
    set_type(ROF, PGT_WRITABLE, 1, 0);
    pi(ROF)->foreign_maps = 1;
    pi(ROF)->foreign_writable = 1;
    CU_ASSERT_EQUAL(run(), 0);
    pi(ROF)->foreign_writable = 0;
    expect_finding("type count 1, references found 0");
    set_type(ROF, PGT_L1, 0, 0);
    pi(ROF)->foreign_writable = 1;
    expect_finding("1 writable of 1 foreign");
}

static void test_released_waits_for_foreign(void)
{
    build();
    set_type(FREEF, PGT_NONE, 0, PGT_RELEASED);
    pi(FREEF)->foreign_maps = 1;
    dom.tot_pages = 8;
    CU_ASSERT_EQUAL(run(), 0);
}

/* The m2p through foreigndom DOMID_XEN: read-only, only frames the hypervisor says it shares. */
#define XENF (FIRST + 20)
static bool m2p_only(void *ctx, uint64_t mfn)
{
    (void)ctx;
    return mfn == XENF;
}

static void test_xen_frame_read_only(void)
{
    const struct mm_audit_ops with_m2p = { frame, counts, outside, hv_l4, NULL, m2p_only };
    build();
    dom.privileged = true;
    *pi(XENF) = (struct page_info){ .owner = DOMID_XEN, .flags = PGF_MANAGED };
    mem[L1F - FIRST][5] = pte(XENF, P | U);
    CU_ASSERT_EQUAL(mm_audit_check(&pa, &dom, &with_m2p, &scratch, why, sizeof(why)), 0);
    mem[L1F - FIRST][5] = pte(XENF, P | W | U);
    CU_ASSERT_EQUAL(mm_audit_check(&pa, &dom, &with_m2p, &scratch, why, sizeof(why)), -EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "of owner 32754"));
    mem[L1F - FIRST][5] = pte(XENF, P | U);
    expect_finding("of owner 32754");     /* without the hypervisor's list: refused */
    dom.privileged = false;
    CU_ASSERT_EQUAL(mm_audit_check(&pa, &dom, &with_m2p, &scratch, why, sizeof(why)), -EINVAL);
}

static void test_flag_without_type(void)
{
    build();
    pi(FREEF)->flags |= PGF_PAGETABLE;
    expect_finding("page-table flag 1");
}

int main(void)
{
    static const struct unit_case cases[] = {
        UNIT_CASE(good_domain_passes),
        UNIT_CASE(map_count_off_by_one),
        UNIT_CASE(foreign_frame_mapped),
        UNIT_CASE(grant_bit_without_grant),
        UNIT_CASE(table_mapped_writable),
        UNIT_CASE(table_count_wrong),
        UNIT_CASE(unpinned_l4_count),
        UNIT_CASE(reservation_mismatch),
        UNIT_CASE(system_descriptor_in_gdt),
        UNIT_CASE(table_grant_mapped_writable),
        UNIT_CASE(writable_grant_holds_writable_use),
        UNIT_CASE(linear_entries),
        UNIT_CASE(hypervisor_slot_changed),
        UNIT_CASE(large_page_in_l2),
        UNIT_CASE(released_unused_not_freed),
        UNIT_CASE(unmanaged_frame_only_for_control_domain),
        UNIT_CASE(flag_without_type),
        UNIT_CASE(foreign_mappings_counted),
        UNIT_CASE(foreign_count_off),
        UNIT_CASE(foreign_only_for_control_domain),
        UNIT_CASE(foreign_writable_needs_type),
        UNIT_CASE(owner_counts_foreign_writable),
        UNIT_CASE(released_waits_for_foreign),
        UNIT_CASE(xen_frame_read_only),
    };
    unit_begin();
    UNIT_SUITE("mm_audit", cases);
    return unit_end();
}
