#include <stdbool.h>
#include <stdint.h>
#include <asm/apic.h>
#include <asm/percpu.h>
#include <asm/softirq.h>

static softirq_handler handlers[NR_SOFTIRQS];

void softirq_register(enum softirq nr, softirq_handler fn)
{
    handlers[nr] = fn;
}

void softirq_raise(enum softirq nr)
{
    __atomic_fetch_or(&this_cpu()->softirq_pending, 1u << nr, __ATOMIC_SEQ_CST);
}

void softirq_raise_on(unsigned cpu, enum softirq nr)
{
    struct percpu *target = percpu_table[cpu];

    __atomic_fetch_or(&target->softirq_pending, 1u << nr, __ATOMIC_SEQ_CST);
    if (target != this_cpu())
        apic_send_ipi(target->apic_id, VECTOR_IPI_WAKE);
}

bool softirq_pending(void)
{
    return __atomic_load_n(&this_cpu()->softirq_pending, __ATOMIC_SEQ_CST) != 0;
}

/*
 * One softirq at a time, each cleared just before its handler runs: a
 * handler that never returns (one that enters a guest) leaves the others
 * pending, not lost.
 */
void softirq_run_pending(void)
{
    struct percpu *cpu = this_cpu();
    uint32_t pending;

    while ((pending = __atomic_load_n(&cpu->softirq_pending, __ATOMIC_SEQ_CST))) {
        unsigned nr = (unsigned)__builtin_ctz(pending);
        __atomic_fetch_and(&cpu->softirq_pending, ~(1u << nr), __ATOMIC_SEQ_CST);
        if (nr < NR_SOFTIRQS && handlers[nr])
            handlers[nr]();
    }
}
