/*
 * Event channel tests, part 3: host threads as CPUs. Two domains binding,
 * sending and closing against each other in opposite lock order; a
 * domain destroyed while its peer sends; a vCPU polling while another CPU
 * sends. A lock-order bug hangs these (the Makefile's time limit turns
 * that into a failure); a race shows as a wrong result or invariant.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tessera/errno.h>
#include "evtchn_test.h"

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
 * Both ends of the same interdomain channels closed at once from two
 * CPUs, each close taking the other domain's lock in its own order:
 * whichever comes second finds its port unbound and closes it alone.
 */
/* EVTCHNOP_close as vCPU 0 of d, on this thread. */
static long evtchn_close_port_for_test(struct fake_domain *d, evtchn_port_t port)
{
    struct evtchn_close op = { .port = port };

    stub_current = &d->v[0];
    long rc = do_event_channel_op(EVTCHNOP_close, (uint64_t)(uintptr_t)&op);
    stub_current = NULL;
    return rc;
}

#define CLOSE_PAIRS  1000
#define CLOSE_ROUNDS 20

struct closer {
    struct fake_domain *self;
    evtchn_port_t ports[CLOSE_PAIRS];
    unsigned errors;
};

static void *close_all(void *arg)
{
    struct closer *c = arg;

    pthread_barrier_wait(&start_line);
    for (unsigned i = 0; i < CLOSE_PAIRS; i++) {
        if (evtchn_close_port_for_test(c->self, c->ports[i]) != 0)
            c->errors++;
    }
    return NULL;
}

static void test_threads_close_both_ends_at_once(void)
{
    setup();
    for (unsigned round = 0; round < CLOSE_ROUNDS; round++) {
        struct closer c0 = { .self = dom0 }, c1 = { .self = dom1 };
        for (unsigned i = 0; i < CLOSE_PAIRS; i++)
            make_pair(dom0, dom1, &c0.ports[i], &c1.ports[i]);
        pthread_t th[2];
        pthread_barrier_init(&start_line, NULL, 2);
        pthread_create(&th[0], NULL, close_all, &c0);
        pthread_create(&th[1], NULL, close_all, &c1);
        pthread_join(th[0], NULL);
        pthread_join(th[1], NULL);
        pthread_barrier_destroy(&start_line);
        CU_ASSERT_EQUAL(c0.errors, 0);
        CU_ASSERT_EQUAL(c1.errors, 0);
        for (unsigned i = 0; i < CLOSE_PAIRS; i++) {
            CU_ASSERT_EQUAL(status_of(dom0, c0.ports[i]), EVTCHNSTAT_closed);
            CU_ASSERT_EQUAL(status_of(dom1, c1.ports[i]), EVTCHNSTAT_closed);
        }
    }
    check_invariants(dom0);
    check_invariants(dom1);
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

const struct unit_case evtchn_thread_cases[] = {
    UNIT_CASE(threads_close_both_ends_at_once),
    UNIT_CASE(threads_bind_send_close_both_ways),
    UNIT_CASE(threads_destroy_while_peer_sends),
    UNIT_CASE(threads_poll_never_loses_a_wakeup),
};
const size_t evtchn_thread_cases_n = ARRAY_SIZE_UNIT(evtchn_thread_cases);
