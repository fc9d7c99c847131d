/*
 * Per-CPU timers on the local APIC's one-shot timer. Each CPU's queue is
 * guarded by its timer_lock; the APIC is re-programmed whenever the
 * earliest deadline changes, and expired timers run from the TIMER softirq.
 */
#include <stdint.h>
#include <asm/apic.h>
#include <asm/percpu.h>
#include <asm/softirq.h>
#include <asm/percpu.h>
#include <asm/timers.h>
#include <tessera/arch.h>
#include <tessera/spinlock.h>

static void program_next(struct percpu *cpu)
{
    uint64_t next = timer_queue_next(&cpu->timers);

    if (next == UINT64_MAX) {
        cpu->lapic_deadline_ns = 0;
        apic_timer_set_deadline(0);
    } else if (next != cpu->lapic_deadline_ns) {
        cpu->lapic_deadline_ns = next;
        apic_timer_set_deadline(next);
    }
}

static void timer_softirq(void)
{
    struct percpu *cpu = this_cpu();
    unsigned long flags = spin_lock_irqsave(&cpu->timer_lock);

    cpu->lapic_deadline_ns = 0;     /* the one-shot has fired */
    cpu->running_timers = true;
    timer_queue_run(&cpu->timers, arch_now_ns());
    cpu->running_timers = false;
    program_next(cpu);
    spin_unlock_irqrestore(&cpu->timer_lock, flags);
}

void timers_init(void)
{
    softirq_register(SOFTIRQ_TIMER, timer_softirq);
}

/*
 * A timer lives on the queue of the CPU timer_init() gave it. Changing it
 * from another CPU asks that CPU to re-program its APIC through a softirq.
 */
static struct percpu *timer_cpu(const struct timer *t)
{
    struct percpu *cpu = t->cpu < MAX_CPUS ? percpu_table[t->cpu] : NULL;
    return cpu ? cpu : this_cpu();
}

static void reprogram(struct percpu *cpu)
{
    if (cpu == this_cpu())
        program_next(cpu);
    else
        softirq_raise_on(cpu->index, SOFTIRQ_TIMER);
}

void timer_set(struct timer *t, uint64_t expires_ns)
{
    struct percpu *cpu = timer_cpu(t);

    if (cpu == this_cpu() && cpu->running_timers) {
        /* From a callback: the lock is ours, and the softirq re-programs. */
        timer_add(&cpu->timers, t, expires_ns);
        return;
    }
    unsigned long flags = spin_lock_irqsave(&cpu->timer_lock);

    timer_add(&cpu->timers, t, expires_ns);
    if (cpu == this_cpu())
        program_next(cpu);
    spin_unlock_irqrestore(&cpu->timer_lock, flags);
    if (cpu != this_cpu())
        reprogram(cpu);
}

void timer_migrate(struct timer *t, unsigned to)
{
    struct percpu *from = timer_cpu(t);

    if (t->cpu == to)
        return;
    /* Under the old queue's lock: a callback running there has finished. */
    unsigned long flags = spin_lock_irqsave(&from->timer_lock);
    bool armed = timer_active(t);
    uint64_t expires = t->expires;
    if (armed)
        timer_del(&from->timers, t);
    t->cpu = to;
    spin_unlock_irqrestore(&from->timer_lock, flags);
    if (armed)
        timer_set(t, expires);
}

void timer_stop(struct timer *t)
{
    struct percpu *cpu = timer_cpu(t);

    if (cpu == this_cpu() && cpu->running_timers) {
        timer_del(&cpu->timers, t);
        return;
    }
    unsigned long flags = spin_lock_irqsave(&cpu->timer_lock);

    timer_del(&cpu->timers, t);
    if (cpu == this_cpu())
        program_next(cpu);
    spin_unlock_irqrestore(&cpu->timer_lock, flags);
}

bool timer_peek(struct timer *t, uint64_t *expires_ns)
{
    struct percpu *cpu = timer_cpu(t);
    unsigned long flags = spin_lock_irqsave(&cpu->timer_lock);
    bool armed = timer_active(t);

    *expires_ns = t->expires;
    spin_unlock_irqrestore(&cpu->timer_lock, flags);
    return armed;
}

bool timer_queue_peek(unsigned index, struct timer_queue_view *out)
{
    struct percpu *cpu = index < MAX_CPUS ? percpu_table[index] : NULL;

    if (!cpu || !cpu->online)
        return false;
    /* Only a try: a CPU stuck holding its lock must not stop the one looking. */
    unsigned long flags = arch_irq_save();
    if (!spin_trylock(&cpu->timer_lock)) {
        arch_irq_restore(flags);
        return false;
    }
    out->nr = cpu->timers.nr;
    out->next_ns = timer_queue_next(&cpu->timers);
    out->lapic_deadline_ns = cpu->lapic_deadline_ns;
    out->consistent = timer_queue_check(&cpu->timers) == 0;
    spin_unlock(&cpu->timer_lock);
    arch_irq_restore(flags);
    out->softirq_pending = __atomic_load_n(&cpu->softirq_pending, __ATOMIC_SEQ_CST) &
                           (1u << SOFTIRQ_TIMER);
    out->hypercall_nr = __atomic_load_n(&cpu->hypercall_nr, __ATOMIC_RELAXED);
    out->hypercalls_begun = __atomic_load_n(&cpu->hypercalls_begun, __ATOMIC_RELAXED);
    return true;
}
