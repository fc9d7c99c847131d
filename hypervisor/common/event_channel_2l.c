/*
 * The 2-level event channel ABI: one pending and one mask bit per port in
 * shared_info, and in each vcpu_info a selector word (one bit per word of
 * pending bits) and the evtchn_upcall_pending flag. The guest clears
 * pending, selector and upcall bits and owns the mask bits, concurrently
 * with us: every access here is a single atomic operation on the shared
 * word, and nothing is read twice to make a decision.
 */
#include <tessera/compiler.h>
#include "event_channel_priv.h"

#define WORD_BITS (8 * sizeof(xen_ulong_t))

BUILD_BUG_ON(EVTCHN_2L_NR_CHANNELS != WORD_BITS * WORD_BITS);
BUILD_BUG_ON(sizeof(((struct shared_info *)0)->evtchn_pending) * 8 != EVTCHN_2L_NR_CHANNELS);

static inline xen_ulong_t port_bit(evtchn_port_t port)
{
    return (xen_ulong_t)1 << (port % WORD_BITS);
}

static bool test_and_set(xen_ulong_t *word, xen_ulong_t bit)
{
    return __atomic_fetch_or(word, bit, __ATOMIC_SEQ_CST) & bit;
}

static bool test_and_clear(xen_ulong_t *word, xen_ulong_t bit)
{
    return __atomic_fetch_and(word, ~bit, __ATOMIC_SEQ_CST) & bit;
}

static bool test(const xen_ulong_t *word, xen_ulong_t bit)
{
    return __atomic_load_n(word, __ATOMIC_SEQ_CST) & bit;
}

/*
 * Sets v's selector bit for the port's word; on the first pending word
 * sets evtchn_upcall_pending, and only when that flag was newly raised
 * kicks the vCPU (an already-pending upcall will be handled anyway).
 */
static void notify_vcpu(struct vcpu *v, evtchn_port_t port)
{
    struct vcpu_info *vi = __atomic_load_n(&v->vcpu_info, __ATOMIC_ACQUIRE);

    if (!vi)
        return;
    if (test_and_set(&vi->evtchn_pending_sel, (xen_ulong_t)1 << (port / WORD_BITS)))
        return;
    if (!__atomic_exchange_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST))
        vcpu_kick(v);
}

static bool l2_set_pending(struct domain *d, struct vcpu *v, evtchn_port_t port)
{
    struct shared_info *si = d->shared_info;
    unsigned int word = port / WORD_BITS;

    if (test_and_set(&si->evtchn_pending[word], port_bit(port)))
        return false;
    if (v && !test(&si->evtchn_mask[word], port_bit(port)))
        notify_vcpu(v, port);
    return true;
}

static void l2_clear_pending(struct domain *d, evtchn_port_t port)
{
    test_and_clear(&d->shared_info->evtchn_pending[port / WORD_BITS], port_bit(port));
}

static void l2_unmask(struct domain *d, struct vcpu *v, evtchn_port_t port)
{
    struct shared_info *si = d->shared_info;
    unsigned int word = port / WORD_BITS;

    if (test_and_clear(&si->evtchn_mask[word], port_bit(port)) &&
        test(&si->evtchn_pending[word], port_bit(port)) && v)
        notify_vcpu(v, port);
}

static bool l2_is_pending(const struct domain *d, evtchn_port_t port)
{
    return test(&d->shared_info->evtchn_pending[port / WORD_BITS], port_bit(port));
}

static void l2_view(const struct domain *d, const struct vcpu *v, evtchn_port_t port,
                    struct evtchn_port_view *out)
{
    const struct shared_info *si = d->shared_info;
    const struct vcpu_info *vi = v ? __atomic_load_n(&v->vcpu_info, __ATOMIC_ACQUIRE) : NULL;

    out->pending = test(&si->evtchn_pending[port / WORD_BITS], port_bit(port));
    out->masked = test(&si->evtchn_mask[port / WORD_BITS], port_bit(port));
    out->notified = vi && test(&vi->evtchn_pending_sel, (xen_ulong_t)1 << (port / WORD_BITS));
}

const struct evtchn_port_ops evtchn_port_ops_2l = {
    .name = "2-level",
    .max_ports = EVTCHN_2L_NR_CHANNELS,
    .set_pending = l2_set_pending,
    .clear_pending = l2_clear_pending,
    .unmask = l2_unmask,
    .is_pending = l2_is_pending,
    .view = l2_view,
};
