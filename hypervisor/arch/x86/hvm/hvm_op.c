/*
 * hvm_op from an HVM/PVH guest about itself (Xen's do_hvm_op): its
 * parameters, of which the event upcall's vector is the one that matters
 * now, and the two hints Linux gives. Permissions as Xen 4.17's for a
 * guest naming itself: it may set only the callback and the two event
 * channels, and read all but the device model's ioreq pages; naming
 * another domain is -EPERM (no HVM domain here controls another).
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/hvm.h>
#include <asm/pv.h>
#include <pvabi/hvm_op.h>
#include <pvabi/xen.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/format.h>
#include <tessera/guest_access.h>
#include <tessera/log.h>
#include "hvm_internal.h"

#define HVM_PARAM_IOREQ_PFN         5
#define HVM_PARAM_BUFIOREQ_PFN      6
#define HVM_PARAM_BUFIOREQ_EVTCHN  26

static bool names_self(const struct vcpu *v, domid_t domid)
{
    return domid == DOMID_SELF || domid == v->domain->domain_id;
}

static bool guest_may_set(uint32_t index)
{
    return index == HVM_PARAM_CALLBACK_IRQ || index == HVM_PARAM_STORE_EVTCHN ||
           index == HVM_PARAM_CONSOLE_EVTCHN;
}

static bool guest_may_get(uint32_t index)
{
    return index != HVM_PARAM_IOREQ_PFN && index != HVM_PARAM_BUFIOREQ_PFN &&
           index != HVM_PARAM_BUFIOREQ_EVTCHN;
}

/*
 * HVM_PARAM_CALLBACK_IRQ: only the vector form can be honoured (there is no
 * emulated IO-APIC or PCI device for the GSI and INTx forms); 0 turns the
 * upcall off.
 */
static long set_callback(struct vcpu *v, uint64_t value)
{
    unsigned type = (unsigned)(value >> HVM_PARAM_CALLBACK_TYPE_SHIFT);
    char why[112];

    if (value != 0 && type != HVM_PARAM_CALLBACK_TYPE_VECTOR) {
        format(why, sizeof(why), "HVM_PARAM_CALLBACK_IRQ %#lx: the GSI and PCI INTx forms need "
               "an emulated interrupt controller (not yet)", (unsigned long)value);
        hvm_domain_crash(v, why);
    }
    if (value != 0 && !hvm_ops->request_interrupt) {
        format(why, sizeof(why), "HVM_PARAM_CALLBACK_IRQ: event upcall vectors are not "
               "injected on %s yet", hvm_ops->name);
        hvm_domain_crash(v, why);
    }
    __atomic_store_n(&v->domain->arch->hvm->callback_vector, (uint8_t)value, __ATOMIC_RELEASE);
    log_info("domain %u: event upcall on vector %#x\n", v->domain->domain_id, (unsigned)(uint8_t)value);
    /* Events already pending reach the guest on its next entry. */
    return 0;
}

static long param_op(struct vcpu *v, bool set, uint64_t arg)
{
    struct xen_hvm_param p;
    struct hvm_domain *h = v->domain->arch->hvm;

    if (copy_from_guest(&p, arg, sizeof(p)) < 0)
        return -EFAULT;
    if (!names_self(v, p.domid))
        return -EPERM;
    if (p.index >= HVM_NR_PARAMS)
        return -EINVAL;
    if (!set) {
        if (!guest_may_get(p.index))
            return -EPERM;
        p.value = h->params[p.index];
        return copy_to_guest(arg, &p, sizeof(p)) < 0 ? -EFAULT : 0;
    }
    if (!guest_may_set(p.index))
        return -EPERM;
    if (p.index == HVM_PARAM_CALLBACK_IRQ) {
        long rc = set_callback(v, p.value);
        if (rc < 0)
            return rc;
    }
    h->params[p.index] = p.value;
    return 0;
}

long hvm_op(struct vcpu *v, uint64_t op, uint64_t arg)
{
    switch (op) {
    case HVMOP_set_param:
    case HVMOP_get_param:
        return param_op(v, op == HVMOP_set_param, arg);
    case HVMOP_pagetable_dying: {
        /* A hint for shadow paging; with nested paging there is nothing to drop. */
        struct xen_hvm_pagetable_dying a;
        if (copy_from_guest(&a, arg, sizeof(a)) < 0)
            return -EFAULT;
        return names_self(v, a.domid) ? 0 : -EOPNOTSUPP;
    }
    default:
        /* HVMOP_set_evtchn_upcall_vector among them: CPUID 0x40000004 does not offer it. */
        hvm_log_unsupported(v, "hvm_op", op);
        return -ENOSYS;
    }
}
