/*
 * 2-level event channels from the guest side: the upcall handler scans
 * evtchn_pending_sel and the pending/mask bitmaps in shared_info.
 */
#include "guest.h"

volatile unsigned long guest_port_hits[256];
volatile unsigned long guest_upcalls;
void (*guest_port_hook)(evtchn_port_t port);
void (*guest_upcall_handler)(void);

#define BITS_PER_WORD 64

void guest_handle_events(void)
{
    vcpu_info_t *vi = this_vcpu_info();
    shared_info_t *s = guest_shared_info;

    guest_upcalls++;
    if (guest_upcall_handler) {
        guest_upcall_handler();
        return;
    }
    while (__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE)) {
        vi->evtchn_upcall_pending = 0;
        unsigned long sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_ACQ_REL);
        while (sel) {
            unsigned int word = (unsigned int)__builtin_ctzl(sel);
            sel &= sel - 1;
            unsigned long bits = s->evtchn_pending[word] & ~s->evtchn_mask[word];
            while (bits) {
                unsigned int bit = (unsigned int)__builtin_ctzl(bits);
                bits &= bits - 1;
                evtchn_port_t port = word * BITS_PER_WORD + bit;
                __atomic_fetch_and(&s->evtchn_pending[word], ~(1UL << bit), __ATOMIC_ACQ_REL);
                if (port < ARRAY_SIZE(guest_port_hits))
                    guest_port_hits[port]++;
                if (guest_port_hook)
                    guest_port_hook(port);
            }
        }
    }
}

void events_enable(void)
{
    vcpu_info_t *vi = this_vcpu_info();
    vi->evtchn_upcall_mask = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    /* Anything that arrived while masked is delivered on the way out of a
     * hypercall; any cheap one will do. */
    if (vi->evtchn_upcall_pending)
        hyp_xen_version(XENVER_version, NULL);
}

void events_disable(void)
{
    this_vcpu_info()->evtchn_upcall_mask = 1;
    barrier();
}

void evtchn_mask_port(evtchn_port_t port)
{
    if (guest_events_fifo) {
        event_word_t *w = fifo_event_word(port);
        if (w)
            __atomic_fetch_or(w, (event_word_t)1 << EVTCHN_FIFO_MASKED, __ATOMIC_SEQ_CST);
        return;
    }
    __atomic_fetch_or(&guest_shared_info->evtchn_mask[port / BITS_PER_WORD],
                      1UL << (port % BITS_PER_WORD), __ATOMIC_SEQ_CST);
}

void evtchn_unmask_port(evtchn_port_t port)
{
    struct evtchn_unmask unmask = { .port = port };
    /* The hypcall re-raises the event if it became pending while masked. */
    hyp_event_channel_op(EVTCHNOP_unmask, &unmask);
}

bool evtchn_test_and_clear_pending(evtchn_port_t port)
{
    if (guest_events_fifo) {
        event_word_t *w = fifo_event_word(port), bit = (event_word_t)1 << EVTCHN_FIFO_PENDING;
        return w && (__atomic_fetch_and(w, ~bit, __ATOMIC_SEQ_CST) & bit);
    }
    unsigned long bit = 1UL << (port % BITS_PER_WORD);
    unsigned long old = __atomic_fetch_and(&guest_shared_info->evtchn_pending[port / BITS_PER_WORD],
                                           ~bit, __ATOMIC_SEQ_CST);
    return old & bit;
}

long evtchn_send_port(evtchn_port_t port)
{
    struct evtchn_send send = { .port = port };
    return hyp_event_channel_op(EVTCHNOP_send, &send);
}

long evtchn_close_port(evtchn_port_t port)
{
    struct evtchn_close close = { .port = port };
    return hyp_event_channel_op(EVTCHNOP_close, &close);
}
