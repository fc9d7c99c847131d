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

void softirq_run_pending(void)
{
    struct percpu *cpu = this_cpu();
    uint32_t pending;

    while ((pending = __atomic_exchange_n(&cpu->softirq_pending, 0, __ATOMIC_SEQ_CST))) {
        for (unsigned nr = 0; nr < NR_SOFTIRQS; nr++)
            if ((pending & (1u << nr)) && handlers[nr])
                handlers[nr]();
    }
}
