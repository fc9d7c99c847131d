/*
 * copy_from_guest / copy_to_guest for PV guests: the guest's virtual
 * addresses are valid in the page tables loaded while its hypercall runs.
 * The hypervisor's own slots are refused outright; anything else that
 * faults is caught by the exception table and becomes -EFAULT.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <asm/cpufeatures.h>
#include <asm/hvm.h>
#include <asm/pv.h>
#include <pvabi/xen.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>

size_t guest_copy_bytes(void *dst, const void *src, size_t len);

/* Inside [HYPERVISOR_VIRT_START, HYPERVISOR_VIRT_END), or wrapping. */
static bool bad_guest_range(uint64_t addr, size_t len)
{
    if (len == 0)
        return false;
    uint64_t last = addr + len - 1;
    if (last < addr)
        return true;
    return addr < HYPERVISOR_VIRT_END && last >= HYPERVISOR_VIRT_START;
}

/* Guest pages are user pages: open SMAP around the copy. */
static size_t copy_user(void *dst, const void *src, size_t len)
{
    bool smap = boot_cpu_features.smap;
    if (smap)
        __asm__ volatile("stac" ::: "memory");
    size_t left = guest_copy_bytes(dst, src, len);
    if (smap)
        __asm__ volatile("clac" ::: "memory");
    return left;
}

int copy_from_guest(void *dst, uint64_t guest_addr, size_t len)
{
    struct vcpu *v = current_vcpu();
    if (v && v->arch->hvm)      /* an HVM guest's addresses are not mapped here */
        return hvm_copy_from_guest_virt(v, dst, guest_addr, len);
    if (bad_guest_range(guest_addr, len))
        return -EFAULT;
    return copy_user(dst, (const void *)(uintptr_t)guest_addr, len) ? -EFAULT : 0;
}

int copy_to_guest(uint64_t guest_addr, const void *src, size_t len)
{
    struct vcpu *v = current_vcpu();
    if (v && v->arch->hvm)
        return hvm_copy_to_guest_virt(v, guest_addr, src, len);
    if (bad_guest_range(guest_addr, len))
        return -EFAULT;
    return copy_user((void *)(uintptr_t)guest_addr, src, len) ? -EFAULT : 0;
}
