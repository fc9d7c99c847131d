/*
 * The x86 side of domctl and sysctl: machine facts for physinfo, and the
 * PV-specific domctls (dispatched from arch_do_domctl). Operations not
 * listed answer -ENOSYS, as Xen does for ones it does not know.
 */
#define PVABI_TOOLSTACK 1
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/cpu_policy.h>
#include <asm/percpu.h>
#include <asm/paging.h>
#include <asm/pv.h>
#include <asm/pv_domctl.h>
#include <asm/setup.h>
#include <asm/time.h>
#include <pvabi/control/domctl.h>
#include <pvabi/control/sysctl.h>
#include <tessera/arch.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/page_alloc.h>
#include <tessera/sched.h>
#include <tessera/string.h>

/* Xen's x86 numa limit: what physinfo calls the highest possible node. */
#define XEN_MAX_NUMNODES 64

struct page_allocator *arch_frame_allocator(void)
{
    return &frame_allocator;
}

/* As Xen's hap_paddr_bits: the guest-physical width, else the physical one. */
unsigned int arch_guest_paddr_bits(void)
{
    if (cpuid(0x80000000).eax < 0x80000008)
        return 36;
    uint32_t eax = cpuid(0x80000008).eax;
    return (eax >> 16) & 0xff ? (eax >> 16) & 0xff : eax & 0xff;
}

void arch_physinfo(struct xen_sysctl_physinfo *pi)
{
    pi->threads_per_core = 1;
    pi->cores_per_socket = nr_cpus_online;
    pi->nr_cpus = nr_cpus_online;
    pi->max_cpu_id = nr_cpus_online - 1;
    pi->nr_nodes = 1;
    pi->max_node_id = XEN_MAX_NUMNODES - 1;
    pi->cpu_khz = (uint32_t)(tsc_hz() / 1000);
    pi->max_mfn = frame_allocator.first_mfn + frame_allocator.nr_frames - 1;
    /* Xen's featureset words 0-7: leaves 1, 0x80000001, 0xD.1, 7.0, 0x80000007. */
    struct cpuid_regs l1 = cpuid(1), e1 = cpuid(0x80000001), d1 = cpuid_count(0xd, 1),
                      l7 = cpuid_count(7, 0), e7 = cpuid(0x80000007);
    uint32_t words[8] = { l1.edx, l1.ecx, e1.edx, e1.ecx, d1.eax, l7.ebx, l7.ecx, e7.edx };
    for (unsigned i = 0; i < 8; i++)
        pi->hw_cap[i] = words[i];
    pi->capabilities |= XEN_SYSCTL_PHYSCAP_shadow;
}

/* Xen's PV answers: 64 is what a 64-bit PV domain already is; 32-bit PV is not offered. */
static long set_address_size(uint32_t size)
{
    if (size == 64)
        return 0;
    return size == 32 ? -EOPNOTSUPP : -EINVAL;
}

/*
 * Tessera never emulates the TSC: mode 0 (default, native here) and 2
 * (never emulate) are taken, 1 (always emulate) is refused.
 */
static long set_tsc_info(struct domain *caller, struct domain *d,
                         const struct xen_domctl_tsc_info *t)
{
    if (d == caller)
        return -EINVAL;
    if (t->tsc_mode == 1)
        return -EOPNOTSUPP;
    if (t->tsc_mode != 0 && t->tsc_mode != 2)
        return -EINVAL;
    d->arch->tsc_mode = t->tsc_mode;
    d->arch->tsc_incarnation = t->incarnation + 1;   /* as Xen: a new incarnation */
    return 0;
}

static long get_tsc_info(struct domain *caller, struct domain *d, struct xen_domctl_tsc_info *t)
{
    if (d == caller)
        return -EINVAL;
    memset(t, 0, sizeof(*t));
    t->tsc_mode = d->arch->tsc_mode;
    t->incarnation = d->arch->tsc_incarnation;
    if (t->tsc_mode == 0) {             /* as Xen's native default: the host's rate and time */
        t->gtsc_khz = (uint32_t)(tsc_hz() / 1000);
        t->elapsed_nsec = arch_now_ns();
    }
    return 0;
}

/*
 * hypercall_init: the stubs into a frame of d's. Not d's frame: -EINVAL;
 * one of its page tables or descriptor pages (not writable): -EPERM.
 */
static long hypercall_init(struct domain *d, uint64_t mfn)
{
    if (mfn < frame_allocator.first_mfn ||
        mfn - frame_allocator.first_mfn >= frame_allocator.nr_frames ||
        page_owner(&frame_allocator, mfn) != d->domain_id)
        return -EINVAL;
    if (!pv_frame_is_own_data(d, mfn))
        return -EPERM;
    pv_write_hypercall_page(phys_to_virt(mfn << PAGE_SHIFT));
    return 0;
}

/*
 * scheduler_op: the credit scheduler's weight and cap, for the scheduler
 * Tessera runs only (another sched_id: -EINVAL, as Xen). putinfo keeps a
 * weight of 0 and a cap of 0xffff unchanged, as Xen's credit scheduler.
 */
static long scheduler_op(struct domain *d, struct xen_domctl_scheduler_op *s)
{
    unsigned weight, cap;
    int rc;

    if (s->sched_id != XEN_SCHEDULER_CREDIT)
        return -EINVAL;
    if ((rc = sched_get_params(d, &weight, &cap)) < 0)
        return rc;
    switch (s->cmd) {
    case XEN_DOMCTL_SCHEDOP_getinfo:
        s->u.credit.weight = (uint16_t)weight;
        s->u.credit.cap = (uint16_t)cap;
        return 0;
    case XEN_DOMCTL_SCHEDOP_putinfo:
        if (s->u.credit.weight)
            weight = s->u.credit.weight;
        if (s->u.credit.cap != 0xffff)
            cap = s->u.credit.cap;
        return sched_set_params(d, weight, cap);
    default:
        return -EINVAL;     /* per-vCPU parameters: not the credit scheduler's */
    }
}

long arch_do_domctl(struct domain *caller, struct domain *d, struct xen_domctl *op,
                    bool *copyback)
{
    switch (op->cmd) {
    case XEN_DOMCTL_setvcpucontext:
        return pv_domctl_setvcpucontext(caller, d, &op->u.vcpucontext);
    case XEN_DOMCTL_set_cpu_policy:
        *copyback = true;       /* err_* on failure: do_domctl copies this one back then */
        return cpu_policy_domctl_set(caller, d, &op->u.cpu_policy);
    case XEN_DOMCTL_getvcpucontext:
        return pv_domctl_getvcpucontext(current_vcpu(), d, &op->u.vcpucontext);
    case XEN_DOMCTL_getvcpuinfo:
        *copyback = true;
        return pv_domctl_getvcpuinfo(d, &op->u.getvcpuinfo);
    case XEN_DOMCTL_setvcpuaffinity:
    case XEN_DOMCTL_getvcpuaffinity:
        return pv_domctl_vcpuaffinity(d, op->cmd, &op->u.vcpuaffinity);
    case XEN_DOMCTL_setnodeaffinity:
    case XEN_DOMCTL_getnodeaffinity:
        return pv_domctl_nodeaffinity(d, op->cmd, &op->u.nodeaffinity);
    case XEN_DOMCTL_set_address_size:
        return set_address_size(op->u.address_size.size);
    case XEN_DOMCTL_get_address_size:
        op->u.address_size.size = 64;
        *copyback = true;
        return 0;
    case XEN_DOMCTL_settscinfo:
        return set_tsc_info(caller, d, &op->u.tsc_info);
    case XEN_DOMCTL_gettscinfo:
        *copyback = true;
        return get_tsc_info(caller, d, &op->u.tsc_info);
    case XEN_DOMCTL_hypercall_init:
        return hypercall_init(d, op->u.hypercall_init.gmfn);
    case XEN_DOMCTL_scheduler_op:
        *copyback = true;
        return scheduler_op(d, &op->u.scheduler_op);
    case XEN_DOMCTL_shadow_op:
        /* A PV domain on its own page tables, no log-dirty mode: Xen's answer to each op. */
        return -EINVAL;
    default:
        return -ENOSYS;
    }
}
