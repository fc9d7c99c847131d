/*
 * sched_op: yield, block, poll, shutdown (own and, for the control domain,
 * another's) and the shutdown code. A vCPU that blocks or polls gives its
 * physical CPU to the scheduler's next pick on the way out of the
 * hypercall (pv/run.c switches); it resumes with its result in RAX.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <asm/timers.h>
#include <pvabi/sched.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/event_channel.h>
#include <tessera/guest_access.h>
#include <tessera/sched.h>

#define POLL_PORTS_MAX 128

static bool upcall_pending(const struct vcpu *v)
{
    return __atomic_load_n(&v->vcpu_info->evtchn_upcall_pending, __ATOMIC_SEQ_CST);
}

/* An upcall the vCPU would take now (Xen's local_events_need_delivery). */
static bool upcall_deliverable(const struct vcpu *v)
{
    return upcall_pending(v) && !__atomic_load_n(&v->vcpu_info->evtchn_upcall_mask,
                                                 __ATOMIC_SEQ_CST);
}

/*
 * Blocked first, then the check: an event that comes after the check
 * finds v blocked and wakes it (vcpu_kick). The pCPU switches away on
 * the way out of the hypercall; v resumes there with its result, 0.
 */
static long pv_block(struct vcpu *v)
{
    v->vcpu_info->evtchn_upcall_mask = 0;
    sched_vcpu_block(v);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (upcall_pending(v))
        sched_vcpu_wake(v);
    return 0;
}

/*
 * The ports are checked once to refuse bad ones and answer at once if one
 * is pending, then v blocks polling and they are checked again: a send in
 * between ended the first poll (v->polling false) while v still ran, so
 * only the second look can see it. Whatever wakes v, the poll is ended
 * when it next runs (pv_exit_to_guest).
 *
 * As on Xen, a poll also ends at once when an upcall is pending and
 * events are unmasked (looked at after blocking, as in pv_block): that
 * upcall is delivered on the way out. Sleeping instead would leave v deaf
 * to every other event, its own timer's among them, since none raises the
 * upcall flag again and so none kicks it (Linux on two CPUs: a vCPU whose
 * spinlock wait began while another vCPU's IPI was on its way stayed
 * blocked for good, an RCU stall).
 */
static long pv_poll(struct vcpu *v, uint64_t arg)
{
    struct sched_poll p;
    evtchn_port_t ports[POLL_PORTS_MAX];

    if (copy_from_guest(&p, arg, sizeof(p)) < 0)
        return -EFAULT;
    if (p.nr_ports > POLL_PORTS_MAX)
        return -EINVAL;
    if (copy_from_guest(ports, (uint64_t)(uintptr_t)p.ports.p, p.nr_ports * sizeof(ports[0])) < 0)
        return -EFAULT;
    int rc = evtchn_poll_begin(v, ports, p.nr_ports);
    if (rc != 0)
        return rc > 0 ? 0 : rc;
    v->arch->poll_active = true;
    sched_vcpu_poll(v);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (upcall_deliverable(v)) {
        sched_vcpu_wake(v);
        return 0;
    }
    /* Armed only now: a timeout already past must find v blocked to wake it. */
    if (p.timeout)
        timer_set(&v->arch->poll_timer, p.timeout);
    if (evtchn_poll_begin(v, ports, p.nr_ports) != 0)
        sched_vcpu_wake(v);
    return 0;
}

void pv_poll_finish(struct vcpu *v)
{
    if (!v->arch->poll_active)
        return;
    v->arch->poll_active = false;
    timer_stop(&v->arch->poll_timer);
    evtchn_poll_end(v);
}

long hc_sched_op(struct vcpu *v, int cmd, uint64_t arg)
{
    struct sched_shutdown s;

    switch (cmd) {
    case SCHEDOP_yield:
        sched_vcpu_yield(v);
        return 0;
    case SCHEDOP_block:
        return pv_block(v);
    case SCHEDOP_poll:
        return pv_poll(v, arg);
    case SCHEDOP_shutdown:
        if (copy_from_guest(&s, arg, sizeof(s)) < 0)
            return -EFAULT;
        pv_domain_shutdown(v->domain, s.reason);
    case SCHEDOP_remote_shutdown: {
        struct sched_remote_shutdown rs;
        if (copy_from_guest(&rs, arg, sizeof(rs)) < 0)
            return -EFAULT;
        struct domain *d = domain_get(rs.domain_id);
        if (!d)
            return -ESRCH;
        if (!v->domain->is_privileged) {
            domain_put(d);
            return -EPERM;
        }
        if (d == v->domain) {
            domain_put(d);      /* our own: it lives while we run */
            pv_domain_shutdown(d, rs.reason);
        }
        pv_domain_shut_down(d, rs.reason);
        domain_put(d);
        return 0;
    }
    case SCHEDOP_shutdown_code:
        if (copy_from_guest(&s, arg, sizeof(s)) < 0)
            return -EFAULT;
        v->domain->shutdown_reason = s.reason;
        return 0;
    default:
        return -ENOSYS;
    }
}
