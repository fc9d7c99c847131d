/*
 * The x86 PV side of arch_guest_frame_hold (tessera/arch.h): a PV guest
 * names machine frames directly, every frame is in the direct map, and a
 * held frame (page_info.holds) never takes a page-table or descriptor type
 * and cannot be given back. Each hold is a count, dropped by the release
 * (EVTCHNOP_reset, teardown): once nobody holds it the frame is the
 * guest's to free or use as a table again, as Xen allows.
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
    pv_frame_unhold(d, virt_to_phys(va) >> PAGE_SHIFT);
}
