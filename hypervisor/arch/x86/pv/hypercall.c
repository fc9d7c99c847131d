/*
 * PV hypercall entry: `syscall` from the guest kernel with RAX = number and
 * arguments in RDI, RSI, RDX, R10, R8. One table maps numbers to handlers;
 * a number with no handler is -ENOSYS. A `syscall` from guest user mode is
 * not a hypercall: it goes to the guest kernel's syscall callback.
 */
#include <stdint.h>
#include <asm/percpu.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <asm/pv_perf.h>
#include <asm/pv_mm.h>
#include <asm/pv_mm_audit.h>
#include <pvabi/xen.h>
#include <tessera/arch.h>
#include <tessera/compiler.h>
#include <tessera/control.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/event_channel.h>
#include <tessera/grant_table.h>
#include <tessera/guest_access.h>
#include <stddef.h>

/*
 * One hypercall's arguments as they come in registers (or a multicall
 * entry); each entry of the table below converts them to the types the
 * ABI gives them and calls the handler, so the conversions are all here.
 */
typedef long (*hypercall_fn)(struct vcpu *v, const uint64_t a[5]);

static long hc_multicall(struct vcpu *v, uint64_t list, unsigned int count);

#define HYPERCALL(name) static long call_##name(struct vcpu *v, const uint64_t a[5])

HYPERCALL(set_trap_table)    { return hc_set_trap_table(v, a[0]); }
HYPERCALL(set_gdt)           { return hc_set_gdt(v, a[0], (unsigned int)a[1]); }
HYPERCALL(stack_switch)      { return hc_stack_switch(v, a[0], a[1]); }
HYPERCALL(set_callbacks)     { return hc_set_callbacks(v, a[0], a[1], a[2]); }
HYPERCALL(update_va_mapping) { return hc_update_va_mapping(v, a[0], a[1], a[2]); }
HYPERCALL(mmuext_op)         { return hc_mmuext_op(v, a[0], (unsigned int)a[1], a[2], (unsigned int)a[3]); }
HYPERCALL(mmu_update)        { return hc_mmu_update(v, a[0], (unsigned int)a[1], a[2], (unsigned int)a[3]); }
HYPERCALL(update_descriptor) { return hc_update_descriptor(v, a[0], a[1]); }
HYPERCALL(memory_op)         { return hc_memory_op(v, a[0], a[1]); }
HYPERCALL(multicall)         { return hc_multicall(v, a[0], (unsigned int)a[1]); }
HYPERCALL(xen_version)       { return hc_xen_version(v, (int)a[0], a[1]); }
HYPERCALL(console_io)        { return hc_console_io(v, (int)a[0], (unsigned int)a[1], a[2]); }
HYPERCALL(vm_assist)         { return hc_vm_assist(v, (unsigned int)a[0], (unsigned int)a[1]); }
HYPERCALL(set_segment_base)  { return hc_set_segment_base(v, (unsigned int)a[0], a[1]); }
HYPERCALL(sched_op)          { return hc_sched_op(v, (int)a[0], a[1]); }
HYPERCALL(callback_op)       { return hc_callback_op(v, (int)a[0], a[1]); }
HYPERCALL(set_timer_op)      { return hc_set_timer_op(v, a[0]); }
HYPERCALL(vcpu_op)           { return hc_vcpu_op(v, (int)a[0], (unsigned int)a[1], a[2]); }
HYPERCALL(physdev_op)        { return hc_physdev_op(v, (int)a[0], a[1]); }
HYPERCALL(platform_op)       { return hc_platform_op(v, a[0]); }
HYPERCALL(fpu_taskswitch)    { return hc_fpu_taskswitch(v, (int)a[0]); }
HYPERCALL(set_debugreg)      { return hc_set_debugreg(v, (int)a[0], a[1]); }
HYPERCALL(get_debugreg)      { return hc_get_debugreg(v, (int)a[0]); }
/* Xen 4.17's answer with its virtual PMU off (the default): Linux's
 * /sys/hypervisor/pmu files then say "Operation not supported" too. */
HYPERCALL(xenpmu_op)         { (void)v; (void)a; return -EOPNOTSUPP; }
/* Common code: each finds the calling vCPU itself. */
HYPERCALL(event_channel_op)  { (void)v; return do_event_channel_op((int)a[0], a[1]); }
HYPERCALL(grant_table_op)    { (void)v; return do_grant_table_op((unsigned int)a[0], a[1], (unsigned int)a[2]); }
HYPERCALL(domctl)            { (void)v; return do_domctl(a[0]); }
HYPERCALL(sysctl)            { (void)v; return do_sysctl(a[0]); }

#define ENTRY(name) [__HYPERVISOR_##name] = call_##name

static const hypercall_fn hypercall_table[] = {
    ENTRY(set_trap_table),    ENTRY(set_gdt),          ENTRY(stack_switch),
    ENTRY(set_callbacks),     ENTRY(update_va_mapping), ENTRY(mmuext_op),
    ENTRY(mmu_update),        ENTRY(update_descriptor), ENTRY(memory_op),
    ENTRY(multicall),         ENTRY(xen_version),       ENTRY(console_io),
    ENTRY(vm_assist),         ENTRY(set_segment_base),  ENTRY(sched_op),
    ENTRY(callback_op),       ENTRY(set_timer_op),      ENTRY(vcpu_op),
    ENTRY(physdev_op),        ENTRY(platform_op),       ENTRY(fpu_taskswitch),
    ENTRY(set_debugreg),      ENTRY(get_debugreg),      ENTRY(event_channel_op),
    ENTRY(grant_table_op),    ENTRY(xenpmu_op),         ENTRY(domctl),
    ENTRY(sysctl),
};

/*
 * multicall(entries, count): each entry's op and arguments are copied in
 * once and run as if called directly; its result is written back. iret and
 * multicall itself are refused inside a multicall. A long multicall gives
 * its CPU up between entries, and an entry that gives it up part way has
 * its arguments rewritten in the guest's list: either way the multicall
 * goes on from that entry when the vCPU next runs (Xen's continuation).
 */
static long hc_multicall(struct vcpu *v, uint64_t list, unsigned int count)
{
    struct arch_vcpu *av = v->arch;

    for (unsigned i = 0; i < count; i++) {
        struct multicall_entry e;
        uint64_t addr = list + (uint64_t)i * sizeof(e);
        uint64_t rest[2] = { addr, count - i };
        if (i && arch_hypercall_preempt_check())
            return arch_hypercall_create_continuation(__HYPERVISOR_multicall, 2, rest);
        if (copy_from_guest(&e, addr, sizeof(e)) < 0)
            return -EFAULT;
        hypercall_fn fn = e.op < ARRAY_SIZE(hypercall_table) && e.op != __HYPERVISOR_multicall
                              ? hypercall_table[e.op] : NULL;
        uint64_t args[5] = { e.args[0], e.args[1], e.args[2], e.args[3], e.args[4] };
        for (unsigned k = 0; k < 5; k++)
            av->multicall_args[k] = args[k];   /* a continuation rewrites only its own */
        av->in_multicall = true;
        av->multicall_preempted = false;
        uint64_t perf = pv_perf_start();
        e.result = fn ? (uint64_t)fn(v, args) : (uint64_t)-ENOSYS;
        pv_perf_end(PERF_MULTICALL, e.op < PERF_INDEXES ? (unsigned)e.op : PERF_INDEXES, perf);
        av->in_multicall = false;
        if (av->multicall_preempted) {
            if (copy_to_guest(addr + offsetof(struct multicall_entry, args), av->multicall_args,
                              sizeof(av->multicall_args)) < 0)
                return -EFAULT;
            return arch_hypercall_create_continuation(__HYPERVISOR_multicall, 2, rest);
        }
        if (copy_to_guest(addr + offsetof(struct multicall_entry, result), &e.result,
                          sizeof(e.result)) < 0)
            return -EFAULT;
    }
    return 0;
}

void pv_handle_syscall(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();

    v->arch->frame = regs;
    v->arch->in_multicall = false;      /* an entry that never returned leaves it set */
    if (!v->arch->kernel_mode) {
        pv_bounce_syscall(v, regs);
    } else if (regs->rax == __HYPERVISOR_iret) {
        uint64_t perf = pv_perf_start();
        pv_do_iret(v, regs);
        pv_perf_end(PERF_HYPERCALL, __HYPERVISOR_iret, perf);
    } else {
        const uint64_t args[5] = { regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8 };
        uint64_t nr = regs->rax;
        hypercall_fn fn = nr < ARRAY_SIZE(hypercall_table) ? hypercall_table[nr] : NULL;
        struct percpu *cpu = this_cpu();
        __atomic_store_n(&cpu->hypercall_nr, (uint32_t)nr, __ATOMIC_RELAXED);
        __atomic_store_n(&cpu->hypercalls_begun, cpu->hypercalls_begun + 1, __ATOMIC_RELAXED);
        uint64_t perf = pv_perf_start();
        regs->rax = fn ? (uint64_t)fn(v, args) : (uint64_t)-ENOSYS;
        /* The vCPU may have been switched away and back: the CPU it ends on. */
        __atomic_store_n(&this_cpu()->hypercall_nr, UINT32_MAX, __ATOMIC_RELAXED);
        /* A number past the table is not counted (truncated, it would pose as another). */
        pv_perf_end(PERF_HYPERCALL, nr < PERF_INDEXES ? (unsigned)nr : PERF_INDEXES, perf);
        if (pv_audit_every)
            pv_audit_after_hypercall(v, nr);
        pv_foreign_release();   /* no lock held here (pv/foreign.c) */
    }
    pv_exit_to_guest(regs);
}

/* `syscall` from 32-bit code (pv/entry.S syscall32_entry): always a bounce. */
void pv_handle_syscall32(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();

    v->arch->frame = regs;
    v->arch->in_multicall = false;
    pv_bounce_syscall(v, regs);
    pv_exit_to_guest(regs);
}
