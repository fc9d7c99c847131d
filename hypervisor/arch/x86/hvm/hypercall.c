/*
 * Hypercalls from HVM guests: VMMCALL (SVM) or VMCALL (VT-x) with the number in RAX and the
 * arguments in RDI, RSI, RDX, R10, R8 (64-bit code) or EBX, ECX, EDX,
 * ESI, EDI (32-bit code), the result in RAX, as on Xen. Only from the
 * guest's kernel (CPL 0): -EPERM otherwise. Pointers are guest-virtual,
 * read through the guest's page tables (copy_from_guest). The table below
 * says what is offered; the rest is -ENOSYS, said once in the log.
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
#include <pvabi/grant_table.h>
#include <pvabi/vcpu.h>
#include <tessera/compiler.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/event_channel.h>
#include <tessera/grant_table.h>
#include <tessera/log.h>
#include <tessera/spinlock.h>
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
        hvm_log_unsupported(v, "sched_op", (uint64_t)cmd);
        return -ENOSYS;
    }
}

/*
 * The vCPU operations Xen 4.17 lets an HVM guest use (hvm_vcpu_op): its
 * timers, its vcpu_info and runstate areas. Bringing vCPUs up and down is
 * for later (one vCPU here).
 */
static long vcpu_op(struct vcpu *v, int cmd, unsigned id, uint64_t arg)
{
    switch (cmd) {
    case VCPUOP_register_runstate_memory_area:
    case VCPUOP_get_runstate_info:
    case VCPUOP_register_vcpu_info:
        return hc_vcpu_op(v, cmd, id, arg);
    case VCPUOP_set_periodic_timer:
    case VCPUOP_stop_periodic_timer:
    case VCPUOP_set_singleshot_timer:
    case VCPUOP_stop_singleshot_timer:
        /* Only a vCPU's own timers: they live on the pCPU it runs on. */
        if (id != v->vcpu_id)
            return id < v->domain->max_vcpus ? -EINVAL : -ENOENT;
        return pv_vcpu_timer_op(v, cmd, arg);
    default:
        hvm_log_unsupported(v, "vcpu_op", (uint64_t)cmd);
        return -ENOSYS;
    }
}

/* vm_assist: of the assists, Xen 4.17 lets an HVM guest have only the
 * runstate area's update flag (HVM_VM_ASSIST_MASK). */
static long vm_assist(struct vcpu *v, unsigned cmd, unsigned type)
{
    return vm_assist_op(v, cmd, type, 1ul << VMASST_TYPE_runstate_update_flag);
}

void hvm_log_unsupported(struct vcpu *v, const char *family, uint64_t op)
{
    /* Once per (family, op) pair that fits the small table; the rest always. */
    static struct { const char *family; uint64_t op; } said[32];
    static spinlock_t lock = SPINLOCK_INIT;
    bool first = true;

    spin_lock(&lock);
    for (unsigned i = 0; i < ARRAY_SIZE(said); i++) {
        if (said[i].family == family && said[i].op == op) {
            first = false;
            break;
        }
        if (!said[i].family) {
            said[i].family = family;
            said[i].op = op;
            break;
        }
    }
    spin_unlock(&lock);
    if (first)
        log_info("domain %u: %s %lu not offered to HVM guests yet (-ENOSYS)\n",
                 v->domain->domain_id, family, (unsigned long)op);
}

/*
 * grant_table_op: what works on guest frames through the p2m. Xen's HVM
 * subset also has setup_table (frame numbers as the guest names them),
 * map/unmap (into its p2m) and swap: not here yet.
 */
static long grant_table_op(struct vcpu *v, unsigned cmd, uint64_t uop, unsigned count)
{
    switch (cmd) {
    case GNTTABOP_query_size:
    case GNTTABOP_set_version:
    case GNTTABOP_get_version:
    case GNTTABOP_copy:
        return do_grant_table_op(cmd, uop, count);
    default:
        hvm_log_unsupported(v, "grant_table_op", cmd);
        return -ENOSYS;
    }
}

typedef long (*hvm_hypercall_fn)(struct vcpu *v, const uint64_t a[5]);
#define HYPERCALL(name) static long call_##name(struct vcpu *v, const uint64_t a[5])

HYPERCALL(xen_version)      { return hc_xen_version(v, (int)a[0], a[1]); }
HYPERCALL(console_io)       { return hc_console_io(v, (int)a[0], (unsigned int)a[1], a[2]); }
HYPERCALL(sched_op)         { return sched_op(v, (int)a[0], a[1]); }
HYPERCALL(set_timer_op)     { return hc_set_timer_op(v, a[0]); }
HYPERCALL(vcpu_op)          { return vcpu_op(v, (int)a[0], (unsigned int)a[1], a[2]); }
HYPERCALL(memory_op)        { return hvm_memory_op(v, a[0], a[1]); }
HYPERCALL(hvm_op)           { return hvm_op(v, a[0], a[1]); }
HYPERCALL(event_channel_op) { (void)v; return do_event_channel_op((int)a[0], a[1]); }
HYPERCALL(vm_assist)        { return vm_assist(v, (unsigned int)a[0], (unsigned int)a[1]); }
HYPERCALL(grant_table_op)   { return grant_table_op(v, (unsigned int)a[0], a[1], (unsigned int)a[2]); }

#define ENTRY(name) [__HYPERVISOR_##name] = call_##name

/* What an HVM guest may call (Xen's HVM table, less what is not here yet). */
static const hvm_hypercall_fn hypercall_table[] = {
    ENTRY(xen_version), ENTRY(console_io), ENTRY(sched_op), ENTRY(set_timer_op),
    ENTRY(vcpu_op), ENTRY(memory_op), ENTRY(hvm_op), ENTRY(event_channel_op), ENTRY(vm_assist),
    ENTRY(grant_table_op),
};

void hvm_hypercall(struct vcpu *v, uint64_t next_rip)
{
    struct hvm_regs *r = &v->arch->hvm->regs;
    bool wide = hvm_long_mode(v);
    uint64_t nr = wide ? r->rax : (uint32_t)r->rax;
    uint64_t a[5];
    long rc;

    if (wide) {
        a[0] = r->rdi; a[1] = r->rsi; a[2] = r->rdx; a[3] = r->r10; a[4] = r->r8;
    } else {
        a[0] = (uint32_t)r->rbx; a[1] = (uint32_t)r->rcx; a[2] = (uint32_t)r->rdx;
        a[3] = (uint32_t)r->rsi; a[4] = (uint32_t)r->rdi;
    }
    /* Stepped over first: shutdown does not come back, the others answer after it. */
    hvm_skip_insn(v, HVM_INSN_VMMCALL, next_rip);
    hvm_hypercall_fn fn = nr < ARRAY_SIZE(hypercall_table) ? hypercall_table[nr] : NULL;
    if (hvm_ops->ctl_read(v, HVM_CTL_CPL) != 0) {
        rc = -EPERM;
    } else if (fn) {
        rc = fn(v, a);
    } else {
        hvm_log_unsupported(v, "hypercall", nr);
        rc = -ENOSYS;
    }
    r->rax = wide ? (uint64_t)rc : (uint32_t)rc;
}
