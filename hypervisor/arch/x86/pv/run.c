/*
 * Running PV vCPUs on physical CPUs: the syscall MSRs every CPU needs,
 * switching between vCPUs, the scheduling hypercalls, and what happens
 * when a domain shuts down. The scheduler (common/sched*.c) decides which
 * vCPU runs where; this file switches.
 *
 * A vCPU is only ever switched on its way back to the guest (or from the
 * idle loop), never in the middle of a hypercall: at that point all of
 * its hypervisor-side state is its register frame in the stack-top slot,
 * so the frame is copied out, the next vCPU's copied in, and the stack
 * below is simply abandoned. A vCPU that blocked therefore resumes with
 * its hypercall's result already in its saved RAX.
 *
 * What a vCPU owns and takes with it: the frame, FS base, GS base (kernel
 * or user, by its mode), CR3 (its kernel or user L4), its virtual CR0.TS,
 * and the x87/SSE state (fxsave/fxrstor; the hypervisor itself is built
 * -mgeneral-regs-only, so the FPU holds nothing else). Its pvclock is
 * re-published on the pCPU it lands on. Its timers stay on the pCPU
 * where it first ran: they fire there and kick it wherever it runs.
 *
 * A pCPU asks for a pick when its `resched` flag is set: by the scheduler
 * (arch_sched_kick_cpu, an IPI from another pCPU), or by its slice timer.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/paging.h>
#include <asm/percpu.h>
#include <asm/power.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <asm/pv_perf.h>
#include <asm/smp.h>
#include <asm/softirq.h>
#include <asm/timers.h>
#include <asm/x86-defs.h>
#include <pvabi/sched.h>
#include <pvabi/vcpu.h>
#include <pvabi/xen.h>
#include <tessera/arch.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/event_channel.h>
#include <tessera/grant_table.h>
#include <tessera/guest_access.h>
#include <tessera/heap.h>
#include <tessera/log.h>
#include <tessera/panic.h>
#include <tessera/pirq.h>
#include <tessera/sched.h>
#include <tessera/string.h>

#define MSR_STAR   0xC0000081
#define MSR_LSTAR  0xC0000082
#define MSR_CSTAR  0xC0000083
#define MSR_SFMASK 0xC0000084
/* syscall clears these: interrupts off until the stack switch is done. */
#define SYSCALL_RFLAGS_CLEAR ((1u << 9) | (1u << 8) | (1u << 10) | (1u << 18) | (1u << 14))

extern const char syscall_entry[];
extern const char syscall32_entry[];

/* Copy src into the stack-top slot dst, reset the stack there, exit to the guest (entry.S). */
void pv_switch_to(const struct cpu_regs *src, struct cpu_regs *dst) __attribute__((noreturn));

#define MXCSR_DEFAULT       0x1F80    /* every SSE exception masked */

static struct cpu_regs *guest_frame(struct percpu *cpu)
{
    return (struct cpu_regs *)(cpu->stack_block + CPU_INFO_OFFSET - sizeof(struct cpu_regs));
}

/* ---- the hook the scheduler calls (with its locks held) ---------------- */

void arch_sched_kick_cpu(unsigned index)
{
    struct percpu *cpu = index < MAX_CPUS ? percpu_table[index] : NULL;

    if (!cpu)
        return;
    __atomic_store_n(&cpu->resched, true, __ATOMIC_SEQ_CST);
    if (cpu != this_cpu())
        apic_send_ipi(cpu->apic_id, VECTOR_IPI_WAKE);
}

bool pv_resched_pending(void)
{
    return __atomic_load_n(&this_cpu()->resched, __ATOMIC_SEQ_CST);
}

static void slice_ended(void *data)
{
    struct percpu *cpu = data;
    __atomic_store_n(&cpu->resched, true, __ATOMIC_SEQ_CST);
}

void pv_context_cpu_init(void)
{
    struct percpu *cpu = this_cpu();
    timer_init(&cpu->slice_timer, slice_ended, cpu, cpu->index);
}

/* ---- per-vCPU state ---------------------------------------------------- */

int pv_vcpu_sched_init(struct vcpu *v, unsigned weight, unsigned cap)
{
    struct pv_fpu_area *fpu = pv_fpu_alloc();
    if (!fpu)
        return -ENOMEM;
    int rc = sched_vcpu_init(v, weight, cap);
    if (rc < 0) {
        xfree(fpu);
        return rc;
    }
    v->arch->fpu = fpu;
    v->arch->xcr0 = PV_XCR0_DEFAULT;
    return 0;
}

void pv_vcpu_sched_destroy(struct vcpu *v)
{
    sched_vcpu_destroy(v);
    xfree(v->arch->fpu);
    v->arch->fpu = NULL;
}

int pv_vcpu_start(struct vcpu *v)
{
    struct arch_vcpu *a = v->arch;

    if (a->start_fresh) {
        a->saved_regs = a->initial_regs;
        a->start_fresh = false;
    }
    return sched_vcpu_up(v);
}

/* ---- switching --------------------------------------------------------- */

static void fpu_restore(const struct pv_fpu_area *f)
{
    __asm__ volatile("clts; fxrstor64 %0" : : "m"(*f) : "memory");
}

/*
 * The runstate area is a guest kernel address: write it through the
 * kernel's L4, whichever the vCPU's mode has loaded.
 */
static void publish_runstate(struct vcpu *v)
{
    struct arch_vcpu *a = v->arch;
    bool user_l4 = !a->kernel_mode && a->user_cr3;

    if (!a->runstate_area)
        return;
    if (user_l4)
        write_cr3(a->guest_cr3);
    pv_runstate_publish(v);
    if (user_l4)
        write_cr3(a->user_cr3);
}

/*
 * What a switch does to the FPU, once at boot on the real CPU: one
 * vCPU's XMM register and MXCSR saved, another's loaded over them, the
 * first restored. A CPU (or emulator) that fails this would hand guests
 * each other's SSE state.
 */
static bool fpu_switch_round_trip(void)
{
    static struct pv_fpu_area first, second;
    static const uint64_t pattern[2] = { 0x0123456789abcdefull, 0xfedcba9876543210ull };
    static const uint64_t other[2] = { 0x5555555555555555ull, 0xaaaaaaaaaaaaaaaaull };
    const uint32_t mxcsr_first = MXCSR_DEFAULT | (3u << 13);   /* round toward zero */
    const uint32_t mxcsr_other = MXCSR_DEFAULT;
    uint64_t seen[2];
    uint32_t mxcsr_seen;

    __asm__ volatile("clts; movdqu %1, %%xmm5; ldmxcsr %2; fxsave64 %0"
                     : "=m"(first) : "m"(pattern), "m"(mxcsr_first) : "memory");
    __asm__ volatile("movdqu %1, %%xmm5; ldmxcsr %2; fxsave64 %0"
                     : "=m"(second) : "m"(other), "m"(mxcsr_other) : "memory");
    fpu_restore(&first);
    __asm__ volatile("movdqu %%xmm5, %0; stmxcsr %1" : "=m"(seen), "=m"(mxcsr_seen) : : "memory");
    fpu_restore(&second);
    return seen[0] == pattern[0] && seen[1] == pattern[1] && mxcsr_seen == mxcsr_first;
}

static void count_switch(struct percpu *cpu, uint64_t took)
{
    cpu->sched_switches++;
    cpu->sched_switch_ns += took;
    if (!cpu->sched_switch_min_ns || took < cpu->sched_switch_min_ns)
        cpu->sched_switch_min_ns = took;
}

/* prev leaves this pCPU; live: its current frame is the one to keep. */
static void switch_out(struct vcpu *prev, bool live)
{
    struct arch_vcpu *a = prev->arch;

    if (a->hvm) {
        hvm_switch_out(prev);
        __atomic_store_n(&a->state_on_cpu, false, __ATOMIC_RELEASE);
        return;
    }
    if (live && a->frame)
        a->saved_regs = *a->frame;
    pv_sync_segment_bases(prev);
    pv_save_selectors(prev);
    pv_debugreg_switch_out(prev);
    pv_fpu_save(prev);
    publish_runstate(prev);
    __atomic_store_n(&a->state_on_cpu, false, __ATOMIC_RELEASE);
}

static void __attribute__((noreturn)) switch_in(struct percpu *cpu, struct vcpu *next)
{
    struct arch_vcpu *a = next->arch;

    /* Its previous CPU may still be saving it (a few hundred instructions at most). */
    while (__atomic_load_n(&a->state_on_cpu, __ATOMIC_ACQUIRE))
        arch_cpu_relax();
    __atomic_store_n(&a->state_on_cpu, true, __ATOMIC_RELAXED);

    if (a->hvm) {
        /* Its state is its VMCB's and hvm_vcpu's: none of the PV loading below. */
        a->frame = NULL;
        write_cr3(idle_cr3);
        count_switch(cpu, arch_now_ns() - cpu->sched_switch_start);
        hvm_switch_in(next, (uintptr_t)guest_frame(cpu));
    }
    write_cr3(a->kernel_mode || !a->user_cr3 ? a->guest_cr3 : a->user_cr3);
    publish_runstate(next);
    pv_load_gdt(next);
    if (!pv_load_selectors(next))
        a->failsafe_pending = true;     /* delivered on the way out (pv/traps.c) */
    pv_load_cr4(next);
    pv_write_base_msr(next, MSR_FS_BASE, a->fs_base);
    pv_write_base_msr(next, MSR_GS_BASE, a->kernel_mode ? a->gs_base_kernel : a->gs_base_user);
    pv_fpu_restore(next);
    pv_set_virtual_ts(next, a->virtual_ts);
    pv_debugreg_switch_in(next);
    if (!a->vtimers_ready)
        pv_vtimer_init(next, cpu->index);   /* its timers live on this pCPU from now on */
    else
        pv_vtimer_follow(next, cpu->index);
    pv_publish_time(next);
    a->frame = guest_frame(cpu);
    count_switch(cpu, arch_now_ns() - cpu->sched_switch_start);
    pv_switch_to(&a->saved_regs, a->frame);
}

static void arm_slice(struct percpu *cpu, uint64_t now, uint64_t slice)
{
    if (slice == SCHED_SLICE_FOREVER)
        timer_stop(&cpu->slice_timer);
    else
        timer_set(&cpu->slice_timer, now + slice);
}

/*
 * One pick, interrupts off. Returns if the pick is what already runs
 * here (prev goes on, or the pCPU stays idle), or after switching prev
 * out for idle (cpu->current then NULL); otherwise enters the new vCPU.
 */
static void schedule(struct percpu *cpu, bool prev_live)
{
    struct vcpu *prev = cpu->current;
    uint64_t slice, now = arch_now_ns();

    __atomic_store_n(&cpu->resched, false, __ATOMIC_SEQ_CST);
    struct vcpu *next = sched_pick_next(cpu->index, now, &slice);
    uint64_t took = arch_now_ns() - now;
    cpu->sched_switch_start = now;
    cpu->sched_picks++;
    cpu->sched_pick_ns += took;
    if (!cpu->sched_pick_min_ns || took < cpu->sched_pick_min_ns)
        cpu->sched_pick_min_ns = took;
    arm_slice(cpu, now, slice);
    if (next == prev) {
        /* It may have blocked and been woken before this pick: show that too. */
        if (prev)
            publish_runstate(prev);
        return;
    }
    if (prev)
        switch_out(prev, prev_live);
    cpu->current = next;
    if (next)
        switch_in(cpu, next);
    write_cr3(idle_cr3);
    count_switch(cpu, arch_now_ns() - now);
}

/*
 * Picks and switches per CPU: a pick is sched_pick_next, a switch the time
 * from the pick's start until the next vCPU's state is loaded (or the CPU
 * idles). Under an emulator the mean includes translating cold code.
 */
static void print_sched_stats(void)
{
    for (unsigned i = 0; i < MAX_CPUS; i++) {
        const struct percpu *c = percpu_table[i];
        if (!c || !c->sched_picks)
            continue;
        log_info("sched: CPU %u: %lu picks (mean %lu ns, least %lu), %lu switches "
                 "(mean %lu ns, least %lu)\n", i, (unsigned long)c->sched_picks,
                 (unsigned long)(c->sched_pick_ns / c->sched_picks),
                 (unsigned long)c->sched_pick_min_ns, (unsigned long)c->sched_switches,
                 (unsigned long)(c->sched_switches ? c->sched_switch_ns / c->sched_switches : 0),
                 (unsigned long)c->sched_switch_min_ns);
    }
}

void pv_context_check(void)
{
    if (fpu_switch_round_trip())
        log_info("pv: vCPU x87/SSE state switching checked (fxsave/fxrstor round trip)\n");
    else
        log_err("pv: fxsave/fxrstor did not round-trip XMM and MXCSR: guests sharing a "
                "CPU will see each other's SSE state\n");
}

void pv_exit_schedule(void)
{
    struct percpu *cpu = this_cpu();

    schedule(cpu, true);
    if (!cpu->current)
        cpu_idle_loop(NULL);
}

void pv_schedule_from_idle(void)
{
    schedule(this_cpu(), false);
}

void pv_schedule_away(void)
{
    struct percpu *cpu = this_cpu();

    irq_disable();
    schedule(cpu, true);       /* a downed vCPU resumes from this frame */
    /* Still here: the pick was idle, or (never expected) this same vCPU. */
    if (cpu->current) {
        log_err("CPU %u: a stopped vCPU was picked again; idling\n", cpu->index);
        switch_out(cpu->current, true);
        cpu->current = NULL;
        write_cr3(idle_cr3);
    }
    cpu_idle_loop(NULL);
}

void pv_cpu_init(void)
{
    struct percpu *cpu = this_cpu();

    cpu->syscall_stack_top = cpu->stack_block + CPU_INFO_OFFSET;
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    wrmsr(MSR_STAR, ((uint64_t)(GUEST_CS32 & ~3u) << 48) | ((uint64_t)HV_CS << 32));
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
    wrmsr(MSR_CSTAR, (uint64_t)(uintptr_t)syscall32_entry);
    wrmsr(MSR_SFMASK, SYSCALL_RFLAGS_CLEAR);
    /* The syscall entry borrows this through swapgs (see pv/entry.S). */
    wrmsr(MSR_KERNEL_GS_BASE, (uint64_t)(uintptr_t)cpu);
    /*
     * Guests use SSE (the hypervisor never does): without OSFXSR their
     * SSE instructions fault and fxsave would not save their XMM state.
     */
    write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
    pv_context_cpu_init();
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
    print_sched_stats();
    pv_perf_report();
    if (reason == SHUTDOWN_reboot)
        machine_reboot();
    if (reason == SHUTDOWN_crash || reason == SHUTDOWN_watchdog)
        panic("the control domain crashed");
    machine_poweroff();
}

/*
 * Stops d for good: its vCPUs leave their CPUs, its timers, event channels
 * and grant mappings go. Its memory stays until it is destroyed. Only the
 * first shutdown of a domain counts; later ones (another vCPU, a remote
 * request) find it done and return false.
 */
bool pv_domain_shut_down(struct domain *d, unsigned reason)
{
    const char *why = reason <= SHUTDOWN_MAX ? shutdown_names[reason] : "unknown reason";
    unsigned long flags = spin_lock_irqsave(&d->lock);
    bool first = d->state != DOMAIN_SHUTDOWN && d->state != DOMAIN_DYING;
    if (first) {
        d->state = DOMAIN_SHUTDOWN;
        d->shutdown_reason = reason;
    }
    spin_unlock_irqrestore(&d->lock, flags);
    if (!first)
        return false;
    pv_console_ring_drain(d);
    pv_console_ring_remove(d);
    log_info("domain %u ('%s') shut down: %s\n", d->domain_id, d->name, why);

    /* Its vCPUs leave their pCPUs at their next pick (the others are kicked). */
    sched_domain_pause(d);
    for (unsigned i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i])
            pv_vtimer_stop_all(d->vcpus[i]);
    evtchn_domain_destroy(d);
    pirq_domain_destroy(d);          /* its device interrupts masked, its EOI page back */
    grant_table_domain_destroy(d);   /* its mappings of others' grants go now */
    if (d->is_privileged)
        control_domain_reason = (int)reason;
    /* The control domain hears of it, as from Xen (its toolstack watches VIRQ_DOM_EXC). */
    struct domain *control = domain_get(0);
    if (control) {
        if (control != d && control->is_privileged && control->state == DOMAIN_RUNNING)
            send_guest_global_virq(control, VIRQ_DOM_EXC);
        domain_put(control);
    }
    /* The machine waits for the domains it booted, not for the toolstack's. */
    if (!d->toolstack_created)
        machine_follows_domains();
    return true;
}

void pv_domain_shutdown(struct domain *d, unsigned reason)
{
    pv_domain_shut_down(d, reason);
    pv_schedule_away();
}
