/* Hypercalls about a vCPU's virtual CPU state: trap table, callbacks, stacks, segments. */
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <pvabi/callback.h>
#include <pvabi/xen.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>

long hc_set_trap_table(struct vcpu *v, const uint64_t a[5])
{
    return pv_set_trap_table(v, a[0]);
}

long hc_stack_switch(struct vcpu *v, const uint64_t a[5])
{
    v->arch->kernel_ss = a[0];
    v->arch->kernel_sp = a[1];
    return 0;
}

/* set_callbacks(event, failsafe, syscall): the older form of callback_op. */
long hc_set_callbacks(struct vcpu *v, const uint64_t a[5])
{
    const struct callback_register cbs[3] = {
        { .type = CALLBACKTYPE_event, .address = a[0] },
        { .type = CALLBACKTYPE_failsafe, .address = a[1] },
        { .type = CALLBACKTYPE_syscall, .address = a[2] },
    };
    for (unsigned i = 0; i < 3; i++) {
        long rc = pv_register_callback(v, &cbs[i]);
        if (rc)
            return rc;
    }
    return 0;
}

long hc_callback_op(struct vcpu *v, const uint64_t a[5])
{
    if (a[0] == CALLBACKOP_register) {
        struct callback_register cb;
        if (copy_from_guest(&cb, a[1], sizeof(cb)) < 0)
            return -EFAULT;
        return pv_register_callback(v, &cb);
    }
    if (a[0] == CALLBACKOP_unregister) {
        struct callback_unregister cb;
        if (copy_from_guest(&cb, a[1], sizeof(cb)) < 0)
            return -EFAULT;
        struct callback_register none = { .type = cb.type, .address = 0 };
        return cb.type == CALLBACKTYPE_event ? -EINVAL : pv_register_callback(v, &none);
    }
    return -ENOSYS;
}

static int canonical(uint64_t a)
{
    return a < 0x0000800000000000ull || a >= 0xFFFF800000000000ull;
}

long hc_set_segment_base(struct vcpu *v, const uint64_t a[5])
{
    uint64_t base = a[1];

    switch (a[0]) {
    case SEGBASE_FS:
        if (!canonical(base))
            return -EINVAL;
        v->arch->fs_base = base;
        wrmsr(MSR_FS_BASE, base);
        return 0;
    case SEGBASE_GS_KERNEL:
        if (!canonical(base))
            return -EINVAL;
        v->arch->gs_base_kernel = base;
        if (v->arch->kernel_mode)
            wrmsr(MSR_GS_BASE, base);
        return 0;
    case SEGBASE_GS_USER:
        if (!canonical(base))
            return -EINVAL;
        v->arch->gs_base_user = base;
        if (!v->arch->kernel_mode)
            wrmsr(MSR_GS_BASE, base);
        return 0;
    case SEGBASE_GS_USER_SEL:
        return a[1] & 0xFFFF ? -EINVAL : 0;   /* only the null selector, for now */
    default:
        return -EINVAL;
    }
}

long hc_vm_assist(struct vcpu *v, const uint64_t a[5])
{
    uint64_t type = a[1];
    /* Accepted assists: the ones a 64-bit PV guest may ask for. */
    const unsigned long known = (1ul << VMASST_TYPE_writable_pagetables) |
                                (1ul << VMASST_TYPE_pae_extended_cr3) |
                                (1ul << VMASST_TYPE_runstate_update_flag) |
                                (1ul << VMASST_TYPE_m2p_strict);
    if (type >= 64 || !(known & (1ul << type)))
        return -EINVAL;
    if (a[0] == VMASST_CMD_enable)
        v->arch->vm_assist |= 1ul << type;
    else if (a[0] == VMASST_CMD_disable)
        v->arch->vm_assist &= ~(1ul << type);
    else
        return -ENOSYS;
    return 0;
}
