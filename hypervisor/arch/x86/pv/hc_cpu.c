/* Hypercalls about a vCPU's virtual CPU state: trap table, callbacks, stacks, segments. */
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <pvabi/arch_x86_64.h>
#include <pvabi/callback.h>
#include <pvabi/xen.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>

long hc_set_trap_table(struct vcpu *v, uint64_t traps)
{
    return pv_set_trap_table(v, traps);
}

long hc_stack_switch(struct vcpu *v, uint64_t ss, uint64_t sp)
{
    v->arch->kernel_ss = ss;
    v->arch->kernel_sp = sp;
    return 0;
}

/* set_callbacks(event, failsafe, syscall): the older form of callback_op. */
long hc_set_callbacks(struct vcpu *v, uint64_t event, uint64_t failsafe, uint64_t syscall)
{
    const struct callback_register cbs[3] = {
        { .type = CALLBACKTYPE_event, .address = event },
        { .type = CALLBACKTYPE_failsafe, .address = failsafe },
        { .type = CALLBACKTYPE_syscall, .address = syscall },
    };
    for (unsigned i = 0; i < 3; i++) {
        long rc = pv_register_callback(v, &cbs[i]);
        if (rc)
            return rc;
    }
    return 0;
}

/*
 * CALLBACKOP_unregister: only the NMI callback may go (an NMI sent then is
 * dropped, as in Xen); the ones a PV kernel cannot live without (and the
 * 32-bit entries) stay registered.
 */
static long unregister_callback(struct vcpu *v, unsigned type)
{
    switch (type) {
    case CALLBACKTYPE_nmi:
        v->arch->traps[PV_NMI_VECTOR] = (struct pv_trap_entry){ 0 };
        return 0;
    case CALLBACKTYPE_event:
    case CALLBACKTYPE_failsafe:
    case CALLBACKTYPE_syscall:
    case CALLBACKTYPE_syscall32:
    case CALLBACKTYPE_sysenter:
        return -EINVAL;
    default:
        (void)v;
        return -ENOSYS;
    }
}

long hc_callback_op(struct vcpu *v, int cmd, uint64_t arg)
{
    if (cmd == CALLBACKOP_register) {
        struct callback_register cb;
        if (copy_from_guest(&cb, arg, sizeof(cb)) < 0)
            return -EFAULT;
        return pv_register_callback(v, &cb);
    }
    if (cmd == CALLBACKOP_unregister) {
        struct callback_unregister cb;
        if (copy_from_guest(&cb, arg, sizeof(cb)) < 0)
            return -EFAULT;
        return unregister_callback(v, cb.type);
    }
    return -ENOSYS;
}

long hc_set_segment_base(struct vcpu *v, unsigned int which, uint64_t base)
{

    switch (which) {
    case SEGBASE_FS:
        if (!pv_canonical(base))
            return -EINVAL;
        v->arch->fs_base = base;
        pv_write_base_msr(v, MSR_FS_BASE, base);
        return 0;
    case SEGBASE_GS_KERNEL:
        if (!pv_canonical(base))
            return -EINVAL;
        v->arch->gs_base_kernel = base;
        if (v->arch->kernel_mode)
            pv_write_base_msr(v, MSR_GS_BASE, base);
        return 0;
    case SEGBASE_GS_USER:
        if (!pv_canonical(base))
            return -EINVAL;
        v->arch->gs_base_user = base;
        if (!v->arch->kernel_mode)
            pv_write_base_msr(v, MSR_GS_BASE, base);
        return 0;
    case SEGBASE_GS_USER_SEL:
        /* Loaded as user mode would; a selector the GDT refuses loads as null (as Xen). */
        pv_load_user_gs_selector(v, (uint16_t)base);
        return 0;
    default:
        return -EINVAL;
    }
}

void pv_set_virtual_ts(struct vcpu *v, bool ts)
{
    v->arch->virtual_ts = ts;
    uint64_t cr0 = read_cr0();
    write_cr0(ts ? cr0 | X86_CR0_TS : cr0 & ~(uint64_t)X86_CR0_TS);
}

long hc_fpu_taskswitch(struct vcpu *v, int set)
{
    pv_set_virtual_ts(v, set != 0);
    return 0;
}

/* The debug registers (pv/debugreg.c), with Xen's checks. */
long hc_set_debugreg(struct vcpu *v, int reg, uint64_t val)
{
    return pv_set_debugreg(v, (unsigned)reg, val);
}

long hc_get_debugreg(struct vcpu *v, int reg)
{
    uint64_t value;
    long rc = pv_get_debugreg(v, (unsigned)reg, &value);
    return rc ? rc : (long)value;
}

/* The 64-bit PV guest's assists; an HVM guest may have only the runstate flag (hvm/hypercall.c). */
#define PV_VM_ASSISTS ((1ul << VMASST_TYPE_writable_pagetables) | \
                       (1ul << VMASST_TYPE_pae_extended_cr3) | \
                       (1ul << VMASST_TYPE_architectural_iopl) | \
                       (1ul << VMASST_TYPE_runstate_update_flag) | \
                       (1ul << VMASST_TYPE_m2p_strict))

long vm_assist_op(struct vcpu *v, unsigned int cmd, unsigned int type, unsigned long allowed)
{
    if (type >= 64 || !(allowed & (1ul << type)))
        return -EINVAL;
    unsigned long *assists = &v->domain->arch->vm_assist;
    if (cmd == VMASST_CMD_enable)
        __atomic_fetch_or(assists, 1ul << type, __ATOMIC_SEQ_CST);
    else if (cmd == VMASST_CMD_disable)
        __atomic_fetch_and(assists, ~(1ul << type), __ATOMIC_SEQ_CST);
    else
        return -ENOSYS;
    return 0;
}

long hc_vm_assist(struct vcpu *v, unsigned int cmd, unsigned int type)
{
    return vm_assist_op(v, cmd, type, PV_VM_ASSISTS);
}
