/*
 * libFuzzer target for the FIFO event channel ABI with a hostile guest.
 * Two fake domains (0: privileged, 2 vCPUs; 1: 3 vCPUs) run a program of
 * init_control / expand_array / set_priority with fuzzed arguments (their
 * own frames, another domain's, garbage), binding, sending, unmasking,
 * closing and reset, while "the guest" writes random bits into its event
 * words and control blocks, makes LINK fields circular and consumes its
 * queues by following them (bounded, as a guest would not be). After every
 * step both domains' invariants (evtchn_domain_check, FIFO state
 * included) must hold and every result must be one the operation can
 * return; at the end every held guest frame must have been released and
 * every allocation returned. A hang in the hypervisor shows up as
 * libFuzzer's timeout.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/errno.h>
#include <tessera/event_channel.h>
#include "evtchn_fakes.h"
#include "fuzz_input.h"

#define NR_DOMS 2
#define ARRAY_FRAME0 4      /* frames 0-3: control blocks; 4-7: event array pages */
static const unsigned dom_vcpus[NR_DOMS] = { 2, 3 };
static struct fake_domain *doms[NR_DOMS];
static unsigned array_pages[NR_DOMS];   /* pages we gave each domain (its frames, in order) */

static void fail(const char *what, long rc)
{
    fprintf(stderr, "fuzz_event_channel_fifo: %s (rc %ld)\n", what, rc);
    abort();
}

/* rc evaluated once: it may be the call itself. */
#define EXPECT(rc, op, ...) do { \
        long rc_ = (rc); \
        static const long allowed_[] = { 0, __VA_ARGS__ }; \
        bool ok_ = false; \
        for (size_t i_ = 0; i_ < sizeof(allowed_) / sizeof(allowed_[0]); i_++) \
            ok_ |= rc_ == allowed_[i_]; \
        if (!ok_) \
            fail(op, rc_); \
    } while (0)

static uint32_t pick_port(struct input *in)
{
    uint8_t b = next(in);
    if (b < 200)
        return b % 70;
    static const uint32_t odd[] = { 0, 1023, 1024, 1025, 4095, 4096, 131071, 0xffffffffu };
    return odd[b % 8];
}

/* A gfn: mostly one of our own frames, sometimes the other domain's or nonsense. */
static uint64_t pick_gfn(struct input *in, unsigned slot)
{
    uint8_t b = next(in);
    switch (b % 8) {
    case 0:
        return fake_gfn(doms[(slot + 1) % NR_DOMS], b / 8 % FAKE_FRAMES);
    case 1:
        return b;
    default:
        return fake_gfn(doms[slot], b / 8 % FAKE_FRAMES);
    }
}

static event_word_t *word_of(unsigned slot, evtchn_port_t port)
{
    if (port / EVTCHN_FIFO_EVENT_WORDS_PER_PAGE >= FAKE_FRAMES - ARRAY_FRAME0)
        return NULL;
    event_word_t *page = fake_frame(doms[slot], ARRAY_FRAME0 + port / EVTCHN_FIFO_EVENT_WORDS_PER_PAGE);
    return &page[port % EVTCHN_FIFO_EVENT_WORDS_PER_PAGE];
}

/* The guest pops up to n events from vCPU v's control block at offset 0, following LINKs. */
static void guest_consume(unsigned slot, unsigned v, unsigned n)
{
    struct evtchn_fifo_control_block *cb = fake_frame(doms[slot], v);
    for (unsigned i = 0; i < n; i++) {
        /* Only the 16 queues' bits mean anything; scribbling may set others. */
        uint32_t ready = __atomic_load_n(&cb->ready, __ATOMIC_SEQ_CST) & 0xffffu;
        if (!ready)
            return;
        unsigned q = (unsigned)__builtin_ctz(ready);
        evtchn_port_t port = __atomic_load_n(&cb->head[q], __ATOMIC_SEQ_CST) & EVTCHN_FIFO_LINK_MASK;
        event_word_t *w = word_of(slot, port);
        if (!w) {
            __atomic_fetch_and(&cb->ready, ~(1u << q), __ATOMIC_SEQ_CST);
            continue;
        }
        event_word_t old = __atomic_fetch_and(w, ~((1u << EVTCHN_FIFO_LINKED) | EVTCHN_FIFO_LINK_MASK |
                                                   (1u << EVTCHN_FIFO_PENDING)), __ATOMIC_SEQ_CST);
        evtchn_port_t link = old & EVTCHN_FIFO_LINK_MASK;
        __atomic_store_n(&cb->head[q], link, __ATOMIC_SEQ_CST);
        if (!link)
            __atomic_fetch_and(&cb->ready, ~(1u << q), __ATOMIC_SEQ_CST);
    }
}

static long op(unsigned slot, unsigned vcpu, int cmd, void *arg)
{
    return fake_hypercall(doms[slot], vcpu, cmd, arg);
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

static void new_domain(int i)
{
    doms[i] = fake_domain_new((domid_t)i, dom_vcpus[i], i == 0);
    array_pages[i] = 0;
}

static void step(struct input *in)
{
    uint8_t what = next(in);
    unsigned slot = next(in) % NR_DOMS;
    struct fake_domain *me = doms[slot];
    unsigned vcpu = next(in) % me->d.max_vcpus;
    long rc;

    switch (what % 16) {
    case 0: {
        /* Mostly a sane block (vCPU v in frame v at offset 0), else fuzzed fields. */
        uint8_t b = next(in);
        struct evtchn_init_control c = { .vcpu = b % 4, .control_gfn = fake_gfn(me, b % 4) };
        if (b >= 192) {
            c.offset = next32(in);
            c.control_gfn = pick_gfn(in, slot);
            c.vcpu = next(in) < 250 ? c.vcpu : 0xffffffffu;
        }
        rc = op(slot, vcpu, EVTCHNOP_init_control, &c);
        EXPECT(rc, "init_control", -ENOENT, -EINVAL);
        if (rc == 0 && c.link_bits != EVTCHN_FIFO_LINK_BITS)
            fail("link_bits", c.link_bits);
        break;
    }
    case 1: {
        bool sane = next(in) < 200;
        unsigned frame = array_pages[slot] < FAKE_FRAMES - ARRAY_FRAME0 ? ARRAY_FRAME0 + array_pages[slot]
                                                                       : ARRAY_FRAME0;
        struct evtchn_expand_array e = { .array_gfn = sane ? fake_gfn(me, frame) : pick_gfn(in, slot) };
        rc = op(slot, vcpu, EVTCHNOP_expand_array, &e);
        EXPECT(rc, "expand_array", -EOPNOTSUPP, -ENOSPC, -EINVAL);
        if (rc == 0 && sane)
            array_pages[slot]++;
        break;
    }
    case 2: {
        struct evtchn_set_priority p = { .port = pick_port(in), .priority = next(in) % 18 };
        rc = op(slot, vcpu, EVTCHNOP_set_priority, &p);
        EXPECT(rc, "set_priority", -EINVAL, -ENOSYS, -EACCES);
        break;
    }
    case 3:
    case 4: {
        struct evtchn_bind_ipi b = { .vcpu = next(in) % 4 };
        rc = op(slot, vcpu, EVTCHNOP_bind_ipi, &b);
        EXPECT(rc, "bind_ipi", -ENOENT, -ENOSPC);
        break;
    }
    case 5: {
        /* An interdomain channel from the other domain to us. */
        unsigned other = (slot + 1) % NR_DOMS;
        struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = (domid_t)slot };
        rc = op(other, 0, EVTCHNOP_alloc_unbound, &a);
        EXPECT(rc, "alloc_unbound", -ENOSPC);
        if (rc == 0) {
            struct evtchn_bind_interdomain bi = { .remote_dom = (domid_t)other, .remote_port = a.port };
            rc = op(slot, vcpu, EVTCHNOP_bind_interdomain, &bi);
            EXPECT(rc, "bind_interdomain", -ENOSPC);
        }
        break;
    }
    case 6:
    case 7: {
        evtchn_port_t port = pick_port(in);
        struct evtchn_send s = { .port = port };
        rc = op(slot, vcpu, EVTCHNOP_send, &s);
        EXPECT(rc, "send", -EINVAL);
        break;
    }
    case 8: {
        struct evtchn_unmask u = { .port = pick_port(in) };
        rc = op(slot, vcpu, EVTCHNOP_unmask, &u);
        EXPECT(rc, "unmask", -EINVAL);
        break;
    }
    case 9: {
        struct evtchn_close c = { .port = pick_port(in) };
        rc = op(slot, vcpu, EVTCHNOP_close, &c);
        EXPECT(rc, "close", -EINVAL);
        break;
    }
    case 10: {
        /* The guest scribbles: random bits, a circular or far LINK, BUSY left set. */
        evtchn_port_t port = pick_port(in);
        event_word_t *w = word_of(slot, port);
        uint8_t how = next(in);
        if (w && how < 128)
            __atomic_store_n(w, next32(in), __ATOMIC_SEQ_CST);
        else if (w)
            __atomic_store_n(w, (1u << EVTCHN_FIFO_LINKED) | (1u << EVTCHN_FIFO_PENDING) | port,
                             __ATOMIC_SEQ_CST);
        if (how & 1) {
            struct evtchn_fifo_control_block *cb = fake_frame(me, vcpu);
            __atomic_store_n(&cb->head[how % 16], next32(in), __ATOMIC_SEQ_CST);
            __atomic_store_n(&cb->ready, next32(in), __ATOMIC_SEQ_CST);
        }
        break;
    }
    case 11:
    case 12:
        guest_consume(slot, vcpu, next(in) % 8);
        break;
    case 13: {
        struct evtchn_reset r = { .dom = DOMID_SELF };
        rc = op(slot, vcpu, EVTCHNOP_reset, &r);
        EXPECT(rc, "reset", -EAGAIN);
        if (rc == 0)
            array_pages[slot] = 0;
        break;
    }
    case 14: {
        evtchn_port_t ports[2] = { pick_port(in), pick_port(in) };
        struct vcpu *v = &me->v[vcpu];
        if (v->polling)
            evtchn_poll_end(v);
        else
            EXPECT(evtchn_poll_begin(v, ports, 1 + next(in) % 2), "poll_begin", 1, -EINVAL);
        break;
    }
    default: {
        /* Kill domain 1 and build it again: its frames must all be let go. */
        struct fake_domain *victim = doms[1];
        doms[1] = NULL;
        fake_domain_kill(victim);
        if (victim->frames_held)
            fail("frames still held by a dead domain", victim->frames_held);
        check_all();        /* the survivor, with its end of any channel unbound */
        fake_domain_release(victim);
        new_domain(1);
        break;
    }
    }
    check_all();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };

    stub_allocs_live = 0;
    for (int i = 0; i < NR_DOMS; i++)
        new_domain(i);
    for (unsigned steps = 0; in.left && steps < 400; steps++)
        step(&in);
    /* Releasing aborts if a domain still holds a guest frame or a reference. */
    for (int i = NR_DOMS - 1; i >= 0; i--) {
        fake_domain_release(doms[i]);
        doms[i] = NULL;
    }
    if (stub_allocs_live != 0)
        fail("allocations not returned", stub_allocs_live);
    return 0;
}
