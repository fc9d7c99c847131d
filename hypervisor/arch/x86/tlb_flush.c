/*
 * Cross-CPU TLB flushes (asm/tlb_flush.h), by ticket: a requester takes the
 * next ticket of the target CPU (tlb_flush_asked), sends the flush IPI and
 * waits until the target's tlb_flushes_done reaches its ticket. The target
 * reads how many tickets are out *before* it flushes and publishes that
 * number after: every ticket it covers was taken, and so its page-table
 * change made, before the flush began. (A request flag and a served count
 * could not say that: a service already past clearing the flag when a new
 * request came would count for it with a flush that preceded its change.)
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/percpu.h>
#include <asm/tlb_flush.h>
#include <tessera/arch.h>
#include <tessera/domain.h>

void tlb_flush_service(void)
{
    struct percpu *cpu = this_cpu();

    if (!cpu)
        return;
    uint64_t asked = __atomic_load_n(&cpu->tlb_flush_asked, __ATOMIC_ACQUIRE);
    uint64_t done = __atomic_load_n(&cpu->tlb_flushes_done, __ATOMIC_ACQUIRE);
    if (asked == done)
        return;
    write_cr3(read_cr3());
    /*
     * Only this CPU writes 'done', but the IPI may interrupt a service
     * called from a spin-wait: never move it backwards.
     */
    while (done < asked &&
           !__atomic_compare_exchange_n(&cpu->tlb_flushes_done, &done, asked, false,
                                        __ATOMIC_RELEASE, __ATOMIC_ACQUIRE))
        ;
}

void flush_tlb_domain(struct domain *d)
{
    struct percpu *self = this_cpu();
    uint64_t ticket[MAX_CPUS];
    bool asked[MAX_CPUS] = { false };

    /* The page-table writes must be visible before we look who runs d. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    for (unsigned i = 0; i < MAX_CPUS; i++) {
        struct percpu *cpu = percpu_table[i];
        if (!cpu || cpu == self || !cpu->online)
            continue;
        struct vcpu *running = __atomic_load_n(&cpu->current, __ATOMIC_ACQUIRE);
        if (!running || running->domain != d)
            continue;
        ticket[i] = __atomic_add_fetch(&cpu->tlb_flush_asked, 1, __ATOMIC_SEQ_CST);
        apic_send_ipi(cpu->apic_id, VECTOR_IPI_FLUSH);
        asked[i] = true;
    }
    write_cr3(read_cr3());
    for (unsigned i = 0; i < MAX_CPUS; i++)
        while (asked[i] &&
               __atomic_load_n(&percpu_table[i]->tlb_flushes_done, __ATOMIC_ACQUIRE) < ticket[i])
            arch_cpu_relax();
}
