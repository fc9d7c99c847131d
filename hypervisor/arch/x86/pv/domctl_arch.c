/*
 * The x86 side of domctl and sysctl: machine facts for physinfo, and the
 * PV-specific domctls (dispatched from arch_do_domctl). Operations not
 * listed answer -ENOSYS, as Xen does for ones it does not know.
 */
#define PVABI_TOOLSTACK 1
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/percpu.h>
#include <asm/pv.h>
#include <asm/setup.h>
#include <asm/time.h>
#include <pvabi/control/domctl.h>
#include <pvabi/control/sysctl.h>
#include <tessera/arch.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/page_alloc.h>

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

long arch_do_domctl(struct domain *caller, struct domain *d, struct xen_domctl *op,
                    bool *copyback)
{
    (void)caller;
    (void)d;
    (void)copyback;
    switch (op->cmd) {
    default:
        return -ENOSYS;
    }
}

long arch_do_sysctl(struct xen_sysctl *op)
{
    switch (op->cmd) {
    default:
        return -ENOSYS;
    }
}
