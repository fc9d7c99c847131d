/*
 * vcpu_op, event_channel_op and the blocking scheduler ops (block, poll):
 * a blocked vCPU gives its physical CPU to the scheduler's next pick.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/percpu.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <asm/pv_mm.h>
#include <asm/softirq.h>
#include <asm/timers.h>
#include <pvabi/sched.h>
#include <pvabi/vcpu.h>
#include <tessera/arch.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/event_channel.h>
#include <tessera/guest_access.h>
#include <tessera/page_alloc.h>
#include <tessera/sched.h>
#include <tessera/string.h>
#include <asm/paging.h>

#define POLL_PORTS_MAX 128

void vcpu_kick(struct vcpu *v)
{
    /* Whatever made the event pending is visible before we look at v's state. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    sched_vcpu_kick(v);
}

static bool upcall_pending(const struct vcpu *v)
{
    return __atomic_load_n(&v->vcpu_info->evtchn_upcall_pending, __ATOMIC_SEQ_CST);
}

/*
 * Blocked first, then the check: an event that comes after the check
 * finds v blocked and wakes it (vcpu_kick). The pCPU switches away on
 * the way out of the hypercall; v resumes there with its result, 0.
 */
long pv_block(struct vcpu *v)
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
 */
long pv_poll(struct vcpu *v, uint64_t arg)
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

/*
 * VCPUOP_register_vcpu_info: move v's vcpu_info into a page of the
 * guest's. Once only; the old contents come along, and the upcall flag
 * and every selector bit are set so the guest rescans its ports.
 */
static long register_vcpu_info(struct vcpu *v, uint64_t arg)
{
    struct vcpu_register_vcpu_info r;

    if (copy_from_guest(&r, arg, sizeof(r)) < 0)
        return -EFAULT;
    if (r.rsvd)
        return -EINVAL;
    if (r.offset > PAGE_SIZE - sizeof(struct vcpu_info))
        return -ENXIO;
    if (v->arch->vcpu_info_registered)
        return -EINVAL;
    /* Held for good: the hypervisor writes it from now on. */
    if (pv_frame_hold(v->domain, r.mfn) < 0)
        return -EINVAL;
    struct vcpu_info *new_vi = (struct vcpu_info *)((char *)phys_to_virt(r.mfn << PAGE_SHIFT) +
                                                    r.offset);
    struct vcpu_info *old = v->vcpu_info;
    memcpy(new_vi, old, sizeof(*new_vi));
    new_vi->evtchn_upcall_pending = 1;
    new_vi->evtchn_pending_sel = ~(xen_ulong_t)0;
    __atomic_store_n(&v->vcpu_info, new_vi, __ATOMIC_RELEASE);
    v->arch->vcpu_info_registered = true;
    pv_publish_time(v);
    return 0;
}

long hc_event_channel_op(struct vcpu *v, const uint64_t a[5])
{
    (void)v;
    return do_event_channel_op((int)a[0], a[1]);
}

long hc_vcpu_op(struct vcpu *v, const uint64_t a[5])
{
    int cmd = (int)a[0];
    uint64_t id = a[1];
    struct domain *d = v->domain;

    if (id >= d->max_vcpus || !d->vcpus[id])
        return -ENOENT;
    struct vcpu *target = d->vcpus[id];
    switch (cmd) {
    case VCPUOP_is_up:
        /* Down once off its pCPU too, so its runstate then reads offline. */
        return target->run_state != VCPU_OFFLINE || sched_vcpu_running(target);
    case VCPUOP_initialise:
    case VCPUOP_up:
    case VCPUOP_down:
        return pv_vcpu_control(v, target, cmd, a[2]);
    case VCPUOP_register_vcpu_info: {
        long rc;
        spin_lock(&target->arch->ctl_lock);
        /* Linux registers every CPU's from CPU 0 before bringing them up. */
        if (target != v && (target->run_state != VCPU_OFFLINE || sched_vcpu_running(target)))
            rc = -EBUSY;    /* another running vCPU's: it must register its own */
        else
            rc = register_vcpu_info(target, a[2]);
        spin_unlock(&target->arch->ctl_lock);
        return rc;
    }
    case VCPUOP_get_runstate_info: {
        struct vcpu_runstate_info info;
        pv_runstate_snapshot(target, &info);
        return copy_to_guest(a[2], &info, sizeof(info)) < 0 ? -EFAULT : 0;
    }
    case VCPUOP_register_runstate_memory_area: {
        struct vcpu_register_runstate_memory_area area;
        if (copy_from_guest(&area, a[2], sizeof(area)) < 0)
            return -EFAULT;
        spin_lock(&target->arch->ctl_lock);
        __atomic_store_n(&target->arch->runstate_area, area.addr.p, __ATOMIC_RELEASE);
        pv_runstate_publish(target);
        spin_unlock(&target->arch->ctl_lock);
        return 0;
    }
    case VCPUOP_set_singleshot_timer:
    case VCPUOP_stop_singleshot_timer:
    case VCPUOP_set_periodic_timer:
    case VCPUOP_stop_periodic_timer:
        if (target != v)
            return -EINVAL;
        return pv_vcpu_timer_op(v, cmd, a[2]);
    default:
        return -ENOSYS;
    }
}
