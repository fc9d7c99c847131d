/*
 * The FIFO event-channel ABI from the guest side, consumed the way Linux's
 * events_fifo.c does it, for tests that want Linux's event path rather
 * than the 2-level one: a control block per vCPU, one event array page
 * (ports below 1024), and an upcall that swaps the READY word out, takes
 * queue heads from a per-vCPU copy (the control block's head only when the
 * copy ran empty), unlinks each port with a compare-and-swap and drops a
 * queue's local READY bit when the unlinked port had no successor.
 * evtchn_mask_port and friends (events.c) follow the ABI in use.
 */
#include "guest.h"

#define FIFO_MAX_VCPUS 8

bool guest_events_fifo;

static uint8_t control_pages[FIFO_MAX_VCPUS][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static event_word_t array_page[EVTCHN_FIFO_EVENT_WORDS_PER_PAGE]
    __attribute__((aligned(PAGE_SIZE)));
/* Per vCPU: the head of each queue as this vCPU last left it (Linux's q->head). */
static evtchn_port_t local_head[FIFO_MAX_VCPUS][EVTCHN_FIFO_MAX_QUEUES];

#define W(bit) ((event_word_t)1 << (bit))

static struct evtchn_fifo_control_block *control_block(unsigned int vcpu)
{
    return (struct evtchn_fifo_control_block *)control_pages[vcpu];
}

event_word_t *fifo_event_word(evtchn_port_t port)
{
    return port < EVTCHN_FIFO_EVENT_WORDS_PER_PAGE ? &array_page[port] : NULL;
}

/* Unlinks the word; returns the port it linked to (0: it was the last). */
static evtchn_port_t clear_linked(event_word_t *w)
{
    event_word_t old = __atomic_load_n(w, __ATOMIC_SEQ_CST), new;
    do {
        new = old & ~(W(EVTCHN_FIFO_LINKED) | EVTCHN_FIFO_LINK_MASK);
    } while (!__atomic_compare_exchange_n(w, &old, new, false, __ATOMIC_SEQ_CST,
                                          __ATOMIC_SEQ_CST));
    return old & EVTCHN_FIFO_LINK_MASK;
}

static void consume_one(unsigned int vcpu, unsigned int q, uint32_t *ready)
{
    evtchn_port_t port = local_head[vcpu][q];

    if (!port)
        port = __atomic_load_n(&control_block(vcpu)->head[q], __ATOMIC_ACQUIRE);
    event_word_t *w = fifo_event_word(port);
    if (!w) {
        printk("events_fifo: vCPU %u: queue %u's head %u is past our array\n", vcpu, q, port);
        *ready &= ~(1u << q);
        local_head[vcpu][q] = 0;
        return;
    }
    evtchn_port_t next = clear_linked(w);
    if (!next)
        *ready &= ~(1u << q);
    event_word_t now = __atomic_load_n(w, __ATOMIC_SEQ_CST);
    if ((now & W(EVTCHN_FIFO_PENDING)) && !(now & W(EVTCHN_FIFO_MASKED))) {
        __atomic_fetch_and(w, ~W(EVTCHN_FIFO_PENDING), __ATOMIC_SEQ_CST);
        if (port < 256)
            guest_port_hits[port]++;
        if (guest_port_hook)
            guest_port_hook(port);
    }
    local_head[vcpu][q] = next;
}

static void fifo_upcall(void)
{
    unsigned int me = this_vcpu_id();
    vcpu_info_t *vi = this_vcpu_info();
    struct evtchn_fifo_control_block *cb = control_block(me);

    do {
        vi->evtchn_upcall_pending = 0;
        uint32_t ready = __atomic_exchange_n(&cb->ready, 0, __ATOMIC_SEQ_CST);
        while (ready) {
            consume_one(me, (unsigned int)__builtin_ctz(ready), &ready);
            ready |= __atomic_exchange_n(&cb->ready, 0, __ATOMIC_SEQ_CST);
        }
    } while (__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST));
}

long events_fifo_start(unsigned int nr_vcpus)
{
    if (nr_vcpus > FIFO_MAX_VCPUS)
        return -XEN_EINVAL;
    for (unsigned int v = 0; v < nr_vcpus; v++) {
        struct evtchn_init_control op = { .control_gfn = virt_to_mfn(control_pages[v]),
                                          .offset = 0, .vcpu = v };
        long rc = hyp_event_channel_op(EVTCHNOP_init_control, &op);
        if (rc)
            return rc;
    }
    struct evtchn_expand_array ex = { .array_gfn = virt_to_mfn(array_page) };
    long rc = hyp_event_channel_op(EVTCHNOP_expand_array, &ex);
    if (rc)
        return rc;
    guest_events_fifo = true;
    guest_upcall_handler = fifo_upcall;
    return 0;
}
