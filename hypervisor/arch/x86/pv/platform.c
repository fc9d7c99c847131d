/*
 * platform_op for the control domain: setting the wall clock (settime32,
 * settime64), which Linux's dom0 does whenever its clock is adjusted.
 * Other platform operations (firmware information, CPU and power
 * management, microcode) are not offered: -ENOSYS.
 */
#include <stdint.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <pvabi/platform.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>

long hc_platform_op(struct vcpu *v, uint64_t arg)
{
    struct xen_platform_op op;

    if (copy_from_guest(&op, arg, sizeof(op)) < 0)
        return -EFAULT;
    if (!v->domain->is_privileged)
        return -EPERM;
    if (op.interface_version != XENPF_INTERFACE_VERSION)
        return -EACCES;
    switch (op.cmd) {
    case XENPF_settime32:
        return pv_set_wallclock(op.u.settime32.secs, op.u.settime32.nsecs,
                                op.u.settime32.system_time);
    case XENPF_settime64:
        if (op.u.settime64.mbz)
            return -EINVAL;
        return pv_set_wallclock(op.u.settime64.secs, op.u.settime64.nsecs,
                                op.u.settime64.system_time);
    default:
        return -ENOSYS;
    }
}
