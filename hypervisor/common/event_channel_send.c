/*
 * Raising events: EVTCHNOP_send, VIRQs from the rest of the hypervisor,
 * the SCHEDOP_poll hooks that let a send wake a polling vCPU, and the
 * evtchn_port_* calls into the port ABI (2-level or FIFO), each under the
 * domain's delivery lock.
 */
#include <tessera/compiler.h>
#include <tessera/errno.h>
#include "event_channel_priv.h"

bool evtchn_virq_is_global(unsigned int virq)
{
    switch (virq) {
    case VIRQ_TIMER:
    case VIRQ_DEBUG:
    case VIRQ_XENOPROF:
    case VIRQ_XENPMU:
        return false;
    default:
        /* Including VIRQ_ARCH_*: x86 has no per-vCPU architectural VIRQ. */
        return true;
    }
}

/*
 * A vCPU polling "any port" (poll_evtchn <= 0) or exactly this port is
 * woken once: whoever clears its poll_mask bit ends the poll for it
 * (v->polling false, which is what the scheduler waits for) and kicks it.
 * A waker racing with the end of one poll and the start of the next can
 * end the new one early; SCHEDOP_poll may return early, never late.
 */
void evtchn_wake_pollers(struct domain *d, evtchn_port_t port)
{
    struct evtchn_domain *ed = d->evtchn;
    unsigned long waiting = __atomic_load_n(&ed->poll_mask, __ATOMIC_SEQ_CST);

    while (waiting) {
        unsigned int id = (unsigned int)__builtin_ctzl(waiting);
        unsigned long bit = 1UL << id;
        struct vcpu *v = evtchn_vcpu(d, id);

        waiting &= ~bit;
        if (!v)
            continue;
        int want = __atomic_load_n(&v->poll_evtchn, __ATOMIC_ACQUIRE);
        if (want > 0 && (evtchn_port_t)want != port)
            continue;
        if (__atomic_fetch_and(&ed->poll_mask, ~bit, __ATOMIC_SEQ_CST) & bit) {
            __atomic_store_n(&v->poll_evtchn, 0, __ATOMIC_RELEASE);
            __atomic_store_n(&v->polling, false, __ATOMIC_SEQ_CST);
            vcpu_kick(v);
        }
    }
}

unsigned long evtchn_deliver_lock(struct domain *d)
{
    return spin_lock_irqsave(&d->evtchn->deliver_lock);
}

void evtchn_deliver_unlock(struct domain *d, unsigned long flags)
{
    spin_unlock_irqrestore(&d->evtchn->deliver_lock, flags);
}

void evtchn_port_set_pending(struct domain *d, uint32_t vcpu_id, evtchn_port_t port)
{
    struct evtchn_domain *ed = d->evtchn;
    unsigned long flags = evtchn_deliver_lock(d);
    bool newly = ed->ops->set_pending(d, evtchn_vcpu(d, vcpu_id), port);

    evtchn_deliver_unlock(d, flags);
    /* Most sends find nobody polling: look before calling. */
    if (newly && __atomic_load_n(&ed->poll_mask, __ATOMIC_SEQ_CST))
        evtchn_wake_pollers(d, port);
}

int evtchn_port_view(struct domain *d, uint32_t vcpu_id, evtchn_port_t port,
                     struct evtchn_port_view *out)
{
    struct evtchn_domain *ed = d->evtchn;

    *out = (struct evtchn_port_view){ 0 };
    if (!ed || !evtchn_port_valid(ed, port))
        return -EINVAL;
    unsigned long flags = evtchn_deliver_lock(d);
    out->abi = ed->ops->name;
    ed->ops->view(d, evtchn_vcpu(d, vcpu_id), port, out);
    evtchn_deliver_unlock(d, flags);
    return 0;
}

void evtchn_port_clear_pending(struct domain *d, evtchn_port_t port)
{
    unsigned long flags = evtchn_deliver_lock(d);

    d->evtchn->ops->clear_pending(d, port);
    evtchn_deliver_unlock(d, flags);
}

void evtchn_port_unmask(struct domain *d, uint32_t vcpu_id, evtchn_port_t port)
{
    unsigned long flags = evtchn_deliver_lock(d);

    d->evtchn->ops->unmask(d, evtchn_vcpu(d, vcpu_id), port);
    evtchn_deliver_unlock(d, flags);
}

int evtchn_port_set_priority(struct domain *d, evtchn_port_t port, unsigned int priority,
                             bool usable)
{
    unsigned long flags = evtchn_deliver_lock(d);
    const struct evtchn_port_ops *ops = d->evtchn->ops;
    int rc = !ops->set_priority ? -ENOSYS : !usable ? -EACCES : ops->set_priority(d, port, priority);

    evtchn_deliver_unlock(d, flags);
    return rc;
}

int evtchn_send(struct domain *d, evtchn_port_t port)
{
    struct evtchn_domain *ed = d->evtchn;
    int rc = 0;

    if (!ed)
        return -EINVAL;

    unsigned long flags = evtchn_lock(d);
    if (!evtchn_port_valid(ed, port)) {
        rc = -EINVAL;
        goto out;
    }

    struct evtchn *chn = evtchn_from_port(ed, port);
    switch (chn->state) {
    case ECS_INTERDOMAIN: {
        /* The peer cannot unbind without our lock: its port stays put. */
        struct domain *peer = chn->u.interdomain.dom;
        evtchn_port_t pport = chn->u.interdomain.port;
        struct evtchn *far = evtchn_from_port(peer->evtchn, pport);
        evtchn_port_set_pending(peer, __atomic_load_n(&far->notify_vcpu, __ATOMIC_RELAXED), pport);
        break;
    }
    case ECS_IPI:
        evtchn_port_set_pending(d, chn->notify_vcpu, port);
        break;
    case ECS_UNBOUND:
        /* Nobody to tell yet; binding marks the new end pending. */
        break;
    default:
        rc = -EINVAL;
        break;
    }
out:
    evtchn_unlock(d, flags);
    return rc;
}

void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq)
{
    struct domain *d = v->domain;

    if (virq >= NR_VIRQS || evtchn_virq_is_global(virq) || !d->evtchn)
        return;

    unsigned long flags = evtchn_lock(d);
    evtchn_port_t port = v->virq_to_evtchn[virq];
    if (port)
        evtchn_port_set_pending(d, v->vcpu_id, port);
    evtchn_unlock(d, flags);
}

void send_guest_global_virq(struct domain *d, unsigned int virq)
{
    struct vcpu *v0;

    if (!d || virq >= NR_VIRQS || !evtchn_virq_is_global(virq) || !d->evtchn)
        return;
    v0 = evtchn_vcpu(d, 0);
    if (!v0)
        return;

    unsigned long flags = evtchn_lock(d);
    evtchn_port_t port = v0->virq_to_evtchn[virq];
    if (port) {
        struct evtchn *chn = evtchn_from_port(d->evtchn, port);
        evtchn_port_set_pending(d, chn->notify_vcpu, port);
    }
    evtchn_unlock(d, flags);
}

void evtchn_send_pirq(struct domain *d, evtchn_port_t port, uint32_t pirq)
{
    if (!d->evtchn)
        return;
    unsigned long flags = evtchn_lock(d);
    if (evtchn_port_valid(d->evtchn, port)) {
        struct evtchn *chn = evtchn_from_port(d->evtchn, port);
        if (chn->state == ECS_PIRQ && chn->u.pirq == pirq)
            evtchn_port_set_pending(d, chn->notify_vcpu, port);
    }
    evtchn_unlock(d, flags);
}

bool evtchn_any_pending(struct vcpu *v, const evtchn_port_t *ports, unsigned int n)
{
    struct domain *d = v->domain;
    struct evtchn_domain *ed = d->evtchn;
    bool any = false;

    if (!ed)
        return false;
    unsigned long flags = evtchn_deliver_lock(d);
    for (unsigned int i = 0; i < n && !any; i++)
        any = ports[i] < ed->ops->max_ports && ed->ops->is_pending(d, ports[i]);
    evtchn_deliver_unlock(d, flags);
    return any;
}

/*
 * The poll bit and v->polling are published before the ports are looked
 * at, and a sender sets the pending bit before it reads poll_mask (both
 * sequentially consistent): either we see the event here, or the sender
 * sees us polling and kicks us. No wake-up is lost.
 */
int evtchn_poll_begin(struct vcpu *v, const evtchn_port_t *ports, unsigned int n)
{
    struct domain *d = v->domain;
    struct evtchn_domain *ed = d->evtchn;

    if (!ed || v->vcpu_id >= MAX_VCPUS_PER_DOMAIN)
        return -EINVAL;
    /* The ABI's range, as Xen's max_evtchns(): the table may switch after. */
    unsigned int max_ports = __atomic_load_n(&ed->ops, __ATOMIC_ACQUIRE)->max_ports;
    for (unsigned int i = 0; i < n; i++) {
        if (ports[i] >= max_ports)
            return -EINVAL;
    }

    /* Port 0 is never sent on, so polling it alone means "any port", as in Xen. */
    int want = n == 1 ? (int)ports[0] : -1;
    __atomic_store_n(&v->poll_evtchn, want, __ATOMIC_RELEASE);
    __atomic_store_n(&v->polling, true, __ATOMIC_SEQ_CST);
    __atomic_fetch_or(&ed->poll_mask, 1UL << v->vcpu_id, __ATOMIC_SEQ_CST);

    if (evtchn_any_pending(v, ports, n)) {
        evtchn_poll_end(v);
        return 1;
    }
    return 0;
}

void evtchn_poll_end(struct vcpu *v)
{
    struct evtchn_domain *ed = v->domain->evtchn;

    if (ed && v->vcpu_id < MAX_VCPUS_PER_DOMAIN)
        __atomic_fetch_and(&ed->poll_mask, ~(1UL << v->vcpu_id), __ATOMIC_SEQ_CST);
    __atomic_store_n(&v->polling, false, __ATOMIC_SEQ_CST);
    __atomic_store_n(&v->poll_evtchn, 0, __ATOMIC_RELEASE);
}
