/*
 * Preemptible hypercalls, the x86 PV side (the hooks in tessera/arch.h).
 *
 * Hypercalls run with interrupts off, so a long batch would hold its CPU
 * while timers expire and other CPUs wait in TLB shoot-downs. Between
 * items a batch asks whether anything waits: the check opens interrupts
 * for one instruction so a pending timer or IPI can mark its work, then
 * looks for softirqs, a scheduling request, or events for the vCPU. If so,
 * the hypercall becomes a continuation, as in Xen: its registers say the
 * hypercall again with the remaining work (RAX the number, the arguments
 * rewritten) and RIP is moved back over the 2-byte `syscall`, so when the
 * vCPU next runs, after whatever the exit path does (softirqs, a switch,
 * an upcall), it issues the rest itself. Nothing is kept in the
 * hypervisor between the pieces.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/pv.h>
#include <asm/regs.h>
#include <asm/softirq.h>
#include <tessera/arch.h>
#include <tessera/domain.h>

#define SYSCALL_INSN_LEN 2

bool arch_hypercall_preempt_check(void)
{
    struct vcpu *v = current_vcpu();

    irq_enable();
    __asm__ volatile("nop");        /* sti takes effect after one instruction */
    irq_disable();
    if (softirq_pending() || pv_resched_pending())
        return true;
    return v && v->vcpu_info && !v->vcpu_info->evtchn_upcall_mask &&
           __atomic_load_n(&v->vcpu_info->evtchn_upcall_pending, __ATOMIC_ACQUIRE);
}

long arch_hypercall_create_continuation(unsigned int op, unsigned int nargs, const uint64_t *args)
{
    struct vcpu *v = current_vcpu();
    struct arch_vcpu *a = v->arch;

    if (nargs > 5)
        nargs = 5;
    if (a->in_multicall) {
        for (unsigned i = 0; i < nargs; i++)
            a->multicall_args[i] = args[i];
        a->multicall_preempted = true;
        return (long)op;
    }
    struct cpu_regs *r = a->frame;
    uint64_t *regs[5] = { &r->rdi, &r->rsi, &r->rdx, &r->r10, &r->r8 };
    for (unsigned i = 0; i < nargs; i++)
        *regs[i] = args[i];
    r->rip -= SYSCALL_INSN_LEN;
    return (long)op;    /* the dispatcher stores it in RAX: the number to issue again */
}
