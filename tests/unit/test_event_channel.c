/*
 * common/event_channel*.c against fake domains: every EVTCHNOP and its
 * errors, the 2-level delivery rules, interdomain pairs and the death of
 * one side, VIRQs, IPIs, reset, the SCHEDOP_poll hooks, and threads
 * hammering one pair of domains. Each test starts from dom0 (privileged,
 * 2 vCPUs) and dom1 (3 vCPUs) and ends by checking both domains'
 * invariants and that every allocation was given back.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tessera/errno.h>
#include <tessera/event_channel.h>
#include "evtchn_fakes.h"
#include "unit.h"

#define ARRAY_SIZE_UNIT(a) (sizeof(a) / sizeof((a)[0]))

static struct fake_domain *dom0, *dom1;

static void check_invariants(struct fake_domain *f)
{
    const char *why = NULL;
    int rc = evtchn_domain_check(&f->d, &why);
    if (rc)
        fprintf(stderr, "\n  domain %u: %s\n", f->d.domain_id, why);
    CU_ASSERT_EQUAL(rc, 0);
}

static void setup(void)
{
    stub_copy_from_calls = stub_copy_to_calls = 0;
    stub_fail_copy_from = stub_fail_copy_to = false;
    stub_after_copy_from = NULL;
    stub_alloc_fail_at = 0;
    stub_allocs_live = 0;
    dom0 = fake_domain_new(0, 2, true);
    dom1 = fake_domain_new(1, 3, false);
}

static void teardown(void)
{
    if (dom0 && !dom0->freed && dom0->d.state != DOMAIN_DYING)
        check_invariants(dom0);
    if (dom1 && !dom1->freed && dom1->d.state != DOMAIN_DYING)
        check_invariants(dom1);
    fake_domain_release(dom1);
    fake_domain_release(dom0);
    dom0 = dom1 = NULL;
    CU_ASSERT_EQUAL(stub_allocs_live, 0);
}

/* --- small wrappers: each returns the hypercall's result ------------------ */

static long alloc_unbound(struct fake_domain *f, domid_t dom, domid_t remote, evtchn_port_t *port)
{
    struct evtchn_alloc_unbound op = { .dom = dom, .remote_dom = remote, .port = 0xdead };
    long rc = fake_hypercall(f, 0, EVTCHNOP_alloc_unbound, &op);
    if (port)
        *port = op.port;
    return rc;
}

static long bind_interdomain(struct fake_domain *f, domid_t remote, evtchn_port_t rport,
                             evtchn_port_t *lport)
{
    struct evtchn_bind_interdomain op = { .remote_dom = remote, .remote_port = rport };
    long rc = fake_hypercall(f, 0, EVTCHNOP_bind_interdomain, &op);
    if (lport)
        *lport = op.local_port;
    return rc;
}

static long bind_virq(struct fake_domain *f, uint32_t virq, uint32_t vcpu, evtchn_port_t *port)
{
    struct evtchn_bind_virq op = { .virq = virq, .vcpu = vcpu };
    long rc = fake_hypercall(f, 0, EVTCHNOP_bind_virq, &op);
    if (port)
        *port = op.port;
    return rc;
}

static long bind_ipi(struct fake_domain *f, uint32_t vcpu, evtchn_port_t *port)
{
    struct evtchn_bind_ipi op = { .vcpu = vcpu };
    long rc = fake_hypercall(f, 0, EVTCHNOP_bind_ipi, &op);
    if (port)
        *port = op.port;
    return rc;
}

static long ev_close(struct fake_domain *f, evtchn_port_t port)
{
    struct evtchn_close op = { .port = port };
    return fake_hypercall(f, 0, EVTCHNOP_close, &op);
}

static long ev_send(struct fake_domain *f, evtchn_port_t port)
{
    struct evtchn_send op = { .port = port };
    return fake_hypercall(f, 0, EVTCHNOP_send, &op);
}

static long ev_status(struct fake_domain *f, domid_t dom, evtchn_port_t port, struct evtchn_status *st)
{
    memset(st, 0, sizeof(*st));
    st->dom = dom;
    st->port = port;
    return fake_hypercall(f, 0, EVTCHNOP_status, st);
}

static uint32_t status_of(struct fake_domain *f, evtchn_port_t port)
{
    struct evtchn_status st;
    long rc = ev_status(f, DOMID_SELF, port, &st);
    CU_ASSERT_EQUAL(rc, 0);
    return rc ? 0xffffffffu : st.status;
}

static long bind_vcpu(struct fake_domain *f, evtchn_port_t port, uint32_t vcpu)
{
    struct evtchn_bind_vcpu op = { .port = port, .vcpu = vcpu };
    return fake_hypercall(f, 0, EVTCHNOP_bind_vcpu, &op);
}

static long ev_unmask(struct fake_domain *f, evtchn_port_t port)
{
    struct evtchn_unmask op = { .port = port };
    return fake_hypercall(f, 0, EVTCHNOP_unmask, &op);
}

static long ev_reset(struct fake_domain *f, domid_t dom)
{
    struct evtchn_reset op = { .dom = dom };
    return fake_hypercall(f, 0, EVTCHNOP_reset, &op);
}

/* An interdomain pair: a in 'server' for 'client', bound by the client as b. */
static void make_pair(struct fake_domain *server, struct fake_domain *client,
                      evtchn_port_t *a, evtchn_port_t *b)
{
    CU_ASSERT_EQUAL_FATAL(alloc_unbound(server, DOMID_SELF, client->d.domain_id, a), 0);
    CU_ASSERT_EQUAL_FATAL(bind_interdomain(client, server->d.domain_id, *a, b), 0);
}

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

/* --- 2-level delivery rules ------------------------------------------------------ */

static void test_masked_port_pends_without_upcall(void)
{
    setup();
    evtchn_port_t p;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 1, &p), 0);
    fake_set_mask(dom1, p, true);
    CU_ASSERT_EQUAL(ev_send(dom1, p), 0);
    CU_ASSERT_TRUE(fake_pending(dom1, p));
    CU_ASSERT_EQUAL(fake_sel(dom1, 1), 0);
    CU_ASSERT_EQUAL(fake_upcall(dom1, 1), 0);
    CU_ASSERT_EQUAL(dom1->kicks[1], 0);
    /* unmask delivers it */
    CU_ASSERT_EQUAL(ev_unmask(dom1, p), 0);
    CU_ASSERT_FALSE(fake_masked(dom1, p));
    CU_ASSERT_EQUAL(fake_sel(dom1, 1), 1UL << (p / 64));
    CU_ASSERT_EQUAL(fake_upcall(dom1, 1), 1);
    CU_ASSERT_EQUAL(dom1->kicks[1], 1);
    teardown();
}

static void test_unmask_rules(void)
{
    setup();
    evtchn_port_t p;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &p), 0);
    /* not masked, not pending: nothing */
    CU_ASSERT_EQUAL(ev_unmask(dom1, p), 0);
    CU_ASSERT_EQUAL(dom1->kicks[0], 0);
    /* masked, not pending: just unmasked */
    fake_set_mask(dom1, p, true);
    CU_ASSERT_EQUAL(ev_unmask(dom1, p), 0);
    CU_ASSERT_FALSE(fake_masked(dom1, p));
    CU_ASSERT_EQUAL(fake_upcall(dom1, 0), 0);
    /* pending but not masked: unmask does not deliver again */
    CU_ASSERT_EQUAL(ev_send(dom1, p), 0);
    CU_ASSERT_EQUAL(dom1->kicks[0], 1);
    fake_guest_ack_all(dom1);
    __atomic_fetch_or(&dom1->d.shared_info->evtchn_pending[p / 64], 1UL << (p % 64), __ATOMIC_SEQ_CST);
    CU_ASSERT_EQUAL(ev_unmask(dom1, p), 0);
    CU_ASSERT_EQUAL(fake_sel(dom1, 0), 0);
    CU_ASSERT_EQUAL(dom1->kicks[0], 1);
    /* ranges */
    CU_ASSERT_EQUAL(ev_unmask(dom1, EVTCHN_BUCKET_PORTS), -EINVAL);
    CU_ASSERT_EQUAL(ev_unmask(dom1, 99999), -EINVAL);
    /* a closed port inside storage may be unmasked (the guest owns the mask) */
    fake_set_mask(dom1, 10, true);
    CU_ASSERT_EQUAL(ev_unmask(dom1, 10), 0);
    CU_ASSERT_FALSE(fake_masked(dom1, 10));
    teardown();
}

static void test_selector_and_upcall_set_once(void)
{
    setup();
    evtchn_port_t p, q;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &p), 0);
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &q), 0);        /* same selector word */
    CU_ASSERT_EQUAL(ev_send(dom1, p), 0);
    CU_ASSERT_EQUAL(dom1->kicks[0], 1);
    CU_ASSERT_EQUAL(ev_send(dom1, p), 0);             /* already pending */
    CU_ASSERT_EQUAL(ev_send(dom1, q), 0);             /* selector already set */
    CU_ASSERT_EQUAL(dom1->kicks[0], 1);
    CU_ASSERT_TRUE(fake_pending(dom1, q));
    /* guest cleared the selector but not upcall_pending: selector set, no kick */
    dom1->d.shared_info->vcpu_info[0].evtchn_pending_sel = 0;
    fake_clear_pending(dom1, q);
    CU_ASSERT_EQUAL(ev_send(dom1, q), 0);
    CU_ASSERT_EQUAL(fake_sel(dom1, 0), 1UL << (q / 64));
    CU_ASSERT_EQUAL(dom1->kicks[0], 1);
    /* everything acknowledged: the next event kicks again */
    fake_guest_ack_all(dom1);
    CU_ASSERT_EQUAL(ev_send(dom1, q), 0);
    CU_ASSERT_EQUAL(dom1->kicks[0], 2);
    teardown();
}

static void test_selector_word_of_high_port(void)
{
    setup();
    evtchn_port_t p = 0;
    for (unsigned i = 0; i < 200; i++)
        CU_ASSERT_EQUAL(bind_ipi(dom1, 1, &p), 0);
    CU_ASSERT_EQUAL(p, 200);
    CU_ASSERT_EQUAL(ev_send(dom1, p), 0);
    CU_ASSERT_EQUAL(fake_sel(dom1, 1), 1UL << 3);     /* 200 / 64 */
    CU_ASSERT_TRUE(dom1->d.shared_info->evtchn_pending[3] & (1UL << (200 % 64)));
    teardown();
}

static void test_upcall_mask_does_not_stop_marking(void)
{
    setup();
    evtchn_port_t p;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &p), 0);
    CU_ASSERT_EQUAL(dom1->d.shared_info->vcpu_info[0].evtchn_upcall_mask, 1);
    CU_ASSERT_EQUAL(ev_send(dom1, p), 0);
    /* events masked on the vCPU: still marked, the upcall waits for the guest */
    CU_ASSERT_EQUAL(fake_upcall(dom1, 0), 1);
    CU_ASSERT_EQUAL(fake_sel(dom1, 0), 1UL << (p / 64));
    teardown();
}

static void test_close_clears_pending(void)
{
    setup();
    evtchn_port_t p, q;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &p), 0);
    CU_ASSERT_EQUAL(ev_send(dom1, p), 0);
    CU_ASSERT_TRUE(fake_pending(dom1, p));
    CU_ASSERT_EQUAL(ev_close(dom1, p), 0);
    CU_ASSERT_FALSE(fake_pending(dom1, p));
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &q), 0);
    CU_ASSERT_EQUAL(q, p);
    CU_ASSERT_FALSE(fake_pending(dom1, q));
    teardown();
}

/* --- status, privilege, reset -------------------------------------------------------- */

static void test_status_rules(void)
{
    setup();
    evtchn_port_t p;
    struct evtchn_status st;
    CU_ASSERT_EQUAL(bind_ipi(dom0, 1, &p), 0);
    CU_ASSERT_EQUAL(ev_status(dom1, 0, p, &st), -EPERM);       /* unprivileged */
    CU_ASSERT_EQUAL(ev_status(dom1, 0, 5000, &st), -EINVAL);   /* Xen checks the port first */
    CU_ASSERT_EQUAL(ev_status(dom0, 0, p, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_ipi);
    CU_ASSERT_EQUAL(ev_status(dom0, 1, 1, &st), 0);            /* privileged may look */
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_closed);
    CU_ASSERT_EQUAL(ev_status(dom0, 3, 1, &st), -ESRCH);
    CU_ASSERT_EQUAL(ev_status(dom0, DOMID_IDLE, 1, &st), -ESRCH);
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, 5000, &st), -EINVAL);
    teardown();
}

static evtchn_port_t tamper_port;

static void tamper_with_status(void *guest_src)
{
    ((struct evtchn_status *)guest_src)->port = tamper_port;
}

static void test_argument_read_once(void)
{
    setup();
    evtchn_port_t ipi, virq;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 2, &ipi), 0);
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_TIMER, 1, &virq), 0);
    /* the guest rewrites the port right after we copied it in */
    tamper_port = virq;
    stub_after_copy_from = tamper_with_status;
    stub_copy_from_calls = 0;
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, ipi, &st), 0);
    stub_after_copy_from = NULL;
    CU_ASSERT_EQUAL(stub_copy_from_calls, 1);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_ipi);
    CU_ASSERT_EQUAL(st.vcpu, 2);
    CU_ASSERT_EQUAL(st.port, ipi);      /* written back from our copy */
    teardown();
}

static void test_every_op_copies_once(void)
{
    setup();
    evtchn_port_t a, b, t;
    make_pair(dom0, dom1, &a, &b);
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_CONSOLE, 0, &t), 0);
    struct { int cmd; long rc; } expect[] = {
        { EVTCHNOP_send, 0 }, { EVTCHNOP_unmask, 0 }, { EVTCHNOP_bind_vcpu, 0 },
    };
    for (unsigned i = 0; i < ARRAY_SIZE_UNIT(expect); i++) {
        union { struct evtchn_send s; struct evtchn_unmask u; struct evtchn_bind_vcpu v; } arg;
        memset(&arg, 0, sizeof(arg));
        arg.v.port = b;
        arg.v.vcpu = 1;
        stub_copy_from_calls = stub_copy_to_calls = 0;
        CU_ASSERT_EQUAL(fake_hypercall(dom1, 0, expect[i].cmd, &arg), expect[i].rc);
        CU_ASSERT_EQUAL(stub_copy_from_calls, 1);
        CU_ASSERT_EQUAL(stub_copy_to_calls, 0);
    }
    teardown();
}

static void test_faulting_arguments(void)
{
    setup();
    static const int cmds[] = {
        EVTCHNOP_alloc_unbound, EVTCHNOP_bind_interdomain, EVTCHNOP_bind_virq,
        EVTCHNOP_bind_ipi, EVTCHNOP_close, EVTCHNOP_send, EVTCHNOP_status,
        EVTCHNOP_bind_vcpu, EVTCHNOP_unmask, EVTCHNOP_reset,
    };
    for (unsigned i = 0; i < ARRAY_SIZE_UNIT(cmds); i++)
        CU_ASSERT_EQUAL(fake_hypercall(dom1, 0, cmds[i], NULL), -EFAULT);
    CU_ASSERT_EQUAL(status_of(dom1, 1), EVTCHNSTAT_closed);
    teardown();
}

static void test_copy_out_fault_undoes_the_port(void)
{
    setup();
    evtchn_port_t a, p;
    CU_ASSERT_EQUAL(alloc_unbound(dom0, DOMID_SELF, 1, &a), 0);
    stub_fail_copy_to = true;
    CU_ASSERT_EQUAL(alloc_unbound(dom1, DOMID_SELF, 0, &p), -EFAULT);
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &p), -EFAULT);
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_TIMER, 0, &p), -EFAULT);
    CU_ASSERT_EQUAL(bind_interdomain(dom1, 0, a, &p), -EFAULT);
    stub_fail_copy_to = false;
    CU_ASSERT_EQUAL(status_of(dom1, 1), EVTCHNSTAT_closed);
    CU_ASSERT_EQUAL(dom1->v[0].virq_to_evtchn[VIRQ_TIMER], 0);
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom0, DOMID_SELF, a, &st), 0);   /* back to waiting */
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
    CU_ASSERT_EQUAL(st.u.unbound.dom, 1);
    teardown();
}

static void test_unsupported_ops_enosys(void)
{
    setup();
    static const int cmds[] = {
        EVTCHNOP_bind_pirq, EVTCHNOP_init_control, EVTCHNOP_expand_array,
        EVTCHNOP_set_priority, 14, 15, 1000, -1, -2147483647 - 1,
    };
    char arg[64] = { 0 };
    stub_copy_from_calls = 0;
    for (unsigned i = 0; i < ARRAY_SIZE_UNIT(cmds); i++)
        CU_ASSERT_EQUAL(fake_hypercall(dom1, 0, cmds[i], arg), -ENOSYS);
    CU_ASSERT_EQUAL(stub_copy_from_calls, 0);
    CU_ASSERT_STRING_EQUAL(evtchn_op_name(EVTCHNOP_bind_virq), "bind_virq");
    CU_ASSERT_STRING_EQUAL(evtchn_op_name(EVTCHNOP_set_priority), "set_priority");
    CU_ASSERT_PTR_NULL(evtchn_op_name(14));
    CU_ASSERT_PTR_NULL(evtchn_op_name(-1));
    teardown();
}

static void test_compat_form(void)
{
    setup();
    struct evtchn_op op = { .cmd = EVTCHNOP_bind_ipi, .u.bind_ipi = { .vcpu = 1 } };
    stub_current = &dom1->v[0];
    CU_ASSERT_EQUAL(do_event_channel_op_compat((uint64_t)(uintptr_t)&op), 0);
    evtchn_port_t p = op.u.bind_ipi.port;
    CU_ASSERT_EQUAL(p, 1);
    op = (struct evtchn_op){ .cmd = EVTCHNOP_send, .u.send = { .port = p } };
    CU_ASSERT_EQUAL(do_event_channel_op_compat((uint64_t)(uintptr_t)&op), 0);
    CU_ASSERT_TRUE(fake_pending(dom1, p));
    CU_ASSERT_EQUAL(dom1->kicks[1], 1);
    op = (struct evtchn_op){ .cmd = EVTCHNOP_status, .u.status = { .dom = DOMID_SELF, .port = p } };
    CU_ASSERT_EQUAL(do_event_channel_op_compat((uint64_t)(uintptr_t)&op), 0);
    CU_ASSERT_EQUAL(op.u.status.status, EVTCHNSTAT_ipi);
    CU_ASSERT_EQUAL(op.u.status.vcpu, 1);
    /* reset and the FIFO ops never had this form */
    op = (struct evtchn_op){ .cmd = EVTCHNOP_reset };
    CU_ASSERT_EQUAL(do_event_channel_op_compat((uint64_t)(uintptr_t)&op), -ENOSYS);
    op.cmd = 0xffffffffu;
    CU_ASSERT_EQUAL(do_event_channel_op_compat((uint64_t)(uintptr_t)&op), -ENOSYS);
    CU_ASSERT_EQUAL(do_event_channel_op_compat(0), -EFAULT);
    stub_current = NULL;
    CU_ASSERT_EQUAL(status_of(dom1, p), EVTCHNSTAT_ipi);
    teardown();
}

static void test_reset_own_domain(void)
{
    setup();
    evtchn_port_t a, b, t, i;
    make_pair(dom0, dom1, &a, &b);
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_TIMER, 2, &t), 0);
    CU_ASSERT_EQUAL(bind_ipi(dom1, 1, &i), 0);
    CU_ASSERT_EQUAL(ev_send(dom1, i), 0);
    CU_ASSERT_EQUAL(ev_reset(dom1, DOMID_SELF), 0);
    for (evtchn_port_t p = 0; p < EVTCHN_BUCKET_PORTS; p++) {
        CU_ASSERT_EQUAL(status_of(dom1, p), EVTCHNSTAT_closed);
        CU_ASSERT_FALSE(fake_pending(dom1, p));
    }
    CU_ASSERT_EQUAL(dom1->v[2].virq_to_evtchn[VIRQ_TIMER], 0);
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom0, DOMID_SELF, a, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
    /* and it works afterwards */
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_TIMER, 2, &t), 0);
    CU_ASSERT_EQUAL(t, 1);
    teardown();
}

static void test_reset_other_domain(void)
{
    setup();
    evtchn_port_t p;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &p), 0);
    CU_ASSERT_EQUAL(ev_reset(dom1, 0), -EPERM);
    CU_ASSERT_EQUAL(ev_reset(dom0, 1), -EINVAL);        /* dom1 is running */
    CU_ASSERT_EQUAL(ev_reset(dom0, 4), -ESRCH);
    CU_ASSERT_EQUAL(status_of(dom1, p), EVTCHNSTAT_ipi);
    dom1->d.state = DOMAIN_PAUSED;
    CU_ASSERT_EQUAL(ev_reset(dom0, 1), 0);
    CU_ASSERT_EQUAL(status_of(dom1, p), EVTCHNSTAT_closed);
    dom1->d.state = DOMAIN_RUNNING;
    teardown();
}

static void test_builder_alloc_unbound_for(void)
{
    setup();
    evtchn_port_t p, q;
    CU_ASSERT_EQUAL(evtchn_alloc_unbound_for(&dom1->d, 0, &p), 0);
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom1, DOMID_SELF, p, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
    CU_ASSERT_EQUAL(st.u.unbound.dom, 0);
    CU_ASSERT_EQUAL(evtchn_alloc_unbound_for(&dom1->d, DOMID_SELF, &q), -EINVAL);
    /* dom0 (the console/xenstore daemon) binds it */
    CU_ASSERT_EQUAL(bind_interdomain(dom0, 1, p, &q), 0);
    CU_ASSERT_EQUAL(evtchn_send(&dom0->d, q), 0);
    CU_ASSERT_TRUE(fake_pending(dom1, p));
    teardown();
}

/* --- SCHEDOP_poll hooks ---------------------------------------------------------------- */

static void test_poll_returns_at_once_when_pending(void)
{
    setup();
    evtchn_port_t p;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &p), 0);
    CU_ASSERT_EQUAL(ev_send(dom1, p), 0);
    evtchn_port_t ports[2] = { 5, p };
    CU_ASSERT_TRUE(evtchn_any_pending(&dom1->v[1], ports, 2));
    CU_ASSERT_EQUAL(evtchn_poll_begin(&dom1->v[1], ports, 2), 1);
    CU_ASSERT_FALSE(dom1->v[1].polling);
    CU_ASSERT_EQUAL(dom1->v[1].poll_evtchn, 0);
    teardown();
}

static void test_poll_one_port(void)
{
    setup();
    evtchn_port_t p, other;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &p), 0);
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &other), 0);
    fake_set_mask(dom1, p, true);           /* a poller masks what it polls */
    fake_set_mask(dom1, other, true);
    evtchn_port_t ports[1] = { p };
    struct vcpu *v = &dom1->v[1];
    CU_ASSERT_EQUAL(evtchn_poll_begin(v, ports, 1), 0);
    CU_ASSERT_TRUE(v->polling);
    CU_ASSERT_EQUAL(v->poll_evtchn, (int)p);
    CU_ASSERT_EQUAL(ev_send(dom1, other), 0);      /* not ours */
    CU_ASSERT_EQUAL(dom1->kicks[1], 0);
    CU_ASSERT_TRUE(v->polling);
    CU_ASSERT_EQUAL(ev_send(dom1, p), 0);
    CU_ASSERT_EQUAL(dom1->kicks[1], 1);
    CU_ASSERT_FALSE(v->polling);                   /* what the scheduler waits for */
    CU_ASSERT_EQUAL(v->poll_evtchn, 0);
    fake_clear_pending(dom1, p);
    CU_ASSERT_EQUAL(ev_send(dom1, p), 0);          /* woken once */
    CU_ASSERT_EQUAL(dom1->kicks[1], 1);
    CU_ASSERT_TRUE(evtchn_any_pending(v, ports, 1));
    evtchn_poll_end(v);
    CU_ASSERT_FALSE(v->polling);
    CU_ASSERT_EQUAL(v->poll_evtchn, 0);
    teardown();
}

static void test_poll_any_port(void)
{
    setup();
    evtchn_port_t p, q;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &p), 0);
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &q), 0);
    fake_set_mask(dom1, q, true);
    evtchn_port_t ports[2] = { p, 40 };
    struct vcpu *v = &dom1->v[2];
    CU_ASSERT_EQUAL(evtchn_poll_begin(v, ports, 2), 0);
    CU_ASSERT_EQUAL(v->poll_evtchn, -1);
    CU_ASSERT_EQUAL(ev_send(dom1, q), 0);          /* any port wakes a multi-port poll */
    CU_ASSERT_EQUAL(dom1->kicks[2], 1);
    CU_ASSERT_FALSE(v->polling);
    CU_ASSERT_FALSE(evtchn_any_pending(v, ports, 2));
    evtchn_poll_end(v);
    /* a poll that is over is not woken */
    fake_guest_ack_all(dom1);
    CU_ASSERT_EQUAL(ev_send(dom1, q), 0);
    CU_ASSERT_EQUAL(dom1->kicks[2], 1);
    teardown();
}

static void test_poll_bad_port(void)
{
    setup();
    evtchn_port_t ports[2] = { 1, EVTCHN_MAX_PORTS };
    CU_ASSERT_EQUAL(evtchn_poll_begin(&dom1->v[0], ports, 2), -EINVAL);
    CU_ASSERT_FALSE(dom1->v[0].polling);
    CU_ASSERT_EQUAL(dom1->v[0].poll_evtchn, 0);
    CU_ASSERT_FALSE(evtchn_any_pending(&dom1->v[0], ports, 2));
    teardown();
}

static void test_poll_woken_by_interdomain_and_virq(void)
{
    setup();
    evtchn_port_t a, b, t;
    make_pair(dom0, dom1, &a, &b);
    fake_guest_ack_all(dom1);
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_TIMER, 1, &t), 0);
    fake_set_mask(dom1, b, true);
    evtchn_port_t ports[1] = { b };
    CU_ASSERT_EQUAL(evtchn_poll_begin(&dom1->v[2], ports, 1), 0);
    CU_ASSERT_EQUAL(ev_send(dom0, a), 0);
    CU_ASSERT_EQUAL(dom1->kicks[2], 1);
    CU_ASSERT_FALSE(dom1->v[2].polling);
    evtchn_poll_end(&dom1->v[2]);
    ports[0] = t;
    fake_set_mask(dom1, t, true);
    CU_ASSERT_EQUAL(evtchn_poll_begin(&dom1->v[1], ports, 1), 0);
    send_guest_vcpu_virq(&dom1->v[1], VIRQ_TIMER);
    CU_ASSERT_EQUAL(dom1->kicks[1], 1);
    CU_ASSERT_FALSE(dom1->v[1].polling);
    evtchn_poll_end(&dom1->v[1]);
    teardown();
}

/* --- threads ------------------------------------------------------------------------------ */

#define THREAD_ROUNDS 20000

/* Both threads start together so that their operations really overlap. */
static pthread_barrier_t start_line;

struct worker {
    struct fake_domain *self, *peer;
    evtchn_port_t listen;    /* self's port for the peer to bind */
    unsigned errors;
};

/*
 * Each thread is one domain binding the other's unbound port, sending on
 * it, raising a VIRQ and closing, while the other does the same in the
 * opposite lock order. A deadlock hangs the test; a race shows as an
 * unexpected result or a broken invariant.
 */
static void *hammer(void *arg)
{
    struct worker *w = arg;
    pthread_barrier_wait(&start_line);
    for (unsigned i = 0; i < THREAD_ROUNDS; i++) {
        evtchn_port_t lport;

        stub_current = &w->self->v[0];
        struct evtchn_bind_interdomain op = { .remote_dom = w->peer->d.domain_id,
                                              .remote_port = w->listen };
        long rc = do_event_channel_op(EVTCHNOP_bind_interdomain, (uint64_t)(uintptr_t)&op);
        if (rc == 0) {
            lport = op.local_port;
            struct evtchn_send s = { .port = lport };
            if (do_event_channel_op(EVTCHNOP_send, (uint64_t)(uintptr_t)&s) != 0)
                w->errors++;
            send_guest_vcpu_virq(&w->self->v[0], VIRQ_TIMER);
            struct evtchn_close c = { .port = lport };
            if (do_event_channel_op(EVTCHNOP_close, (uint64_t)(uintptr_t)&c) != 0)
                w->errors++;
        } else {
            w->errors++;        /* nobody else binds this port */
        }
    }
    stub_current = NULL;
    return NULL;
}

static void test_threads_bind_send_close_both_ways(void)
{
    setup();
    struct fake_domain *dom2 = fake_domain_new(2, 1, false);
    evtchn_port_t l0, l1, t;
    /* dom0's port waits for dom1, dom1's for dom0: each thread binds the other's */
    CU_ASSERT_EQUAL(alloc_unbound(dom0, DOMID_SELF, 1, &l0), 0);
    CU_ASSERT_EQUAL(alloc_unbound(dom1, DOMID_SELF, 0, &l1), 0);
    CU_ASSERT_EQUAL(bind_virq(dom1, VIRQ_TIMER, 0, &t), 0);
    CU_ASSERT_EQUAL(bind_virq(dom0, VIRQ_TIMER, 0, &t), 0);
    struct worker w[2] = {
        { .self = dom1, .peer = dom0, .listen = l0 },
        { .self = dom0, .peer = dom1, .listen = l1 },
    };
    pthread_t th[2];
    pthread_barrier_init(&start_line, NULL, 2);
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, hammer, &w[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&start_line);
    CU_ASSERT_EQUAL(w[0].errors, 0);
    CU_ASSERT_EQUAL(w[1].errors, 0);
    check_invariants(dom0);
    check_invariants(dom1);
    CU_ASSERT_EQUAL(status_of(dom0, l0), EVTCHNSTAT_unbound);
    CU_ASSERT_EQUAL(status_of(dom1, l1), EVTCHNSTAT_unbound);
    fake_domain_release(dom2);
    teardown();
}

struct destroyer {
    struct fake_domain *victim;
};

static void *destroy_later(void *arg)
{
    struct destroyer *d = arg;
    pthread_barrier_wait(&start_line);
    for (int i = 0; i < 50; i++)
        sched_yield();
    evtchn_domain_destroy(&d->victim->d);
    return NULL;
}

static void *send_loop(void *arg)
{
    struct worker *w = arg;
    pthread_barrier_wait(&start_line);
    for (unsigned i = 0; i < THREAD_ROUNDS; i++) {
        if (evtchn_send(&w->self->d, w->listen) != 0)
            w->errors++;
    }
    return NULL;
}

static void test_threads_destroy_while_peer_sends(void)
{
    setup();
    evtchn_port_t a, b;
    make_pair(dom1, dom0, &a, &b);
    struct worker sender = { .self = dom0, .peer = dom1, .listen = b };
    struct destroyer killer = { .victim = dom1 };
    pthread_t th[2];
    pthread_barrier_init(&start_line, NULL, 2);
    pthread_create(&th[0], NULL, send_loop, &sender);
    pthread_create(&th[1], NULL, destroy_later, &killer);
    pthread_join(th[0], NULL);
    pthread_join(th[1], NULL);
    pthread_barrier_destroy(&start_line);
    CU_ASSERT_EQUAL(sender.errors, 0);      /* interdomain or unbound: send succeeds */
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom0, DOMID_SELF, b, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
    CU_ASSERT_EQUAL(st.u.unbound.dom, 1);
    check_invariants(dom0);
    teardown();
}

/*
 * A vCPU polling one port while another CPU sends on it, the send landing
 * before, during or after evtchn_poll_begin: every round must end, either
 * because poll_begin saw the event or because the send ended the poll.
 */
#define POLL_ROUNDS 5000

struct poll_race {
    struct fake_domain *f;
    evtchn_port_t port;
    unsigned started, sent;     /* round numbers, handed between the threads */
    unsigned lost, immediate;
};

/* Spins first so the sender follows the poller closely, then gives way. */
static void wait_for_round(unsigned *counter, unsigned round)
{
    for (unsigned spins = 0; __atomic_load_n(counter, __ATOMIC_ACQUIRE) < round; spins++) {
        if (spins > 10000)
            sched_yield();
    }
}

static void *poller(void *arg)
{
    struct poll_race *r = arg;
    struct vcpu *v = &r->f->v[1];
    evtchn_port_t ports[1] = { r->port };

    uint32_t seed = 12345;
    pthread_barrier_wait(&start_line);
    for (unsigned i = 1; i <= POLL_ROUNDS; i++) {
        fake_clear_pending(r->f, r->port);
        __atomic_store_n(&r->started, i, __ATOMIC_RELEASE);
        /* a random pause moves the send before, into or after poll_begin */
        seed ^= seed << 13, seed ^= seed >> 17, seed ^= seed << 5;
        for (volatile unsigned spin = seed % 2000; spin; spin--)
            ;
        int rc = evtchn_poll_begin(v, ports, 1);
        if (rc == 1) {
            r->immediate++;
        } else {
            struct timespec t0, t;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            while (__atomic_load_n(&v->polling, __ATOMIC_ACQUIRE)) {
                clock_gettime(CLOCK_MONOTONIC, &t);
                if (t.tv_sec - t0.tv_sec > 2) {
                    r->lost++;
                    break;
                }
                sched_yield();
            }
        }
        evtchn_poll_end(v);
        if (r->lost) {
            /* let the sender run out its rounds at once */
            __atomic_store_n(&r->started, POLL_ROUNDS, __ATOMIC_RELEASE);
            break;
        }
        wait_for_round(&r->sent, i);
    }
    return NULL;
}

static void *poll_sender(void *arg)
{
    struct poll_race *r = arg;

    pthread_barrier_wait(&start_line);
    for (unsigned i = 1; i <= POLL_ROUNDS; i++) {
        wait_for_round(&r->started, i);
        evtchn_send(&r->f->d, r->port);
        __atomic_store_n(&r->sent, i, __ATOMIC_RELEASE);
    }
    return NULL;
}

static void test_threads_poll_never_loses_a_wakeup(void)
{
    setup();
    struct poll_race r = { .f = dom1 };
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &r.port), 0);
    fake_set_mask(dom1, r.port, true);
    pthread_t th[2];
    pthread_barrier_init(&start_line, NULL, 2);
    pthread_create(&th[0], NULL, poller, &r);
    pthread_create(&th[1], NULL, poll_sender, &r);
    pthread_join(th[0], NULL);
    pthread_join(th[1], NULL);
    pthread_barrier_destroy(&start_line);
    CU_ASSERT_EQUAL(r.lost, 0);
    CU_ASSERT_FALSE(dom1->v[1].polling);
    printf("\n  poll race: %u of %u rounds saw the event in poll_begin ", r.immediate, POLL_ROUNDS);
    teardown();
}

static const struct unit_case cases[] = {
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
    UNIT_CASE(masked_port_pends_without_upcall),
    UNIT_CASE(unmask_rules),
    UNIT_CASE(selector_and_upcall_set_once),
    UNIT_CASE(selector_word_of_high_port),
    UNIT_CASE(upcall_mask_does_not_stop_marking),
    UNIT_CASE(close_clears_pending),
    UNIT_CASE(status_rules),
    UNIT_CASE(argument_read_once),
    UNIT_CASE(every_op_copies_once),
    UNIT_CASE(faulting_arguments),
    UNIT_CASE(copy_out_fault_undoes_the_port),
    UNIT_CASE(unsupported_ops_enosys),
    UNIT_CASE(compat_form),
    UNIT_CASE(reset_own_domain),
    UNIT_CASE(reset_other_domain),
    UNIT_CASE(builder_alloc_unbound_for),
    UNIT_CASE(poll_returns_at_once_when_pending),
    UNIT_CASE(poll_one_port),
    UNIT_CASE(poll_any_port),
    UNIT_CASE(poll_bad_port),
    UNIT_CASE(poll_woken_by_interdomain_and_virq),
    UNIT_CASE(threads_bind_send_close_both_ways),
    UNIT_CASE(threads_destroy_while_peer_sends),
    UNIT_CASE(threads_poll_never_loses_a_wakeup),
};

int main(void)
{
    unit_begin();
    UNIT_SUITE("event_channel", cases);
    return unit_end();
}
