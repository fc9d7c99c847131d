/* Fake-domain fixtures and hypercall wrappers for the event channel tests. */
#include <stdlib.h>
#include <string.h>
#include <tessera/errno.h>
#include "evtchn_test.h"

struct fake_domain *dom0, *dom1;

void check_invariants(struct fake_domain *f)
{
    const char *why = NULL;
    int rc = evtchn_domain_check(&f->d, &why);
    if (rc)
        fprintf(stderr, "\n  domain %u: %s\n", f->d.domain_id, why);
    CU_ASSERT_EQUAL(rc, 0);
}

void setup(void)
{
    stub_copy_from_calls = stub_copy_to_calls = 0;
    stub_fail_copy_from = stub_fail_copy_to = false;
    stub_after_copy_from = NULL;
    stub_alloc_fail_at = 0;
    stub_allocs_live = 0;
    dom0 = fake_domain_new(0, 2, true);
    dom1 = fake_domain_new(1, 3, false);
}

void teardown(void)
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

long alloc_unbound(struct fake_domain *f, domid_t dom, domid_t remote, evtchn_port_t *port)
{
    struct evtchn_alloc_unbound op = { .dom = dom, .remote_dom = remote, .port = 0xdead };
    long rc = fake_hypercall(f, 0, EVTCHNOP_alloc_unbound, &op);
    if (port)
        *port = op.port;
    return rc;
}

long bind_interdomain(struct fake_domain *f, domid_t remote, evtchn_port_t rport,
                      evtchn_port_t *lport)
{
    struct evtchn_bind_interdomain op = { .remote_dom = remote, .remote_port = rport };
    long rc = fake_hypercall(f, 0, EVTCHNOP_bind_interdomain, &op);
    if (lport)
        *lport = op.local_port;
    return rc;
}

long bind_virq(struct fake_domain *f, uint32_t virq, uint32_t vcpu, evtchn_port_t *port)
{
    struct evtchn_bind_virq op = { .virq = virq, .vcpu = vcpu };
    long rc = fake_hypercall(f, 0, EVTCHNOP_bind_virq, &op);
    if (port)
        *port = op.port;
    return rc;
}

long bind_ipi(struct fake_domain *f, uint32_t vcpu, evtchn_port_t *port)
{
    struct evtchn_bind_ipi op = { .vcpu = vcpu };
    long rc = fake_hypercall(f, 0, EVTCHNOP_bind_ipi, &op);
    if (port)
        *port = op.port;
    return rc;
}

long ev_close(struct fake_domain *f, evtchn_port_t port)
{
    struct evtchn_close op = { .port = port };
    return fake_hypercall(f, 0, EVTCHNOP_close, &op);
}

long ev_send(struct fake_domain *f, evtchn_port_t port)
{
    struct evtchn_send op = { .port = port };
    return fake_hypercall(f, 0, EVTCHNOP_send, &op);
}

long ev_status(struct fake_domain *f, domid_t dom, evtchn_port_t port, struct evtchn_status *st)
{
    memset(st, 0, sizeof(*st));
    st->dom = dom;
    st->port = port;
    return fake_hypercall(f, 0, EVTCHNOP_status, st);
}

uint32_t status_of(struct fake_domain *f, evtchn_port_t port)
{
    struct evtchn_status st;
    long rc = ev_status(f, DOMID_SELF, port, &st);
    CU_ASSERT_EQUAL(rc, 0);
    return rc ? 0xffffffffu : st.status;
}

long bind_vcpu(struct fake_domain *f, evtchn_port_t port, uint32_t vcpu)
{
    struct evtchn_bind_vcpu op = { .port = port, .vcpu = vcpu };
    return fake_hypercall(f, 0, EVTCHNOP_bind_vcpu, &op);
}

long ev_unmask(struct fake_domain *f, evtchn_port_t port)
{
    struct evtchn_unmask op = { .port = port };
    return fake_hypercall(f, 0, EVTCHNOP_unmask, &op);
}

long ev_reset(struct fake_domain *f, domid_t dom)
{
    struct evtchn_reset op = { .dom = dom };
    return fake_hypercall(f, 0, EVTCHNOP_reset, &op);
}

/* An interdomain pair: a in 'server' for 'client', bound by the client as b. */
void make_pair(struct fake_domain *server, struct fake_domain *client,
               evtchn_port_t *a, evtchn_port_t *b)
{
    CU_ASSERT_EQUAL_FATAL(alloc_unbound(server, DOMID_SELF, client->d.domain_id, a), 0);
    CU_ASSERT_EQUAL_FATAL(bind_interdomain(client, server->d.domain_id, *a, b), 0);
}
