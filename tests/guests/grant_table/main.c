/*
 * Grant tables, granting to ourselves: setup_table and query_size, version
 * get/set, GNTTABOP_copy (with its page-boundary check), map_grant_ref
 * writable and read-only into our page tables, the GTF_reading/writing
 * status the hypervisor keeps while mapped, unmap, and bad references.
 */
#include "guest.h"

const char test_title[] = "grant tables";

#define REF 10              /* above the 8 entries reserved for the toolstack */
static char gnttab_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char data_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char copy_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char map_window[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static long gnt(unsigned int cmd, void *arg) { return hyp_grant_table_op(cmd, arg, 1); }

static void versions(void)
{
    struct gnttab_get_version gv = { .dom = DOMID_SELF };
    CHECK_EQ(gnt(GNTTABOP_get_version, &gv), 0, "get_version");
    CHECK_EQ(gv.version, 1, "initial grant table version");

    struct gnttab_set_version sv = { .version = 2 };
    long rc = gnt(GNTTABOP_set_version, &sv);
    printk("gnttab: set_version(2) -> %ld, version now %u\n", rc, sv.version);
    if (rc == 0) {
        gv = (struct gnttab_get_version){ .dom = DOMID_SELF };
        CHECK_EQ(gnt(GNTTABOP_get_version, &gv), 0, "get_version after set 2");
        CHECK_EQ(gv.version, 2, "version after set_version(2)");
        uint64_t status_frames[1];
        struct gnttab_get_status_frames gs = { .nr_frames = 1, .dom = DOMID_SELF };
        set_xen_guest_handle(gs.frame_list, status_frames);
        CHECK_EQ(gnt(GNTTABOP_get_status_frames, &gs), 0, "get_status_frames");
        CHECK_EQ(gs.status, GNTST_okay, "get_status_frames status");
        sv.version = 1;
        CHECK_EQ(gnt(GNTTABOP_set_version, &sv), 0, "back to version 1");
    } else {
        /* Refused cleanly: the version must not have changed. */
        CHECK(rc < 0, "set_version(2) returned %ld", rc);
        gv = (struct gnttab_get_version){ .dom = DOMID_SELF };
        CHECK_EQ(gnt(GNTTABOP_get_version, &gv), 0, "get_version after refused set");
        CHECK_EQ(gv.version, 1, "version after a refused set_version");
    }
    sv.version = 3;
    CHECK_EQ(gnt(GNTTABOP_set_version, &sv), -XEN_EINVAL, "set_version(3)");
    /* With v1 in force there are no status frames. */
    uint64_t sf[1];
    struct gnttab_get_status_frames gs = { .nr_frames = 1, .dom = DOMID_SELF };
    set_xen_guest_handle(gs.frame_list, sf);
    long r = gnt(GNTTABOP_get_status_frames, &gs);
    CHECK(r < 0 || gs.status != GNTST_okay, "get_status_frames under v1 succeeded");
}

static grant_entry_v1_t *setup(void)
{
    struct gnttab_query_size qs = { .dom = DOMID_SELF };
    CHECK_EQ(gnt(GNTTABOP_query_size, &qs), 0, "query_size");
    CHECK_EQ(qs.status, GNTST_okay, "query_size status");
    printk("gnttab: %u frames in use, at most %u\n", qs.nr_frames, qs.max_nr_frames);
    CHECK(qs.max_nr_frames >= 1, "max_nr_frames 0");

    xen_pfn_t frames[1] = { 0 };
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
    set_xen_guest_handle(st.frame_list, frames);
    CHECK_EQ(gnt(GNTTABOP_setup_table, &st), 0, "setup_table");
    if (!CHECK_EQ(st.status, GNTST_okay, "setup_table status"))
        return NULL;
    CHECK(frames[0] != 0, "setup_table returned frame 0");
    if (!CHECK_EQ(map_machine_page(gnttab_page, frames[0], PTE_KERNEL_RW), 0,
                  "map the grant table frame"))
        return NULL;
    return (grant_entry_v1_t *)gnttab_page;
}

static void grant(grant_entry_v1_t *table, grant_ref_t ref, void *page, uint16_t extra)
{
    table[ref].domid = guest_domid;
    table[ref].frame = (uint32_t)virt_to_mfn(page);
    __atomic_thread_fence(__ATOMIC_RELEASE);     /* frame and domid before flags */
    table[ref].flags = GTF_permit_access | extra;
}

static void copies(void)
{
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        data_page[i] = (char)(i * 7 + 1);
    memset(copy_page, 0, PAGE_SIZE);

    struct gnttab_copy c = {
        .source = { .u.ref = REF, .domid = guest_domid, .offset = 0 },
        .dest = { .u.gmfn = virt_to_mfn(copy_page), .domid = DOMID_SELF, .offset = 0 },
        .len = PAGE_SIZE, .flags = GNTCOPY_source_gref,
    };
    CHECK_EQ(gnt(GNTTABOP_copy, &c), 0, "copy");
    CHECK_EQ(c.status, GNTST_okay, "copy status");
    CHECK(memcmp(copy_page, data_page, PAGE_SIZE) == 0, "copied page differs");

    /* Partial copy, both ends offset. */
    memset(copy_page, 0, PAGE_SIZE);
    c.source.offset = 100;
    c.dest.offset = 2000;
    c.len = 1000;
    CHECK_EQ(gnt(GNTTABOP_copy, &c), 0, "offset copy");
    CHECK_EQ(c.status, GNTST_okay, "offset copy status");
    CHECK(memcmp(copy_page + 2000, data_page + 100, 1000) == 0 && copy_page[1999] == 0 &&
          copy_page[3000] == 0, "offset copy wrote the wrong bytes");

    /* Crossing a page boundary on either side is refused. */
    c.source.offset = 100;
    c.dest.offset = 0;
    c.len = PAGE_SIZE;
    CHECK_EQ(gnt(GNTTABOP_copy, &c), 0, "copy across the source page end: hypercall");
    CHECK_EQ(c.status, GNTST_bad_copy_arg, "copy across the source page end");
    c.source.offset = 0;
    c.dest.offset = 1;
    CHECK_EQ(gnt(GNTTABOP_copy, &c), 0, "copy across the dest page end: hypercall");
    CHECK_EQ(c.status, GNTST_bad_copy_arg, "copy across the dest page end");

    /* A reference nobody filled in. */
    c.source.u.ref = REF + 1;
    c.dest.offset = 0;
    c.len = 16;
    CHECK_EQ(gnt(GNTTABOP_copy, &c), 0, "copy from an unused ref: hypercall");
    /* Xen 4.17 answers a ref without GTF_permit_access with general_error. */
    CHECK_EQ(c.status, GNTST_general_error, "copy from an unused ref");
}

static void write_window(void *arg)
{
    (void)arg;
    *(volatile char *)map_window = 'x';
}

static void mappings(grant_entry_v1_t *table)
{
    struct gnttab_map_grant_ref m = {
        .host_addr = (unsigned long)map_window, .flags = GNTMAP_host_map,
        .ref = REF, .dom = guest_domid,
    };
    CHECK_EQ(gnt(GNTTABOP_map_grant_ref, &m), 0, "map_grant_ref");
    if (!CHECK_EQ(m.status, GNTST_okay, "map_grant_ref status"))
        return;
    CHECK(memcmp(map_window, data_page, PAGE_SIZE) == 0, "mapped page differs from the grant");
    CHECK(table[REF].flags & GTF_reading, "GTF_reading not set while mapped");
    CHECK(table[REF].flags & GTF_writing, "GTF_writing not set while mapped writable");
    /* Two names for one frame: the compiler must not assume they differ. */
    ((volatile char *)map_window)[5] = 'W';
    CHECK(((volatile char *)data_page)[5] == 'W',
          "write through the mapping did not reach the granted page");

    struct gnttab_unmap_grant_ref u = { .host_addr = (unsigned long)map_window,
                                        .handle = m.handle };
    CHECK_EQ(gnt(GNTTABOP_unmap_grant_ref, &u), 0, "unmap_grant_ref");
    CHECK_EQ(u.status, GNTST_okay, "unmap_grant_ref status");
    CHECK(!(table[REF].flags & (GTF_reading | GTF_writing)), "status bits left after unmap (%#x)",
          table[REF].flags);
    /* Unmapping twice: the handle is gone. */
    CHECK_EQ(gnt(GNTTABOP_unmap_grant_ref, &u), 0, "second unmap: hypercall");
    CHECK(u.status != GNTST_okay, "second unmap of the same handle succeeded");
    CHECK_EQ(unmap_machine_page(map_window), 0, "restore the window's own frame");

    /* Read-only: a read-only grant cannot be mapped writable; mapped
     * read-only, writes fault. */
    grant(table, REF, data_page, GTF_readonly);
    m = (struct gnttab_map_grant_ref){ .host_addr = (unsigned long)map_window,
                                       .flags = GNTMAP_host_map, .ref = REF, .dom = guest_domid };
    CHECK_EQ(gnt(GNTTABOP_map_grant_ref, &m), 0, "writable map of a read-only grant: hypercall");
    CHECK(m.status != GNTST_okay, "writable map of a read-only grant succeeded");
    m.flags = GNTMAP_host_map | GNTMAP_readonly;
    CHECK_EQ(gnt(GNTTABOP_map_grant_ref, &m), 0, "read-only map");
    if (CHECK_EQ(m.status, GNTST_okay, "read-only map status")) {
        CHECK(((volatile char *)map_window)[5] == 'W', "read-only mapping shows the wrong data");
        CHECK(!(table[REF].flags & GTF_writing), "GTF_writing set for a read-only mapping");
        struct trap_record rec;
        int v = run_catching(write_window, NULL, &rec);
        CHECK(v == 14, "write to a read-only grant mapping: vector %d", v);
        CHECK(v != 14 || rec.error_code == 3, "read-only grant #PF error %#lx",
              (unsigned long)rec.error_code);
        u = (struct gnttab_unmap_grant_ref){ .host_addr = (unsigned long)map_window,
                                             .handle = m.handle };
        CHECK_EQ(gnt(GNTTABOP_unmap_grant_ref, &u), 0, "unmap read-only");
        CHECK_EQ(u.status, GNTST_okay, "unmap read-only status");
        CHECK_EQ(unmap_machine_page(map_window), 0, "restore the window again");
    }

    /* References past the table. */
    m = (struct gnttab_map_grant_ref){ .host_addr = (unsigned long)map_window,
                                       .flags = GNTMAP_host_map, .ref = 1u << 20,
                                       .dom = guest_domid };
    CHECK_EQ(gnt(GNTTABOP_map_grant_ref, &m), 0, "map of ref 2^20: hypercall");
    CHECK_EQ(m.status, GNTST_bad_gntref, "map of ref 2^20");
    u = (struct gnttab_unmap_grant_ref){ .host_addr = (unsigned long)map_window,
                                         .handle = 12345 };
    CHECK_EQ(gnt(GNTTABOP_unmap_grant_ref, &u), 0, "unmap of a bad handle: hypercall");
    CHECK_EQ(u.status, GNTST_bad_handle, "unmap of a bad handle");
}

/*
 * A descriptor page (part of our GDT) is trusted by the hardware once
 * validated: no grant may write it. A copy into it, by reference or by
 * frame number, and a writable grant mapping of it are refused, and the
 * page is unchanged (a call gate written there would reach ring 0). The
 * other way round, a frame mapped writable through a grant cannot become
 * a descriptor page.
 */
static char gdt_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char gdt_copy[PAGE_SIZE];
#define GDT_REF (REF + 2)

static void descriptor_pages(grant_entry_v1_t *table)
{
    unsigned long mfn = virt_to_mfn(gdt_page);
    unsigned long frames[16] = { mfn };

    memset(gdt_page, 0, PAGE_SIZE);
    ((uint64_t *)gdt_page)[2] = 0x00CFF2000000FFFFull;     /* flat data, DPL 3 */
    if (!CHECK_EQ(map_machine_page(gdt_page, mfn, PTE_KERNEL_RO), 0, "map the GDT page read-only") ||
        !CHECK_EQ(hypercall2(__HYPERVISOR_set_gdt, (unsigned long)frames, 16), 0,
                  "set_gdt of the read-only page"))
        return;
    memcpy(gdt_copy, gdt_page, PAGE_SIZE);
    grant(table, GDT_REF, gdt_page, 0);

    /* A 64-bit call gate to the hypervisor's code segment, DPL 3: never let it in. */
    static const uint64_t gate[2] = { 0xFFFFEC000000E008ull /* lowest 16 bits: offset */, 0xFFFF8000ull };
    memcpy(data_page, gate, sizeof(gate));
    struct gnttab_copy c = {
        .source = { .u.gmfn = virt_to_mfn(data_page), .domid = DOMID_SELF },
        .dest = { .u.ref = GDT_REF, .domid = guest_domid, .offset = 4 * 8 },
        .len = sizeof(gate), .flags = GNTCOPY_dest_gref,
    };
    CHECK_EQ(gnt(GNTTABOP_copy, &c), 0, "copy into a GDT page by ref: hypercall");
    CHECK_EQ(c.status, GNTST_general_error, "copy into a GDT page by ref");
    c.flags = 0;
    c.dest = (struct gnttab_copy_ptr){ .u.gmfn = mfn, .domid = DOMID_SELF, .offset = 4 * 8 };
    CHECK_EQ(gnt(GNTTABOP_copy, &c), 0, "copy into a GDT page by frame: hypercall");
    CHECK_EQ(c.status, GNTST_general_error, "copy into a GDT page by frame");
    CHECK(memcmp(gdt_page, gdt_copy, PAGE_SIZE) == 0, "the GDT page was written by a copy");
    CHECK(!(table[GDT_REF].flags & (GTF_reading | GTF_writing)), "status bits left on the GDT grant");

    struct gnttab_map_grant_ref m = { .host_addr = (unsigned long)map_window,
                                      .flags = GNTMAP_host_map, .ref = GDT_REF, .dom = guest_domid };
    CHECK_EQ(gnt(GNTTABOP_map_grant_ref, &m), 0, "writable map of a GDT page: hypercall");
    CHECK_EQ(m.status, GNTST_general_error, "writable map of a GDT page");
    if (m.status == GNTST_okay) {
        struct gnttab_unmap_grant_ref u = { .host_addr = (unsigned long)map_window, .handle = m.handle };
        gnt(GNTTABOP_unmap_grant_ref, &u);
    }
    m = (struct gnttab_map_grant_ref){ .host_addr = (unsigned long)map_window,
                                       .flags = GNTMAP_host_map | GNTMAP_readonly, .ref = GDT_REF,
                                       .dom = guest_domid };
    CHECK_EQ(gnt(GNTTABOP_map_grant_ref, &m), 0, "read-only map of a GDT page: hypercall");
    if (CHECK_EQ(m.status, GNTST_okay, "read-only map of a GDT page")) {
        CHECK(memcmp(map_window, gdt_copy, PAGE_SIZE) == 0, "read-only view of the GDT page differs");
        struct gnttab_unmap_grant_ref u = { .host_addr = (unsigned long)map_window, .handle = m.handle };
        CHECK_EQ(gnt(GNTTABOP_unmap_grant_ref, &u), 0, "unmap the read-only GDT mapping");
        CHECK_EQ(u.status, GNTST_okay, "unmap the read-only GDT mapping: status");
    }
    CHECK_EQ(unmap_machine_page(map_window), 0, "restore the window");
    CHECK_EQ(hypercall2(__HYPERVISOR_set_gdt, (unsigned long)frames, 0), 0, "set_gdt with no entries");

    /* Mapped writable through a grant, the page cannot become a GDT page. */
    m = (struct gnttab_map_grant_ref){ .host_addr = (unsigned long)map_window,
                                       .flags = GNTMAP_host_map, .ref = GDT_REF, .dom = guest_domid };
    CHECK_EQ(gnt(GNTTABOP_map_grant_ref, &m), 0, "writable map of the former GDT page: hypercall");
    if (CHECK_EQ(m.status, GNTST_okay, "writable map of the former GDT page")) {
        long rc = hypercall2(__HYPERVISOR_set_gdt, (unsigned long)frames, 16);
        printk("gnttab: set_gdt of a page mapped writable through a grant -> %ld\n", rc);
        CHECK(rc < 0, "set_gdt of a page mapped writable through a grant succeeded");
        if (rc == 0)
            hypercall2(__HYPERVISOR_set_gdt, (unsigned long)frames, 0);
        struct gnttab_unmap_grant_ref u = { .host_addr = (unsigned long)map_window, .handle = m.handle };
        CHECK_EQ(gnt(GNTTABOP_unmap_grant_ref, &u), 0, "unmap the writable mapping");
        CHECK_EQ(u.status, GNTST_okay, "unmap the writable mapping: status");
        CHECK_EQ(unmap_machine_page(map_window), 0, "restore the window once more");
    }
    table[GDT_REF].flags = 0;
    CHECK_EQ(map_machine_page(gdt_page, mfn, PTE_KERNEL_RW), 0, "the former GDT page writable again");
}

void test_main(void)
{
    versions();
    grant_entry_v1_t *table = setup();
    if (!table)
        return;
    grant(table, REF, data_page, 0);
    copies();
    mappings(table);
    table[REF].flags = 0;
    descriptor_pages(table);
}
