/*
 * Speed of the event channel paths, optimised host C without sanitizers,
 * against fake domains (tests/unit/stubs/evtchn_fakes.c: guest copies are
 * memcpy, vcpu_kick counts). Prints ns per operation; asserts nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <tessera/event_channel.h>
#include "evtchn_fakes.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const char *what, double seconds, double ops)
{
    printf("  %-52s %8.1f ns/op  (%.0f ops)\n", what, seconds / ops * 1e9, ops);
}

static void must(long rc, const char *what)
{
    if (rc) {
        fprintf(stderr, "bench_event_channel: %s failed: %ld\n", what, rc);
        exit(1);
    }
}

#define N 2000000

int main(void)
{
    struct fake_domain *dom0 = fake_domain_new(0, 2, true);
    struct fake_domain *dom1 = fake_domain_new(1, 2, false);
    double t;

    printf("event channels (fake domains, no sanitizers):\n");

    struct evtchn_bind_ipi ipi = { .vcpu = 1 };
    must(fake_hypercall(dom1, 0, EVTCHNOP_bind_ipi, &ipi), "bind_ipi");
    struct evtchn_send send = { .port = ipi.port };

    t = now_s();
    for (unsigned i = 0; i < N; i++) {
        fake_clear_pending(dom1, ipi.port);
        dom1->d.shared_info->vcpu_info[1].evtchn_pending_sel = 0;
        dom1->d.shared_info->vcpu_info[1].evtchn_upcall_pending = 0;
        fake_hypercall(dom1, 0, EVTCHNOP_send, &send);
    }
    report("EVTCHNOP_send IPI, full delivery + kick", now_s() - t, N);

    t = now_s();
    for (unsigned i = 0; i < N; i++)
        fake_hypercall(dom1, 0, EVTCHNOP_send, &send);
    report("EVTCHNOP_send IPI, port already pending", now_s() - t, N);

    struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = 1 };
    must(fake_hypercall(dom0, 0, EVTCHNOP_alloc_unbound, &au), "alloc_unbound");
    struct evtchn_bind_interdomain bi = { .remote_dom = 0, .remote_port = au.port };
    must(fake_hypercall(dom1, 0, EVTCHNOP_bind_interdomain, &bi), "bind_interdomain");
    struct evtchn_send to_dom0 = { .port = bi.local_port };
    t = now_s();
    for (unsigned i = 0; i < N; i++) {
        fake_clear_pending(dom0, au.port);
        dom0->d.shared_info->vcpu_info[0].evtchn_pending_sel = 0;
        dom0->d.shared_info->vcpu_info[0].evtchn_upcall_pending = 0;
        fake_hypercall(dom1, 0, EVTCHNOP_send, &to_dom0);
    }
    report("EVTCHNOP_send interdomain, full delivery + kick", now_s() - t, N);

    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 1 };
    must(fake_hypercall(dom1, 0, EVTCHNOP_bind_virq, &bv), "bind_virq");
    t = now_s();
    for (unsigned i = 0; i < N; i++) {
        fake_clear_pending(dom1, bv.port);
        dom1->d.shared_info->vcpu_info[1].evtchn_pending_sel = 0;
        dom1->d.shared_info->vcpu_info[1].evtchn_upcall_pending = 0;
        send_guest_vcpu_virq(&dom1->v[1], VIRQ_TIMER);
    }
    report("send_guest_vcpu_virq VIRQ_TIMER, full delivery", now_s() - t, N);

    t = now_s();
    for (unsigned i = 0; i < N / 4; i++) {
        struct evtchn_bind_ipi b = { .vcpu = 0 };
        fake_hypercall(dom1, 0, EVTCHNOP_bind_ipi, &b);
        struct evtchn_close c = { .port = b.port };
        fake_hypercall(dom1, 0, EVTCHNOP_close, &c);
    }
    report("bind_ipi + close", now_s() - t, N / 4);

    t = now_s();
    for (unsigned i = 0; i < N / 4; i++) {
        struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = 1 };
        fake_hypercall(dom0, 0, EVTCHNOP_alloc_unbound, &a);
        struct evtchn_bind_interdomain b = { .remote_dom = 0, .remote_port = a.port };
        fake_hypercall(dom1, 0, EVTCHNOP_bind_interdomain, &b);
        struct evtchn_close c = { .port = b.local_port };
        fake_hypercall(dom1, 0, EVTCHNOP_close, &c);     /* higher id: the lock dance */
        c.port = a.port;
        fake_hypercall(dom0, 0, EVTCHNOP_close, &c);
    }
    report("alloc_unbound + bind_interdomain + close both", now_s() - t, N / 4);

    evtchn_port_t polled[1] = { ipi.port };
    fake_clear_pending(dom1, ipi.port);
    t = now_s();
    for (unsigned i = 0; i < N; i++) {
        evtchn_poll_begin(&dom1->v[0], polled, 1);
        evtchn_poll_end(&dom1->v[0]);
    }
    report("evtchn_poll_begin + poll_end, nothing pending", now_s() - t, N);

    /* A domain with many ports: allocation must not slow down with them. */
    for (unsigned i = 0; i < 4000; i++) {
        struct evtchn_bind_ipi b = { .vcpu = 0 };
        fake_hypercall(dom0, 0, EVTCHNOP_bind_ipi, &b);
    }
    struct evtchn_close c = { .port = 3000 };
    fake_hypercall(dom0, 0, EVTCHNOP_close, &c);
    t = now_s();
    for (unsigned i = 0; i < N / 4; i++) {
        struct evtchn_bind_ipi b = { .vcpu = 0 };
        fake_hypercall(dom0, 0, EVTCHNOP_bind_ipi, &b);
        c.port = b.port;
        fake_hypercall(dom0, 0, EVTCHNOP_close, &c);
    }
    report("bind_ipi + close, free port 3000 of 4001 used", now_s() - t, N / 4);

    fake_domain_release(dom1);
    fake_domain_release(dom0);
    return 0;
}
