/*
 * Cross-CPU TLB flushes (asm/tlb_flush.h). Each CPU has a request flag and
 * a count of requests served; a requester sets the flag, sends the flush
 * IPI and waits for the count to move.
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

    if (!cpu || !__atomic_load_n(&cpu->tlb_flush_requested, __ATOMIC_ACQUIRE))
        return;
    __atomic_store_n(&cpu->tlb_flush_requested, false, __ATOMIC_SEQ_CST);
    write_cr3(read_cr3());
    __atomic_fetch_add(&cpu->tlb_flushes_done, 1, __ATOMIC_RELEASE);
}

void flush_tlb_domain(struct domain *d)
{
    struct percpu *self = this_cpu();
    uint64_t served[MAX_CPUS];
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
        served[i] = __atomic_load_n(&cpu->tlb_flushes_done, __ATOMIC_ACQUIRE);
        __atomic_store_n(&cpu->tlb_flush_requested, true, __ATOMIC_SEQ_CST);
        apic_send_ipi(cpu->apic_id, VECTOR_IPI_FLUSH);
        asked[i] = true;
    }
    write_cr3(read_cr3());
    for (unsigned i = 0; i < MAX_CPUS; i++)
        while (asked[i] &&
               __atomic_load_n(&percpu_table[i]->tlb_flushes_done, __ATOMIC_ACQUIRE) == served[i])
            arch_cpu_relax();
}
