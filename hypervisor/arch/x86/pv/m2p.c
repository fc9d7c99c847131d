/*
 * The machine-to-phys table: for every machine frame, the guest frame
 * number its owner knows it by. PV guests read it directly at
 * RO_MPT_VIRT_START (slot 256), mapped read-only and user-accessible.
 */
#include <stdint.h>
#include <asm/layout.h>
#include <asm/m2p.h>
#include <asm/paging.h>
#include <asm/setup.h>
#include <tessera/compiler.h>
#include <tessera/errno.h>
#include <tessera/log.h>
#include <tessera/page_alloc.h>
#include <tessera/string.h>


static uint64_t *m2p;          /* hypervisor (direct-map) view */
static uint64_t m2p_entries;
static uint64_t m2p_first_mfn, m2p_nr_frames;   /* the table's own frames */

int m2p_init(uint64_t nr_frames)
{
    uint64_t bytes = ALIGN_UP(nr_frames * sizeof(uint64_t), PAGE_SIZE);
    unsigned order = 0;
    uint64_t mfn;

    if (RO_MPT_VIRT_START + bytes > RO_MPT_VIRT_END)
        return -E2BIG;
    while ((PAGE_SIZE << order) < bytes)
        order++;
    if (page_alloc_alloc(&frame_allocator, order, DOMID_XEN, &mfn) < 0)
        return -ENOMEM;
    m2p = phys_to_virt(mfn << PAGE_SHIFT);
    m2p_first_mfn = mfn;
    m2p_nr_frames = 1ull << order;
    m2p_entries = (PAGE_SIZE << order) / sizeof(uint64_t);
    memset(m2p, 0xFF, PAGE_SIZE << order);
    int rc = paging_map(RO_MPT_VIRT_START, mfn << PAGE_SHIFT, PAGE_SIZE << order,
                        PTE_U | PTE_FLAG_NX);
    if (rc)
        return rc;
    log_info("m2p: %lu entries at %#lx, read-only to guests\n", (unsigned long)m2p_entries,
             (unsigned long)RO_MPT_VIRT_START);
    return 0;
}

void m2p_set(uint64_t mfn, uint64_t pfn)
{
    if (mfn < m2p_entries)
        m2p[mfn] = pfn;
}

void m2p_frames(uint64_t *first_mfn, uint64_t *nr_frames)
{
    *first_mfn = m2p_first_mfn;
    *nr_frames = m2p_nr_frames;
}

bool m2p_frame(uint64_t mfn)
{
    return mfn >= m2p_first_mfn && mfn - m2p_first_mfn < m2p_nr_frames;
}

uint64_t m2p_nr_entries(void)
{
    return m2p_entries;
}

uint64_t m2p_get(uint64_t mfn)
{
    return mfn < m2p_entries ? m2p[mfn] : M2P_INVALID;
}
