/*
 * Tessera guest ABI: hvm_op (hypercall 34), what an HVM or PVH guest asks
 * of the hypervisor about its own platform: the numbers and layouts of
 * Xen's public/hvm/hvm_op.h and public/hvm/params.h.
 */
#ifndef PVABI_HVM_OP_H
#define PVABI_HVM_OP_H

#include <pvabi/types.h>

#define HVMOP_set_param                 0   /* arg: xen_hvm_param */
#define HVMOP_get_param                 1   /* arg: xen_hvm_param (value OUT) */
#define HVMOP_pagetable_dying           9   /* arg: xen_hvm_pagetable_dying */
#define HVMOP_set_evtchn_upcall_vector 23   /* arg: xen_hvm_evtchn_upcall_vector */

/* Parameters (xen_hvm_param.index) a guest reads or sets for itself. */
#define HVM_PARAM_CALLBACK_IRQ      0   /* how events reach the guest, below */
#define HVM_PARAM_STORE_PFN         1   /* the xenstore ring's guest frame */
#define HVM_PARAM_STORE_EVTCHN      2
#define HVM_PARAM_CONSOLE_PFN      17   /* the console ring's guest frame */
#define HVM_PARAM_CONSOLE_EVTCHN   18

/* HVM_PARAM_CALLBACK_IRQ: the type in bits 63:56, its argument below. */
#define HVM_PARAM_CALLBACK_TYPE_SHIFT   56
#define HVM_PARAM_CALLBACK_TYPE_GSI      0   /* a GSI of the emulated IO-APIC */
#define HVM_PARAM_CALLBACK_TYPE_PCI_INTX 1   /* a PCI device's INTx */
#define HVM_PARAM_CALLBACK_TYPE_VECTOR   2   /* an interrupt vector, bits 7:0, every vCPU */

#ifndef __ASSEMBLY__

struct xen_hvm_param {
    domid_t domid;              /* IN: DOMID_SELF or a domain's id */
    uint32_t index;             /* IN: HVM_PARAM_* */
    uint64_t value;             /* IN (set) or OUT (get) */
};

struct xen_hvm_pagetable_dying {
    domid_t domid;              /* IN */
    uint64_t gpa;               /* IN: the top-level page table going away */
};

struct xen_hvm_evtchn_upcall_vector {
    uint32_t vcpu;              /* IN */
    uint8_t vector;             /* IN */
};

_Static_assert(sizeof(struct xen_hvm_param) == 16, "xen_hvm_param");
_Static_assert(sizeof(struct xen_hvm_pagetable_dying) == 16, "xen_hvm_pagetable_dying");

#endif /* !__ASSEMBLY__ */
#endif /* PVABI_HVM_OP_H */
