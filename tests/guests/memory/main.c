/*
 * memory_op for a PV guest: the reservation queries, the m2p description,
 * giving a page back (decrease_reservation) and getting one again
 * (populate_physmap), with the p2m/m2p bookkeeping a PV guest owes, and
 * mmu_update's MMU_MACHPHYS_UPDATE.
 */
#include "guest.h"

const char test_title[] = "memory reservation and physmap";

static char victim[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static long reservation(unsigned int cmd)
{
    domid_t self = DOMID_SELF;
    return hyp_memory_op(cmd, &self);
}

static void queries(void)
{
    long cur = reservation(XENMEM_current_reservation);
    long max = reservation(XENMEM_maximum_reservation);
    long top = hyp_memory_op(XENMEM_maximum_ram_page, NULL);
    printk("memory: current %ld pages, maximum %ld, highest RAM frame %#lx\n", cur, max, top);
    CHECK(cur > 0, "current_reservation %ld", cur);
    CHECK(max >= cur, "maximum_reservation %ld below current %ld", max, cur);
    CHECK((unsigned long)cur >= guest_start_info->nr_pages - 64 &&
          (unsigned long)cur <= guest_start_info->nr_pages + 64,
          "current_reservation %ld far from start_info's %lu", cur, guest_start_info->nr_pages);
    CHECK(top > 0 && (unsigned long)top >= virt_to_mfn(victim), "maximum_ram_page %#lx", top);

    /* Every page start_info gives us is a frame of ours the m2p maps back. */
    const unsigned long *p2m = (const unsigned long *)guest_start_info->mfn_list;
    const unsigned long *m2p_table = (const unsigned long *)MACH2PHYS_VIRT_START;
    unsigned long mismatches = 0, first_bad = 0;
    for (unsigned long pfn = 0; pfn < guest_start_info->nr_pages; pfn++) {
        if (m2p_table[p2m[pfn]] != pfn && mismatches++ == 0)
            first_bad = pfn;
    }
    CHECK(mismatches == 0, "%lu p2m entries do not map back through the m2p (first pfn %#lx)",
          mismatches, first_bad);

    struct xen_machphys_mapping mapping;
    CHECK_EQ(hyp_memory_op(XENMEM_machphys_mapping, &mapping), 0, "machphys_mapping");
    CHECK(mapping.v_start == MACH2PHYS_VIRT_START, "m2p starts at %#lx", mapping.v_start);
    CHECK(mapping.v_end > mapping.v_start && mapping.v_end <= MACH2PHYS_VIRT_END,
          "m2p ends at %#lx", mapping.v_end);
    /* maximum_ram_page is one past the highest frame; max_mfn is the
     * highest frame the m2p covers. */
    CHECK(mapping.max_mfn + 1 >= (unsigned long)top, "m2p max_mfn %#lx below RAM top %#lx",
          mapping.max_mfn, top);

    xen_pfn_t frames[8];
    struct xen_machphys_mfn_list ml = { .max_extents = 8 };
    set_xen_guest_handle(ml.extent_start, frames);
    CHECK_EQ(hyp_memory_op(XENMEM_machphys_mfn_list, &ml), 0, "machphys_mfn_list");
    CHECK(ml.nr_extents >= 1 && ml.nr_extents <= 8, "machphys_mfn_list: %u extents", ml.nr_extents);
    for (unsigned int i = 0; i < ml.nr_extents && i < 8; i++)
        CHECK(frames[i] != 0, "m2p extent %u is frame 0", i);
}

static void give_back_and_repopulate(void)
{
    unsigned long pfn = (unsigned long)victim >> PAGE_SHIFT;
    unsigned long old_mfn = pfn_to_mfn(pfn);
    unsigned long *p2m = (unsigned long *)guest_start_info->mfn_list;
    long before = reservation(XENMEM_current_reservation);

    /* Drop our mapping first: a frame still mapped cannot be freed cleanly. */
    CHECK_EQ(hyp_update_va_mapping((unsigned long)victim, 0, UVMF_INVLPG | UVMF_LOCAL), 0,
             "unmap the victim page");
    xen_pfn_t extent = old_mfn;
    struct xen_memory_reservation r = { .nr_extents = 1, .extent_order = 0, .domid = DOMID_SELF };
    set_xen_guest_handle(r.extent_start, &extent);
    CHECK_EQ(hyp_memory_op(XENMEM_decrease_reservation, &r), 1, "decrease_reservation of 1 page");
    CHECK_EQ(reservation(XENMEM_current_reservation), before - 1, "reservation after giving a page");
    /* Giving back a frame we no longer own does nothing. */
    CHECK_EQ(hyp_memory_op(XENMEM_decrease_reservation, &r), 0, "decrease_reservation twice");
    p2m[pfn] = ~0UL;

    /* populate_physmap: for a PV guest the extent is the PFN going in, the
     * machine frame it got comes out in its place. */
    extent = pfn;
    CHECK_EQ(hyp_memory_op(XENMEM_populate_physmap, &r), 1, "populate_physmap of 1 page");
    unsigned long new_mfn = extent;
    CHECK(new_mfn != 0 && new_mfn != pfn, "populate_physmap returned frame %#lx", new_mfn);
    CHECK_EQ(reservation(XENMEM_current_reservation), before, "reservation after repopulating");
    p2m[pfn] = new_mfn;
    struct mmu_update mu = { .ptr = ((uint64_t)new_mfn << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE,
                             .val = pfn };
    unsigned int done = 0;
    CHECK_EQ(hyp_mmu_update(&mu, 1, &done, DOMID_SELF), 0, "MMU_MACHPHYS_UPDATE");
    CHECK_EQ(done, 1, "mmu_update count");
    const unsigned long *m2p = (const unsigned long *)MACH2PHYS_VIRT_START;
    CHECK(m2p[new_mfn] == pfn, "m2p[%#lx] = %#lx after the update, want %#lx", new_mfn,
          m2p[new_mfn], pfn);
    CHECK_EQ(map_machine_page(victim, new_mfn, PTE_KERNEL_RW), 0, "map the new frame");
    victim[0] = 'a';
    victim[PAGE_SIZE - 1] = 'z';
    CHECK(((volatile char *)victim)[0] == 'a' && ((volatile char *)victim)[PAGE_SIZE - 1] == 'z',
          "the repopulated page does not hold data");

    /* An order the guest may not ask for. */
    r.extent_order = 40;
    extent = pfn;
    long rc = hyp_memory_op(XENMEM_populate_physmap, &r);
    CHECK(rc <= 0, "populate_physmap of order 40 returned %ld", rc);
}

/*
 * XENMEM_exchange as Linux makes a DMA buffer: four single pages, unmapped
 * first, for one machine-contiguous extent of four below 4 GiB, mapped
 * back at the same pseudo-physical pages.
 */
static char dma[4][PAGE_SIZE] __attribute__((aligned(4 * PAGE_SIZE)));

static void exchange(void)
{
    unsigned long pfn = (unsigned long)dma >> PAGE_SHIFT;
    unsigned long *p2m = (unsigned long *)guest_start_info->mfn_list;
    xen_pfn_t in[4], out = pfn;
    long before = reservation(XENMEM_current_reservation);

    for (unsigned int k = 0; k < 4; k++) {
        in[k] = pfn_to_mfn(pfn + k);
        CHECK_EQ(hyp_update_va_mapping((unsigned long)dma[k], 0, UVMF_INVLPG | UVMF_LOCAL), 0,
                 "unmap a page to exchange");
    }
    struct xen_memory_exchange x = {
        .in = { .nr_extents = 4, .extent_order = 0, .domid = DOMID_SELF },
        .out = { .nr_extents = 1, .extent_order = 2, .mem_flags = XENMEMF_address_bits(32),
                 .domid = DOMID_SELF },
    };
    set_xen_guest_handle(x.in.extent_start, in);
    set_xen_guest_handle(x.out.extent_start, &out);
    long rc = hyp_memory_op(XENMEM_exchange, &x);
    printk("memory: exchange of 4 pages -> %ld, %lu exchanged, new extent at frame %#lx\n", rc,
           (unsigned long)x.nr_exchanged, (unsigned long)out);
    if (!CHECK_EQ(rc, 0, "XENMEM_exchange") || !CHECK_EQ(x.nr_exchanged, 4, "extents exchanged"))
        return;
    CHECK((out & 3) == 0 && out + 4 <= (1UL << 20), "new extent %#lx not aligned below 4 GiB",
          (unsigned long)out);
    const unsigned long *m2p = (const unsigned long *)MACH2PHYS_VIRT_START;
    for (unsigned int k = 0; k < 4; k++) {
        CHECK(m2p[out + k] == pfn + k, "m2p[%#lx] = %#lx, want %#lx", (unsigned long)(out + k),
              m2p[out + k], pfn + k);
        p2m[pfn + k] = out + k;
        CHECK_EQ(map_machine_page(dma[k], out + k, PTE_KERNEL_RW), 0, "map a new DMA page");
        dma[k][0] = (char)('A' + k);
    }
    CHECK(dma[0][0] == 'A' && dma[3][0] == 'D', "the new pages do not hold data");
    CHECK(map_machine_page(dma[0], in[0], PTE_KERNEL_RO) < 0, "a frame given in the exchange is still ours");
    CHECK_EQ(reservation(XENMEM_current_reservation), before, "reservation after the exchange");
}

void test_main(void)
{
    queries();
    give_back_and_repopulate();
    exchange();

    /* shared_info for a PV guest is a machine frame it maps itself;
     * XENMAPSPACE_shared_info is for translated guests. */
    struct xen_add_to_physmap atp = { .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info,
                                      .idx = 0, .gpfn = (unsigned long)victim >> PAGE_SHIFT };
    long rc = hyp_memory_op(XENMEM_add_to_physmap, &atp);
    CHECK_EQ(rc, -XEN_EACCES, "add_to_physmap(shared_info) for a PV guest");
}
