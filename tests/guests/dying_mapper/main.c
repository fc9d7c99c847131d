/*
 * A domain dying with a live grant mapping. Two domUs run this kernel; the
 * odd domain id is the granter, the next even id the mapper.
 *
 *  granter: grants a page (ref 10) and offers an event channel.
 *  mapper:  binds, maps the grant writable, writes a mark, signals.
 *  granter: sees the mark and GTF_reading|writing while the mapper lives,
 *           and signals back.
 *  mapper:  prints its verdict and crashes itself (SHUTDOWN_crash) with the
 *           mapping still in place.
 *  granter: once the mapper is destroyed the hypervisor must drop the
 *           mapping: the status bits clear (within 30 s), the page is still
 *           ours and usable, the event channel's peer is gone (the port is
 *           unbound again), and the grant can be revoked.
 * Roles: "role=server|client peer=<domid>" on the kernel command line (for
 * hypervisors that start both from boot modules); without them the odd
 * domain id serves the next even one (what xl's numbering gives).
 * As the initial domain without a role it skips.
 */
#include "guest.h"

const char test_title[] = "a domain dies holding a grant mapping";

#define REF 10
static char page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char gnttab_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char window[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

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

static void granter(domid_t mapper)
{
    grant_entry_v1_t *gt = grant_table();
    if (!CHECK(gt != NULL, "granter: no grant table"))
        return;
    memset(page, 0, PAGE_SIZE);
    gt[REF].domid = mapper;
    gt[REF].frame = (uint32_t)virt_to_mfn(page);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    gt[REF].flags = GTF_permit_access;
    struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF, .remote_dom = mapper };
    if (!CHECK_EQ(hyp_event_channel_op(EVTCHNOP_alloc_unbound, &alloc), 0, "alloc_unbound"))
        return;

    uint64_t deadline = system_time_ns() + 30000000000ULL;
    while (guest_port_hits[alloc.port] == 0 && system_time_ns() < deadline)
        guest_sleep_ns(5000000);
    if (!CHECK(guest_port_hits[alloc.port] > 0, "granter: the mapper never signalled"))
        return;
    CHECK(!strncmp(page, "mapped and alive", 16), "granter: no mark from the mapper");
    uint16_t flags = gt[REF].flags;
    CHECK((flags & (GTF_reading | GTF_writing)) == (GTF_reading | GTF_writing),
          "granter: status bits %#x while mapped", flags);
    printk("dying_mapper: mapper signalled, grant flags %#x; waiting for its death\n", flags);
    /* Only now may it die: a hypervisor may release its mapping at once. */
    CHECK_EQ(evtchn_send_port(alloc.port), 0, "granter: send");

    /* The mapper crashes now; its destruction must release the mapping. */
    deadline = system_time_ns() + 30000000000ULL;
    while ((gt[REF].flags & (GTF_reading | GTF_writing)) && system_time_ns() < deadline)
        guest_sleep_ns(20000000);
    flags = gt[REF].flags;
    if (!CHECK(!(flags & (GTF_reading | GTF_writing)),
               "granter: mapping not released 30 s after the mapper died (flags %#x)", flags))
        return;
    printk("dying_mapper: mapping released after the mapper died\n");

    struct evtchn_status st = { .dom = DOMID_SELF, .port = alloc.port };
    CHECK_EQ(hyp_event_channel_op(EVTCHNOP_status, &st), 0, "status after the peer died");
    CHECK_EQ(st.status, EVTCHNSTAT_unbound, "port state after its peer died");
    gt[REF].flags = 0;
    page[0] = 'x';
    CHECK(((volatile char *)page)[0] == 'x', "granter: our page is unusable");
}

static void mapper(domid_t granter_id)
{
    evtchn_port_t port = 0;
    uint64_t deadline = system_time_ns() + 30000000000ULL;
    while (!port && system_time_ns() < deadline) {
        for (evtchn_port_t p = 1; p < 32 && !port; p++) {
            struct evtchn_bind_interdomain b = { .remote_dom = granter_id, .remote_port = p };
            if (hyp_event_channel_op(EVTCHNOP_bind_interdomain, &b) == 0)
                port = b.local_port;
        }
        if (!port)
            hyp_sched_op(SCHEDOP_yield, NULL);
    }
    if (!CHECK(port != 0, "mapper: the granter offered no port"))
        return;
    unsigned long base = guest_port_hits[port];     /* binding may have raised one */
    struct gnttab_map_grant_ref m = { .host_addr = (unsigned long)window,
                                      .flags = GNTMAP_host_map, .ref = REF, .dom = granter_id };
    CHECK_EQ(hyp_grant_table_op(GNTTABOP_map_grant_ref, &m, 1), 0, "mapper: map");
    if (!CHECK_EQ(m.status, GNTST_okay, "mapper: map status"))
        return;
    memcpy(window, "mapped and alive", 16);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    CHECK_EQ(evtchn_send_port(port), 0, "mapper: send");
    /* Wait for the granter to have seen the mapping (at most 30 s). */
    deadline = system_time_ns() + 30000000000ULL;
    while (guest_port_hits[port] <= base && system_time_ns() < deadline)
        guest_sleep_ns(5000000);
    CHECK(guest_port_hits[port] > base, "mapper: the granter never answered");
    printk("dying_mapper: mapper crashes itself with the grant still mapped\n");
    /* Verdict (this domain's part), then die holding the mapping. */
    guest_finish_shutdown(SHUTDOWN_crash);
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
        granter((domid_t)peer);
    else
        mapper((domid_t)peer);
}
