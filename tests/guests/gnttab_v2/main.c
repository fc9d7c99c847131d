/*
 * Grant tables version 2, granting to ourselves, and
 * GNTTABOP_unmap_and_replace: the 1 -> 2 switch (refused while an entry
 * is mapped), status frames (get_status_frames, mapped writable, holding
 * GTF_reading/GTF_writing while the hypervisor uses an entry), 16-byte
 * entries, sub-page grants (copies inside them only, maps refused),
 * transitive grants (maps refused, self-reference refused), the 2 -> 1
 * switch (-ERANGE for a reserved entry v1 cannot hold, -EBUSY while a
 * status frame is mapped, reserved entries kept), and unmap_and_replace
 * moving another address's mapping over a grant mapping.
 */
#include "guest.h"

const char test_title[] = "grant tables v2";

#define REF 10              /* above the 8 entries reserved for the toolstack */
static char gnttab_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char status_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char data_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char copy_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char map_window[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char spare_window[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static grant_entry_v2_t *table = (grant_entry_v2_t *)gnttab_page;
static volatile grant_status_t *status = (volatile grant_status_t *)status_page;

static long gnt(unsigned int cmd, void *arg) { return hyp_grant_table_op(cmd, arg, 1); }

static long set_version(uint32_t version, uint32_t *in_force)
{
    struct gnttab_set_version sv = { .version = version };
    long rc = gnt(GNTTABOP_set_version, &sv);
    *in_force = sv.version;
    return rc;
}

static uint32_t get_version(void)
{
    struct gnttab_get_version gv = { .dom = DOMID_SELF };
    CHECK_EQ(gnt(GNTTABOP_get_version, &gv), 0, "get_version");
    return gv.version;
}

static int16_t status_frames(uint32_t n, uint64_t *list)
{
    struct gnttab_get_status_frames gs = { .nr_frames = n, .dom = DOMID_SELF, .status = 99 };
    set_xen_guest_handle(gs.frame_list, list);
    CHECK_EQ(gnt(GNTTABOP_get_status_frames, &gs), 0, "get_status_frames hypercall");
    return gs.status;
}

/* The granting side: body, then header, flags last. */
static void grant_full(grant_ref_t ref, void *page, uint16_t extra)
{
    table[ref].full_page.frame = virt_to_mfn(page);
    table[ref].hdr.domid = guest_domid;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    table[ref].hdr.flags = GTF_permit_access | extra;
}

static void grant_sub(grant_ref_t ref, void *page, uint16_t off, uint16_t len)
{
    table[ref].sub_page.frame = virt_to_mfn(page);
    table[ref].sub_page.page_off = off;
    table[ref].sub_page.length = len;
    table[ref].hdr.domid = guest_domid;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    table[ref].hdr.flags = GTF_permit_access | GTF_sub_page;
}

static void grant_transitive(grant_ref_t ref, domid_t tdom, grant_ref_t tref)
{
    table[ref].transitive.trans_domid = tdom;
    table[ref].transitive.gref = tref;
    table[ref].hdr.domid = guest_domid;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    table[ref].hdr.flags = GTF_transitive;
}

static int16_t map_ref(grant_ref_t ref, void *va, uint32_t flags, grant_handle_t *handle)
{
    struct gnttab_map_grant_ref m = { .host_addr = (unsigned long)va, .flags = flags, .ref = ref,
                                      .dom = guest_domid, .status = 99 };
    CHECK_EQ(gnt(GNTTABOP_map_grant_ref, &m), 0, "map_grant_ref hypercall");
    if (handle)
        *handle = m.handle;
    return m.status;
}

static int16_t unmap_ref(grant_handle_t handle, void *va)
{
    struct gnttab_unmap_grant_ref u = { .host_addr = (unsigned long)va, .handle = handle, .status = 99 };
    CHECK_EQ(gnt(GNTTABOP_unmap_grant_ref, &u), 0, "unmap_grant_ref hypercall");
    return u.status;
}

static int16_t copy_from_ref(grant_ref_t ref, uint16_t src_off, uint16_t dst_off, uint16_t len)
{
    struct gnttab_copy c = {
        .source = { .u.ref = ref, .domid = guest_domid, .offset = src_off },
        .dest = { .u.gmfn = virt_to_mfn(copy_page), .domid = DOMID_SELF, .offset = dst_off },
        .len = len, .flags = GNTCOPY_source_gref, .status = 99,
    };
    CHECK_EQ(gnt(GNTTABOP_copy, &c), 0, "copy hypercall");
    return c.status;
}

static int16_t copy_to_ref(grant_ref_t ref, uint16_t dst_off, uint16_t len)
{
    struct gnttab_copy c = {
        .source = { .u.gmfn = virt_to_mfn(copy_page), .domid = DOMID_SELF },
        .dest = { .u.ref = ref, .domid = guest_domid, .offset = dst_off },
        .len = len, .flags = GNTCOPY_dest_gref, .status = 99,
    };
    CHECK_EQ(gnt(GNTTABOP_copy, &c), 0, "copy hypercall");
    return c.status;
}

static bool setup_v2(void)
{
    uint32_t v = 0;

    if (!CHECK_EQ(get_version(), 1, "initial version"))
        return false;
    /* Busy: an entry past the reserved ones mapped under v1 blocks the switch. */
    xen_pfn_t frames[1] = { 0 };
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
    set_xen_guest_handle(st.frame_list, frames);
    CHECK_EQ(gnt(GNTTABOP_setup_table, &st), 0, "setup_table");
    if (!CHECK_EQ(st.status, GNTST_okay, "setup_table status") ||
        !CHECK_EQ(map_machine_page(gnttab_page, frames[0], PTE_KERNEL_RW), 0, "map the table"))
        return false;
    grant_entry_v1_t *v1 = (grant_entry_v1_t *)gnttab_page;
    v1[REF].domid = guest_domid;
    v1[REF].frame = (uint32_t)virt_to_mfn(data_page);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    v1[REF].flags = GTF_permit_access;
    /* Reserved entry 1 (xenstore's) survives the switch. */
    v1[GNTTAB_RESERVED_XENSTORE].domid = guest_domid;
    v1[GNTTAB_RESERVED_XENSTORE].frame = (uint32_t)virt_to_mfn(copy_page);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    v1[GNTTAB_RESERVED_XENSTORE].flags = GTF_permit_access | GTF_readonly;
    grant_handle_t h;
    if (CHECK_EQ(map_ref(REF, 0, GNTMAP_device_map | GNTMAP_readonly, &h), GNTST_okay, "v1 map")) {
        CHECK_EQ(set_version(2, &v), -XEN_EBUSY, "set_version(2) with a mapped entry");
        CHECK_EQ(v, 1, "version after a refused switch");
        struct gnttab_unmap_grant_ref u = { .dev_bus_addr = (uint64_t)virt_to_mfn(data_page) << PAGE_SHIFT,
                                            .handle = h };
        CHECK_EQ(gnt(GNTTABOP_unmap_grant_ref, &u), 0, "unmap v1");
        CHECK_EQ(u.status, GNTST_okay, "unmap v1 status");
    }
    uint64_t sf[1];
    CHECK_EQ(status_frames(1, sf), GNTST_general_error, "get_status_frames under v1");
    CHECK_EQ(status_frames(0, sf), GNTST_okay, "get_status_frames(0) under v1");

    if (!CHECK_EQ(set_version(2, &v), 0, "set_version(2)") || !CHECK_EQ(v, 2, "version in force"))
        return false;
    CHECK_EQ(get_version(), 2, "get_version after the switch");
    CHECK_EQ(set_version(2, &v), 0, "set_version(2) again");
    CHECK_EQ(set_version(3, &v), -XEN_EINVAL, "set_version(3)");
    CHECK_EQ(v, 2, "version after set_version(3)");

    /* Converted: the reserved entry kept, entry 10 (v2 entry 5's bytes) cleared. */
    CHECK_EQ(table[GNTTAB_RESERVED_XENSTORE].hdr.flags, GTF_permit_access | GTF_readonly,
             "reserved entry flags after the switch");
    CHECK_EQ(table[GNTTAB_RESERVED_XENSTORE].full_page.frame, virt_to_mfn(copy_page),
             "reserved entry frame after the switch");
    CHECK_EQ(table[5].full_page.frame, 0, "entry 5 cleared by the switch");
    CHECK_EQ(table[REF].hdr.flags, 0, "entry 10 cleared by the switch");

    /* One table frame: one status frame (2048 words); two are too many. */
    struct gnttab_query_size qs = { .dom = DOMID_SELF };
    CHECK_EQ(gnt(GNTTABOP_query_size, &qs), 0, "query_size");
    uint32_t want = (qs.nr_frames * 256 + 2047) / 2048;
    printk("gnttab_v2: %u table frames, %u status frames\n", qs.nr_frames, want);
    CHECK_EQ(status_frames(want + 1, sf), GNTST_general_error, "one status frame too many");
    if (!CHECK_EQ(status_frames(1, sf), GNTST_okay, "get_status_frames(1)"))
        return false;
    /* The guest maps it writable, as Xen shares it. */
    return CHECK_EQ(map_machine_page(status_page, sf[0], PTE_KERNEL_RW), 0, "map the status frame");
}

static void maps(void)
{
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        data_page[i] = (char)(i * 11 + 3);
    grant_full(REF, data_page, 0);
    grant_handle_t h;
    if (CHECK_EQ(map_ref(REF, map_window, GNTMAP_host_map, &h), GNTST_okay, "v2 map")) {
        CHECK(memcmp(map_window, data_page, PAGE_SIZE) == 0, "v2 mapping shows the wrong page");
        CHECK_EQ(status[REF], GTF_reading | GTF_writing, "status word while mapped writable");
        CHECK_EQ(table[REF].hdr.flags, GTF_permit_access, "v2 header flags untouched");
        uint32_t v;
        CHECK_EQ(set_version(1, &v), -XEN_EBUSY, "set_version(1) with a mapped entry");
        CHECK_EQ(v, 2, "version after a refused switch back");
        CHECK_EQ(unmap_ref(h, map_window), GNTST_okay, "v2 unmap");
        CHECK_EQ(status[REF], 0, "status word after unmap");
        CHECK_EQ(unmap_machine_page(map_window), 0, "restore the window");
    }
    grant_full(REF + 1, data_page, GTF_readonly);
    CHECK_EQ(map_ref(REF + 1, map_window, GNTMAP_host_map, NULL), GNTST_general_error,
             "writable map of a read-only v2 grant");
    if (CHECK_EQ(map_ref(REF + 1, map_window, GNTMAP_host_map | GNTMAP_readonly, &h), GNTST_okay,
                 "read-only v2 map")) {
        CHECK_EQ(status[REF + 1], GTF_reading, "status word while mapped read-only");
        CHECK_EQ(unmap_ref(h, map_window), GNTST_okay, "read-only v2 unmap");
        CHECK_EQ(unmap_machine_page(map_window), 0, "restore the window");
    }
    /* Sub-page and transitive grants are never mapped. */
    grant_sub(REF + 2, data_page, 0, PAGE_SIZE);
    CHECK_EQ(map_ref(REF + 2, map_window, GNTMAP_host_map, NULL), GNTST_general_error, "map a sub-page grant");
    CHECK_EQ(status[REF + 2], 0, "status word after a refused sub-page map");
    grant_transitive(REF + 3, guest_domid, REF);
    CHECK_EQ(map_ref(REF + 3, map_window, GNTMAP_host_map, NULL), GNTST_general_error, "map a transitive grant");
    /* 256 entries a frame now. */
    struct gnttab_query_size qs = { .dom = DOMID_SELF };
    CHECK_EQ(gnt(GNTTABOP_query_size, &qs), 0, "query_size");
    CHECK_EQ(map_ref(qs.nr_frames * 256, map_window, GNTMAP_host_map, NULL), GNTST_bad_gntref,
             "map of the first ref past a v2 table");
}

static void copies(void)
{
    memset(copy_page, 0, PAGE_SIZE);
    grant_full(REF, data_page, 0);
    CHECK_EQ(copy_from_ref(REF, 0, 0, PAGE_SIZE), GNTST_okay, "copy from a full-page v2 grant");
    CHECK(memcmp(copy_page, data_page, PAGE_SIZE) == 0, "full-page v2 copy differs");
    CHECK_EQ(status[REF], 0, "status word after a copy");

    grant_sub(REF + 2, data_page, 100, 200);
    memset(copy_page, 0, PAGE_SIZE);
    CHECK_EQ(copy_from_ref(REF + 2, 100, 0, 200), GNTST_okay, "copy the whole sub-page");
    CHECK(memcmp(copy_page, data_page + 100, 200) == 0, "sub-page copy differs");
    CHECK_EQ(copy_from_ref(REF + 2, 150, 500, 150), GNTST_okay, "copy the sub-page's tail");
    CHECK(memcmp(copy_page + 500, data_page + 150, 150) == 0, "sub-page tail copy differs");
    CHECK_EQ(copy_from_ref(REF + 2, 99, 0, 1), GNTST_general_error, "copy before the sub-page");
    CHECK_EQ(copy_from_ref(REF + 2, 250, 0, 51), GNTST_general_error, "copy past the sub-page");
    CHECK_EQ(copy_from_ref(REF + 2, 100, 4000, 200), GNTST_bad_copy_arg,
             "sub-page copy crossing the destination page end");
    CHECK_EQ(status[REF + 2], 0, "status word after sub-page copies");

    /* Into a writable sub-page. */
    memset(copy_page, 'q', PAGE_SIZE);
    grant_sub(REF + 4, data_page, 4000, 96);
    CHECK_EQ(copy_to_ref(REF + 4, 4000, 96), GNTST_okay, "copy into a sub-page");
    CHECK(data_page[3999] != 'q' && data_page[4000] == 'q' && data_page[4095] == 'q',
          "copy into a sub-page wrote the wrong bytes");
    CHECK_EQ(copy_to_ref(REF + 4, 3999, 2), GNTST_general_error, "copy into a sub-page, one byte early");

    /* Transitive grants: self-reference and a missing domain are refused. */
    grant_transitive(REF + 3, guest_domid, REF);
    CHECK_EQ(copy_from_ref(REF + 3, 0, 0, 8), GNTST_general_error, "self-referential transitive copy");
    grant_transitive(REF + 3, 0x7000, REF);
    CHECK_EQ(copy_from_ref(REF + 3, 0, 0, 8), GNTST_general_error, "transitive copy via no domain");
    CHECK_EQ(status[REF + 3], 0, "status word after refused transitive copies");
}

static void read_spare(void *arg)
{
    (void)arg;
    (void)*(volatile char *)spare_window;
}

static void unmap_and_replace(void)
{
    memset(spare_window, 'S', PAGE_SIZE);
    grant_full(REF, data_page, 0);
    grant_handle_t h;
    if (!CHECK_EQ(map_ref(REF, map_window, GNTMAP_host_map, &h), GNTST_okay, "map for replace"))
        return;
    struct gnttab_unmap_and_replace r = { .host_addr = (unsigned long)map_window,
                                          .new_addr = (unsigned long)spare_window, .handle = h,
                                          .status = 99 };
    CHECK_EQ(gnt(GNTTABOP_unmap_and_replace, &r), 0, "unmap_and_replace hypercall");
    if (CHECK_EQ(r.status, GNTST_okay, "unmap_and_replace status")) {
        CHECK(((volatile char *)map_window)[7] == 'S', "the window does not show new_addr's page");
        struct trap_record rec;
        CHECK_EQ(run_catching(read_spare, NULL, &rec), 14, "new_addr left unmapped (#PF)");
        CHECK_EQ(status[REF], 0, "status word after unmap_and_replace");
        CHECK_EQ(unmap_ref(h, map_window), GNTST_bad_handle, "the handle is gone");
    }
    CHECK_EQ(unmap_machine_page(spare_window), 0, "restore new_addr");
    CHECK_EQ(unmap_machine_page(map_window), 0, "restore the window");
    r = (struct gnttab_unmap_and_replace){ .host_addr = (unsigned long)map_window,
                                           .new_addr = (unsigned long)spare_window, .handle = 4321 };
    CHECK_EQ(gnt(GNTTABOP_unmap_and_replace, &r), 0, "unmap_and_replace of a bad handle");
    CHECK_EQ(r.status, GNTST_bad_handle, "unmap_and_replace of a bad handle: status");
    /* new_addr outside the guest's space: nothing moves, the grant stays mapped. */
    if (CHECK_EQ(map_ref(REF, map_window, GNTMAP_host_map, &h), GNTST_okay, "map again")) {
        r = (struct gnttab_unmap_and_replace){ .host_addr = (unsigned long)map_window,
                                               .new_addr = 0xffff800000000000ul, .handle = h };
        CHECK_EQ(gnt(GNTTABOP_unmap_and_replace, &r), 0, "replace from the hypervisor's range");
        CHECK_EQ(r.status, GNTST_general_error, "replace from the hypervisor's range: status");
        CHECK(((volatile char *)map_window)[7] == data_page[7], "grant mapping lost");
        CHECK_EQ(unmap_ref(h, map_window), GNTST_okay, "unmap after a refused replace");
        CHECK_EQ(unmap_machine_page(map_window), 0, "restore the window");
    }
}

static void back_to_v1(void)
{
    uint32_t v;

    /* A reserved entry v1 cannot hold: -ERANGE, checked before the status frames. */
    grant_transitive(2, guest_domid, REF);
    CHECK_EQ(set_version(1, &v), -XEN_ERANGE, "set_version(1) with a transitive reserved entry");
    CHECK_EQ(v, 2, "version after -ERANGE");
    table[2].hdr.flags = 0;
    /* The status frame still mapped here: -EBUSY. */
    CHECK_EQ(set_version(1, &v), -XEN_EBUSY, "set_version(1) with the status frame mapped");
    CHECK_EQ(v, 2, "version after -EBUSY");
    CHECK_EQ(unmap_machine_page(status_page), 0, "unmap the status frame");
    grant_full(GNTTAB_RESERVED_CONSOLE, data_page, 0);
    if (!CHECK_EQ(set_version(1, &v), 0, "set_version(1)"))
        return;
    CHECK_EQ(v, 1, "version in force after the switch back");
    CHECK_EQ(get_version(), 1, "get_version after the switch back");
    grant_entry_v1_t *v1 = (grant_entry_v1_t *)gnttab_page;
    CHECK_EQ(v1[GNTTAB_RESERVED_CONSOLE].flags, GTF_permit_access, "reserved entry 0 in v1");
    CHECK_EQ(v1[GNTTAB_RESERVED_CONSOLE].frame, (uint32_t)virt_to_mfn(data_page), "reserved entry 0's frame");
    CHECK_EQ(v1[GNTTAB_RESERVED_XENSTORE].flags, GTF_permit_access | GTF_readonly, "reserved entry 1 in v1");
    CHECK_EQ(v1[REF].flags | v1[REF + 1].flags | v1[2 * REF].flags, 0, "entries past the reserved cleared");
    uint64_t sf[1];
    CHECK_EQ(status_frames(1, sf), GNTST_general_error, "no status frames under v1 again");
    v1[GNTTAB_RESERVED_CONSOLE].flags = 0;
    v1[GNTTAB_RESERVED_XENSTORE].flags = 0;
}

void test_main(void)
{
    if (!setup_v2())
        return;
    maps();
    copies();
    unmap_and_replace();
    back_to_v1();
}
