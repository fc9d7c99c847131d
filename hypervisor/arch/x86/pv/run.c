/*
 * Running PV vCPUs on physical CPUs: the syscall MSRs every CPU needs,
 * entering a vCPU for the first time, scheduling hypercalls, and what
 * happens when a domain shuts down.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/paging.h>
#include <asm/percpu.h>
#include <asm/power.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <asm/smp.h>
#include <asm/softirq.h>
#include <pvabi/sched.h>
#include <pvabi/vcpu.h>
#include <pvabi/xen.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/event_channel.h>
#include <tessera/guest_access.h>
#include <tessera/log.h>
#include <tessera/panic.h>

#define MSR_STAR   0xC0000081
#define MSR_LSTAR  0xC0000082
#define MSR_CSTAR  0xC0000083
#define MSR_SFMASK 0xC0000084
/* syscall clears these: interrupts off until the stack switch is done. */
#define SYSCALL_RFLAGS_CLEAR ((1u << 9) | (1u << 8) | (1u << 10) | (1u << 18) | (1u << 14))

extern const char syscall_entry[];
void pv_launch(const struct cpu_regs *src, struct cpu_regs *dst) __attribute__((noreturn));

void pv_cpu_init(void)
{
    struct percpu *cpu = this_cpu();

    cpu->syscall_stack_top = cpu->stack_block + CPU_INFO_OFFSET;
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    wrmsr(MSR_STAR, ((uint64_t)(GUEST_CS32 & ~3u) << 48) | ((uint64_t)HV_CS << 32));
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
    wrmsr(MSR_CSTAR, (uint64_t)(uintptr_t)syscall_entry);
    wrmsr(MSR_SFMASK, SYSCALL_RFLAGS_CLEAR);
    /* The syscall entry borrows this through swapgs (see pv/entry.S). */
    wrmsr(MSR_KERNEL_GS_BASE, (uint64_t)(uintptr_t)cpu);
}

static struct cpu_regs *guest_frame(struct percpu *cpu)
{
    return (struct cpu_regs *)(cpu->stack_block + CPU_INFO_OFFSET - sizeof(struct cpu_regs));
}

void pv_run_vcpu(struct vcpu *v)
{
    struct percpu *cpu = this_cpu();
    struct arch_vcpu *a = v->arch;

    irq_disable();
    cpu->current = v;
    v->processor = cpu->index;
    v->run_state = VCPU_RUNNABLE;
    wrmsr(MSR_FS_BASE, a->fs_base);
    wrmsr(MSR_GS_BASE, a->kernel_mode ? a->gs_base_kernel : a->gs_base_user);
    wrmsr(MSR_KERNEL_GS_BASE, (uint64_t)(uintptr_t)cpu);
    write_cr3(a->guest_cr3);
    pv_publish_time(v);
    pv_vtimer_init(v);
    pv_set_virtual_ts(v, a->virtual_ts);   /* the guest owns this CPU's FPU */
    pv_runstate_change(v, RUNSTATE_running);
    a->frame = guest_frame(cpu);
    pv_launch(&a->initial_regs, a->frame);
}

static const char *const shutdown_names[] = {
    [SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot",
    [SHUTDOWN_suspend] = "suspend",   [SHUTDOWN_crash] = "crash",
    [SHUTDOWN_watchdog] = "watchdog", [SHUTDOWN_soft_reset] = "soft_reset",
};

/* Domains started and not yet shut down; the machine follows the last one. */
static unsigned domains_running;
static int control_domain_reason = -1;

void pv_domains_running_inc(void)
{
    __atomic_fetch_add(&domains_running, 1, __ATOMIC_SEQ_CST);
}

void pv_domains_running_dec(void)
{
    __atomic_fetch_sub(&domains_running, 1, __ATOMIC_SEQ_CST);
}

/*
 * The control domain decides for the machine, as on Xen, but the machine
 * stays up while boot domains still run: the last one to stop carries it
 * out (power-off if no control domain ran).
 */
static void machine_follows_domains(void)
{
    if (__atomic_sub_fetch(&domains_running, 1, __ATOMIC_SEQ_CST) != 0) {
        if (control_domain_reason >= 0)
            log_info("control domain gone; %u other domain(s) still running\n",
                     __atomic_load_n(&domains_running, __ATOMIC_SEQ_CST));
        return;
    }
    int reason = control_domain_reason;
    if (reason == SHUTDOWN_reboot)
        machine_reboot();
    if (reason == SHUTDOWN_crash || reason == SHUTDOWN_watchdog)
        panic("the control domain crashed");
    machine_poweroff();
}

void pv_domain_shutdown(struct domain *d, unsigned reason)
{
    const char *why = reason <= SHUTDOWN_MAX ? shutdown_names[reason] : "unknown reason";
    unsigned long flags = spin_lock_irqsave(&d->lock);
    d->state = DOMAIN_SHUTDOWN;
    d->shutdown_reason = reason;
    spin_unlock_irqrestore(&d->lock, flags);
    pv_console_ring_drain(d);
    pv_console_ring_remove(d);
    log_info("domain %u ('%s') shut down: %s\n", d->domain_id, d->name, why);

    struct percpu *cpu = this_cpu();
    for (unsigned i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i])
            pv_vtimer_stop_all(d->vcpus[i]);
    evtchn_domain_destroy(d);
    cpu->current = NULL;
    write_cr3(idle_cr3);
    if (d->is_privileged)
        control_domain_reason = (int)reason;
    machine_follows_domains();
    cpu_idle_loop(NULL);
}

long hc_sched_op(struct vcpu *v, const uint64_t a[5])
{
    struct sched_shutdown s;

    switch (a[0]) {
    case SCHEDOP_yield:
        return 0;
    case SCHEDOP_block:
        return pv_block(v);
    case SCHEDOP_poll:
        return pv_poll(v, a[1]);
    case SCHEDOP_shutdown:
        if (copy_from_guest(&s, a[1], sizeof(s)) < 0)
            return -EFAULT;
        pv_domain_shutdown(v->domain, s.reason);
    case SCHEDOP_remote_shutdown: {
        struct sched_remote_shutdown rs;
        if (copy_from_guest(&rs, a[1], sizeof(rs)) < 0)
            return -EFAULT;
        if (!v->domain->is_privileged)
            return -EPERM;
        struct domain *d = domain_get(rs.domain_id);
        if (!d)
            return -ESRCH;
        domain_put(d);
        if (d == v->domain)
            pv_domain_shutdown(d, rs.reason);
        /* Only the initial domain exists until the toolstack builds others. */
        return -ESRCH;
    }
    case SCHEDOP_shutdown_code:
        if (copy_from_guest(&s, a[1], sizeof(s)) < 0)
            return -EFAULT;
        v->domain->shutdown_reason = s.reason;
        return 0;
    default:
        return -ENOSYS;
    }
}
