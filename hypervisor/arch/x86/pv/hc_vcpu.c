/*
 * vcpu_op: bringing vCPUs up and down (pv/vcpu_ctl.c), their vcpu_info
 * and runstate areas, their timers (pv/vtimer.c); and vcpu_kick, the
 * event-channel code's way of waking a vCPU.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/paging.h>
#include <asm/percpu.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <asm/pv_mm.h>
#include <pvabi/vcpu.h>
#include <tessera/arch.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/event_channel.h>
#include <tessera/guest_access.h>
#include <tessera/sched.h>
#include <tessera/string.h>

/*
 * The common case is a vCPU raising its own event (a send to a port bound
 * to itself, its own timer firing under it): it is the one running here,
 * and whether it is mid-hypercall or interrupted in the guest, its way back
 * to the guest delivers the upcall, so nothing needs waking or
 * interrupting, and the scheduler's lookup and lock are skipped. Only a
 * vCPU that has begun to block needs the wake: pv_block and pv_poll set
 * VCPU_BLOCKED and then look for a pending upcall, we set the upcall and
 * then look at the state (both behind full fences), so one of the two sees
 * the other.
 */
void vcpu_kick(struct vcpu *v)
{
    /* Whatever made the event pending is visible before we look at v's state. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (v == this_cpu()->current &&
        __atomic_load_n(&v->run_state, __ATOMIC_ACQUIRE) == VCPU_RUNNABLE)
        return;
    sched_vcpu_kick(v);
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
    /* r.mfn is a machine frame for PV, a guest-physical one for PVH. */
    void *page;
    if (arch_guest_frame_hold(v->domain, r.mfn, &page) < 0)
        return -EINVAL;
    struct vcpu_info *new_vi = (struct vcpu_info *)((char *)page + r.offset);
    struct vcpu_info *old = v->vcpu_info;
    memcpy(new_vi, old, sizeof(*new_vi));
    new_vi->evtchn_upcall_pending = 1;
    new_vi->evtchn_pending_sel = ~(xen_ulong_t)0;
    __atomic_store_n(&v->vcpu_info, new_vi, __ATOMIC_RELEASE);
    v->arch->vcpu_info_registered = true;
    pv_publish_time(v);
    return 0;
}

long hc_vcpu_op(struct vcpu *v, int cmd, unsigned int id, uint64_t arg)
{
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
        return pv_vcpu_control(v, target, cmd, arg);
    case VCPUOP_register_vcpu_info: {
        long rc;
        spin_lock(&target->arch->ctl_lock);
        /* Linux registers every CPU's from CPU 0 before bringing them up. */
        if (target != v && (target->run_state != VCPU_OFFLINE || sched_vcpu_running(target)))
            rc = -EBUSY;    /* another running vCPU's: it must register its own */
        else
            rc = register_vcpu_info(target, arg);
        spin_unlock(&target->arch->ctl_lock);
        return rc;
    }
    case VCPUOP_get_runstate_info: {
        struct vcpu_runstate_info info;
        pv_runstate_snapshot(target, &info);
        return copy_to_guest(arg, &info, sizeof(info)) < 0 ? -EFAULT : 0;
    }
    case VCPUOP_register_runstate_memory_area: {
        struct vcpu_register_runstate_memory_area area;
        if (copy_from_guest(&area, arg, sizeof(area)) < 0)
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
        return pv_vcpu_timer_op(v, cmd, arg);
    case VCPUOP_send_nmi:
        /* Any vCPU of the domain, no argument (as Xen); delivered on its way back in. */
        if (arg)
            return -EINVAL;
        if (!__atomic_exchange_n(&target->arch->nmi_pending, true, __ATOMIC_ACQ_REL))
            vcpu_kick(target);
        return 0;
    default:
        return -ENOSYS;
    }
}
