/*
 * Hypercalls from HVM guests: VMMCALL (SVM) or VMCALL (VT-x) with the number in RAX and the
 * arguments in RDI, RSI, RDX, R10, R8 (64-bit code) or EBX, ECX, EDX,
 * ESI, EDI (32-bit code), the result in RAX, as on Xen. Only from the
 * guest's kernel (CPL 0): -EPERM otherwise. Pointers are guest-virtual,
 * read through the guest's page tables (copy_from_guest). This slice
 * offers xen_version and sched_op (yield, shutdown); the rest is -ENOSYS.
 *
 * The hypercall page: a write of a page's guest-physical address to the
 * MSR CPUID 0x40000002 names fills it with one 32-byte stub per
 * hypercall, "mov $nr, %eax; vmmcall; ret" on AMD, vmcall on Intel (the
 * other vendor's instruction is #UD there), as Xen writes it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/hvm.h>
#include <asm/hvm_insn.h>
#include <asm/layout.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <pvabi/sched.h>
#include <pvabi/xen.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>
#include <tessera/sched.h>
#include <tessera/string.h>
#include "hvm_internal.h"

#define STUB_SIZE 32

int hvm_hypercall_page_msr(struct vcpu *v, uint64_t value)
{
    uint64_t gpa = value & ~(uint64_t)(PAGE_SIZE - 1);

    if ((value & (PAGE_SIZE - 1)) || (gpa >> PAGE_SHIFT) >= v->domain->arch->hvm->nr_pages)
        return -1;                     /* a page index other than 0, or not its memory */
    for (unsigned nr = 0; nr < PAGE_SIZE / STUB_SIZE; nr++) {
        uint8_t s[STUB_SIZE];
        memset(s, 0xCC, sizeof(s));
        s[0] = 0xB8;                               /* mov $nr, %eax */
        memcpy(s + 1, &nr, 4);
        memcpy(s + 5, hvm_ops->hypercall_insn, 3); /* vmmcall or vmcall */
        s[8] = 0xC3;                               /* ret */
        if (hvm_copy_to_gpa(v->domain, gpa + nr * STUB_SIZE, s, sizeof(s)) < 0)
            return -1;
    }
    return 0;
}

static long sched_op(struct vcpu *v, int cmd, uint64_t arg)
{
    struct sched_shutdown s;

    switch (cmd) {
    case SCHEDOP_yield:
        sched_vcpu_yield(v);
        return 0;
    case SCHEDOP_shutdown:
        if (copy_from_guest(&s, arg, sizeof(s)) < 0)
            return -EFAULT;
        pv_domain_shutdown(v->domain, s.reason);
    default:
        return -ENOSYS;
    }
}

void hvm_hypercall(struct vcpu *v, uint64_t next_rip)
{
    struct hvm_regs *r = &v->arch->hvm->regs;
    bool wide = hvm_long_mode(v);
    uint64_t nr = wide ? r->rax : (uint32_t)r->rax;
    uint64_t a1 = wide ? r->rdi : (uint32_t)r->rbx;
    uint64_t a2 = wide ? r->rsi : (uint32_t)r->rcx;
    long rc;

    /* Stepped over first: shutdown does not come back, the others answer after it. */
    hvm_skip_insn(v, HVM_INSN_VMMCALL, next_rip);
    if (hvm_ops->ctl_read(v, HVM_CTL_CPL) != 0)
        rc = -EPERM;
    else if (nr == __HYPERVISOR_xen_version)
        rc = hc_xen_version(v, (int)a1, a2);
    else if (nr == __HYPERVISOR_sched_op)
        rc = sched_op(v, (int)a1, a2);
    else
        rc = -ENOSYS;
    r->rax = wide ? (uint64_t)rc : (uint32_t)rc;
}
