#include "evtchn_model.h"

#include <string.h>
#include <tessera/errno.h>

#define MAX_PORTS 4096u
#define BUCKET    64u
#define MAX_VCPUS 4u

enum { FREE, RESERVED, UNBOUND, INTERDOMAIN, VIRQ, IPI };

struct mport {
    uint8_t state;
    uint32_t notify;
    domid_t remote;           /* UNBOUND: who may bind; INTERDOMAIN: peer id */
    evtchn_port_t rport;      /* INTERDOMAIN */
    uint32_t virq;
};

struct mdom {
    bool live, privileged, paused;
    domid_t id;
    unsigned nr_vcpus;
    unsigned valid;                       /* ports with storage */
    struct mport port[MAX_PORTS];
    evtchn_port_t virq_port[MAX_VCPUS][NR_VIRQS];
};

static struct mdom dom[MODEL_DOMS];

void model_domain_new(unsigned slot, domid_t id, unsigned nr_vcpus, bool privileged)
{
    struct mdom *d = &dom[slot];

    memset(d, 0, sizeof(*d));
    d->live = true;
    d->id = id;
    d->nr_vcpus = nr_vcpus;
    d->privileged = privileged;
    d->valid = BUCKET;
    d->port[0].state = RESERVED;
}

void model_set_paused(unsigned slot, bool paused)
{
    dom[slot].paused = paused;
}

static struct mdom *by_id(struct mdom *caller, domid_t id)
{
    if (id == DOMID_SELF)
        return caller;
    for (unsigned i = 0; i < MODEL_DOMS; i++)
        if (dom[i].live && dom[i].id == id)
            return &dom[i];
    return NULL;
}

static bool global_virq(uint32_t virq)
{
    return virq != VIRQ_TIMER && virq != VIRQ_DEBUG && virq != VIRQ_XENOPROF && virq != VIRQ_XENPMU;
}

/* Lowest free port, growing storage a bucket at a time. */
static long get_free(struct mdom *d)
{
    for (unsigned p = 0; p < d->valid; p++)
        if (d->port[p].state == FREE)
            return p;
    if (d->valid >= MAX_PORTS)
        return -ENOSPC;
    d->valid += BUCKET;
    return d->valid - BUCKET;
}

static long close_port(struct mdom *d, evtchn_port_t port)
{
    if (port >= d->valid)
        return -EINVAL;
    struct mport *p = &d->port[port];
    switch (p->state) {
    case FREE:
    case RESERVED:
        return -EINVAL;
    case VIRQ:
        for (unsigned v = 0; v < d->nr_vcpus; v++)
            if (d->virq_port[v][p->virq] == port)
                d->virq_port[v][p->virq] = 0;
        break;
    case INTERDOMAIN: {
        struct mdom *peer = by_id(d, p->remote);
        peer->port[p->rport].state = UNBOUND;
        peer->port[p->rport].remote = d->id;
        break;
    }
    default:
        break;
    }
    memset(p, 0, sizeof(*p));
    return 0;
}

void model_domain_kill(unsigned slot)
{
    struct mdom *d = &dom[slot];

    for (evtchn_port_t p = 1; p < d->valid; p++)
        close_port(d, p);
    d->live = false;
}

static bool may_control(const struct mdom *caller, const struct mdom *d)
{
    return caller == d || caller->privileged;
}

static long alloc_unbound(struct mdom *me, struct evtchn_alloc_unbound *a)
{
    struct mdom *d = by_id(me, a->dom);
    if (!d)
        return -ESRCH;
    domid_t remote = a->remote_dom == DOMID_SELF ? me->id : a->remote_dom;
    if (!may_control(me, d))
        return -EPERM;
    if (remote >= DOMID_FIRST_RESERVED)
        return -EINVAL;
    long port = get_free(d);
    if (port < 0)
        return port;
    d->port[port] = (struct mport){ .state = UNBOUND, .remote = remote };
    a->port = (evtchn_port_t)port;
    return 0;
}

static long bind_interdomain(struct mdom *me, struct evtchn_bind_interdomain *b)
{
    struct mdom *rd = by_id(me, b->remote_dom);
    if (!rd)
        return -ESRCH;
    if (b->remote_port >= rd->valid)
        return -EINVAL;
    struct mport *r = &rd->port[b->remote_port];
    if (r->state != UNBOUND || r->remote != me->id)
        return -EINVAL;
    long port = get_free(me);
    if (port < 0)
        return port;
    me->port[port] = (struct mport){ .state = INTERDOMAIN, .remote = rd->id,
                                     .rport = b->remote_port };
    r->state = INTERDOMAIN;
    r->remote = me->id;
    r->rport = (evtchn_port_t)port;
    b->local_port = (evtchn_port_t)port;
    return 0;
}

static long bind_virq(struct mdom *me, struct evtchn_bind_virq *b)
{
    if (b->virq >= NR_VIRQS)
        return -EINVAL;
    if (global_virq(b->virq) && b->vcpu != 0)
        return -EINVAL;
    if (b->vcpu >= me->nr_vcpus)
        return -ENOENT;
    if (me->virq_port[b->vcpu][b->virq])
        return -EEXIST;
    long port = get_free(me);
    if (port < 0)
        return port;
    me->port[port] = (struct mport){ .state = VIRQ, .notify = b->vcpu, .virq = b->virq };
    me->virq_port[b->vcpu][b->virq] = (evtchn_port_t)port;
    b->port = (evtchn_port_t)port;
    return 0;
}

static long bind_ipi(struct mdom *me, struct evtchn_bind_ipi *b)
{
    if (b->vcpu >= me->nr_vcpus)
        return -ENOENT;
    long port = get_free(me);
    if (port < 0)
        return port;
    me->port[port] = (struct mport){ .state = IPI, .notify = b->vcpu };
    b->port = (evtchn_port_t)port;
    return 0;
}

static long send(struct mdom *me, evtchn_port_t port)
{
    if (port >= me->valid)
        return -EINVAL;
    uint8_t s = me->port[port].state;
    return s == INTERDOMAIN || s == IPI || s == UNBOUND ? 0 : -EINVAL;
}

static long status(struct mdom *me, struct evtchn_status *st)
{
    struct mdom *d = by_id(me, st->dom);
    if (!d)
        return -ESRCH;
    if (st->port >= d->valid)
        return -EINVAL;
    if (!may_control(me, d))
        return -EPERM;
    struct mport *p = &d->port[st->port];
    memset(&st->u, 0, sizeof(st->u));
    st->vcpu = p->notify;
    switch (p->state) {
    case UNBOUND:
        st->status = EVTCHNSTAT_unbound;
        st->u.unbound.dom = p->remote;
        break;
    case INTERDOMAIN:
        st->status = EVTCHNSTAT_interdomain;
        st->u.interdomain.dom = p->remote;
        st->u.interdomain.port = p->rport;
        break;
    case VIRQ:
        st->status = EVTCHNSTAT_virq;
        st->u.virq = p->virq;
        break;
    case IPI:
        st->status = EVTCHNSTAT_ipi;
        break;
    default:
        st->status = EVTCHNSTAT_closed;
        break;
    }
    return 0;
}

static long bind_vcpu(struct mdom *me, struct evtchn_bind_vcpu *b)
{
    if (b->vcpu >= me->nr_vcpus)
        return -ENOENT;
    if (b->port >= me->valid)
        return -EINVAL;
    struct mport *p = &me->port[b->port];
    if (p->state == UNBOUND || p->state == INTERDOMAIN ||
        (p->state == VIRQ && global_virq(p->virq))) {
        p->notify = b->vcpu;
        return 0;
    }
    return -EINVAL;
}

static long reset(struct mdom *me, struct evtchn_reset *r)
{
    struct mdom *d = by_id(me, r->dom);
    if (!d)
        return -ESRCH;
    if (!may_control(me, d))
        return -EPERM;
    if (d != me && !d->paused)
        return -EINVAL;
    for (evtchn_port_t p = 1; p < d->valid; p++)
        close_port(d, p);
    return 0;
}

unsigned model_arg_size(int cmd)
{
    switch (cmd) {
    case EVTCHNOP_alloc_unbound:    return sizeof(struct evtchn_alloc_unbound);
    case EVTCHNOP_bind_interdomain: return sizeof(struct evtchn_bind_interdomain);
    case EVTCHNOP_bind_virq:        return sizeof(struct evtchn_bind_virq);
    case EVTCHNOP_bind_ipi:         return sizeof(struct evtchn_bind_ipi);
    case EVTCHNOP_bind_pirq:        return sizeof(struct evtchn_bind_pirq);
    case EVTCHNOP_close:            return sizeof(struct evtchn_close);
    case EVTCHNOP_send:             return sizeof(struct evtchn_send);
    case EVTCHNOP_status:           return sizeof(struct evtchn_status);
    case EVTCHNOP_bind_vcpu:        return sizeof(struct evtchn_bind_vcpu);
    case EVTCHNOP_unmask:           return sizeof(struct evtchn_unmask);
    case EVTCHNOP_reset:            return sizeof(struct evtchn_reset);
    case EVTCHNOP_init_control:     return sizeof(struct evtchn_init_control);
    case EVTCHNOP_expand_array:     return sizeof(struct evtchn_expand_array);
    case EVTCHNOP_set_priority:     return sizeof(struct evtchn_set_priority);
    default:                        return 0;
    }
}

long model_event_channel_op(unsigned caller, unsigned vcpu, int cmd, void *arg)
{
    struct mdom *me = &dom[caller];

    (void)vcpu;     /* no operation depends on which vCPU calls */
    switch (cmd) {
    case EVTCHNOP_alloc_unbound:
        return alloc_unbound(me, arg);
    case EVTCHNOP_bind_interdomain:
        return bind_interdomain(me, arg);
    case EVTCHNOP_bind_virq:
        return bind_virq(me, arg);
    case EVTCHNOP_bind_ipi:
        return bind_ipi(me, arg);
    case EVTCHNOP_bind_pirq: {
        /* The fuzzer maps no PIRQ: in range, the control domain's are all unmapped. */
        const struct evtchn_bind_pirq *op = arg;
        return op->pirq >= 256 ? -EINVAL : me->privileged ? -EINVAL : -EPERM;
    }
    case EVTCHNOP_close:
        return close_port(me, ((struct evtchn_close *)arg)->port);
    case EVTCHNOP_send:
        return send(me, ((struct evtchn_send *)arg)->port);
    case EVTCHNOP_status:
        return status(me, arg);
    case EVTCHNOP_bind_vcpu:
        return bind_vcpu(me, arg);
    case EVTCHNOP_unmask:
        return ((struct evtchn_unmask *)arg)->port < me->valid ? 0 : -EINVAL;
    case EVTCHNOP_reset:
        return reset(me, arg);
    case EVTCHNOP_init_control: {
        /* The fuzzed domains own no frame the fakes hold: every frame is refused. */
        const struct evtchn_init_control *op = arg;
        return op->vcpu >= me->nr_vcpus ? -ENOENT : -EINVAL;
    }
    case EVTCHNOP_expand_array:
        return -EOPNOTSUPP;     /* never switched to FIFO */
    case EVTCHNOP_set_priority:
        return ((struct evtchn_set_priority *)arg)->port < me->valid ? -ENOSYS : -EINVAL;
    default:
        return -ENOSYS;
    }
}

long model_event_channel_op_compat(unsigned caller, unsigned vcpu, struct evtchn_op *op)
{
    if (op->cmd > EVTCHNOP_unmask)
        return -ENOSYS;
    return model_event_channel_op(caller, vcpu, (int)op->cmd, &op->u);
}
