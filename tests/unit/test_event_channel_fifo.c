/*
 * Event channel tests, part 4: the FIFO ABI. init_control, expand_array
 * and set_priority with every refusal, the switch from 2-level (pending
 * ports carried over), delivery into priority queues (head, LINK, READY,
 * upcall), mask/unmask, ports beyond the event array, busy ports, and a
 * hostile guest: circular LINK fields and a tail word that keeps changing.
 * A small guest consumer below pops queues as a FIFO guest does.
 *
 * Frames of the fake domains: control block of vCPU i in frame i, event
 * array pages in frames 4 and up.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tessera/errno.h>
#include "evtchn_test.h"

#define ARRAY_FRAME0 4

static long init_control(struct fake_domain *f, uint32_t vcpu, uint64_t gfn, uint32_t offset,
                         uint8_t *link_bits)
{
    struct evtchn_init_control op = { .control_gfn = gfn, .offset = offset, .vcpu = vcpu,
                                      .link_bits = 0xaa };
    long rc = fake_hypercall(f, 0, EVTCHNOP_init_control, &op);
    if (link_bits)
        *link_bits = op.link_bits;
    return rc;
}

static long expand_array(struct fake_domain *f, uint64_t gfn)
{
    struct evtchn_expand_array op = { .array_gfn = gfn };
    return fake_hypercall(f, 0, EVTCHNOP_expand_array, &op);
}

static long set_priority(struct fake_domain *f, evtchn_port_t port, uint32_t priority)
{
    struct evtchn_set_priority op = { .port = port, .priority = priority };
    return fake_hypercall(f, 0, EVTCHNOP_set_priority, &op);
}

static struct evtchn_fifo_control_block *cb_of(struct fake_domain *f, unsigned vcpu)
{
    return fake_frame(f, vcpu);
}

static event_word_t *word_of(struct fake_domain *f, evtchn_port_t port)
{
    event_word_t *page = fake_frame(f, ARRAY_FRAME0 + port / EVTCHN_FIFO_EVENT_WORDS_PER_PAGE);
    return &page[port % EVTCHN_FIFO_EVENT_WORDS_PER_PAGE];
}

#define W(n) ((event_word_t)1 << (n))

/* FIFO for f: control blocks for 'vcpus' vCPUs, 'pages' event array pages. */
static void go_fifo(struct fake_domain *f, unsigned vcpus, unsigned pages)
{
    for (unsigned i = 0; i < vcpus; i++)
        CU_ASSERT_EQUAL(init_control(f, i, fake_gfn(f, i), 0, NULL), 0);
    for (unsigned p = 0; p < pages; p++)
        CU_ASSERT_EQUAL(expand_array(f, fake_gfn(f, ARRAY_FRAME0 + p)), 0);
}

/*
 * What a FIFO guest does: take the head of the highest-priority READY
 * queue, follow its LINK to the next head, unlink it; the queue's READY
 * bit goes when it runs empty. Returns the port if it was pending, 0 when
 * nothing is ready, -1 for an unlinked or non-pending head.
 */
static long guest_pop(struct fake_domain *f, unsigned vcpu)
{
    struct evtchn_fifo_control_block *cb = cb_of(f, vcpu);
    uint32_t ready = __atomic_load_n(&cb->ready, __ATOMIC_SEQ_CST);

    if (!ready)
        return 0;
    unsigned q = (unsigned)__builtin_ctz(ready);
    evtchn_port_t port = __atomic_load_n(&cb->head[q], __ATOMIC_SEQ_CST);
    event_word_t *w = word_of(f, port);
    event_word_t old = __atomic_load_n(w, __ATOMIC_SEQ_CST);
    evtchn_port_t next = old & EVTCHN_FIFO_LINK_MASK;

    __atomic_store_n(&cb->head[q], next, __ATOMIC_SEQ_CST);
    __atomic_fetch_and(w, ~(W(EVTCHN_FIFO_LINKED) | EVTCHN_FIFO_LINK_MASK), __ATOMIC_SEQ_CST);
    if (!next)
        __atomic_fetch_and(&cb->ready, ~(1u << q), __ATOMIC_SEQ_CST);
    if (!(old & W(EVTCHN_FIFO_LINKED)) || !(old & W(EVTCHN_FIFO_PENDING)))
        return -1;
    __atomic_fetch_and(w, ~W(EVTCHN_FIFO_PENDING), __ATOMIC_SEQ_CST);
    return port;
}

/* --- init_control ----------------------------------------------------------------- */

static void test_init_control_refusals(void)
{
    setup();
    uint8_t bits = 0xaa;
    uint64_t gfn = fake_gfn(dom1, 0);

    CU_ASSERT_EQUAL(init_control(dom1, 3, gfn, 0, &bits), -ENOENT);     /* dom1 has 3 vCPUs */
    CU_ASSERT_EQUAL(init_control(dom1, 99999, gfn, 0, &bits), -ENOENT);
    CU_ASSERT_EQUAL(init_control(dom1, 0, gfn, 4096 - 72 + 8, &bits), -EINVAL);
    CU_ASSERT_EQUAL(init_control(dom1, 0, gfn, 4096, &bits), -EINVAL);
    CU_ASSERT_EQUAL(init_control(dom1, 0, gfn, UINT32_MAX, &bits), -EINVAL);
    CU_ASSERT_EQUAL(init_control(dom1, 0, gfn, 4, &bits), -EINVAL);      /* not 8-aligned */
    CU_ASSERT_EQUAL(init_control(dom1, 0, gfn, 4096 - 72 + 4, &bits), -EINVAL);
    CU_ASSERT_EQUAL(init_control(dom1, 0, 0x12345, 0, &bits), -EINVAL); /* not a frame of ours */
    CU_ASSERT_EQUAL(init_control(dom1, 0, fake_gfn(dom0, 0), 0, &bits), -EINVAL); /* dom0's */
    stub_fail_copy_from = true;
    CU_ASSERT_EQUAL(init_control(dom1, 0, gfn, 0, &bits), -EFAULT);
    stub_fail_copy_from = false;
    CU_ASSERT_EQUAL(bits, 0xaa);            /* nothing written back on refusal */
    CU_ASSERT_EQUAL(dom1->frames_held, 0);
    /* still 2-level: no array to expand, no priorities */
    CU_ASSERT_EQUAL(expand_array(dom1, fake_gfn(dom1, ARRAY_FRAME0)), -EOPNOTSUPP);
    evtchn_port_t p;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &p), 0);
    CU_ASSERT_EQUAL(set_priority(dom1, p, 3), -ENOSYS);
    CU_ASSERT_EQUAL(set_priority(dom1, 0, 3), -ENOSYS);        /* before -EACCES */
    CU_ASSERT_EQUAL(set_priority(dom1, p + 1, 3), -ENOSYS);

    /* the last offset that fits, then a second block for the same vCPU */
    CU_ASSERT_EQUAL(init_control(dom1, 0, gfn, 4096 - 72, &bits), 0);
    CU_ASSERT_EQUAL(bits, EVTCHN_FIFO_LINK_BITS);
    CU_ASSERT_EQUAL(init_control(dom1, 0, fake_gfn(dom1, 1), 0, NULL), -EINVAL);
    CU_ASSERT_EQUAL(dom1->frames_held, 1);
    /* another vCPU may use the same frame at another offset */
    CU_ASSERT_EQUAL(init_control(dom1, 1, gfn, 0, NULL), 0);
    CU_ASSERT_EQUAL(dom1->frames_held, 2);
    teardown();
}

static void test_init_control_fault_and_nomem(void)
{
    setup();
    /* Out of memory for the FIFO state: still 2-level, frame let go. */
    stub_alloc_fail_at = 1;
    CU_ASSERT_EQUAL(init_control(dom1, 0, fake_gfn(dom1, 0), 0, NULL), -ENOMEM);
    stub_alloc_fail_at = 0;
    CU_ASSERT_EQUAL(dom1->frames_held, 0);
    CU_ASSERT_EQUAL(expand_array(dom1, fake_gfn(dom1, ARRAY_FRAME0)), -EOPNOTSUPP);
    /* An unwritable answer: -EFAULT, but the block is registered, as in Xen. */
    stub_fail_copy_to = true;
    CU_ASSERT_EQUAL(init_control(dom1, 0, fake_gfn(dom1, 0), 0, NULL), -EFAULT);
    stub_fail_copy_to = false;
    CU_ASSERT_EQUAL(init_control(dom1, 0, fake_gfn(dom1, 0), 0, NULL), -EINVAL);
    CU_ASSERT_EQUAL(expand_array(dom1, fake_gfn(dom1, ARRAY_FRAME0)), 0);
    teardown();
}

/* --- expand_array ----------------------------------------------------------------- */

static void test_expand_array_limits(void)
{
    setup();
    CU_ASSERT_EQUAL(expand_array(dom0, fake_gfn(dom0, ARRAY_FRAME0)), -EOPNOTSUPP);
    go_fifo(dom0, 1, 0);
    CU_ASSERT_EQUAL(expand_array(dom0, 0x12345), -EINVAL);
    CU_ASSERT_EQUAL(expand_array(dom0, fake_gfn(dom1, ARRAY_FRAME0)), -EINVAL);
    stub_fail_copy_from = true;
    CU_ASSERT_EQUAL(expand_array(dom0, fake_gfn(dom0, ARRAY_FRAME0)), -EFAULT);
    stub_fail_copy_from = false;
    /* Xen takes the same frame again; the limit is in pages. */
    for (unsigned i = 0; i < EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES; i++)
        CU_ASSERT_EQUAL(expand_array(dom0, fake_gfn(dom0, ARRAY_FRAME0)), 0);
    CU_ASSERT_EQUAL(expand_array(dom0, fake_gfn(dom0, ARRAY_FRAME0)), -ENOSPC);
    CU_ASSERT_EQUAL(expand_array(dom0, 0x12345), -ENOSPC);   /* room is checked first */
    CU_ASSERT_EQUAL(dom0->frames_held, 1 + EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES);
    teardown();
}

/* --- set_priority ----------------------------------------------------------------- */

static void test_set_priority_refusals(void)
{
    setup();
    go_fifo(dom1, 1, 1);
    evtchn_port_t p;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &p), 0);
    CU_ASSERT_EQUAL(set_priority(dom1, EVTCHN_BUCKET_PORTS, 3), -EINVAL);  /* no storage */
    CU_ASSERT_EQUAL(set_priority(dom1, 99999, 3), -EINVAL);
    CU_ASSERT_EQUAL(set_priority(dom1, 0, 3), -EACCES);        /* reserved */
    CU_ASSERT_EQUAL(set_priority(dom1, p + 1, 3), -EACCES);    /* free */
    CU_ASSERT_EQUAL(set_priority(dom1, p + 1, 99), -EACCES);   /* before the priority */
    CU_ASSERT_EQUAL(set_priority(dom1, p, EVTCHN_FIFO_PRIORITY_MIN + 1), -EINVAL);
    CU_ASSERT_EQUAL(set_priority(dom1, p, UINT32_MAX), -EINVAL);
    CU_ASSERT_EQUAL(set_priority(dom1, p, EVTCHN_FIFO_PRIORITY_MIN), 0);
    CU_ASSERT_EQUAL(set_priority(dom1, p, EVTCHN_FIFO_PRIORITY_MAX), 0);
    stub_fail_copy_from = true;
    CU_ASSERT_EQUAL(set_priority(dom1, p, 1), -EFAULT);
    stub_fail_copy_from = false;
    teardown();
}

/* --- delivery --------------------------------------------------------------------- */

static void test_delivery_links_queue(void)
{
    setup();
    go_fifo(dom1, 2, 1);
    evtchn_port_t a, b, c;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 1, &a), 0);
    CU_ASSERT_EQUAL(bind_ipi(dom1, 1, &b), 0);
    CU_ASSERT_EQUAL(bind_ipi(dom1, 1, &c), 0);
    struct evtchn_fifo_control_block *cb = cb_of(dom1, 1);

    CU_ASSERT_EQUAL(ev_send(dom1, a), 0);
    CU_ASSERT_EQUAL(*word_of(dom1, a), W(EVTCHN_FIFO_PENDING) | W(EVTCHN_FIFO_LINKED));
    CU_ASSERT_EQUAL(cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT], a);
    CU_ASSERT_EQUAL(cb->ready, 1u << EVTCHN_FIFO_PRIORITY_DEFAULT);
    CU_ASSERT_EQUAL(fake_upcall(dom1, 1), 1);
    CU_ASSERT_EQUAL(dom1->kicks[1], 1);
    CU_ASSERT_EQUAL(fake_sel(dom1, 1), 0);      /* no 2-level selector bits */
    CU_ASSERT_FALSE(fake_pending(dom1, a));     /* nor 2-level pending bits */

    /* the next two join behind it: LINK fields, no new upcall */
    CU_ASSERT_EQUAL(ev_send(dom1, b), 0);
    CU_ASSERT_EQUAL(ev_send(dom1, c), 0);
    CU_ASSERT_EQUAL(*word_of(dom1, a) & EVTCHN_FIFO_LINK_MASK, b);
    CU_ASSERT_EQUAL(*word_of(dom1, b) & EVTCHN_FIFO_LINK_MASK, c);
    CU_ASSERT_EQUAL(dom1->kicks[1], 1);
    /* sending again on a pending port changes nothing */
    CU_ASSERT_EQUAL(ev_send(dom1, a), 0);
    CU_ASSERT_EQUAL(*word_of(dom1, c) & EVTCHN_FIFO_LINK_MASK, 0);

    CU_ASSERT_EQUAL(guest_pop(dom1, 1), a);
    CU_ASSERT_EQUAL(guest_pop(dom1, 1), b);
    CU_ASSERT_EQUAL(guest_pop(dom1, 1), c);
    CU_ASSERT_EQUAL(guest_pop(dom1, 1), 0);
    /* vCPU 0 saw nothing */
    CU_ASSERT_EQUAL(cb_of(dom1, 0)->ready, 0);
    CU_ASSERT_EQUAL(dom1->kicks[0], 0);

    /* an empty queue again: the next event is a new head with READY and an upcall */
    dom1->d.shared_info->vcpu_info[1].evtchn_upcall_pending = 0;
    CU_ASSERT_EQUAL(ev_send(dom1, b), 0);
    CU_ASSERT_EQUAL(cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT], b);
    CU_ASSERT_EQUAL(dom1->kicks[1], 2);
    CU_ASSERT_EQUAL(guest_pop(dom1, 1), b);
    teardown();
}

/* The stall watch's view: the event word, READY and head, and "notified" only while linked and ready. */
static void test_port_view_fifo(void)
{
    setup();
    go_fifo(dom1, 2, 1);
    evtchn_port_t p;
    struct evtchn_port_view v;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 1, &p), 0);
    CU_ASSERT_EQUAL(ev_send(dom1, p), 0);
    CU_ASSERT_EQUAL(evtchn_port_view(&dom1->d, 1, p, &v), 0);
    CU_ASSERT_STRING_EQUAL(v.abi, "FIFO");
    CU_ASSERT_EQUAL(v.word, W(EVTCHN_FIFO_PENDING) | W(EVTCHN_FIFO_LINKED));
    CU_ASSERT_EQUAL(v.ready, 1u << EVTCHN_FIFO_PRIORITY_DEFAULT);
    CU_ASSERT_EQUAL(v.head, p);
    CU_ASSERT_TRUE(v.pending && v.notified);
    CU_ASSERT_FALSE(v.masked);
    /* the guest unlinks it without clearing PENDING: pending, and nobody told */
    __atomic_fetch_and(word_of(dom1, p), ~W(EVTCHN_FIFO_LINKED), __ATOMIC_SEQ_CST);
    CU_ASSERT_EQUAL(evtchn_port_view(&dom1->d, 1, p, &v), 0);
    CU_ASSERT_TRUE(v.pending);
    CU_ASSERT_FALSE(v.notified);
    /* vCPU 0's control block has nothing ready */
    CU_ASSERT_EQUAL(evtchn_port_view(&dom1->d, 0, p, &v), 0);
    CU_ASSERT_EQUAL(v.ready, 0);
    teardown();
}

static void test_priority_order(void)
{
    setup();
    go_fifo(dom1, 1, 1);
    evtchn_port_t p[4];
    static const unsigned prio[4] = { 12, 2, EVTCHN_FIFO_PRIORITY_MIN, EVTCHN_FIFO_PRIORITY_MAX };
    for (unsigned i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &p[i]), 0);
        CU_ASSERT_EQUAL(set_priority(dom1, p[i], prio[i]), 0);
        CU_ASSERT_EQUAL(ev_send(dom1, p[i]), 0);
        CU_ASSERT_EQUAL(cb_of(dom1, 0)->head[prio[i]], p[i]);
    }
    CU_ASSERT_EQUAL(cb_of(dom1, 0)->ready, (1u << 12) | (1u << 2) | (1u << 15) | 1u);
    CU_ASSERT_EQUAL(dom1->kicks[0], 1);       /* one upcall for all of them */
    CU_ASSERT_EQUAL(guest_pop(dom1, 0), p[3]);
    CU_ASSERT_EQUAL(guest_pop(dom1, 0), p[1]);
    CU_ASSERT_EQUAL(guest_pop(dom1, 0), p[0]);
    CU_ASSERT_EQUAL(guest_pop(dom1, 0), p[2]);
    CU_ASSERT_EQUAL(guest_pop(dom1, 0), 0);

    /* a new priority applies to the next event, not to one already queued */
    CU_ASSERT_EQUAL(ev_send(dom1, p[0]), 0);
    CU_ASSERT_EQUAL(set_priority(dom1, p[0], 5), 0);
    CU_ASSERT_EQUAL(cb_of(dom1, 0)->ready, 1u << 12);
    CU_ASSERT_EQUAL(guest_pop(dom1, 0), p[0]);
    CU_ASSERT_EQUAL(ev_send(dom1, p[0]), 0);
    CU_ASSERT_EQUAL(cb_of(dom1, 0)->ready, 1u << 5);
    CU_ASSERT_EQUAL(guest_pop(dom1, 0), p[0]);
    /* closing and binding again gives the default priority back */
    CU_ASSERT_EQUAL(ev_close(dom1, p[0]), 0);
    evtchn_port_t again;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &again), 0);
    CU_ASSERT_EQUAL(again, p[0]);
    CU_ASSERT_EQUAL(ev_send(dom1, again), 0);
    CU_ASSERT_EQUAL(cb_of(dom1, 0)->ready, 1u << EVTCHN_FIFO_PRIORITY_DEFAULT);
    teardown();
}

static void test_mask_unmask(void)
{
    setup();
    go_fifo(dom1, 1, 1);
    evtchn_port_t p;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &p), 0);
    __atomic_fetch_or(word_of(dom1, p), W(EVTCHN_FIFO_MASKED), __ATOMIC_SEQ_CST);
    CU_ASSERT_EQUAL(ev_send(dom1, p), 0);
    CU_ASSERT_EQUAL(*word_of(dom1, p), W(EVTCHN_FIFO_PENDING) | W(EVTCHN_FIFO_MASKED));
    CU_ASSERT_EQUAL(cb_of(dom1, 0)->ready, 0);
    CU_ASSERT_EQUAL(dom1->kicks[0], 0);
    /* unmask re-raises the pending event */
    CU_ASSERT_EQUAL(ev_unmask(dom1, p), 0);
    CU_ASSERT_EQUAL(*word_of(dom1, p), W(EVTCHN_FIFO_PENDING) | W(EVTCHN_FIFO_LINKED));
    CU_ASSERT_EQUAL(dom1->kicks[0], 1);
    CU_ASSERT_EQUAL(guest_pop(dom1, 0), p);
    /* unmasking a port that is not pending links nothing */
    __atomic_fetch_or(word_of(dom1, p), W(EVTCHN_FIFO_MASKED), __ATOMIC_SEQ_CST);
    CU_ASSERT_EQUAL(ev_unmask(dom1, p), 0);
    CU_ASSERT_EQUAL(*word_of(dom1, p), 0);
    CU_ASSERT_EQUAL(cb_of(dom1, 0)->ready, 0);
    /* a closed port stays masked (Xen 4.17 leaves ports not in use alone) */
    __atomic_fetch_or(word_of(dom1, 10), W(EVTCHN_FIFO_MASKED) | W(EVTCHN_FIFO_PENDING),
                      __ATOMIC_SEQ_CST);
    CU_ASSERT_EQUAL(ev_unmask(dom1, 10), 0);
    CU_ASSERT_EQUAL(*word_of(dom1, 10), W(EVTCHN_FIFO_MASKED) | W(EVTCHN_FIFO_PENDING));
    CU_ASSERT_EQUAL(cb_of(dom1, 0)->ready, 0);
    *word_of(dom1, 10) = 0;
    /* closing clears PENDING (the guest drops unlinked, non-pending words) */
    CU_ASSERT_EQUAL(ev_send(dom1, p), 0);
    CU_ASSERT_EQUAL(ev_close(dom1, p), 0);
    CU_ASSERT_EQUAL(*word_of(dom1, p) & W(EVTCHN_FIFO_PENDING), 0);
    CU_ASSERT_EQUAL(guest_pop(dom1, 0), -1);
    teardown();
}

static void test_switch_keeps_pending_ports(void)
{
    setup();
    evtchn_port_t a, b;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 1, &a), 0);
    CU_ASSERT_EQUAL(bind_ipi(dom1, 1, &b), 0);
    CU_ASSERT_EQUAL(ev_send(dom1, a), 0);     /* pending in the 2-level bitmap */
    fake_guest_ack_all(dom1);
    CU_ASSERT_EQUAL(ev_send(dom1, a), 0);
    unsigned kicks = dom1->kicks[1];

    go_fifo(dom1, 2, 0);
    dom1->d.shared_info->vcpu_info[1].evtchn_upcall_pending = 0;
    CU_ASSERT_EQUAL(ev_send(dom1, b), 0);     /* no event word yet: kept */
    CU_ASSERT_EQUAL(dom1->kicks[1], kicks);
    CU_ASSERT_EQUAL(expand_array(dom1, fake_gfn(dom1, ARRAY_FRAME0)), 0);
    /* both raised when the page came, in port order */
    CU_ASSERT_EQUAL(dom1->kicks[1], kicks + 1);
    CU_ASSERT_EQUAL(guest_pop(dom1, 1), a);
    CU_ASSERT_EQUAL(guest_pop(dom1, 1), b);
    CU_ASSERT_EQUAL(guest_pop(dom1, 1), 0);
    teardown();
}

static void test_events_for_vcpu_without_control_block(void)
{
    setup();
    go_fifo(dom1, 1, 1);                       /* vCPU 2 has no control block */
    evtchn_port_t p;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 2, &p), 0);
    CU_ASSERT_EQUAL(ev_send(dom1, p), 0);
    CU_ASSERT_EQUAL(*word_of(dom1, p), W(EVTCHN_FIFO_PENDING));
    CU_ASSERT_EQUAL(dom1->kicks[2], 0);
    CU_ASSERT_EQUAL(init_control(dom1, 2, fake_gfn(dom1, 2), 0, NULL), 0);
    CU_ASSERT_EQUAL(ev_unmask(dom1, p), 0);   /* what a guest does to rescan */
    CU_ASSERT_EQUAL(guest_pop(dom1, 2), p);
    teardown();
}

static void test_ports_beyond_array(void)
{
    setup();
    go_fifo(dom0, 1, 1);
    evtchn_port_t p = 0;
    /* ports up to 1024 have words; bind past them */
    while (p < EVTCHN_FIFO_EVENT_WORDS_PER_PAGE + 5)
        CU_ASSERT_FATAL(bind_ipi(dom0, 0, &p) == 0);
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom0, DOMID_SELF, p, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_ipi);
    CU_ASSERT_EQUAL(ev_send(dom0, p), 0);
    CU_ASSERT_EQUAL(dom0->kicks[0], 0);
    CU_ASSERT_EQUAL(ev_unmask(dom0, p), 0);
    CU_ASSERT_EQUAL(dom0->kicks[0], 0);
    CU_ASSERT_EQUAL(set_priority(dom0, p, 1), 0);
    /* evtchn_any_pending (SCHEDOP_poll) says not pending */
    CU_ASSERT_FALSE(evtchn_any_pending(&dom0->v[0], &p, 1));
    CU_ASSERT_EQUAL(expand_array(dom0, fake_gfn(dom0, ARRAY_FRAME0 + 1)), 0);
    CU_ASSERT_EQUAL(dom0->kicks[0], 1);
    CU_ASSERT_TRUE(evtchn_any_pending(&dom0->v[0], &p, 1));
    CU_ASSERT_EQUAL(cb_of(dom0, 0)->ready, 1u << 1);
    CU_ASSERT_EQUAL(guest_pop(dom0, 0), p);
    /* the poll range is FIFO's: a port past 4096 is not -EINVAL */
    evtchn_port_t far = 100000, beyond = EVTCHN_FIFO_NR_CHANNELS;
    CU_ASSERT_EQUAL(evtchn_poll_begin(&dom0->v[0], &far, 1), 0);
    evtchn_poll_end(&dom0->v[0]);
    CU_ASSERT_EQUAL(evtchn_poll_begin(&dom0->v[0], &beyond, 1), -EINVAL);
    teardown();
}

static void test_busy_port_not_reused(void)
{
    setup();
    go_fifo(dom1, 1, 1);
    evtchn_port_t a, b, c;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &a), 0);
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &b), 0);
    CU_ASSERT_EQUAL(ev_send(dom1, a), 0);
    CU_ASSERT_EQUAL(ev_close(dom1, a), 0);    /* still LINKED in the guest's queue */
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &c), 0);
    CU_ASSERT_NOT_EQUAL(c, a);
    CU_ASSERT_EQUAL(guest_pop(dom1, 0), -1);  /* the guest unlinks it (not pending) */
    CU_ASSERT_EQUAL(ev_close(dom1, c), 0);
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &c), 0);
    CU_ASSERT_EQUAL(c, a);
    teardown();
}

static void test_interdomain_into_fifo(void)
{
    setup();
    go_fifo(dom0, 2, 1);                       /* dom1 stays 2-level */
    evtchn_port_t a, b;
    make_pair(dom0, dom1, &a, &b);
    fake_guest_ack_all(dom1);
    CU_ASSERT_EQUAL(bind_vcpu(dom0, a, 1), 0);
    CU_ASSERT_EQUAL(ev_send(dom1, b), 0);
    CU_ASSERT_EQUAL(guest_pop(dom0, 1), a);
    CU_ASSERT_EQUAL(ev_send(dom0, a), 0);
    CU_ASSERT_TRUE(fake_pending(dom1, b));
    teardown();
}

/* --- a hostile guest -------------------------------------------------------------- */

static void test_circular_links_do_not_hang(void)
{
    setup();
    go_fifo(dom1, 1, 1);
    evtchn_port_t p[3];
    for (unsigned i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &p[i]), 0);
    CU_ASSERT_EQUAL(ev_send(dom1, p[0]), 0);
    CU_ASSERT_EQUAL(ev_send(dom1, p[1]), 0);
    /* the guest points the tail back at the head: a cycle */
    event_word_t *tail = word_of(dom1, p[1]);
    __atomic_store_n(tail, W(EVTCHN_FIFO_LINKED) | W(EVTCHN_FIFO_PENDING) | p[0], __ATOMIC_SEQ_CST);
    __atomic_store_n(word_of(dom1, p[0]), W(EVTCHN_FIFO_LINKED) | W(EVTCHN_FIFO_PENDING) | p[1],
                     __ATOMIC_SEQ_CST);
    /* and a word linking to itself and to ports far past the array */
    __atomic_store_n(word_of(dom1, p[2]), W(EVTCHN_FIFO_LINKED) | p[2], __ATOMIC_SEQ_CST);
    CU_ASSERT_EQUAL(ev_send(dom1, p[2]), 0);  /* already LINKED: only PENDING */
    for (unsigned i = 0; i < 1000; i++) {
        CU_ASSERT_EQUAL(ev_send(dom1, p[i % 3]), 0);
        CU_ASSERT_EQUAL(ev_unmask(dom1, p[i % 3]), 0);
        __atomic_store_n(word_of(dom1, p[i % 3]), (event_word_t)rand(), __ATOMIC_SEQ_CST);
        __atomic_store_n(&cb_of(dom1, 0)->head[i % 16], (uint32_t)rand(), __ATOMIC_SEQ_CST);
    }
    /* the hypervisor's own state is intact: a clean guest recovers */
    for (unsigned i = 0; i < 3; i++)
        __atomic_store_n(word_of(dom1, p[i]), 0, __ATOMIC_SEQ_CST);
    memset(cb_of(dom1, 0), 0, sizeof(struct evtchn_fifo_control_block));
    CU_ASSERT_EQUAL(ev_send(dom1, p[0]), 0);
    CU_ASSERT_EQUAL(ev_send(dom1, p[1]), 0);
    CU_ASSERT_EQUAL(guest_pop(dom1, 0), p[0]);
    CU_ASSERT_EQUAL(guest_pop(dom1, 0), p[1]);
    teardown();
}

/* A guest vCPU that rewrites the tail's word as fast as it can. */
struct spinner {
    event_word_t *word;
    bool stop;
    unsigned long flips;
};

static void *spin_word(void *arg)
{
    struct spinner *s = arg;
    while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
        __atomic_fetch_xor(s->word, W(EVTCHN_FIFO_MASKED), __ATOMIC_SEQ_CST);
        __atomic_fetch_add(&s->flips, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static unsigned long spinner_flips(struct spinner *s)
{
    return __atomic_load_n(&s->flips, __ATOMIC_RELAXED);
}

static void test_spinning_tail_word_is_bounded(void)
{
    setup();
    go_fifo(dom1, 1, 1);
    evtchn_port_t tail, p;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &tail), 0);
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &p), 0);
    CU_ASSERT_EQUAL(ev_send(dom1, tail), 0);

    struct spinner s = { .word = word_of(dom1, tail) };
    pthread_t t;
    CU_ASSERT_FATAL(pthread_create(&t, NULL, spin_word, &s) == 0);
    /*
     * Each round the spinning port becomes the queue's tail again, and the
     * send on p must link behind it or give up; never spin for ever.
     */
    /*
     * On a loaded machine the spinner may not run at all during a fixed
     * number of rounds: wait until it has started, then go on until it has
     * flipped the word many times while the sends ran (at least 20000
     * rounds; a bound of 50 s of rounds for a starved thread).
     */
    const event_word_t flags = W(EVTCHN_FIFO_PENDING) | W(EVTCHN_FIFO_LINKED) | EVTCHN_FIFO_LINK_MASK;
    time_t give_up = time(NULL) + 50;
    while (spinner_flips(&s) == 0 && time(NULL) < give_up)
        sched_yield();
    unsigned long flips_at_start = spinner_flips(&s);
    for (unsigned i = 0; i < 20000 || (spinner_flips(&s) - flips_at_start < 1000 &&
                                       time(NULL) < give_up); i++) {
        __atomic_fetch_and(word_of(dom1, p), ~flags, __ATOMIC_SEQ_CST);
        __atomic_fetch_and(s.word, ~flags, __ATOMIC_SEQ_CST);
        CU_ASSERT_EQUAL(ev_send(dom1, tail), 0);
        CU_ASSERT_EQUAL(ev_send(dom1, p), 0);
    }
    unsigned long flips_during = spinner_flips(&s) - flips_at_start;
    __atomic_store_n(&s.stop, true, __ATOMIC_RELAXED);
    pthread_join(t, NULL);
    CU_ASSERT_TRUE(flips_at_start > 0);
    CU_ASSERT_TRUE(flips_during >= 1000);   /* the race really ran */
    /* BUSY is never left set once we are done with the word */
    CU_ASSERT_EQUAL(*s.word & W(EVTCHN_FIFO_BUSY), 0);
    teardown();
}

/* --- teardown ----------------------------------------------------------------------- */

static void test_reset_returns_to_2level(void)
{
    setup();
    go_fifo(dom1, 3, 2);
    evtchn_port_t p;
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &p), 0);
    CU_ASSERT_EQUAL(dom1->frames_held, 5);
    CU_ASSERT_EQUAL(ev_reset(dom1, DOMID_SELF), 0);
    CU_ASSERT_EQUAL(dom1->frames_held, 0);
    CU_ASSERT_EQUAL(expand_array(dom1, fake_gfn(dom1, ARRAY_FRAME0)), -EOPNOTSUPP);
    CU_ASSERT_EQUAL(bind_ipi(dom1, 0, &p), 0);
    CU_ASSERT_EQUAL(set_priority(dom1, p, 1), -ENOSYS);
    CU_ASSERT_EQUAL(ev_send(dom1, p), 0);
    CU_ASSERT_TRUE(fake_pending(dom1, p));     /* 2-level delivery again */
    /* and FIFO can be set up again */
    go_fifo(dom1, 1, 1);
    CU_ASSERT_EQUAL(ev_send(dom1, p), 0);
    CU_ASSERT_EQUAL(guest_pop(dom1, 0), p);
    teardown();
}

static void test_destroy_releases_frames(void)
{
    setup();
    go_fifo(dom0, 2, 3);
    go_fifo(dom1, 1, 1);
    evtchn_port_t a, b;
    make_pair(dom0, dom1, &a, &b);
    CU_ASSERT_EQUAL(ev_send(dom1, b), 0);
    CU_ASSERT_EQUAL(dom0->frames_held, 5);
    fake_domain_kill(dom0);
    CU_ASSERT_EQUAL(dom0->frames_held, 0);
    CU_ASSERT_EQUAL(status_of(dom1, b), EVTCHNSTAT_unbound);
    CU_ASSERT_EQUAL(ev_send(dom1, b), 0);
    check_invariants(dom1);
    teardown();                                /* checks dom1's frames at release */
}

const struct unit_case evtchn_fifo_cases[] = {
    UNIT_CASE(init_control_refusals),
    UNIT_CASE(init_control_fault_and_nomem),
    UNIT_CASE(expand_array_limits),
    UNIT_CASE(set_priority_refusals),
    UNIT_CASE(delivery_links_queue),
    UNIT_CASE(port_view_fifo),
    UNIT_CASE(priority_order),
    UNIT_CASE(mask_unmask),
    UNIT_CASE(switch_keeps_pending_ports),
    UNIT_CASE(events_for_vcpu_without_control_block),
    UNIT_CASE(ports_beyond_array),
    UNIT_CASE(busy_port_not_reused),
    UNIT_CASE(interdomain_into_fifo),
    UNIT_CASE(circular_links_do_not_hang),
    UNIT_CASE(spinning_tail_word_is_bounded),
    UNIT_CASE(reset_returns_to_2level),
    UNIT_CASE(destroy_releases_frames),
};
const size_t evtchn_fifo_cases_n = ARRAY_SIZE_UNIT(evtchn_fifo_cases);
