/*
 * The event_channel_op hypercall. Each operation copies its argument in
 * once, checks every field of that private copy, acts, and copies the
 * copy back for operations with OUT fields. When that last copy faults the
 * operation is undone (the new port closed), so a guest that passes an
 * unwritable argument is not left with a port it never learnt about.
 */
#include <stddef.h>
#include <tessera/compiler.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>
#include <tessera/pirq.h>
#include <tessera/string.h>
#include "event_channel_priv.h"

/*
 * May the calling domain act on d? Its own, or any as the control domain
 * (Xen's XSM_TARGET with the dummy policy).
 */
static bool may_control(const struct domain *caller, const struct domain *d)
{
    return caller == d || caller->is_privileged;
}

/*
 * Copy an op's result (naming a port just created in d) back to the guest;
 * if that faults, the port is closed again so nothing is left half-made.
 */
static long publish_new_port(struct domain *d, evtchn_port_t port, uint64_t arg,
                             const void *op, size_t size)
{
    if (copy_to_guest(arg, op, size)) {
        evtchn_close_port(d, port);
        return -EFAULT;
    }
    return 0;
}

static long op_alloc_unbound(struct domain *caller, uint64_t arg)
{
    struct evtchn_alloc_unbound op;
    evtchn_port_t port;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;

    struct domain *d = domain_get(op.dom);
    if (!d)
        return -ESRCH;

    long rc;
    domid_t remote = op.remote_dom == DOMID_SELF ? caller->domain_id : op.remote_dom;
    if (!may_control(caller, d))
        rc = -EPERM;
    else
        rc = evtchn_alloc_unbound_for(d, remote, &port);
    if (rc == 0) {
        op.port = port;
        rc = publish_new_port(d, port, arg, &op, sizeof(op));
    }
    domain_put(d);
    return rc;
}

/* Connects a new port of ld to rd's unbound port; the new port is returned. */
static long bind_interdomain(struct domain *ld, struct domain *rd, evtchn_port_t rport,
                             evtchn_port_t *lport)
{
    unsigned long flags = evtchn_lock_pair(ld, rd);
    struct evtchn_domain *red = rd->evtchn;
    long rc;

    if (red->dying) {
        rc = -ESRCH;
        goto out;
    }
    if (!evtchn_port_valid(red, rport)) {
        rc = -EINVAL;
        goto out;
    }
    struct evtchn *rchn = evtchn_from_port(red, rport);
    if (rchn->state != ECS_UNBOUND || rchn->u.unbound_remote != ld->domain_id) {
        rc = -EINVAL;
        goto out;
    }
    rc = evtchn_get_free_port(ld);
    if (rc < 0)
        goto out;

    struct evtchn *lchn = evtchn_claim_port(ld, (evtchn_port_t)rc, ECS_INTERDOMAIN);
    *lport = (evtchn_port_t)rc;
    lchn->u.interdomain.dom = rd;
    lchn->u.interdomain.port = rport;
    rchn->state = ECS_INTERDOMAIN;
    rchn->u.interdomain.dom = ld;
    rchn->u.interdomain.port = *lport;
    /*
     * Sends on the unbound end were dropped: mark the new end pending so
     * the binder looks at the ring at least once (Xen does the same).
     */
    evtchn_port_set_pending(ld, 0, *lport);
    rc = 0;
out:
    evtchn_unlock_pair(ld, rd, flags);
    return rc;
}

static long op_bind_interdomain(struct domain *caller, uint64_t arg)
{
    struct evtchn_bind_interdomain op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;

    struct domain *rd = domain_get(op.remote_dom);
    if (!rd)
        return -ESRCH;
    if (!rd->evtchn) {
        domain_put(rd);
        return -ESRCH;
    }

    evtchn_port_t lport;
    long rc = bind_interdomain(caller, rd, op.remote_port, &lport);
    if (rc == 0) {
        op.local_port = lport;
        rc = publish_new_port(caller, lport, arg, &op, sizeof(op));
    }
    domain_put(rd);
    return rc;
}

static long op_bind_virq(struct domain *d, uint64_t arg)
{
    struct evtchn_bind_virq op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.virq >= NR_VIRQS)
        return -EINVAL;
    bool global = evtchn_virq_is_global(op.virq);
    if (global && op.vcpu != 0)
        return -EINVAL;
    struct vcpu *v = evtchn_vcpu(d, op.vcpu);
    if (!v)
        return -ENOENT;

    unsigned long flags = evtchn_lock(d);
    long rc;
    if (v->virq_to_evtchn[op.virq]) {
        rc = -EEXIST;
    } else {
        rc = evtchn_get_free_port(d);
        if (rc >= 0) {
            op.port = (evtchn_port_t)rc;
            struct evtchn *chn = evtchn_claim_port(d, op.port, ECS_VIRQ);
            chn->u.virq = op.virq;
            __atomic_store_n(&chn->notify_vcpu, op.vcpu, __ATOMIC_RELAXED);
            __atomic_store_n(&v->virq_to_evtchn[op.virq], op.port, __ATOMIC_RELAXED);
            rc = 0;
        }
    }
    evtchn_unlock(d, flags);

    if (rc == 0)
        rc = publish_new_port(d, op.port, arg, &op, sizeof(op));
    return rc;
}

static long op_bind_ipi(struct domain *d, uint64_t arg)
{
    struct evtchn_bind_ipi op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (!evtchn_vcpu(d, op.vcpu))
        return -ENOENT;

    unsigned long flags = evtchn_lock(d);
    long rc = evtchn_get_free_port(d);
    if (rc >= 0) {
        op.port = (evtchn_port_t)rc;
        struct evtchn *chn = evtchn_claim_port(d, op.port, ECS_IPI);
        __atomic_store_n(&chn->notify_vcpu, op.vcpu, __ATOMIC_RELAXED);
        rc = 0;
    }
    evtchn_unlock(d, flags);

    if (rc == 0)
        rc = publish_new_port(d, op.port, arg, &op, sizeof(op));
    return rc;
}

/*
 * A physical interrupt of the control domain's (common/pirq.c): the PIRQ
 * must be mapped; its line is unmasked once bound. BIND_PIRQ__WILL_SHARE
 * is accepted and changes nothing (one domain owns every line).
 */
static long op_bind_pirq(struct domain *d, uint64_t arg)
{
    struct evtchn_bind_pirq op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.pirq >= PIRQ_MAX)
        return -EINVAL;
    if (!d->is_privileged)
        return -EPERM;

    unsigned long flags = evtchn_lock(d);
    long rc = evtchn_get_free_port(d);
    if (rc >= 0) {
        op.port = (evtchn_port_t)rc;
        rc = pirq_bind(d, op.pirq, op.port);
        if (rc == 0) {
            struct evtchn *chn = evtchn_claim_port(d, op.port, ECS_PIRQ);
            chn->u.pirq = op.pirq;
            __atomic_store_n(&chn->notify_vcpu, 0, __ATOMIC_RELAXED);
        }
    }
    evtchn_unlock(d, flags);

    if (rc == 0)
        rc = publish_new_port(d, op.port, arg, &op, sizeof(op));
    return rc;
}

static long op_close(struct domain *d, uint64_t arg)
{
    struct evtchn_close op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    return evtchn_close_port(d, op.port);
}

static long op_send(struct domain *d, uint64_t arg)
{
    struct evtchn_send op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    return evtchn_send(d, op.port);
}

/* Fills the OUT fields of a status request from a port's state. [L] */
static void describe_port(const struct evtchn *chn, struct evtchn_status *st)
{
    memset(&st->u, 0, sizeof(st->u));
    st->vcpu = __atomic_load_n(&chn->notify_vcpu, __ATOMIC_RELAXED);
    switch (chn->state) {
    case ECS_UNBOUND:
        st->status = EVTCHNSTAT_unbound;
        st->u.unbound.dom = chn->u.unbound_remote;
        break;
    case ECS_INTERDOMAIN:
        st->status = EVTCHNSTAT_interdomain;
        st->u.interdomain.dom = chn->u.interdomain.dom->domain_id;
        st->u.interdomain.port = chn->u.interdomain.port;
        break;
    case ECS_VIRQ:
        st->status = EVTCHNSTAT_virq;
        st->u.virq = chn->u.virq;
        break;
    case ECS_IPI:
        st->status = EVTCHNSTAT_ipi;
        break;
    case ECS_PIRQ:
        st->status = EVTCHNSTAT_pirq;
        st->u.pirq = chn->u.pirq;
        break;
    default:    /* free, and the reserved port 0 */
        st->status = EVTCHNSTAT_closed;
        break;
    }
}

static long op_status(struct domain *caller, uint64_t arg)
{
    struct evtchn_status op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;

    struct domain *d = domain_get(op.dom);
    if (!d)
        return -ESRCH;

    long rc = 0;
    unsigned long flags = 0;
    if (!d->evtchn) {
        rc = -ESRCH;
        goto put;
    }
    flags = evtchn_lock(d);
    /* Xen's order: a bad port is -EINVAL even for a domain we may not see. */
    if (!evtchn_port_valid(d->evtchn, op.port))
        rc = -EINVAL;
    else if (!may_control(caller, d))
        rc = -EPERM;
    else
        describe_port(evtchn_from_port(d->evtchn, op.port), &op);
    evtchn_unlock(d, flags);

    if (rc == 0 && copy_to_guest(arg, &op, sizeof(op)))
        rc = -EFAULT;
put:
    domain_put(d);
    return rc;
}

static long op_bind_vcpu(struct domain *d, uint64_t arg)
{
    struct evtchn_bind_vcpu op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (!evtchn_vcpu(d, op.vcpu))
        return -ENOENT;

    unsigned long flags = evtchn_lock(d);
    long rc = 0;
    if (!evtchn_port_valid(d->evtchn, op.port)) {
        rc = -EINVAL;
        goto out;
    }

    struct evtchn *chn = evtchn_from_port(d->evtchn, op.port);
    switch (chn->state) {
    case ECS_VIRQ:
        /* A per-vCPU VIRQ belongs to its vCPU's table: it cannot move. */
        if (!evtchn_virq_is_global(chn->u.virq)) {
            rc = -EINVAL;
            break;
        }
        __atomic_store_n(&chn->notify_vcpu, op.vcpu, __ATOMIC_RELAXED);
        break;
    case ECS_UNBOUND:
    case ECS_INTERDOMAIN:
    case ECS_PIRQ:
        __atomic_store_n(&chn->notify_vcpu, op.vcpu, __ATOMIC_RELAXED);
        break;
    default:    /* IPIs are bound to their vCPU; closed ports to nothing */
        rc = -EINVAL;
        break;
    }
out:
    evtchn_unlock(d, flags);
    return rc;
}

static long op_unmask(struct domain *d, uint64_t arg)
{
    struct evtchn_unmask op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;

    unsigned long flags = evtchn_lock(d);
    long rc = 0;
    struct evtchn_domain *ed = d->evtchn;
    if (!evtchn_port_valid(ed, op.port)) {
        rc = -EINVAL;
    } else {
        struct evtchn *chn = evtchn_from_port(ed, op.port);
        /* As Xen 4.17: a closed or reserved port is left as it is (still 0). */
        if (chn->state != ECS_FREE && chn->state != ECS_RESERVED)
            evtchn_port_unmask(d, __atomic_load_n(&chn->notify_vcpu, __ATOMIC_RELAXED), op.port);
    }
    evtchn_unlock(d, flags);
    return rc;
}

/*
 * Closes every port of d and goes back to the 2-level ABI. -EAGAIN, as
 * in Xen, when another vCPU of d bound a port meanwhile (it stays, and so
 * does the ABI).
 */
static long reset_ports(struct domain *d)
{
    unsigned long flags = evtchn_lock(d);
    unsigned int valid = d->evtchn->valid_ports;
    evtchn_unlock(d, flags);

    for (evtchn_port_t port = 1; port < valid; port++)
        (void)evtchn_close_port(d, port);

    long rc = 0;
    flags = evtchn_lock(d);
    if (d->evtchn->nr_in_use > 1)
        rc = -EAGAIN;
    else
        evtchn_fifo_teardown(d);
    evtchn_unlock(d, flags);
    return rc;
}

static long op_reset(struct domain *caller, uint64_t arg)
{
    struct evtchn_reset op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;

    struct domain *d = domain_get(op.dom);
    if (!d)
        return -ESRCH;

    long rc = 0;
    enum domain_state state = READ_ONCE(d->state);
    if (!may_control(caller, d))
        rc = -EPERM;
    else if (d != caller && state != DOMAIN_PAUSED && state != DOMAIN_BUILDING)
        rc = -EINVAL;   /* as Xen: another domain only while it cannot run */
    else if (!d->evtchn)
        rc = -ESRCH;
    else
        rc = reset_ports(d);
    domain_put(d);
    return rc;
}

/*
 * The FIFO ABI: init_control for a vCPU of the caller's own domain (the
 * first one switches it from 2-level), expand_array, set_priority.
 */
static long op_init_control(struct domain *d, uint64_t arg)
{
    struct evtchn_init_control op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    op.link_bits = EVTCHN_FIFO_LINK_BITS;
    long rc = evtchn_fifo_init_control(d, op.vcpu, op.control_gfn, op.offset);
    /* As Xen: the control block stays registered if the answer cannot be written. */
    if (rc == 0 && copy_to_guest(arg, &op, sizeof(op)))
        rc = -EFAULT;
    return rc;
}

static long op_expand_array(struct domain *d, uint64_t arg)
{
    struct evtchn_expand_array op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    return evtchn_fifo_expand_array(d, op.array_gfn);
}

static long op_set_priority(struct domain *d, uint64_t arg)
{
    struct evtchn_set_priority op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;

    unsigned long flags = evtchn_lock(d);
    long rc;
    if (!evtchn_port_valid(d->evtchn, op.port)) {
        rc = -EINVAL;
    } else {
        uint8_t state = evtchn_from_port(d->evtchn, op.port)->state;
        /* Xen 4.17's order: -ENOSYS on 2-level, then -EACCES for a closed or reserved port. */
        rc = evtchn_port_set_priority(d, op.port, op.priority,
                                      state != ECS_FREE && state != ECS_RESERVED);
    }
    evtchn_unlock(d, flags);
    return rc;
}

/*
 * The operations by number: the single source of their names (for logs
 * and tests) and handlers. A NULL handler is a known operation this
 * hypervisor does not offer (yet): -ENOSYS without touching guest memory.
 */
static const struct evtchn_op_desc {
    const char *name;
    long (*handler)(struct domain *caller, uint64_t arg);
} evtchn_ops[] = {
    [EVTCHNOP_bind_interdomain] = { "bind_interdomain", op_bind_interdomain },
    [EVTCHNOP_bind_virq]        = { "bind_virq",        op_bind_virq },
    [EVTCHNOP_bind_pirq]        = { "bind_pirq",        op_bind_pirq },
    [EVTCHNOP_close]            = { "close",            op_close },
    [EVTCHNOP_send]             = { "send",             op_send },
    [EVTCHNOP_status]           = { "status",           op_status },
    [EVTCHNOP_alloc_unbound]    = { "alloc_unbound",    op_alloc_unbound },
    [EVTCHNOP_bind_ipi]         = { "bind_ipi",         op_bind_ipi },
    [EVTCHNOP_bind_vcpu]        = { "bind_vcpu",        op_bind_vcpu },
    [EVTCHNOP_unmask]           = { "unmask",           op_unmask },
    [EVTCHNOP_reset]            = { "reset",            op_reset },
    [EVTCHNOP_init_control]     = { "init_control",     op_init_control },
    [EVTCHNOP_expand_array]     = { "expand_array",     op_expand_array },
    [EVTCHNOP_set_priority]     = { "set_priority",     op_set_priority },
};

const char *evtchn_op_name(int cmd)
{
    if (cmd < 0 || (unsigned int)cmd >= ARRAY_SIZE(evtchn_ops) || !evtchn_ops[cmd].name)
        return NULL;
    return evtchn_ops[cmd].name;
}

long do_event_channel_op(int cmd, uint64_t guest_arg)
{
    struct vcpu *v = current_vcpu();

    if (!v || !v->domain->evtchn)
        return -ESRCH;
    if (cmd < 0 || (unsigned int)cmd >= ARRAY_SIZE(evtchn_ops) || !evtchn_ops[cmd].handler)
        return -ENOSYS;
    return evtchn_ops[cmd].handler(v->domain, guest_arg);
}

/*
 * The old form: the command and its argument in one struct evtchn_op.
 * The command is read once; the argument is the union right after it in
 * guest memory, handled exactly as through hypercall 32. Only the
 * operations that existed when this form was current are offered.
 */
long do_event_channel_op_compat(uint64_t guest_arg)
{
    uint32_t cmd;

    BUILD_BUG_ON(offsetof(struct evtchn_op, u) != sizeof(cmd));
    if (copy_from_guest(&cmd, guest_arg, sizeof(cmd)))
        return -EFAULT;
    if (cmd > EVTCHNOP_unmask)
        return -ENOSYS;
    return do_event_channel_op((int)cmd, guest_arg + offsetof(struct evtchn_op, u));
}
