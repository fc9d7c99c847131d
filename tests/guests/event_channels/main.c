/*
 * Event channels within one domain: an interdomain pair to ourselves, the
 * pending/mask/selector protocol, upcall delivery, VIRQ_TIMER (singleshot
 * and periodic), IPIs, SCHEDOP_poll (also with an upcall pending), status
 * and close.
 */
#include "guest.h"

const char test_title[] = "event channels";

static long ev_op(int cmd, void *arg) { return hyp_event_channel_op(cmd, arg); }

static void wait_for_port(evtchn_port_t port, unsigned long hits, uint64_t max_ns)
{
    uint64_t deadline = system_time_ns() + max_ns;
    /* Test with events off: block unmasks them, so no wake-up slips in between. */
    for (;;) {
        events_disable();
        if (guest_port_hits[port] >= hits || system_time_ns() >= deadline)
            break;
        hyp_set_timer_op(system_time_ns() + 1000000);   /* never sleep for ever */
        hyp_sched_op(SCHEDOP_block, NULL);
    }
    events_enable();
}

static void interdomain_to_self(void)
{
    struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF, .remote_dom = guest_domid };
    CHECK_EQ(ev_op(EVTCHNOP_alloc_unbound, &alloc), 0, "alloc_unbound");
    struct evtchn_bind_interdomain bind = { .remote_dom = DOMID_SELF, .remote_port = alloc.port };
    CHECK_EQ(ev_op(EVTCHNOP_bind_interdomain, &bind), 0, "bind_interdomain to self");
    evtchn_port_t a = alloc.port, b = bind.local_port;
    printk("evtchn: self pair %u <-> %u\n", a, b);
    CHECK(a != b && a != 0 && b != 0, "ports %u and %u", a, b);

    struct evtchn_status st = { .dom = DOMID_SELF, .port = a };
    CHECK_EQ(ev_op(EVTCHNOP_status, &st), 0, "status");
    CHECK_EQ(st.status, EVTCHNSTAT_interdomain, "status of the bound end");
    CHECK_EQ(st.u.interdomain.port, b, "status: remote port");
    CHECK_EQ(st.u.interdomain.dom, guest_domid, "status: remote domain");
    CHECK_EQ(st.vcpu, 0, "status: notified vCPU");

    /* Masked vCPU: sending sets the port's pending bit, the selector bit and
     * evtchn_upcall_pending, but no upcall happens. */
    vcpu_info_t *vi = this_vcpu_info();
    events_disable();
    unsigned long upcalls = guest_upcalls;
    CHECK_EQ(evtchn_send_port(b), 0, "send on b");
    CHECK(guest_shared_info->evtchn_pending[a / 64] & (1UL << (a % 64)), "port %u not pending", a);
    CHECK(vi->evtchn_pending_sel & (1UL << (a / 64)), "selector bit for port %u not set", a);
    CHECK(vi->evtchn_upcall_pending, "evtchn_upcall_pending not set");
    CHECK(guest_upcalls == upcalls, "upcall while events were masked");

    /* Unmasking the vCPU delivers it. */
    events_enable();
    CHECK_EQ(guest_port_hits[a], 1, "upcalls for port a after enabling events");
    CHECK(!(guest_shared_info->evtchn_pending[a / 64] & (1UL << (a % 64))),
          "port still pending after the handler");

    /* Per-port mask: pending, no upcall, until EVTCHNOP_unmask. */
    evtchn_mask_port(a);
    CHECK_EQ(evtchn_send_port(b), 0, "send on b (masked port)");
    CHECK_EQ(guest_port_hits[a], 1, "upcall on a masked port");
    evtchn_unmask_port(a);
    CHECK_EQ(guest_port_hits[a], 2, "upcall after EVTCHNOP_unmask");

    /* The other direction works too. (Binding b already raised it once:
     * bind_interdomain marks the new local port pending, because the unbound
     * end may have been sent to before.) */
    CHECK(guest_port_hits[b] >= 1, "bind_interdomain did not notify the new port");
    unsigned long b_hits = guest_port_hits[b];
    CHECK_EQ(evtchn_send_port(a), 0, "send on a");
    CHECK_EQ(guest_port_hits[b], b_hits + 1, "upcalls for port b");

    /* SCHEDOP_poll, events masked: returns at once for a pending port, and
     * after the timeout for an idle one. */
    events_disable();
    CHECK_EQ(evtchn_send_port(b), 0, "send before poll");
    evtchn_port_t ports[1] = { a };
    struct sched_poll poll = { .nr_ports = 1, .timeout = system_time_ns() + 5000000000ULL };
    set_xen_guest_handle(poll.ports, ports);
    uint64_t t0 = system_time_ns();
    CHECK_EQ(hyp_sched_op(SCHEDOP_poll, &poll), 0, "poll on a pending port");
    CHECK(system_time_ns() - t0 < 4000000000ULL, "poll on a pending port waited %lu ns",
          (unsigned long)(system_time_ns() - t0));
    evtchn_test_and_clear_pending(a);
    t0 = system_time_ns();
    poll.timeout = t0 + 20000000ULL;
    CHECK_EQ(hyp_sched_op(SCHEDOP_poll, &poll), 0, "poll timing out");
    uint64_t waited = system_time_ns() - t0;
    CHECK(waited >= 19000000ULL, "poll returned after %lu ns, before its 20 ms timeout",
          (unsigned long)waited);
    printk("evtchn: poll timed out after %lu us\n", (unsigned long)(waited / 1000));
    CHECK(this_vcpu_info()->evtchn_upcall_mask == 1, "poll unmasked events");
    events_enable();

    /* Closing one end leaves the other unbound, then closed. */
    CHECK_EQ(evtchn_close_port(b), 0, "close b");
    st = (struct evtchn_status){ .dom = DOMID_SELF, .port = a };
    CHECK_EQ(ev_op(EVTCHNOP_status, &st), 0, "status after closing b");
    CHECK_EQ(st.status, EVTCHNSTAT_unbound, "a after closing its peer");
    CHECK_EQ(evtchn_close_port(a), 0, "close a");
    st = (struct evtchn_status){ .dom = DOMID_SELF, .port = a };
    CHECK_EQ(ev_op(EVTCHNOP_status, &st), 0, "status after closing a");
    CHECK_EQ(st.status, EVTCHNSTAT_closed, "a after close");
    CHECK_EQ(evtchn_send_port(a), -XEN_EINVAL, "send on a closed port");
}

static void timer_virq(void)
{
    /* PV vCPUs start with a default periodic tick; silence it so that every
     * VIRQ_TIMER below comes from the timer being tested. */
    CHECK_EQ(hyp_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL), 0, "stop the default tick");
    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
    CHECK_EQ(ev_op(EVTCHNOP_bind_virq, &bv), 0, "bind_virq VIRQ_TIMER");
    evtchn_port_t t = bv.port;
    struct evtchn_status st = { .dom = DOMID_SELF, .port = t };
    CHECK_EQ(ev_op(EVTCHNOP_status, &st), 0, "status of the VIRQ port");
    CHECK_EQ(st.status, EVTCHNSTAT_virq, "VIRQ port status");
    CHECK_EQ(st.u.virq, VIRQ_TIMER, "VIRQ port's virq");
    bv = (struct evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = 0 };
    CHECK_EQ(ev_op(EVTCHNOP_bind_virq, &bv), -XEN_EEXIST, "binding VIRQ_TIMER twice");

    /* Singleshot through set_timer_op. */
    unsigned long before = guest_port_hits[t];
    uint64_t t0 = system_time_ns();
    CHECK_EQ(hyp_set_timer_op(t0 + 3000000), 0, "set_timer_op");
    uint64_t deadline = t0 + 2000000000ULL;
    for (;;) {
        events_disable();
        if (guest_port_hits[t] != before || system_time_ns() >= deadline)
            break;
        hyp_sched_op(SCHEDOP_block, NULL);
    }
    events_enable();
    uint64_t fired = system_time_ns() - t0;
    CHECK(guest_port_hits[t] > before, "VIRQ_TIMER did not fire for set_timer_op");
    CHECK(fired >= 2900000, "set_timer_op fired after %lu ns, before its 3 ms",
          (unsigned long)fired);

    /* A deadline in the past fires at once. Xen 4.17 accepts and ignores
     * VCPU_SSHOTTMR_future (it used to refuse with -ETIME). */
    before = guest_port_hits[t];
    struct vcpu_set_singleshot_timer ss = { .timeout_abs_ns = system_time_ns() - 1000,
                                            .flags = VCPU_SSHOTTMR_future };
    CHECK_EQ(hyp_vcpu_op(VCPUOP_set_singleshot_timer, 0, &ss), 0,
             "singleshot timer in the past with VCPU_SSHOTTMR_future");
    wait_for_port(t, before + 1, 2000000000ULL);
    CHECK(guest_port_hits[t] > before, "singleshot timer in the past did not fire");

    /* Singleshot through VCPUOP. */
    before = guest_port_hits[t];
    t0 = system_time_ns();
    ss = (struct vcpu_set_singleshot_timer){ .timeout_abs_ns = t0 + 2000000 };
    CHECK_EQ(hyp_vcpu_op(VCPUOP_set_singleshot_timer, 0, &ss), 0, "set_singleshot_timer");
    for (;;) {
        events_disable();
        if (guest_port_hits[t] != before || system_time_ns() >= t0 + 2000000000ULL)
            break;
        hyp_sched_op(SCHEDOP_block, NULL);
    }
    events_enable();
    CHECK(guest_port_hits[t] > before, "singleshot VCPUOP timer did not fire");
    CHECK(system_time_ns() - t0 >= 1900000, "singleshot VCPUOP timer fired early");

    /* Stopping a singleshot timer keeps it quiet. */
    ss = (struct vcpu_set_singleshot_timer){ .timeout_abs_ns = system_time_ns() + 2000000 };
    CHECK_EQ(hyp_vcpu_op(VCPUOP_set_singleshot_timer, 0, &ss), 0, "set_singleshot_timer (2)");
    CHECK_EQ(hyp_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL), 0, "stop_singleshot_timer");
    before = guest_port_hits[t];
    t0 = system_time_ns();
    while (system_time_ns() - t0 < 10000000)
        ;
    CHECK(guest_port_hits[t] == before, "stopped singleshot timer fired");

    /* Periodic: wait (spinning: the periodic timer is virtual time, which
     * Xen stops while the vCPU is descheduled) for 5 ticks of a 10 ms timer.
     * The first may come at once, so 5 ticks take at least 4 periods; a
     * loaded host only makes them later, so only "too fast" and "never"
     * are failures. (A tick count over a fixed window was flaky: 4-19
     * ticks per 200 ms depending on the host's load.) */
    struct vcpu_set_periodic_timer per = { .period_ns = 10000000 };
    before = guest_port_hits[t];
    t0 = system_time_ns();
    CHECK_EQ(hyp_vcpu_op(VCPUOP_set_periodic_timer, 0, &per), 0, "set_periodic_timer");
    while (guest_port_hits[t] - before < 5 && system_time_ns() - t0 < 10000000000ULL)
        ;
    uint64_t took = system_time_ns() - t0;
    CHECK_EQ(hyp_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL), 0, "stop_periodic_timer");
    unsigned long ticks = guest_port_hits[t] - before;
    printk("evtchn: periodic 10 ms timer: %lu ticks in %lu us\n", ticks,
           (unsigned long)(took / 1000));
    CHECK(ticks >= 5, "periodic 10 ms timer: %lu ticks in 10 s", ticks);
    CHECK(took >= 36000000, "5 ticks of a 10 ms periodic timer in %lu us",
          (unsigned long)(took / 1000));
    before = guest_port_hits[t];
    t0 = system_time_ns();
    while (system_time_ns() - t0 < 10000000)
        ;
    events_disable();
    events_enable();
    CHECK(guest_port_hits[t] == before, "periodic timer ticked after stop");

    per.period_ns = 1;      /* far below any sane minimum */
    long rc = hyp_vcpu_op(VCPUOP_set_periodic_timer, 0, &per);
    CHECK(rc == -XEN_EINVAL, "a 1 ns period: got %ld, want -EINVAL", rc);
    hyp_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    CHECK_EQ(evtchn_close_port(t), 0, "close the VIRQ port");
}

/* The other VIRQs the issue names: global ones bind on vCPU 0 only. */
static void other_virqs(void)
{
    struct evtchn_bind_virq bv = { .virq = VIRQ_DEBUG, .vcpu = 1 };
    long rc = hyp_event_channel_op(EVTCHNOP_bind_virq, &bv);
    if (hyp_vcpu_op(VCPUOP_is_up, 1, NULL) >= 0) {     /* a vCPU 1 exists */
        CHECK_EQ(rc, 0, "VIRQ_DEBUG (per-vCPU) on vCPU 1");
        struct evtchn_status st = { .dom = DOMID_SELF, .port = bv.port };
        CHECK_EQ(hyp_event_channel_op(EVTCHNOP_status, &st), 0, "status of VIRQ_DEBUG");
        CHECK_EQ(st.vcpu, 1, "VIRQ_DEBUG's vCPU");
        evtchn_close_port(bv.port);
    }
    if (!(guest_start_info->flags & SIF_INITDOMAIN))
        return;     /* the global VIRQs below are the control domain's */
    static const unsigned int globals[] = { VIRQ_CONSOLE, VIRQ_DOM_EXC };
    for (unsigned int i = 0; i < ARRAY_SIZE(globals); i++) {
        bv = (struct evtchn_bind_virq){ .virq = globals[i], .vcpu = 1 };
        CHECK_EQ(hyp_event_channel_op(EVTCHNOP_bind_virq, &bv), -XEN_EINVAL,
                 "global VIRQ bound on vCPU 1");
        bv = (struct evtchn_bind_virq){ .virq = globals[i], .vcpu = 0 };
        CHECK_EQ(hyp_event_channel_op(EVTCHNOP_bind_virq, &bv), 0, "global VIRQ on vCPU 0");
        struct evtchn_status st = { .dom = DOMID_SELF, .port = bv.port };
        CHECK_EQ(hyp_event_channel_op(EVTCHNOP_status, &st), 0, "status of a global VIRQ");
        CHECK_EQ(st.u.virq, globals[i], "global VIRQ number in status");
        evtchn_close_port(bv.port);
    }
}

static void ipi(void)
{
    struct evtchn_bind_ipi bi = { .vcpu = 0 };
    CHECK_EQ(ev_op(EVTCHNOP_bind_ipi, &bi), 0, "bind_ipi");
    unsigned long before = guest_port_hits[bi.port];
    CHECK_EQ(evtchn_send_port(bi.port), 0, "send IPI");
    CHECK_EQ(guest_port_hits[bi.port], before + 1, "IPI upcalls");
    struct evtchn_status st = { .dom = DOMID_SELF, .port = bi.port };
    CHECK_EQ(ev_op(EVTCHNOP_status, &st), 0, "status of the IPI port");
    CHECK_EQ(st.status, EVTCHNSTAT_ipi, "IPI port status");

    /* bind_vcpu moves a port's notifications; a vCPU we do not have is refused. */
    struct evtchn_bind_vcpu bvc = { .port = bi.port, .vcpu = 1000 };
    CHECK(ev_op(EVTCHNOP_bind_vcpu, &bvc) < 0, "bind_vcpu to vCPU 1000 accepted");
    CHECK_EQ(evtchn_close_port(bi.port), 0, "close the IPI port");
}

/*
 * SCHEDOP_poll with an upcall already pending and events unmasked returns
 * at once, as Xen's do_poll does (local_events_need_delivery), and the
 * upcall is delivered on the way out. A poll that slept instead would be
 * deaf to every later event, its own timer's among them: none raises the
 * upcall flag again, so none wakes it.
 */
static volatile evtchn_port_t noted_port;
static volatile uint64_t noted_at_ns;

static void note_upcall(evtchn_port_t port)
{
    if (port == noted_port)
        noted_at_ns = system_time_ns();
}

static void poll_with_upcall_pending(void)
{
    struct evtchn_bind_ipi sent = { .vcpu = 0 }, idle = { .vcpu = 0 };
    CHECK_EQ(ev_op(EVTCHNOP_bind_ipi, &sent), 0, "bind_ipi (the pending port)");
    CHECK_EQ(ev_op(EVTCHNOP_bind_ipi, &idle), 0, "bind_ipi (the polled port)");
    evtchn_port_t ports[1] = { idle.port };
    struct sched_poll poll = { .nr_ports = 1 };
    set_xen_guest_handle(poll.ports, ports);
    noted_port = sent.port;
    guest_port_hook = note_upcall;

    /* An interrupt between the unmask and the poll may deliver the upcall first: try again. */
    uint64_t waited = 0;
    bool delivered_early = true;
    for (int attempt = 0; attempt < 5 && delivered_early; attempt++) {
        events_disable();
        noted_at_ns = 0;
        CHECK_EQ(evtchn_send_port(sent.port), 0, "send before poll");
        CHECK(this_vcpu_info()->evtchn_upcall_pending, "no upcall pending after a send");
        uint64_t t0 = system_time_ns();
        poll.timeout = t0 + 2000000000ULL;
        /* Unmasked without a hypercall, so nothing delivers the upcall before the poll. */
        this_vcpu_info()->evtchn_upcall_mask = 0;
        barrier();
        long rc = hyp_sched_op(SCHEDOP_poll, &poll);
        uint64_t t1 = system_time_ns();
        events_enable();
        CHECK_EQ(rc, 0, "poll with an upcall pending");
        waited = t1 - t0;
        delivered_early = waited >= 1000000000ULL && noted_at_ns && noted_at_ns < t0 + 500000000ULL;
    }
    CHECK(!delivered_early, "the upcall came before every poll (5 tries)");
    CHECK(noted_at_ns != 0, "the pending upcall was never delivered");
    CHECK(waited < 1000000000ULL, "poll with an unmasked upcall pending slept %lu ms (Xen "
          "returns at once)", (unsigned long)(waited / 1000000));
    printk("evtchn: poll with an upcall pending returned after %lu us\n",
           (unsigned long)(waited / 1000));
    guest_port_hook = NULL;
    CHECK_EQ(evtchn_close_port(sent.port), 0, "close the pending port");
    CHECK_EQ(evtchn_close_port(idle.port), 0, "close the polled port");
}

void test_main(void)
{
    events_enable();
    interdomain_to_self();
    timer_virq();
    other_virqs();
    ipi();
    poll_with_upcall_pending();
    events_disable();
}
