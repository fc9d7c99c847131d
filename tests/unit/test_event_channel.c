/*
 * common/event_channel*.c against fake domains, part 1: port allocation and
 * ranges, interdomain pairs and the death of one side, VIRQs, IPIs and
 * bind_vcpu. Part 2 (test_event_channel_delivery.c) has the 2-level
 * delivery rules, status/reset/argument handling and the poll hooks;
 * part 3 (test_event_channel_threads.c) the threaded tests. This file's
 * main() runs all three as the suite "event_channel".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/errno.h>
#include "evtchn_test.h"

/* --- port allocation, port 0, ranges -------------------------------------- */

static void test_port0_is_reserved(void)
{
    setup();
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, 0, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_closed);
    CU_ASSERT_EQUAL(ev_close(dom1, 0), -EINVAL);
    CU_ASSERT_EQUAL(ev_send(dom1, 0), -EINVAL);
    CU_ASSERT_EQUAL(bind_vcpu(dom1, 0, 1), -EINVAL);
    evtchn_port_t p;
    CU_ASSERT_EQUAL(alloc_unbound(dom1, DOMID_SELF, 0, &p), 0);
    CU_ASSERT_EQUAL(p, 1);
    teardown();
}

static void test_alloc_unbound_lowest_free_port(void)
{
    setup();
    evtchn_port_t p[4];
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(alloc_unbound(dom1, DOMID_SELF, 0, &p[i]), 0);
        CU_ASSERT_EQUAL(p[i], (evtchn_port_t)i + 1);
    }
    CU_ASSERT_EQUAL(ev_close(dom1, 2), 0);
    evtchn_port_t again;
    CU_ASSERT_EQUAL(alloc_unbound(dom1, DOMID_SELF, 0, &again), 0);
    CU_ASSERT_EQUAL(again, 2);
    teardown();
}

static void test_alloc_unbound_status_and_self(void)
{
    setup();
    evtchn_port_t p, q;
    CU_ASSERT_EQUAL(alloc_unbound(dom1, DOMID_SELF, 0, &p), 0);
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, p, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
    CU_ASSERT_EQUAL(st.u.unbound.dom, 0);
    CU_ASSERT_EQUAL(st.vcpu, 0);
    /* remote DOMID_SELF is the caller's own id */
    CU_ASSERT_EQUAL(alloc_unbound(dom1, 1, DOMID_SELF, &q), 0);
    CU_ASSERT_EQUAL(ev_status(dom1, 1, q, &st), 0);
    CU_ASSERT_EQUAL(st.u.unbound.dom, 1);
    teardown();
}

static void test_alloc_unbound_in_another_domain_needs_privilege(void)
{
    setup();
    evtchn_port_t p = 0;
    CU_ASSERT_EQUAL(alloc_unbound(dom1, 0, 1, &p), -EPERM);
    /* nothing was allocated in dom0 */
    CU_ASSERT_EQUAL(alloc_unbound(dom0, DOMID_SELF, 1, &p), 0);
    CU_ASSERT_EQUAL(p, 1);
    /* the control domain may allocate in dom1, for itself (DOMID_SELF = 0) */
    CU_ASSERT_EQUAL(alloc_unbound(dom0, 1, DOMID_SELF, &p), 0);
    CU_ASSERT_EQUAL(p, 1);
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, p, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
    CU_ASSERT_EQUAL(st.u.unbound.dom, 0);
    teardown();
}

static void test_alloc_unbound_bad_domains(void)
{
    setup();
    evtchn_port_t p;
    CU_ASSERT_EQUAL(alloc_unbound(dom0, 7, 0, &p), -ESRCH);        /* absent */
    CU_ASSERT_EQUAL(alloc_unbound(dom0, DOMID_IO, 0, &p), -ESRCH);
    CU_ASSERT_EQUAL(alloc_unbound(dom0, DOMID_SELF, DOMID_IO, &p), -EINVAL);
    CU_ASSERT_EQUAL(alloc_unbound(dom0, DOMID_SELF, DOMID_INVALID, &p), -EINVAL);
    CU_ASSERT_EQUAL(alloc_unbound(dom0, DOMID_SELF, 0xffff, &p), -EINVAL);
    /* an id nobody has yet is fine: the domain may be built later */
    CU_ASSERT_EQUAL(alloc_unbound(dom0, DOMID_SELF, 42, &p), 0);
    teardown();
}

static void test_port_storage_grows_by_buckets(void)
{
    setup();
    struct evtchn_status st;
    evtchn_port_t p;
    /* inside the first bucket: closed; past it: invalid */
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, EVTCHN_BUCKET_PORTS - 1, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_closed);
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, EVTCHN_BUCKET_PORTS, &st), -EINVAL);
    for (unsigned i = 1; i <= EVTCHN_BUCKET_PORTS; i++)
        CU_ASSERT_EQUAL(alloc_unbound(dom1, DOMID_SELF, 0, &p), 0);
    CU_ASSERT_EQUAL(p, EVTCHN_BUCKET_PORTS);
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, EVTCHN_BUCKET_PORTS + 1, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_closed);
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, 2 * EVTCHN_BUCKET_PORTS, &st), -EINVAL);
    teardown();
}

static void test_all_4095_ports_then_enospc(void)
{
    setup();
    evtchn_port_t p = 0, last = 0;
    long rc = 0;
    unsigned n = 0;
    while ((rc = alloc_unbound(dom1, DOMID_SELF, 0, &p)) == 0) {
        last = p;
        n++;
    }
    CU_ASSERT_EQUAL(rc, -ENOSPC);
    CU_ASSERT_EQUAL(n, EVTCHN_MAX_PORTS - 1);
    CU_ASSERT_EQUAL(last, EVTCHN_MAX_PORTS - 1);
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, EVTCHN_MAX_PORTS, &st), -EINVAL);
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, 0xffffffffu, &st), -EINVAL);
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &p), -ENOSPC);
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_TIMER, 0, &p), -ENOSPC);
    CU_ASSERT_EQUAL(ev_close(dom1, 4000), 0);
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &p), 0);
    CU_ASSERT_EQUAL(p, 4000);
    check_invariants(dom1);
    teardown();
}

static void test_out_of_memory_leaves_nothing(void)
{
    setup();
    evtchn_port_t p;
    for (unsigned i = 1; i < EVTCHN_BUCKET_PORTS; i++)
        CU_ASSERT_EQUAL(alloc_unbound(dom1, DOMID_SELF, 0, &p), 0);
    long live = stub_allocs_live;
    stub_alloc_fail_at = 1;     /* the next bucket */
    CU_ASSERT_EQUAL(alloc_unbound(dom1, DOMID_SELF, 0, &p), -ENOMEM);
    CU_ASSERT_EQUAL(stub_allocs_live, live);
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, EVTCHN_BUCKET_PORTS, &st), -EINVAL);
    check_invariants(dom1);
    CU_ASSERT_EQUAL(alloc_unbound(dom1, DOMID_SELF, 0, &p), 0);
    CU_ASSERT_EQUAL(p, EVTCHN_BUCKET_PORTS);
    teardown();
}

static void test_domain_init_failures(void)
{
    setup();
    struct fake_domain scratch;
    for (unsigned fail = 1; fail <= 2; fail++) {
        memset(&scratch, 0, sizeof(scratch));
        long live = stub_allocs_live;
        stub_alloc_fail_at = fail;
        CU_ASSERT_EQUAL(evtchn_domain_init(&scratch.d), -ENOMEM);
        CU_ASSERT_PTR_NULL(scratch.d.evtchn);
        CU_ASSERT_EQUAL(stub_allocs_live, live);
    }
    stub_alloc_fail_at = 0;
    CU_ASSERT_EQUAL(evtchn_domain_init(&dom1->d), -EEXIST);
    teardown();
}

/* --- interdomain ------------------------------------------------------------ */

static void test_bind_interdomain_pair(void)
{
    setup();
    evtchn_port_t a, b;
    make_pair(dom0, dom1, &a, &b);
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom0, DOMID_SELF, a, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_interdomain);
    CU_ASSERT_EQUAL(st.u.interdomain.dom, 1);
    CU_ASSERT_EQUAL(st.u.interdomain.port, b);
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, b, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_interdomain);
    CU_ASSERT_EQUAL(st.u.interdomain.dom, 0);
    CU_ASSERT_EQUAL(st.u.interdomain.port, a);
    CU_ASSERT_EQUAL(st.vcpu, 0);
    teardown();
}

static void test_bind_marks_new_port_pending(void)
{
    setup();
    evtchn_port_t a, b;
    make_pair(dom0, dom1, &a, &b);
    CU_ASSERT_TRUE(fake_pending(dom1, b));
    CU_ASSERT_EQUAL(fake_sel(dom1, 0), 1UL << (b / 64));
    CU_ASSERT_EQUAL(fake_upcall(dom1, 0), 1);
    CU_ASSERT_EQUAL(dom1->kicks[0], 1);
    CU_ASSERT_FALSE(fake_pending(dom0, a));
    CU_ASSERT_EQUAL(dom0->kicks[0], 0);
    teardown();
}

static void test_bind_interdomain_errors(void)
{
    setup();
    evtchn_port_t a, b, ipi, other;
    CU_ASSERT_EQUAL(alloc_unbound(dom0, DOMID_SELF, 1, &a), 0);
    CU_ASSERT_EQUAL(bind_interdomain(dom1, 9, a, &b), -ESRCH);
    CU_ASSERT_EQUAL(bind_interdomain(dom1, DOMID_XEN, a, &b), -ESRCH);
    CU_ASSERT_EQUAL(bind_interdomain(dom1, 0, EVTCHN_MAX_PORTS, &b), -EINVAL);
    CU_ASSERT_EQUAL(bind_interdomain(dom1, 0, 0xffffffffu, &b), -EINVAL);
    CU_ASSERT_EQUAL(bind_interdomain(dom1, 0, 0, &b), -EINVAL);          /* reserved */
    CU_ASSERT_EQUAL(bind_interdomain(dom1, 0, a + 1, &b), -EINVAL);      /* free */
    CU_ASSERT_EQUAL(bind_ipi(dom0, 0, &ipi), 0);
    CU_ASSERT_EQUAL(bind_interdomain(dom1, 0, ipi, &b), -EINVAL);        /* not unbound */
    CU_ASSERT_EQUAL(alloc_unbound(dom0, DOMID_SELF, 5, &other), 0);
    CU_ASSERT_EQUAL(bind_interdomain(dom1, 0, other, &b), -EINVAL);      /* for someone else */
    CU_ASSERT_EQUAL(bind_interdomain(dom0, DOMID_SELF, a, &b), -EINVAL); /* for dom1, not us */
    evtchn_port_t bound;
    CU_ASSERT_EQUAL(bind_interdomain(dom1, 0, a, &bound), 0);
    CU_ASSERT_EQUAL(bind_interdomain(dom1, 0, a, &b), -EINVAL);          /* already bound */
    /* the failures allocated nothing in dom1: its only port is the bound one */
    CU_ASSERT_EQUAL(bound, 1);
    CU_ASSERT_EQUAL(status_of(dom1, 2), EVTCHNSTAT_closed);
    teardown();
}

static void test_bind_interdomain_without_free_port(void)
{
    setup();
    evtchn_port_t a, p, b;
    CU_ASSERT_EQUAL(alloc_unbound(dom0, DOMID_SELF, 1, &a), 0);
    while (bind_ipi(dom1, 0, &p) == 0)
        ;
    CU_ASSERT_EQUAL(bind_interdomain(dom1, 0, a, &b), -ENOSPC);
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom0, DOMID_SELF, a, &st), 0);    /* still waiting */
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
    CU_ASSERT_EQUAL(ev_close(dom1, 77), 0);
    CU_ASSERT_EQUAL(bind_interdomain(dom1, 0, a, &b), 0);
    CU_ASSERT_EQUAL(b, 77);
    teardown();
}

static void test_invariant_check_notices_corruption(void)
{
    setup();
    evtchn_port_t ipi;
    const char *why = NULL;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 1, &ipi), 0);
    dom1->v[1].virq_to_evtchn[VIRQ_DEBUG] = ipi;     /* a VIRQ table naming an IPI port */
    CU_ASSERT_EQUAL(evtchn_domain_check(&dom1->d, &why), -EINVAL);
    CU_ASSERT_PTR_NOT_NULL(why);
    dom1->v[1].virq_to_evtchn[VIRQ_DEBUG] = 0;
    CU_ASSERT_EQUAL(evtchn_domain_check(&dom1->d, &why), 0);
    CU_ASSERT_PTR_NULL(why);
    teardown();
}

static void test_bind_interdomain_to_self(void)
{
    setup();
    evtchn_port_t a, b;
    CU_ASSERT_EQUAL(alloc_unbound(dom1, DOMID_SELF, DOMID_SELF, &a), 0);
    CU_ASSERT_EQUAL(bind_interdomain(dom1, DOMID_SELF, a, &b), 0);
    CU_ASSERT_NOT_EQUAL(a, b);
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, a, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_interdomain);
    CU_ASSERT_EQUAL(st.u.interdomain.dom, 1);
    CU_ASSERT_EQUAL(st.u.interdomain.port, b);
    CU_ASSERT_TRUE(fake_pending(dom1, b));         /* bind raised it */
    fake_guest_ack_all(dom1);
    CU_ASSERT_EQUAL(ev_send(dom1, b), 0);
    CU_ASSERT_TRUE(fake_pending(dom1, a));
    CU_ASSERT_FALSE(fake_pending(dom1, b));
    CU_ASSERT_EQUAL(ev_send(dom1, a), 0);
    CU_ASSERT_TRUE(fake_pending(dom1, b));
    /* closing one end leaves the other unbound, waiting for ourselves */
    CU_ASSERT_EQUAL(ev_close(dom1, b), 0);
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, a, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
    CU_ASSERT_EQUAL(st.u.unbound.dom, 1);
    CU_ASSERT_FALSE(fake_pending(dom1, b));        /* close cleared it */
    CU_ASSERT_EQUAL(ev_close(dom1, a), 0);
    CU_ASSERT_EQUAL(status_of(dom1, a), EVTCHNSTAT_closed);
    CU_ASSERT_EQUAL(ev_send(dom1, a), -EINVAL);
    teardown();
}

static void test_send_reaches_peer_notify_vcpu(void)
{
    setup();
    evtchn_port_t a, b;
    make_pair(dom1, dom0, &a, &b);      /* higher id serves the lower */
    fake_guest_ack_all(dom0);
    fake_guest_ack_all(dom1);
    CU_ASSERT_EQUAL(bind_vcpu(dom1, a, 2), 0);
    CU_ASSERT_EQUAL(ev_send(dom0, b), 0);
    CU_ASSERT_TRUE(fake_pending(dom1, a));
    CU_ASSERT_EQUAL(fake_sel(dom1, 2), 1UL << (a / 64));
    CU_ASSERT_EQUAL(fake_upcall(dom1, 2), 1);
    CU_ASSERT_EQUAL(fake_sel(dom1, 0), 0);
    CU_ASSERT_EQUAL(dom1->kicks[2], 1);
    CU_ASSERT_EQUAL(dom1->kicks[0], 0);
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, a, &st), 0);
    CU_ASSERT_EQUAL(st.vcpu, 2);
    /* the other way round */
    CU_ASSERT_EQUAL(ev_send(dom1, a), 0);
    CU_ASSERT_TRUE(fake_pending(dom0, b));
    CU_ASSERT_EQUAL(fake_sel(dom0, 0), 1UL << (b / 64));
    teardown();
}

static void test_close_interdomain_leaves_peer_unbound(void)
{
    setup();
    evtchn_port_t a, b, b2;
    make_pair(dom0, dom1, &a, &b);
    CU_ASSERT_EQUAL(ev_close(dom1, b), 0);
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom0, DOMID_SELF, a, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
    CU_ASSERT_EQUAL(st.u.unbound.dom, 1);
    CU_ASSERT_EQUAL(status_of(dom1, b), EVTCHNSTAT_closed);
    CU_ASSERT_EQUAL(ev_close(dom1, b), -EINVAL);                /* double close */
    CU_ASSERT_EQUAL(ev_send(dom0, a), 0);                       /* dropped */
    CU_ASSERT_FALSE(fake_pending(dom1, b));
    /* dom1 can bind again */
    CU_ASSERT_EQUAL(bind_interdomain(dom1, 0, a, &b2), 0);
    CU_ASSERT_EQUAL(status_of(dom0, a), EVTCHNSTAT_interdomain);
    /* closing from the lower-id side works the same */
    CU_ASSERT_EQUAL(ev_close(dom0, a), 0);
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, b2, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
    CU_ASSERT_EQUAL(st.u.unbound.dom, 0);
    CU_ASSERT_EQUAL(ev_close(dom0, a), -EINVAL);
    teardown();
}

static void test_send_unbound_is_dropped(void)
{
    setup();
    evtchn_port_t a;
    CU_ASSERT_EQUAL(alloc_unbound(dom1, DOMID_SELF, 0, &a), 0);
    CU_ASSERT_EQUAL(ev_send(dom1, a), 0);
    CU_ASSERT_FALSE(fake_pending(dom1, a));
    CU_ASSERT_EQUAL(dom1->kicks[0], 0);
    CU_ASSERT_EQUAL(ev_send(dom1, a + 1), -EINVAL);             /* free */
    CU_ASSERT_EQUAL(ev_send(dom1, EVTCHN_MAX_PORTS), -EINVAL);
    CU_ASSERT_EQUAL(ev_send(dom1, 0xffffffffu), -EINVAL);
    teardown();
}

static void test_destroy_one_side(void)
{
    setup();
    evtchn_port_t a, b, c, d;
    make_pair(dom0, dom1, &a, &b);
    make_pair(dom1, dom0, &c, &d);
    struct fake_domain *dying = dom1;
    fake_domain_kill(dying);
    CU_ASSERT_TRUE(dying->freed);        /* nobody else held a reference */
    dom1 = NULL;
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom0, DOMID_SELF, a, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
    CU_ASSERT_EQUAL(st.u.unbound.dom, 1);
    CU_ASSERT_EQUAL(ev_status(dom0, DOMID_SELF, d, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
    CU_ASSERT_EQUAL(st.u.unbound.dom, 1);
    CU_ASSERT_EQUAL(ev_send(dom0, a), 0);
    CU_ASSERT_EQUAL(ev_send(dom0, d), 0);
    CU_ASSERT_EQUAL(bind_interdomain(dom0, 1, c, &b), -ESRCH);
    CU_ASSERT_EQUAL(ev_status(dom0, 1, b, &st), -ESRCH);
    check_invariants(dom0);
    /* a new domain 1 can bind to the port left waiting for that id */
    dom1 = fake_domain_new(1, 1, false);
    CU_ASSERT_EQUAL(bind_interdomain(dom1, 0, a, &b), 0);
    check_invariants(dom0);
    free(dying->d.shared_info);
    free(dying);
    teardown();
}

static void test_destroy_with_reference_held_refuses_binding(void)
{
    setup();
    evtchn_port_t a, b;
    CU_ASSERT_EQUAL(alloc_unbound(dom1, DOMID_SELF, 0, &a), 0);
    struct domain *held = domain_get(1);
    CU_ASSERT_PTR_EQUAL(held, &dom1->d);
    /* destroyed but still referenced (a hypercall in flight holds it) */
    evtchn_domain_destroy(&dom1->d);
    CU_ASSERT_EQUAL(bind_interdomain(dom0, 1, a, &b), -ESRCH);
    CU_ASSERT_EQUAL(evtchn_alloc_unbound_for(&dom1->d, 0, &b), -EINVAL);
    evtchn_domain_destroy(&dom1->d);      /* idempotent */
    domain_put(held);
    CU_ASSERT_FALSE(dom1->freed);
    teardown();
}

static void test_destroy_clears_everything(void)
{
    setup();
    evtchn_port_t p, a, b;
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_TIMER, 1, &p), 0);
    CU_ASSERT_EQUAL(bind_ipi(dom1, 2, &p), 0);
    make_pair(dom1, dom1, &a, &b);
    evtchn_domain_destroy(&dom1->d);
    CU_ASSERT_EQUAL(dom1->v[1].virq_to_evtchn[VIRQ_TIMER], 0);
    for (evtchn_port_t port = 1; port < EVTCHN_BUCKET_PORTS; port++)
        CU_ASSERT_FALSE(fake_pending(dom1, port));
    send_guest_vcpu_virq(&dom1->v[1], VIRQ_TIMER);    /* harmless now */
    CU_ASSERT_EQUAL(dom1->kicks[1], 0);
    teardown();
}

/* --- VIRQs ------------------------------------------------------------------ */

static void test_bind_virq_per_vcpu(void)
{
    setup();
    evtchn_port_t t1, t0;
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_TIMER, 1, &t1), 0);
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_TIMER, 0, &t0), 0);   /* each vCPU its own */
    CU_ASSERT_NOT_EQUAL(t0, t1);
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, t1, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_virq);
    CU_ASSERT_EQUAL(st.u.virq, VIRQ_TIMER);
    CU_ASSERT_EQUAL(st.vcpu, 1);
    send_guest_vcpu_virq(&dom1->v[1], VIRQ_TIMER);
    CU_ASSERT_TRUE(fake_pending(dom1, t1));
    CU_ASSERT_FALSE(fake_pending(dom1, t0));
    CU_ASSERT_EQUAL(fake_sel(dom1, 1), 1UL << (t1 / 64));
    CU_ASSERT_EQUAL(fake_upcall(dom1, 1), 1);
    CU_ASSERT_EQUAL(dom1->kicks[1], 1);
    CU_ASSERT_EQUAL(fake_sel(dom1, 0), 0);
    CU_ASSERT_EQUAL(dom1->kicks[0], 0);
    /* a vCPU without the binding gets nothing */
    send_guest_vcpu_virq(&dom1->v[2], VIRQ_TIMER);
    CU_ASSERT_EQUAL(dom1->kicks[2], 0);
    CU_ASSERT_EQUAL(ev_send(dom1, t1), -EINVAL);      /* VIRQ ports are not sent on */
    teardown();
}

static void test_bind_virq_twice_eexist(void)
{
    setup();
    evtchn_port_t p, q;
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_TIMER, 0, &p), 0);
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_TIMER, 0, &q), -EEXIST);
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_DOM_EXC, 0, &p), 0);
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_DOM_EXC, 0, &q), -EEXIST);
    /* after a close it can be bound again */
    CU_ASSERT_EQUAL(ev_close(dom1, p), 0);
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_DOM_EXC, 0, &q), 0);
    CU_ASSERT_EQUAL(q, p);
    teardown();
}

static void test_bind_virq_errors(void)
{
    setup();
    evtchn_port_t p;
    CU_ASSERT_EQUAL(bind_virq(dom1, NR_VIRQS, 0, &p), -EINVAL);
    CU_ASSERT_EQUAL(bind_virq(dom1, NR_VIRQS + 5, 0, &p), -EINVAL);
    CU_ASSERT_EQUAL(bind_virq(dom1, 0xffffffffu, 0, &p), -EINVAL);
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_CONSOLE, 1, &p), -EINVAL);   /* global on vCPU 1 */
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_ARCH_0, 2, &p), -EINVAL);
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_TIMER, 3, &p), -ENOENT);     /* dom1 has 3 vCPUs */
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_TIMER, 1000, &p), -ENOENT);
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_DEBUG, 0xffffffffu, &p), -ENOENT);
    CU_ASSERT_EQUAL(status_of(dom1, 1), EVTCHNSTAT_closed);            /* nothing made */
    teardown();
}

static void test_global_virq_follows_bind_vcpu(void)
{
    setup();
    evtchn_port_t p;
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_CONSOLE, 0, &p), 0);
    send_guest_global_virq(&dom1->d, VIRQ_CONSOLE);
    CU_ASSERT_TRUE(fake_pending(dom1, p));
    CU_ASSERT_EQUAL(dom1->kicks[0], 1);
    fake_guest_ack_all(dom1);
    CU_ASSERT_EQUAL(bind_vcpu(dom1, p, 2), 0);
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, p, &st), 0);
    CU_ASSERT_EQUAL(st.vcpu, 2);
    send_guest_global_virq(&dom1->d, VIRQ_CONSOLE);
    CU_ASSERT_EQUAL(fake_sel(dom1, 2), 1UL << (p / 64));
    CU_ASSERT_EQUAL(fake_sel(dom1, 0), 0);
    CU_ASSERT_EQUAL(dom1->kicks[2], 1);
    CU_ASSERT_EQUAL(dom1->kicks[0], 1);
    check_invariants(dom1);
    teardown();
}

static void test_virq_kind_mismatch_is_ignored(void)
{
    setup();
    evtchn_port_t t, c;
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_TIMER, 0, &t), 0);
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_CONSOLE, 0, &c), 0);
    send_guest_global_virq(&dom1->d, VIRQ_TIMER);        /* per-vCPU through the global call */
    send_guest_vcpu_virq(&dom1->v[0], VIRQ_CONSOLE);     /* and the other way */
    send_guest_vcpu_virq(&dom1->v[0], NR_VIRQS);
    send_guest_global_virq(&dom1->d, 1000);
    send_guest_global_virq(NULL, VIRQ_CONSOLE);
    CU_ASSERT_FALSE(fake_pending(dom1, t));
    CU_ASSERT_FALSE(fake_pending(dom1, c));
    CU_ASSERT_EQUAL(dom1->kicks[0], 0);
    teardown();
}

static void test_close_virq_unbinds(void)
{
    setup();
    evtchn_port_t t;
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_DEBUG, 2, &t), 0);
    CU_ASSERT_EQUAL(dom1->v[2].virq_to_evtchn[VIRQ_DEBUG], t);
    CU_ASSERT_EQUAL(ev_close(dom1, t), 0);
    CU_ASSERT_EQUAL(dom1->v[2].virq_to_evtchn[VIRQ_DEBUG], 0);
    send_guest_vcpu_virq(&dom1->v[2], VIRQ_DEBUG);
    CU_ASSERT_FALSE(fake_pending(dom1, t));
    CU_ASSERT_EQUAL(dom1->kicks[2], 0);
    teardown();
}

/* --- IPIs and bind_vcpu ------------------------------------------------------- */

static void test_ipi(void)
{
    setup();
    evtchn_port_t p;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 2, &p), 0);
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, p, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_ipi);
    CU_ASSERT_EQUAL(st.vcpu, 2);
    CU_ASSERT_EQUAL(ev_send(dom1, p), 0);
    CU_ASSERT_TRUE(fake_pending(dom1, p));
    CU_ASSERT_EQUAL(fake_sel(dom1, 2), 1UL << (p / 64));
    CU_ASSERT_EQUAL(dom1->kicks[2], 1);
    CU_ASSERT_EQUAL(dom1->kicks[0], 0);
    CU_ASSERT_EQUAL(bind_ipi(dom1, 3, &p), -ENOENT);
    CU_ASSERT_EQUAL(bind_ipi(dom1, 1000, &p), -ENOENT);
    CU_ASSERT_EQUAL(bind_vcpu(dom1, 1, 0), -EINVAL);     /* IPIs stay on their vCPU */
    teardown();
}

static void test_bind_vcpu_errors(void)
{
    setup();
    evtchn_port_t t, u;
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_TIMER, 1, &t), 0);
    CU_ASSERT_EQUAL(bind_vcpu(dom1, t, 2), -EINVAL);      /* per-vCPU VIRQ */
    CU_ASSERT_EQUAL(bind_vcpu(dom1, t + 1, 1), -EINVAL);  /* free */
    CU_ASSERT_EQUAL(bind_vcpu(dom1, EVTCHN_MAX_PORTS, 1), -EINVAL);
    CU_ASSERT_EQUAL(alloc_unbound(dom1, DOMID_SELF, 0, &u), 0);
    CU_ASSERT_EQUAL(bind_vcpu(dom1, u, 3), -ENOENT);
    CU_ASSERT_EQUAL(bind_vcpu(dom1, u, 0xffffffffu), -ENOENT);
    CU_ASSERT_EQUAL(bind_vcpu(dom1, u, 1), 0);            /* unbound ports may move */
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, u, &st), 0);
    CU_ASSERT_EQUAL(st.vcpu, 1);
    /* closing resets the binding: the port comes back notifying vCPU 0 */
    CU_ASSERT_EQUAL(ev_close(dom1, u), 0);
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, u, &st), 0);
    CU_ASSERT_EQUAL(st.vcpu, 0);
    teardown();
}

const struct unit_case evtchn_port_cases[] = {
    UNIT_CASE(port0_is_reserved),
    UNIT_CASE(alloc_unbound_lowest_free_port),
    UNIT_CASE(alloc_unbound_status_and_self),
    UNIT_CASE(alloc_unbound_in_another_domain_needs_privilege),
    UNIT_CASE(alloc_unbound_bad_domains),
    UNIT_CASE(port_storage_grows_by_buckets),
    UNIT_CASE(all_4095_ports_then_enospc),
    UNIT_CASE(out_of_memory_leaves_nothing),
    UNIT_CASE(domain_init_failures),
    UNIT_CASE(bind_interdomain_pair),
    UNIT_CASE(bind_marks_new_port_pending),
    UNIT_CASE(bind_interdomain_errors),
    UNIT_CASE(bind_interdomain_without_free_port),
    UNIT_CASE(invariant_check_notices_corruption),
    UNIT_CASE(bind_interdomain_to_self),
    UNIT_CASE(send_reaches_peer_notify_vcpu),
    UNIT_CASE(close_interdomain_leaves_peer_unbound),
    UNIT_CASE(send_unbound_is_dropped),
    UNIT_CASE(destroy_one_side),
    UNIT_CASE(destroy_with_reference_held_refuses_binding),
    UNIT_CASE(destroy_clears_everything),
    UNIT_CASE(bind_virq_per_vcpu),
    UNIT_CASE(bind_virq_twice_eexist),
    UNIT_CASE(bind_virq_errors),
    UNIT_CASE(global_virq_follows_bind_vcpu),
    UNIT_CASE(virq_kind_mismatch_is_ignored),
    UNIT_CASE(close_virq_unbinds),
    UNIT_CASE(ipi),
    UNIT_CASE(bind_vcpu_errors),
};
const size_t evtchn_port_cases_n = ARRAY_SIZE_UNIT(evtchn_port_cases);

int main(void)
{
    unit_begin();
    unit_add_suite("event_channel", evtchn_port_cases, evtchn_port_cases_n);
    unit_add_suite("event_channel", evtchn_delivery_cases, evtchn_delivery_cases_n);
    unit_add_suite("event_channel", evtchn_thread_cases, evtchn_thread_cases_n);
    unit_add_suite("event_channel", evtchn_fifo_cases, evtchn_fifo_cases_n);
    unit_add_suite("event_channel", pirq_cases, pirq_cases_n);
    unit_add_suite("event_channel", msix_cases, msix_cases_n);
    return unit_end();
}
