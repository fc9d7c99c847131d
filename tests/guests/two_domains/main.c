/*
 * Two domains: event channels and grants between two domUs, without
 * xenstore. Both run this kernel; the odd domain id is the server, the next
 * even id its client (xl gives 1 and 2 to the first two domUs it creates).
 *
 *  server: alloc_unbound for the client, grant ref 10 (a page with a
 *          pattern) to it, then wait for the client's event.
 *  client: find the server's port by trying bind_interdomain on its low
 *          ports (only the one allocated for us succeeds), map ref 10,
 *          check the pattern, write a reply, signal; the server checks that
 *          the grant shows GTF_reading|GTF_writing while mapped, reads the
 *          reply, copies a page to the client with GNTTABOP_copy, copies its
 *          own page back through the client's transitive grant (the
 *          client's table is version 2: REF + 2 passes the server's REF
 *          on to the server), is refused a self-referential one, signals.
 *  client: unmaps, checks the copy, goes back to version 1, signals done;
 *          the server checks the status bits cleared and revokes the grant.
 * Roles: "role=server|client peer=<domid>" on the kernel command line (for
 * hypervisors that start both from boot modules); without them the odd
 * domain id serves the next even one (what xl's numbering gives).
 * As the initial domain without a role it skips.
 */
#include "guest.h"

const char test_title[] = "two domains: event channels and grants";

#define REF 10
/* A loaded host's dom0 starts the second domain up to ~20 s after the first. */
#define WAIT_NS 60000000000ULL
static char shared_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char gnttab_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char window[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char copy_target[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static bool wait_hits(evtchn_port_t port, unsigned long want)
{
    uint64_t deadline = system_time_ns() + WAIT_NS;
    while (guest_port_hits[port] < want) {
        if (system_time_ns() > deadline)
            return false;
        guest_sleep_ns(5000000);
    }
    return true;
}

static grant_entry_v1_t *grant_table(void)
{
    xen_pfn_t frame = 0;
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
    set_xen_guest_handle(st.frame_list, &frame);
    if (hyp_grant_table_op(GNTTABOP_setup_table, &st, 1) || st.status != GNTST_okay ||
        map_machine_page(gnttab_page, frame, PTE_KERNEL_RW))
        return NULL;
    return (grant_entry_v1_t *)gnttab_page;
}

static void server(domid_t client)
{
    grant_entry_v1_t *gt = grant_table();
    if (!CHECK(gt != NULL, "server: no grant table"))
        return;
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        shared_page[i] = (char)(i ^ 0x5a);
    gt[REF].domid = client;
    gt[REF].frame = (uint32_t)virt_to_mfn(shared_page);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    gt[REF].flags = GTF_permit_access;

    struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF, .remote_dom = client };
    if (!CHECK_EQ(hyp_event_channel_op(EVTCHNOP_alloc_unbound, &alloc), 0, "server: alloc_unbound"))
        return;
    evtchn_port_t port = alloc.port;
    printk("two_domains: server %u offers port %u and ref %u to domain %u\n", guest_domid,
           port, REF, client);

    /* 1: the client mapped the page and wrote its reply. */
    if (!CHECK(wait_hits(port, 1), "server: no event from the client"))
        return;
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };
    CHECK_EQ(hyp_event_channel_op(EVTCHNOP_status, &st), 0, "server: status");
    CHECK_EQ(st.status, EVTCHNSTAT_interdomain, "server: port status");
    CHECK_EQ(st.u.interdomain.dom, client, "server: peer domain");
    CHECK(gt[REF].flags & GTF_reading, "server: GTF_reading not set while the client maps");
    CHECK(gt[REF].flags & GTF_writing, "server: GTF_writing not set while mapped writable");
    CHECK(!strncmp(shared_page + 100, "reply from the client", 21),
          "server: no reply in the shared page");

    /* GNTTABOP_copy into a page the client granted at REF + 1. */
    static char src[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        src[i] = (char)(i * 3);
    struct gnttab_copy c = {
        .source = { .u.gmfn = virt_to_mfn(src), .domid = DOMID_SELF },
        .dest = { .u.ref = REF + 1, .domid = client },
        .len = PAGE_SIZE, .flags = GNTCOPY_dest_gref,
    };
    CHECK_EQ(hyp_grant_table_op(GNTTABOP_copy, &c, 1), 0, "server: copy");
    CHECK_EQ(c.status, GNTST_okay, "server: copy into the client's grant");

    /* Our own page back through the client's transitive grant (its REF + 2 names our REF). */
    static char via[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
    struct gnttab_copy t = {
        .source = { .u.ref = REF + 2, .domid = client },
        .dest = { .u.gmfn = virt_to_mfn(via), .domid = DOMID_SELF },
        .len = PAGE_SIZE, .flags = GNTCOPY_source_gref,
    };
    CHECK_EQ(hyp_grant_table_op(GNTTABOP_copy, &t, 1), 0, "server: transitive copy");
    CHECK_EQ(t.status, GNTST_okay, "server: copy through the client's transitive grant");
    CHECK(memcmp(via, shared_page, PAGE_SIZE) == 0, "server: the transitive copy differs from our page");
    /* The client's REF + 3 names itself: refused. */
    t.source.u.ref = REF + 3;
    CHECK_EQ(hyp_grant_table_op(GNTTABOP_copy, &t, 1), 0, "server: self-referential copy");
    CHECK_EQ(t.status, GNTST_general_error, "server: copy through a self-referential transitive grant");
    CHECK_EQ(evtchn_send_port(port), 0, "server: send");

    /* 2: the client unmapped. */
    if (!CHECK(wait_hits(port, 2), "server: the client never finished"))
        return;
    CHECK(!(gt[REF].flags & (GTF_reading | GTF_writing)), "server: status bits left (%#x)",
          gt[REF].flags);
    gt[REF].flags = 0;      /* revoke: safe now that nothing maps it */
    printk("two_domains: server done\n");
}

static void client(domid_t server_id)
{
    if (!CHECK(grant_table() != NULL, "client: no grant table"))
        return;
    /* Version 2, so that we can pass the server's grant back to it transitively. */
    struct gnttab_set_version sv = { .version = 2 };
    if (!CHECK_EQ(hyp_grant_table_op(GNTTABOP_set_version, &sv, 1), 0, "client: set_version(2)"))
        return;
    grant_entry_v2_t *gt = (grant_entry_v2_t *)gnttab_page;
    gt[REF + 1].full_page.frame = virt_to_mfn(copy_target);
    gt[REF + 1].hdr.domid = server_id;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    gt[REF + 1].hdr.flags = GTF_permit_access;
    gt[REF + 2].transitive.trans_domid = server_id;
    gt[REF + 2].transitive.gref = REF;
    gt[REF + 2].hdr.domid = server_id;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    gt[REF + 2].hdr.flags = GTF_transitive;
    gt[REF + 3].transitive.trans_domid = guest_domid;
    gt[REF + 3].transitive.gref = REF + 1;
    gt[REF + 3].hdr.domid = server_id;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    gt[REF + 3].hdr.flags = GTF_transitive;

    /* Find the server's port: only the one it allocated for us binds. */
    evtchn_port_t port = 0;
    uint64_t deadline = system_time_ns() + WAIT_NS;
    while (!port && system_time_ns() < deadline) {
        for (evtchn_port_t p = 1; p < 32 && !port; p++) {
            struct evtchn_bind_interdomain b = { .remote_dom = server_id, .remote_port = p };
            if (hyp_event_channel_op(EVTCHNOP_bind_interdomain, &b) == 0)
                port = b.local_port;
        }
        if (!port)
            hyp_sched_op(SCHEDOP_yield, NULL);
    }
    if (!CHECK(port != 0, "client: server %u never offered a port", server_id))
        return;
    printk("two_domains: client %u bound port %u to server %u\n", guest_domid, port, server_id);
    unsigned long base = guest_port_hits[port];     /* binding raised one */

    struct gnttab_map_grant_ref m = { .host_addr = (unsigned long)window,
                                      .flags = GNTMAP_host_map, .ref = REF, .dom = server_id };
    deadline = system_time_ns() + WAIT_NS;
    do {
        CHECK_EQ(hyp_grant_table_op(GNTTABOP_map_grant_ref, &m, 1), 0, "client: map");
    } while (m.status != GNTST_okay && system_time_ns() < deadline);
    if (!CHECK_EQ(m.status, GNTST_okay, "client: map the server's grant"))
        return;
    bool pattern = true;
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        if (((volatile char *)window)[i] != (char)(i ^ 0x5a))
            pattern = false;
    CHECK(pattern, "client: the mapped page lacks the server's pattern");
    memcpy(window + 100, "reply from the client", 21);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    /* Mapping a ref the server did not grant to us fails. */
    struct gnttab_map_grant_ref bad = { .host_addr = (unsigned long)copy_target,
                                        .flags = GNTMAP_host_map, .ref = REF + 5,
                                        .dom = server_id };
    CHECK_EQ(hyp_grant_table_op(GNTTABOP_map_grant_ref, &bad, 1), 0, "client: bad map");
    CHECK(bad.status != GNTST_okay, "client: mapped an ungranted ref of the server");

    events_enable();
    CHECK_EQ(evtchn_send_port(port), 0, "client: send");
    if (!CHECK(wait_hits(port, base + 1), "client: no answer from the server"))
        return;
    bool copied = true;
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        if (((volatile char *)copy_target)[i] != (char)(i * 3))
            copied = false;
    CHECK(copied, "client: the server's GNTTABOP_copy did not arrive");

    struct gnttab_unmap_grant_ref u = { .host_addr = (unsigned long)window, .handle = m.handle };
    CHECK_EQ(hyp_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1), 0, "client: unmap");
    CHECK_EQ(u.status, GNTST_okay, "client: unmap status");
    unmap_machine_page(window);
    /* Nothing of ours is mapped now (the server only copied): back to version 1. */
    sv.version = 1;
    CHECK_EQ(hyp_grant_table_op(GNTTABOP_set_version, &sv, 1), 0, "client: set_version(1)");
    CHECK_EQ(sv.version, 1, "client: version after going back");
    CHECK_EQ(evtchn_send_port(port), 0, "client: send done");
    printk("two_domains: client done\n");
}

void test_main(void)
{
    bool server_role = cmdline_has("role=server"), client_role = cmdline_has("role=client");
    if (!server_role && !client_role) {
        if (guest_start_info->flags & SIF_INITDOMAIN) {
            test_skip("needs two domains: run-guest.py --dom0 ... --guests NAME,NAME, "
                      "or two boot modules with role=server|client peer=N");
            return;
        }
        server_role = guest_domid & 1;
    }
    long peer = cmdline_number("peer", server_role ? guest_domid + 1 : guest_domid - 1);
    events_enable();
    if (server_role)
        server((domid_t)peer);
    else
        client((domid_t)peer);
}
