/*
 * Event channel ports: each domain's port table and lock, allocating and
 * closing ports, and the life cycle of a domain's event channels. The
 * hypercall is in event_channel_ops.c, delivery in event_channel_send.c,
 * the guest ABIs in event_channel_2l.c and event_channel_fifo.c.
 */
#include <stddef.h>
#include <tessera/compiler.h>
#include <tessera/domain_ops.h>
#include <tessera/errno.h>
#include <tessera/heap.h>
#include <tessera/pirq.h>
#include "event_channel_priv.h"

BUILD_BUG_ON(EVTCHN_MAX_PORTS % EVTCHN_BUCKET_PORTS != 0);
BUILD_BUG_ON(EVTCHN_BUCKET_PORTS % BITS_PER_LONG != 0);
/* poll_mask has one bit per vCPU. */
BUILD_BUG_ON(MAX_VCPUS_PER_DOMAIN > BITS_PER_LONG);

unsigned long evtchn_lock(struct domain *d)
{
    return spin_lock_irqsave(&d->evtchn->lock);
}

void evtchn_unlock(struct domain *d, unsigned long flags)
{
    spin_unlock_irqrestore(&d->evtchn->lock, flags);
}

unsigned long evtchn_lock_pair(struct domain *a, struct domain *b)
{
    if (a == b)
        return evtchn_lock(a);

    struct domain *first = a->domain_id < b->domain_id ? a : b;
    struct domain *second = first == a ? b : a;
    unsigned long flags = spin_lock_irqsave(&first->evtchn->lock);

    spin_lock(&second->evtchn->lock);
    return flags;
}

void evtchn_unlock_pair(struct domain *a, struct domain *b, unsigned long flags)
{
    if (a == b) {
        evtchn_unlock(a, flags);
        return;
    }

    struct domain *first = a->domain_id < b->domain_id ? a : b;
    struct domain *second = first == a ? b : a;

    spin_unlock(&second->evtchn->lock);
    spin_unlock_irqrestore(&first->evtchn->lock, flags);
}

/*
 * Xen's get_domain(): only valid on a domain whose reference count cannot
 * be zero, which holds for the peer of a bound interdomain port (the peer
 * closes its ports before dropping its last reference).
 */
void evtchn_domain_hold(struct domain *d)
{
    domain_hold(d);
}

/*
 * The lowest free port, growing the table by a bucket when every port
 * with storage is used. The bucket is allocated under the lock: the lock
 * order is event-channel locks > heap lock, and VIRQs are raised from
 * softirqs, never from an interrupt that could land inside the heap.
 */
int evtchn_get_free_port(struct domain *d)
{
    struct evtchn_domain *ed = d->evtchn;

    if (ed->dying)
        return -EINVAL;

    /* As Xen: a free port the guest still has on a FIFO queue is skipped. */
    size_t port = bitmap_find_first_zero(ed->in_use, ed->valid_ports);
    while (port < ed->valid_ports && ed->ops->is_busy && ed->ops->is_busy(d, (evtchn_port_t)port))
        port = bitmap_find_next_zero(ed->in_use, ed->valid_ports, port + 1);
    if (port < ed->valid_ports)
        return (int)port;

    if (ed->valid_ports >= evtchn_port_limit(ed))
        return -ENOSPC;

    struct evtchn *bucket = xzalloc_array(EVTCHN_BUCKET_PORTS, sizeof(*bucket));
    if (!bucket)
        return -ENOMEM;
    port = ed->valid_ports;
    ed->bucket[port / EVTCHN_BUCKET_PORTS] = bucket;
    /* Readers that see the new bound must see the bucket pointer. */
    __atomic_store_n(&ed->valid_ports, ed->valid_ports + EVTCHN_BUCKET_PORTS, __ATOMIC_RELEASE);
    return (int)port;
}

struct evtchn *evtchn_claim_port(struct domain *d, evtchn_port_t port, enum evtchn_state state)
{
    struct evtchn_domain *ed = d->evtchn;
    struct evtchn *chn = evtchn_from_port(ed, port);

    bitmap_set(ed->in_use, port);
    ed->nr_in_use++;
    chn->state = state;
    __atomic_store_n(&chn->notify_vcpu, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&chn->priority, EVTCHN_FIFO_PRIORITY_DEFAULT, __ATOMIC_RELAXED);
    return chn;
}

/*
 * Back to ECS_FREE. The pending bit is cleared so that whoever gets the
 * port next does not inherit an event; the mask bit is the guest's.
 */
static void evtchn_release_port(struct domain *d, evtchn_port_t port)
{
    struct evtchn_domain *ed = d->evtchn;
    struct evtchn *chn = evtchn_from_port(ed, port);

    evtchn_port_clear_pending(d, port);
    chn->state = ECS_FREE;
    __atomic_store_n(&chn->notify_vcpu, 0, __ATOMIC_RELAXED);
    chn->u.interdomain.dom = NULL;
    chn->u.interdomain.port = 0;
    bitmap_clear(ed->in_use, port);
    ed->nr_in_use--;
}

/* Forgets a VIRQ port in every vCPU's table that points at it. [L] */
static void evtchn_unbind_virq(struct domain *d, evtchn_port_t port, unsigned int virq)
{
    for (unsigned int i = 0; i < d->max_vcpus && i < MAX_VCPUS_PER_DOMAIN; i++) {
        struct vcpu *v = d->vcpus[i];
        if (v && v->virq_to_evtchn[virq] == port)
            __atomic_store_n(&v->virq_to_evtchn[virq], 0, __ATOMIC_RELAXED);
    }
}

/*
 * Closes a port whose channel does not involve another domain's lock
 * (everything but an interdomain channel to another domain). [L]
 */
static void evtchn_close_local(struct domain *d, evtchn_port_t port, struct evtchn *chn)
{
    if (chn->state == ECS_VIRQ)
        evtchn_unbind_virq(d, port, chn->u.virq);
    if (chn->state == ECS_PIRQ)
        pirq_unbind(d, chn->u.pirq, port);
    if (chn->state == ECS_INTERDOMAIN) {
        /* Connected to ourselves: the other end waits for us again. */
        struct evtchn *peer = evtchn_from_port(d->evtchn, chn->u.interdomain.port);
        peer->state = ECS_UNBOUND;
        peer->u.unbound_remote = d->domain_id;
    }
    evtchn_release_port(d, port);
}

/*
 * Interdomain closes need the peer's lock, taken lower domain id first.
 * When that means dropping our own lock, the port may change meanwhile:
 * look again under both locks and start over if it did.
 */
int evtchn_close_port(struct domain *d, evtchn_port_t port)
{
    struct evtchn_domain *ed = d->evtchn;

    for (;;) {
        unsigned long flags = evtchn_lock(d);

        if (!evtchn_port_valid(ed, port)) {
            evtchn_unlock(d, flags);
            return -EINVAL;
        }
        struct evtchn *chn = evtchn_from_port(ed, port);
        if (chn->state == ECS_FREE || chn->state == ECS_RESERVED) {
            evtchn_unlock(d, flags);
            return -EINVAL;
        }
        if (chn->state != ECS_INTERDOMAIN || chn->u.interdomain.dom == d) {
            evtchn_close_local(d, port, chn);
            evtchn_unlock(d, flags);
            return 0;
        }

        struct domain *peer = chn->u.interdomain.dom;
        evtchn_domain_hold(peer);
        evtchn_unlock(d, flags);

        flags = evtchn_lock_pair(d, peer);
        bool unchanged = chn->state == ECS_INTERDOMAIN && chn->u.interdomain.dom == peer;
        if (unchanged) {
            struct evtchn *far = evtchn_from_port(peer->evtchn, chn->u.interdomain.port);
            far->state = ECS_UNBOUND;
            far->u.unbound_remote = d->domain_id;
            evtchn_release_port(d, port);
        }
        evtchn_unlock_pair(d, peer, flags);
        domain_put(peer);
        if (unchanged)
            return 0;
    }
}

int evtchn_domain_init(struct domain *d)
{
    if (d->evtchn)
        return -EEXIST;

    struct evtchn_domain *ed = xzalloc(sizeof(*ed));
    if (!ed)
        return -ENOMEM;
    spin_lock_init(&ed->lock);
    spin_lock_init(&ed->deliver_lock);
    ed->ops = &evtchn_port_ops_2l;

    ed->bucket[0] = xzalloc_array(EVTCHN_BUCKET_PORTS, sizeof(struct evtchn));
    if (!ed->bucket[0]) {
        xfree(ed);
        return -ENOMEM;
    }
    ed->valid_ports = EVTCHN_BUCKET_PORTS;
    d->evtchn = ed;

    /* Port 0 is never handed out: guests use 0 for "no port". */
    unsigned long flags = evtchn_lock(d);
    evtchn_claim_port(d, 0, ECS_RESERVED);
    evtchn_unlock(d, flags);

    for (unsigned int i = 0; i < d->max_vcpus && i < MAX_VCPUS_PER_DOMAIN; i++) {
        struct vcpu *v = d->vcpus[i];
        if (!v)
            continue;
        for (unsigned int virq = 0; virq < NR_VIRQS; virq++)
            v->virq_to_evtchn[virq] = 0;
        v->poll_evtchn = 0;
    }
    return 0;
}

void evtchn_domain_destroy(struct domain *d)
{
    struct evtchn_domain *ed = d->evtchn;

    if (!ed)
        return;

    unsigned long flags = evtchn_lock(d);
    ed->dying = true;
    unsigned int valid = ed->valid_ports;
    evtchn_unlock(d, flags);

    /* No port can be allocated any more, so 'valid' covers them all. */
    for (evtchn_port_t port = 1; port < valid; port++)
        (void)evtchn_close_port(d, port);

    /* With every port closed nobody delivers to d: its FIFO pages can go. */
    flags = evtchn_lock(d);
    evtchn_fifo_teardown(d);
    evtchn_unlock(d, flags);
}

void evtchn_domain_free(struct domain *d)
{
    struct evtchn_domain *ed = d->evtchn;

    if (!ed)
        return;
    evtchn_fifo_teardown(d);    /* if destroy never ran */
    for (unsigned int b = 0; b < EVTCHN_NR_BUCKETS; b++)
        xfree(ed->bucket[b]);
    xfree(ed);
    d->evtchn = NULL;
}

int evtchn_alloc_unbound_for(struct domain *d, domid_t remote, evtchn_port_t *port)
{
    if (!d->evtchn || remote >= DOMID_FIRST_RESERVED)
        return -EINVAL;

    unsigned long flags = evtchn_lock(d);
    int rc = evtchn_get_free_port(d);
    if (rc >= 0) {
        struct evtchn *chn = evtchn_claim_port(d, (evtchn_port_t)rc, ECS_UNBOUND);
        chn->u.unbound_remote = remote;
        *port = (evtchn_port_t)rc;
        rc = 0;
    }
    evtchn_unlock(d, flags);
    return rc;
}

/* --- invariants ---------------------------------------------------------- */

static int check_port(struct domain *d, evtchn_port_t port, const char **why)
{
    struct evtchn_domain *ed = d->evtchn;
    struct evtchn *chn = evtchn_from_port(ed, port);
    uint32_t notify = __atomic_load_n(&chn->notify_vcpu, __ATOMIC_RELAXED);

#define FAIL(msg) do { *why = msg; return -EINVAL; } while (0)
    if ((chn->state != ECS_FREE) != bitmap_test(ed->in_use, port))
        FAIL("port state disagrees with the allocation bitmap");
    if ((port == 0) != (chn->state == ECS_RESERVED))
        FAIL("port 0 and only port 0 is reserved");
    if (chn->state != ECS_FREE && chn->priority > EVTCHN_FIFO_PRIORITY_MIN)
        FAIL("port has a priority beyond the lowest");
    if (chn->state != ECS_FREE && !evtchn_vcpu(d, notify))
        FAIL("port notifies a vCPU that does not exist");
    if (chn->state == ECS_FREE && notify != 0)
        FAIL("free port keeps a vCPU binding");

    switch (chn->state) {
    case ECS_FREE:
    case ECS_RESERVED:
    case ECS_IPI:
    case ECS_PIRQ:
        break;
    case ECS_UNBOUND:
        if (chn->u.unbound_remote >= DOMID_FIRST_RESERVED)
            FAIL("unbound port waits for a reserved domain id");
        break;
    case ECS_INTERDOMAIN: {
        struct domain *peer = chn->u.interdomain.dom;
        evtchn_port_t pport = chn->u.interdomain.port;
        if (!peer || !peer->evtchn || peer->evtchn->dying)
            FAIL("interdomain port bound to a domain without event channels");
        if (!evtchn_port_valid(peer->evtchn, pport))
            FAIL("interdomain peer port out of range");
        struct evtchn *far = evtchn_from_port(peer->evtchn, pport);
        if (far->state != ECS_INTERDOMAIN || far->u.interdomain.dom != d ||
            far->u.interdomain.port != port)
            FAIL("interdomain peer does not point back");
        break;
    }
    case ECS_VIRQ: {
        unsigned int virq = chn->u.virq;
        if (virq >= NR_VIRQS)
            FAIL("VIRQ port with an out-of-range VIRQ");
        /* Global VIRQs live in vCPU 0's table whatever vCPU they notify. */
        struct vcpu *owner = evtchn_vcpu(d, evtchn_virq_is_global(virq) ? 0 : notify);
        if (!owner || owner->virq_to_evtchn[virq] != port)
            FAIL("VIRQ port missing from its vCPU's table");
        break;
    }
    default:
        FAIL("unknown port state");
    }
#undef FAIL
    return 0;
}

int evtchn_domain_check(struct domain *d, const char **why)
{
    struct evtchn_domain *ed = d->evtchn;
    int rc = 0;

    *why = NULL;
    if (!ed) {
        *why = "event channels not set up";
        return -EINVAL;
    }

    unsigned long flags = evtchn_lock(d);
    unsigned int used = 0;

    if (ed->valid_ports % EVTCHN_BUCKET_PORTS || ed->valid_ports > evtchn_port_limit(ed)) {
        *why = "valid port count is not whole buckets within the ABI's limit";
        rc = -EINVAL;
        goto out;
    }
    for (unsigned int b = 0; b < EVTCHN_NR_BUCKETS; b++) {
        if ((b * EVTCHN_BUCKET_PORTS < ed->valid_ports) != (ed->bucket[b] != NULL)) {
            *why = "bucket allocation disagrees with the valid port count";
            rc = -EINVAL;
            goto out;
        }
    }
    for (evtchn_port_t port = 0; port < ed->valid_ports; port++) {
        rc = check_port(d, port, why);
        if (rc)
            goto out;
        used += evtchn_from_port(ed, port)->state != ECS_FREE;
    }
    if (used != ed->nr_in_use || bitmap_weight(ed->in_use, EVTCHN_MAX_PORTS) != used) {
        *why = "ports-in-use count is wrong";
        rc = -EINVAL;
        goto out;
    }
    rc = evtchn_fifo_check(d, why);
    if (rc)
        goto out;
    for (unsigned int i = 0; i < d->max_vcpus && i < MAX_VCPUS_PER_DOMAIN; i++) {
        struct vcpu *v = d->vcpus[i];
        for (unsigned int virq = 0; v && virq < NR_VIRQS; virq++) {
            evtchn_port_t port = v->virq_to_evtchn[virq];
            if (!port)
                continue;
            struct evtchn *chn = port < ed->valid_ports ? evtchn_from_port(ed, port) : NULL;
            bool global = evtchn_virq_is_global(virq);
            if (!chn || chn->state != ECS_VIRQ || chn->u.virq != virq ||
                (global && i != 0) || (!global && chn->notify_vcpu != i)) {
                *why = "vCPU VIRQ table names a port not bound to that VIRQ there";
                rc = -EINVAL;
                goto out;
            }
        }
    }
out:
    evtchn_unlock(d, flags);
    return rc;
}
