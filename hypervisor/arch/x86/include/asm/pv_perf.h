/*
 * Counters of the work PV guests make the hypervisor do: every hypercall
 * (and every entry of a multicall) by number, every guest exception the
 * hypervisor emulated or passed on by vector, with the TSC cycles spent
 * handling each. Off unless the command line says `perfc`: then each
 * handler costs two TSC reads and two atomic adds. The table is printed
 * when the machine powers off, and under QEMU's -icount the cycles are
 * instructions, the same at any load (docs/performance.md).
 */
#ifndef ASM_PV_PERF_H
#define ASM_PV_PERF_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>

enum pv_perf_kind {
    PERF_HYPERCALL,      /* index: hypercall number */
    PERF_MULTICALL,      /* index: the entry's hypercall number */
    PERF_EMULATED,       /* index: vector; the hypervisor did it for the guest */
    PERF_BOUNCED,        /* index: vector; delivered to the guest's handler */
    PERF_KINDS
};

#define PERF_INDEXES 64

extern bool pv_perf_on;

void pv_perf_add(enum pv_perf_kind kind, unsigned index, uint64_t cycles);

/* Start of a measured section: 0 when counting is off. */
static inline uint64_t pv_perf_start(void)
{
    return pv_perf_on ? rdtsc() : 0;
}

static inline void pv_perf_end(enum pv_perf_kind kind, unsigned index, uint64_t start)
{
    if (start)
        pv_perf_add(kind, index, rdtsc() - start);
}

/* The table, largest total first, on the hypervisor's console. */
void pv_perf_report(void);

#endif
