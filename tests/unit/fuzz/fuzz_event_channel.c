/*
 * libFuzzer target for the event channel subsystem. The input is a
 * program of operations on three fake domains (0: privileged, 2 vCPUs;
 * 1: 3 vCPUs; 5: 1 vCPU): every EVTCHNOP with fuzzed fields from any of
 * them (with chosen fields, or raw bytes through either hypercall form),
 * a guest toggling mask bits and acknowledging events, VIRQs raised
 * by "the hypervisor", SCHEDOP_poll begin/end, pausing, and killing a
 * domain and building a new one with the same id. After every step each
 * live domain's invariants must hold, every hypercall's result and OUT
 * fields must equal those of a reference model (evtchn_model.c), results
 * must be errors the operation can return, and a successful send must have left the target
 * port pending (and flagged in the notified vCPU's selector and upcall
 * flag when unmasked). At the end every domain must be freeable (no
 * leaked references) and every allocation returned.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/errno.h>
#include <tessera/event_channel.h>
#include "evtchn_fakes.h"
#include "evtchn_model.h"
#include "fuzz_input.h"

#define NR_DOMS 3
static const domid_t dom_ids[NR_DOMS] = { 0, 1, 5 };
static const unsigned dom_vcpus[NR_DOMS] = { 2, 3, 1 };
static struct fake_domain *doms[NR_DOMS];

static uint32_t pick_port(struct input *in)
{
    uint8_t b = next(in);
    switch (b >> 6) {
    case 0:
    case 1:
        return b % 72;                  /* the first bucket and a little past it */
    case 2:
        return 60 + (b % 80);
    default: {
        static const uint32_t odd[] = { 0, 4095, 4096, 0xffffffffu, 127, 128, 64, 63 };
        return odd[b % 8];
    }
    }
}

static domid_t pick_dom(struct input *in)
{
    static const domid_t ids[] = { 0, 1, 5, DOMID_SELF, 9, DOMID_IO, 0x7fff, 1 };
    return ids[next(in) % 8];
}

static uint32_t pick_vcpu(struct input *in)
{
    uint8_t b = next(in);
    return b < 250 ? b % 4 : 0xffffffffu - (b % 2);
}

static struct fake_domain *by_id(domid_t id)
{
    for (int i = 0; i < NR_DOMS; i++)
        if (doms[i] && doms[i]->d.domain_id == id)
            return doms[i];
    return NULL;
}

static void fail(const char *what, long rc)
{
    fprintf(stderr, "fuzz_event_channel: %s (rc %ld)\n", what, rc);
    abort();
}

static void expect_rc(long rc, const long *allowed, size_t n, const char *op)
{
    if (rc == 0)
        return;
    for (size_t i = 0; i < n; i++)
        if (rc == allowed[i])
            return;
    fail(op, rc);
}

#define EXPECT(rc, op, ...) do { \
        static const long allowed_[] = { __VA_ARGS__ }; \
        expect_rc(rc, allowed_, sizeof(allowed_) / sizeof(allowed_[0]), op); \
    } while (0)

static long status_as_dom0(domid_t dom, evtchn_port_t port, struct evtchn_status *st)
{
    memset(st, 0, sizeof(*st));
    st->dom = dom;
    st->port = port;
    return fake_hypercall(doms[0], 0, EVTCHNOP_status, st);
}

/*
 * Where a send on sender's port lands: the peer's port for an interdomain
 * channel, the port itself for an IPI. False when it goes nowhere.
 */
static bool send_target(struct fake_domain *sender, evtchn_port_t port,
                        struct fake_domain **target, evtchn_port_t *tport, uint32_t *tvcpu)
{
    struct evtchn_status st;

    if (status_as_dom0(sender->d.domain_id, port, &st))
        return false;
    if (st.status == EVTCHNSTAT_ipi) {
        *target = sender;
        *tport = port;
        *tvcpu = st.vcpu;
        return true;
    }
    if (st.status != EVTCHNSTAT_interdomain)
        return false;
    *target = by_id(st.u.interdomain.dom);
    *tport = st.u.interdomain.port;
    if (!*target || status_as_dom0(st.u.interdomain.dom, *tport, &st) ||
        st.status != EVTCHNSTAT_interdomain)
        fail("interdomain peer is not bound back", -1);
    *tvcpu = st.vcpu;
    return true;
}

static long checked_op(unsigned slot, unsigned vcpu, int cmd, void *arg);

static void fuzz_send(unsigned slot, unsigned vcpu, evtchn_port_t port)
{
    struct fake_domain *me = doms[slot];
    struct fake_domain *target = NULL;
    evtchn_port_t tport = 0;
    uint32_t tvcpu = 0;
    bool lands = send_target(me, port, &target, &tport, &tvcpu);
    bool was_pending = lands && fake_pending(target, tport);
    struct evtchn_send s = { .port = port };

    long rc = checked_op(slot, vcpu, EVTCHNOP_send, &s);
    EXPECT(rc, "send", -EINVAL);
    if (!lands)
        return;
    if (rc != 0)
        fail("send on a bound port failed", rc);
    if (!fake_pending(target, tport))
        fail("sent port not pending", tport);
    /* Newly pending and unmasked: the notified vCPU's selector and upcall flag. */
    if (!was_pending && !fake_masked(target, tport) &&
        (!(fake_sel(target, tvcpu) & (1UL << (tport / 64))) || !fake_upcall(target, tvcpu)))
        fail("unmasked event not flagged on its vCPU", tport);
}

static void check_all(void)
{
    for (int i = 0; i < NR_DOMS; i++) {
        const char *why;
        if (doms[i] && evtchn_domain_check(&doms[i]->d, &why)) {
            fprintf(stderr, "domain %u: %s\n", doms[i]->d.domain_id, why);
            abort();
        }
    }
}

/*
 * The hypercall on the real code and on the model, from the same argument
 * bytes: results and every byte copied back must agree.
 */
static long checked_op(unsigned slot, unsigned vcpu, int cmd, void *arg)
{
    uint8_t expect[sizeof(struct evtchn_op)];
    unsigned size = model_arg_size(cmd);

    memcpy(expect, arg, size);
    long want = model_event_channel_op(slot, vcpu, cmd, expect);
    long rc = fake_hypercall(doms[slot], vcpu, cmd, arg);
    if (rc != want) {
        fprintf(stderr, "op %d from domain %u: got %ld, model says %ld\n", cmd,
                doms[slot]->d.domain_id, rc, want);
        abort();
    }
    if (memcmp(expect, arg, size))
        fail("OUT fields differ from the model", cmd);
    return rc;
}

static long checked_compat(unsigned slot, unsigned vcpu, struct evtchn_op *op)
{
    struct evtchn_op expect = *op;
    long want = model_event_channel_op_compat(slot, vcpu, &expect);

    stub_current = &doms[slot]->v[vcpu];
    long rc = do_event_channel_op_compat((uint64_t)(uintptr_t)op);
    stub_current = NULL;
    if (rc != want) {
        fprintf(stderr, "compat op %u: got %ld, model says %ld\n", op->cmd, rc, want);
        abort();
    }
    if (memcmp(&expect, op, sizeof(*op)))
        fail("compat OUT fields differ from the model", op->cmd);
    return rc;
}

static void step(struct input *in)
{
    uint8_t op = next(in);
    unsigned slot = next(in) % NR_DOMS;
    struct fake_domain *me = doms[slot];
    unsigned vcpu = next(in) % me->d.max_vcpus;
    long rc;

    switch (op % 20) {
    case 0: {
        struct evtchn_alloc_unbound a = { .dom = pick_dom(in), .remote_dom = pick_dom(in) };
        rc = checked_op(slot, vcpu, EVTCHNOP_alloc_unbound, &a);
        EXPECT(rc, "alloc_unbound", -ESRCH, -EPERM, -EINVAL, -ENOSPC);
        break;
    }
    case 1:
    case 2: {
        struct evtchn_bind_interdomain b = { .remote_dom = pick_dom(in), .remote_port = pick_port(in) };
        rc = checked_op(slot, vcpu, EVTCHNOP_bind_interdomain, &b);
        EXPECT(rc, "bind_interdomain", -ESRCH, -EINVAL, -ENOSPC);
        if (rc == 0 && !fake_pending(me, b.local_port))
            fail("new interdomain port not pending", b.local_port);
        break;
    }
    case 3: {
        struct evtchn_bind_virq b = { .virq = next(in) % 27, .vcpu = pick_vcpu(in) };
        rc = checked_op(slot, vcpu, EVTCHNOP_bind_virq, &b);
        EXPECT(rc, "bind_virq", -EINVAL, -ENOENT, -EEXIST, -ENOSPC);
        break;
    }
    case 4: {
        struct evtchn_bind_ipi b = { .vcpu = pick_vcpu(in) };
        rc = checked_op(slot, vcpu, EVTCHNOP_bind_ipi, &b);
        EXPECT(rc, "bind_ipi", -ENOENT, -ENOSPC);
        break;
    }
    case 5:
    case 6: {
        struct evtchn_close c = { .port = pick_port(in) };
        rc = checked_op(slot, vcpu, EVTCHNOP_close, &c);
        EXPECT(rc, "close", -EINVAL);
        if (rc == 0 && fake_pending(me, c.port))
            fail("closed port still pending", c.port);
        break;
    }
    case 7:
    case 8:
        fuzz_send(slot, vcpu, pick_port(in));
        break;
    case 9: {
        struct evtchn_status st = { .dom = pick_dom(in), .port = pick_port(in) };
        rc = checked_op(slot, vcpu, EVTCHNOP_status, &st);
        EXPECT(rc, "status", -ESRCH, -EINVAL, -EPERM);
        if (rc == 0 && st.status > EVTCHNSTAT_ipi)
            fail("status out of range", st.status);
        break;
    }
    case 10: {
        struct evtchn_bind_vcpu b = { .port = pick_port(in), .vcpu = pick_vcpu(in) };
        rc = checked_op(slot, vcpu, EVTCHNOP_bind_vcpu, &b);
        EXPECT(rc, "bind_vcpu", -ENOENT, -EINVAL);
        break;
    }
    case 11: {
        struct evtchn_unmask u = { .port = pick_port(in) };
        rc = checked_op(slot, vcpu, EVTCHNOP_unmask, &u);
        EXPECT(rc, "unmask", -EINVAL);
        break;
    }
    case 12: {
        struct evtchn_reset r = { .dom = pick_dom(in) };
        rc = checked_op(slot, vcpu, EVTCHNOP_reset, &r);
        EXPECT(rc, "reset", -ESRCH, -EPERM, -EINVAL);
        break;
    }
    case 13: {
        uint32_t port = pick_port(in);
        if (port < EVTCHN_MAX_PORTS)
            fake_set_mask(me, port, next(in) & 1);
        break;
    }
    case 14:
        fake_guest_ack_all(me);
        break;
    case 15: {
        unsigned virq = next(in) % 26;
        if (next(in) & 1)
            send_guest_vcpu_virq(&me->v[vcpu], virq);
        else
            send_guest_global_virq(&me->d, virq);
        break;
    }
    case 16: {
        evtchn_port_t ports[3];
        unsigned n = next(in) % 4;
        for (unsigned i = 0; i < n; i++)
            ports[i] = pick_port(in);
        struct vcpu *v = &me->v[vcpu];
        if (v->polling) {
            evtchn_poll_end(v);
        } else {
            rc = evtchn_poll_begin(v, ports, n);
            if (rc < 0 ? (rc != -EINVAL || v->polling) : (rc == 1) == v->polling)
                fail("poll_begin result and polling state disagree", rc);
        }
        break;
    }
    case 17: {
        /* Kill a domain other than the control domain and build a new one. */
        int i = 1 + next(in) % (NR_DOMS - 1);
        struct fake_domain *victim = doms[i];
        doms[i] = NULL;
        fake_domain_kill(victim);
        model_domain_kill(i);
        if (!victim->freed)
            fail("killed domain still referenced", i);
        check_all();        /* peers must be consistent with it gone */
        fake_domain_release(victim);
        doms[i] = fake_domain_new(dom_ids[i], dom_vcpus[i], false);
        model_domain_new(i, dom_ids[i], dom_vcpus[i], false);
        break;
    }
    case 18:
        me->d.state = me->d.state == DOMAIN_PAUSED ? DOMAIN_RUNNING : DOMAIN_PAUSED;
        model_set_paused(slot, me->d.state == DOMAIN_PAUSED);
        break;
    default: {
        /* Raw argument bytes for any command, through either hypercall form. */
        union {
            struct evtchn_op op;
            uint8_t bytes[sizeof(struct evtchn_op)];
        } raw;
        for (size_t i = 0; i < sizeof(raw.bytes); i++)
            raw.bytes[i] = next(in);
        if (raw.op.cmd & 0x100) {
            raw.op.cmd &= 0xff;
            rc = checked_compat(slot, vcpu, &raw.op);
        } else {
            rc = checked_op(slot, vcpu, (int)(raw.op.cmd % 16), &raw.op.u);
        }
        EXPECT(rc, "raw operation", -ENOSYS, -EINVAL, -ESRCH, -EPERM, -ENOENT, -EEXIST, -ENOSPC,
               -EOPNOTSUPP);
        break;
    }
    }
    check_all();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };

    stub_allocs_live = 0;
    for (int i = 0; i < NR_DOMS; i++) {
        doms[i] = fake_domain_new(dom_ids[i], dom_vcpus[i], i == 0);
        model_domain_new(i, dom_ids[i], dom_vcpus[i], i == 0);
    }
    for (unsigned steps = 0; in.left && steps < 400; steps++)
        step(&in);
    for (int i = NR_DOMS - 1; i >= 0; i--) {
        doms[i]->d.state = DOMAIN_RUNNING;
        fake_domain_release(doms[i]);
        doms[i] = NULL;
    }
    if (stub_allocs_live != 0)
        fail("allocations not returned", stub_allocs_live);
    return 0;
}
