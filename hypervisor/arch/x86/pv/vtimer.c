/*
 * PV vCPU timers: the singleshot timer (set_timer_op, VCPUOP_set/stop_
 * singleshot_timer) and the periodic tick (VCPUOP_set/stop_periodic_timer,
 * 10 ms by default as on Xen). Both raise VIRQ_TIMER on their vCPU; each
 * is a hypervisor timer on the physical CPU the vCPU last ran on: they
 * move with it when it is switched in elsewhere (as Xen migrates them).
 */
#include <stdint.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <asm/timers.h>
#include <pvabi/vcpu.h>
#include <pvabi/xen.h>
#include <tessera/arch.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/event_channel.h>
#include <tessera/guest_access.h>
#include <tessera/sched.h>

#define DEFAULT_PERIOD_NS 10000000ull   /* 10 ms */
#define MIN_PERIOD_NS     1000000ull    /* Xen refuses shorter periods */

static void singleshot_fired(void *data)
{
    struct vcpu *v = data;
    send_guest_vcpu_virq(v, VIRQ_TIMER);
}

static void periodic_fired(void *data)
{
    struct vcpu *v = data;
    struct arch_vcpu *a = v->arch;

    send_guest_vcpu_virq(v, VIRQ_TIMER);
    if (!a->periodic_ns)
        return;
    /* Keep to the period's grid; ticks that came too late merge into one. */
    uint64_t now = arch_now_ns(), next = a->periodic_timer.expires + a->periodic_ns;
    if (next <= now)
        next = now + a->periodic_ns - (now - a->periodic_timer.expires) % a->periodic_ns;
    timer_set(&a->periodic_timer, next);
}

/* A SCHEDOP_poll timeout: the poll ends as if an event had come. */
static void poll_timed_out(void *data)
{
    sched_vcpu_wake(data);
}

/* On the pCPU where v first runs (pv/run.c). */
void pv_vtimer_init(struct vcpu *v, unsigned cpu)
{
    timer_init(&v->arch->singleshot_timer, singleshot_fired, v, cpu);
    timer_init(&v->arch->periodic_timer, periodic_fired, v, cpu);
    timer_init(&v->arch->poll_timer, poll_timed_out, v, cpu);
    v->arch->periodic_ns = DEFAULT_PERIOD_NS;
    v->arch->vtimers_ready = true;
    timer_set(&v->arch->periodic_timer, arch_now_ns() + DEFAULT_PERIOD_NS);
}

/* v is being switched in on pCPU cpu: its timers come along. */
void pv_vtimer_follow(struct vcpu *v, unsigned cpu)
{
    struct arch_vcpu *a = v->arch;

    if (!a->vtimers_ready || a->singleshot_timer.cpu == cpu)
        return;
    timer_migrate(&a->singleshot_timer, cpu);
    timer_migrate(&a->periodic_timer, cpu);
    timer_migrate(&a->poll_timer, cpu);
}

void pv_vtimer_stop_all(struct vcpu *v)
{
    if (!v->arch->vtimers_ready)
        return;
    timer_stop(&v->arch->singleshot_timer);
    timer_stop(&v->arch->periodic_timer);
    timer_stop(&v->arch->poll_timer);
}

/* A deadline already past fires at once (the guest expects the VIRQ). */
static void set_singleshot(struct vcpu *v, uint64_t deadline)
{
    uint64_t now = arch_now_ns();
    timer_set(&v->arch->singleshot_timer, deadline > now ? deadline : now);
}

long hc_set_timer_op(struct vcpu *v, uint64_t timeout)
{
    if (timeout == 0)
        timer_stop(&v->arch->singleshot_timer);
    else
        set_singleshot(v, timeout);
    return 0;
}

long pv_vcpu_timer_op(struct vcpu *v, int cmd, uint64_t arg)
{
    switch (cmd) {
    case VCPUOP_set_singleshot_timer: {
        struct vcpu_set_singleshot_timer t;
        if (copy_from_guest(&t, arg, sizeof(t)) < 0)
            return -EFAULT;
        /* VCPU_SSHOTTMR_future is accepted and ignored, as on Xen 4.17. */
        set_singleshot(v, t.timeout_abs_ns);
        return 0;
    }
    case VCPUOP_stop_singleshot_timer:
        timer_stop(&v->arch->singleshot_timer);
        return 0;
    case VCPUOP_set_periodic_timer: {
        struct vcpu_set_periodic_timer t;
        if (copy_from_guest(&t, arg, sizeof(t)) < 0)
            return -EFAULT;
        if (t.period_ns < MIN_PERIOD_NS)
            return -EINVAL;
        v->arch->periodic_ns = t.period_ns;
        timer_set(&v->arch->periodic_timer, arch_now_ns() + t.period_ns);
        return 0;
    }
    case VCPUOP_stop_periodic_timer:
        v->arch->periodic_ns = 0;
        timer_stop(&v->arch->periodic_timer);
        return 0;
    default:
        return -ENOSYS;
    }
}
