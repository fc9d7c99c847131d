/*
 * The x86 PV side of arch_guest_frame_hold (tessera/arch.h): a PV guest
 * names machine frames directly, every frame is in the direct map, and a
 * held frame (PGT_HELD) never takes a page-table or descriptor type. The
 * hold is sticky, as for registered vcpu_info pages: releasing only ends
 * the hypervisor's use of the mapping.
 */
#include <stdint.h>
#include <tessera/domain.h>
#include <asm/paging.h>
#include <asm/pv_mm.h>
#include <tessera/arch.h>
#include <tessera/errno.h>
#include <tessera/grant_table.h>

int arch_guest_frame_hold(struct domain *d, uint64_t gfn, void **va)
{
    uint64_t mfn;

    if (arch_gfn_to_mfn(d, gfn, &mfn) < 0 || pv_frame_hold(d, mfn) < 0)
        return -EINVAL;
    *va = phys_to_virt(mfn << PAGE_SHIFT);
    return 0;
}

void arch_guest_frame_release(struct domain *d, void *va)
{
    (void)d;
    (void)va;
}
