/*
 * Event channel tests, part 2: the 2-level delivery rules (mask, selector,
 * upcall flag, kicks), status and privilege, arguments read once and
 * faults, unsupported operations, the compat form, reset, the builder's
 * call, and the SCHEDOP_poll hooks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/errno.h>
#include "evtchn_test.h"

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

/* What the stall watch reads of a port: pending, masked, and whether the vCPU was told. */
static void test_port_view_2level(void)
{
    setup();
    evtchn_port_t p;
    struct evtchn_port_view v;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 1, &p), 0);
    CU_ASSERT_EQUAL(evtchn_port_view(&dom1->d, 1, p, &v), 0);
    CU_ASSERT_STRING_EQUAL(v.abi, "2-level");
    CU_ASSERT_FALSE(v.pending || v.masked || v.notified);
    fake_set_mask(dom1, p, true);
    CU_ASSERT_EQUAL(ev_send(dom1, p), 0);
    CU_ASSERT_EQUAL(evtchn_port_view(&dom1->d, 1, p, &v), 0);
    CU_ASSERT_TRUE(v.pending && v.masked);
    CU_ASSERT_FALSE(v.notified);
    CU_ASSERT_EQUAL(ev_unmask(dom1, p), 0);
    CU_ASSERT_EQUAL(evtchn_port_view(&dom1->d, 1, p, &v), 0);
    CU_ASSERT_TRUE(v.pending && v.notified);
    CU_ASSERT_FALSE(v.masked);
    /* vCPU 0 was not told: its selector is clear */
    CU_ASSERT_EQUAL(evtchn_port_view(&dom1->d, 0, p, &v), 0);
    CU_ASSERT_FALSE(v.notified);
    /* a port without storage is refused */
    CU_ASSERT_EQUAL(evtchn_port_view(&dom1->d, 1, EVTCHN_MAX_PORTS - 1, &v), -EINVAL);
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
    /* a closed port inside storage: 0, but left masked (Xen 4.17: not usable) */
    fake_set_mask(dom1, 10, true);
    CU_ASSERT_EQUAL(ev_unmask(dom1, 10), 0);
    CU_ASSERT_TRUE(fake_masked(dom1, 10));
    fake_set_mask(dom1, 10, false);
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
        14, 15, 1000, -1, -2147483647 - 1,
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

static void test_guards_for_odd_callers(void)
{
    setup();
    struct evtchn_status st = { .dom = DOMID_SELF, .port = 1 };
    /* out-of-range closes */
    CU_ASSERT_EQUAL(ev_close(dom1, EVTCHN_BUCKET_PORTS), -EINVAL);
    CU_ASSERT_EQUAL(ev_close(dom1, 0xffffffffu), -EINVAL);
    /* a status whose answer cannot be written back */
    stub_fail_copy_to = true;
    CU_ASSERT_EQUAL(fake_hypercall(dom1, 0, EVTCHNOP_status, &st), -EFAULT);
    stub_fail_copy_to = false;
    /* no vCPU is running a hypercall */
    stub_current = NULL;
    CU_ASSERT_EQUAL(do_event_channel_op(EVTCHNOP_status, (uint64_t)(uintptr_t)&st), -ESRCH);
    /* a vCPU without a vcpu_info still gets the pending bit, and no kick */
    evtchn_port_t p;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 1, &p), 0);
    struct vcpu_info *vi = dom1->v[1].vcpu_info;
    dom1->v[1].vcpu_info = NULL;
    CU_ASSERT_EQUAL(ev_send(dom1, p), 0);
    CU_ASSERT_TRUE(fake_pending(dom1, p));
    CU_ASSERT_EQUAL(dom1->kicks[1], 0);
    dom1->v[1].vcpu_info = vi;
    teardown();
}

static void test_domain_without_event_channels(void)
{
    setup();
    struct fake_domain *bare = calloc(1, sizeof(*bare));
    bare->d.domain_id = 9;
    bare->d.max_vcpus = 2;
    bare->v[0].domain = &bare->d;
    bare->d.vcpus[0] = &bare->v[0];     /* vCPU 1 not created */
    evtchn_port_t ports[1] = { 1 }, p;
    const char *why;
    CU_ASSERT_EQUAL(evtchn_send(&bare->d, 1), -EINVAL);
    send_guest_vcpu_virq(&bare->v[0], VIRQ_TIMER);
    send_guest_global_virq(&bare->d, VIRQ_CONSOLE);
    CU_ASSERT_FALSE(evtchn_any_pending(&bare->v[0], ports, 1));
    CU_ASSERT_EQUAL(evtchn_poll_begin(&bare->v[0], ports, 1), -EINVAL);
    evtchn_poll_end(&bare->v[0]);
    CU_ASSERT_EQUAL(evtchn_alloc_unbound_for(&bare->d, 0, &p), -EINVAL);
    CU_ASSERT_EQUAL(evtchn_domain_check(&bare->d, &why), -EINVAL);
    CU_ASSERT_PTR_NOT_NULL(why);
    evtchn_domain_destroy(&bare->d);
    evtchn_domain_free(&bare->d);
    CU_ASSERT_EQUAL(bare->kicks[0], 0);
    /* set up with a vCPU slot empty: fine, and torn down again */
    CU_ASSERT_EQUAL(evtchn_domain_init(&bare->d), 0);
    CU_ASSERT_EQUAL(evtchn_domain_check(&bare->d, &why), 0);
    evtchn_domain_destroy(&bare->d);
    evtchn_domain_free(&bare->d);
    CU_ASSERT_PTR_NULL(bare->d.evtchn);
    free(bare);
    teardown();
}

const struct unit_case evtchn_delivery_cases[] = {
    UNIT_CASE(guards_for_odd_callers),
    UNIT_CASE(domain_without_event_channels),
    UNIT_CASE(masked_port_pends_without_upcall),
    UNIT_CASE(port_view_2level),
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
};
const size_t evtchn_delivery_cases_n = ARRAY_SIZE_UNIT(evtchn_delivery_cases);
