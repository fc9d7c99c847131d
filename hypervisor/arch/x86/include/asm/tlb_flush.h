/*
 * TLB shootdown for guest mappings. Guest L1 entries are never global
 * (the PV MMU strips the bit), so a CR3 reload drops every guest
 * translation a CPU holds, and a CPU that switches vCPUs reloads CR3
 * anyway; only CPUs running a vCPU of the domain right now need an IPI.
 */
#ifndef ASM_TLB_FLUSH_H
#define ASM_TLB_FLUSH_H

struct domain;

/*
 * Flushes this CPU and waits until every other CPU that was running a vCPU
 * of d has flushed too. Call after the page-table change, before the frame
 * it unmapped can be freed or reused. Safe with locks held and interrupts
 * off: waiting CPUs serve each other's requests (see tlb_flush_service).
 */
void flush_tlb_domain(struct domain *d);

/*
 * Carries out a flush another CPU asked this one for, if any. Called by the
 * flush IPI, and by every spin-wait (arch_cpu_relax), so that a CPU spinning
 * with interrupts off cannot leave a flush waiting forever.
 */
void tlb_flush_service(void);

#endif
