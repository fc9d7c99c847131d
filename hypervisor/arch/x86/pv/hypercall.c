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
#include <pvabi/xen.h>
#include <tessera/arch.h>
#include <tessera/compiler.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/grant_table.h>
#include <tessera/guest_access.h>
#include <stddef.h>

typedef long (*hypercall_fn)(struct vcpu *v, const uint64_t a[5]);

static long hc_multicall(struct vcpu *v, const uint64_t a[5]);

/* grant_table_op(cmd, uop, count): common code; cmd and count are 32-bit in the ABI. */
static long hc_grant_table_op(struct vcpu *v, const uint64_t a[5])
{
    (void)v;   /* it finds the calling vCPU itself */
    return do_grant_table_op((unsigned)a[0], a[1], (unsigned)a[2]);
}

static const hypercall_fn hypercall_table[] = {
    [__HYPERVISOR_set_trap_table]    = hc_set_trap_table,
    [__HYPERVISOR_set_gdt]           = hc_set_gdt,
    [__HYPERVISOR_stack_switch]      = hc_stack_switch,
    [__HYPERVISOR_set_callbacks]     = hc_set_callbacks,
    [__HYPERVISOR_update_va_mapping] = hc_update_va_mapping,
    [__HYPERVISOR_mmuext_op]         = hc_mmuext_op,
    [__HYPERVISOR_mmu_update]        = hc_mmu_update,
    [__HYPERVISOR_update_descriptor] = hc_update_descriptor,
    [__HYPERVISOR_memory_op]         = hc_memory_op,
    [__HYPERVISOR_xen_version]       = hc_xen_version,
    [__HYPERVISOR_console_io]        = hc_console_io,
    [__HYPERVISOR_vm_assist]         = hc_vm_assist,
    [__HYPERVISOR_set_segment_base]  = hc_set_segment_base,
    [__HYPERVISOR_sched_op]          = hc_sched_op,
    [__HYPERVISOR_callback_op]       = hc_callback_op,
    [__HYPERVISOR_set_timer_op]      = hc_set_timer_op,
    [__HYPERVISOR_vcpu_op]           = hc_vcpu_op,
    [__HYPERVISOR_event_channel_op]  = hc_event_channel_op,
    [__HYPERVISOR_grant_table_op]    = hc_grant_table_op,
    [__HYPERVISOR_physdev_op]        = hc_physdev_op,
    [__HYPERVISOR_platform_op]       = hc_platform_op,
    [__HYPERVISOR_fpu_taskswitch]    = hc_fpu_taskswitch,
    [__HYPERVISOR_set_debugreg]      = hc_set_debugreg,
    [__HYPERVISOR_get_debugreg]      = hc_get_debugreg,
    [__HYPERVISOR_multicall]         = hc_multicall,
};

/*
 * multicall(entries, count): each entry's op and arguments are copied in
 * once and run as if called directly; its result is written back. iret and
 * multicall itself are refused inside a multicall. A long multicall gives
 * its CPU up between entries, and an entry that gives it up part way has
 * its arguments rewritten in the guest's list: either way the multicall
 * goes on from that entry when the vCPU next runs (Xen's continuation).
 */
static long hc_multicall(struct vcpu *v, const uint64_t a[5])
{
    struct arch_vcpu *av = v->arch;
    uint64_t list = a[0];
    unsigned count = (unsigned)a[1];

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
        e.result = fn ? (uint64_t)fn(v, args) : (uint64_t)-ENOSYS;
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
        pv_do_iret(v, regs);
    } else {
        const uint64_t args[5] = { regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8 };
        uint64_t nr = regs->rax;
        hypercall_fn fn = nr < ARRAY_SIZE(hypercall_table) ? hypercall_table[nr] : NULL;
        regs->rax = fn ? (uint64_t)fn(v, args) : (uint64_t)-ENOSYS;
    }
    pv_exit_to_guest(regs);
}
