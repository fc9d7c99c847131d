/*
 * Event channel tests, part 6: MSI-X for the control domain
 * (common/msix.c through common/pirq.c) on a fake PCI bus 0 whose device
 * memory the tests read back: the capability and BARs as parsed, every
 * argument map_pirq refuses (with nothing left mapped, enabled or
 * allocated), each entry's message and mask bit from map to bind to
 * unmap, the table's pages read-only to dom0 while entries are live or
 * the function is announced, and the owner's death undoing it all.
 */
#include <stdint.h>
#include <tessera/errno.h>
#include <tessera/msix.h>
#include <tessera/pirq.h>
#include <pvabi/physdev.h>
#include "evtchn_test.h"

#define NR_GSIS 24
#define NET 0x20              /* devfn of a function with 3 entries in a 32-bit BAR 1 */
#define BIG 0x28              /* devfn of one with 2048 entries in a 64-bit BAR 4 */
#define NET_BAR (FAKE_MMIO_BASE + 0x1000)
#define BIG_BAR (FAKE_MMIO_BASE + 0x8000)
#define MSIX_CONTROL_REG 0x52
#define MSIX_ENABLE (1u << 15)

static void msix_setup(void)
{
    setup();
    pirq_init(NR_GSIS);
    fake_pci_reset();
    fake_pci_add_msix(NET, 3, 1, 0, 0x800, NET_BAR, false);
    fake_pci_add_msix(BIG, 2048, 4, 0, 0x9000, BIG_BAR, true);   /* PBA past the fake memory: never touched */
}

static void msix_teardown(void)
{
    pirq_domain_destroy(&dom0->d);
    CU_ASSERT_EQUAL(fake_msix_vectors_live, 0);
    teardown();
}

static int map_entry(unsigned devfn, int entry, uint64_t table_base)
{
    int p = -1;
    long rc = pirq_map_msix(&dom0->d, 0, devfn, (unsigned)entry, table_base, &p);
    return rc < 0 ? (int)rc : p;
}

static bool msix_enabled(unsigned devfn)
{
    return fake_pci_conf_get(devfn, MSIX_CONTROL_REG, 2) & MSIX_ENABLE;
}

/* Word `word` (0 address low, 1 high, 2 data, 3 vector control) of an entry in the fake memory. */
static uint32_t entry_word(uint64_t table, unsigned entry, unsigned word)
{
    return fake_mmio_read32(table + 16ull * entry + 4 * word);
}

static long bind_pirq(struct fake_domain *f, uint32_t pirq, evtchn_port_t *port)
{
    struct evtchn_bind_pirq op = { .pirq = pirq };
    long rc = fake_hypercall(f, 0, EVTCHNOP_bind_pirq, &op);
    if (port)
        *port = op.port;
    return rc;
}

static void test_capability_and_bars(void)
{
    msix_setup();
    struct msix_cap cap;
    CU_ASSERT_EQUAL(msix_cap_read(0, 0x30, &cap), -ENODEV);          /* no function */
    CU_ASSERT_EQUAL(msix_cap_read(1, NET, &cap), -ENODEV);           /* another bus: none */
    CU_ASSERT_EQUAL(msix_cap_read(0, 0x100, &cap), -ENODEV);
    CU_ASSERT_EQUAL(msix_cap_read(0, NET, &cap), 0);
    CU_ASSERT_EQUAL(cap.pos, 0x50);                                  /* past a vendor capability */
    CU_ASSERT_EQUAL(cap.nr_entries, 3);
    CU_ASSERT_EQUAL(cap.table_bir, 1);
    CU_ASSERT_EQUAL(cap.table_offset, 0);
    CU_ASSERT_EQUAL(cap.pba_bir, 1);
    CU_ASSERT_EQUAL(cap.pba_offset, 0x800);
    CU_ASSERT_EQUAL(msix_cap_read(0, BIG, &cap), 0);
    CU_ASSERT_EQUAL(cap.nr_entries, 2048);
    CU_ASSERT_EQUAL(msix_bar_address(0, NET, 1), NET_BAR);
    CU_ASSERT_EQUAL(msix_bar_address(0, BIG, 4), BIG_BAR);
    fake_pci_conf_set(BIG, 0x24, 4, 0x12);                           /* upper half of BAR 4 */
    CU_ASSERT_EQUAL(msix_bar_address(0, BIG, 4), BIG_BAR | 0x1200000000ull);
    CU_ASSERT_EQUAL(msix_bar_address(0, BIG, 6), 0);                 /* BIR 6 and 7 are reserved */
    fake_pci_conf_set(NET, 0x10, 4, 0xC001);                         /* an I/O BAR */
    CU_ASSERT_EQUAL(msix_bar_address(0, NET, 0), 0);
    fake_pci_conf_set(NET, 0x24, 4, 0xFE000004);                     /* 64-bit in the last BAR */
    CU_ASSERT_EQUAL(msix_bar_address(0, NET, 5), 0);
    /* A capability list that loops ends without finding MSI-X. */
    fake_pci_conf_set(NET, 0x41, 1, 0x40);
    CU_ASSERT_EQUAL(msix_cap_read(0, NET, &cap), -ENODEV);
    msix_teardown();
}

static void test_map_refusals_leave_nothing(void)
{
    msix_setup();
    int p = -1;
    CU_ASSERT_EQUAL(pirq_map_msix(&dom1->d, 0, NET, 0, NET_BAR, &p), -EPERM);
    CU_ASSERT_EQUAL(pirq_map_msix(&dom0->d, 0x100, NET, 0, NET_BAR, &p), -EINVAL);
    CU_ASSERT_EQUAL(pirq_map_msix(&dom0->d, 0, 0x100, 0, NET_BAR, &p), -EINVAL);
    p = PIRQ_MAX;
    CU_ASSERT_EQUAL(pirq_map_msix(&dom0->d, 0, NET, 0, NET_BAR, &p), -EINVAL);
    CU_ASSERT_EQUAL(map_entry(0x30, 0, NET_BAR), -ENODEV);           /* no such function */
    CU_ASSERT_EQUAL(map_entry(NET, 3, NET_BAR), -EINVAL);            /* past the 3 entries */
    CU_ASSERT_EQUAL(map_entry(NET, -1, NET_BAR), -EINVAL);
    CU_ASSERT_EQUAL(map_entry(NET, 0, NET_BAR + 0x1000), -EINVAL);   /* not the table's BAR */
    CU_ASSERT_EQUAL(map_entry(NET, 0, BIG_BAR), -EINVAL);
    fake_pci_conf_set(NET, 0x14, 4, 0);                              /* BAR never assigned */
    CU_ASSERT_EQUAL(map_entry(NET, 0, NET_BAR), -ENXIO);
    fake_pci_conf_set(NET, 0x14, 4, (uint32_t)NET_BAR);
    /* A function with its MSI mapped takes no MSI-X entry, and the reverse. */
    int msi = -1;
    CU_ASSERT_EQUAL(pirq_map_msi(&dom0->d, 0, 0x30, &msi), 0);
    CU_ASSERT_EQUAL(map_entry(0x30, 0, NET_BAR), -EBUSY);
    CU_ASSERT_EQUAL(pirq_unmap(&dom0->d, msi), 0);
    CU_ASSERT_EQUAL(fake_msix_vectors_live, 0);
    CU_ASSERT_EQUAL(msix_entries_mapped(0, NET), 0);
    CU_ASSERT_FALSE(msix_enabled(NET));
    CU_ASSERT_EQUAL(fake_msix_table_maps, 0);
    int e0 = map_entry(NET, 0, NET_BAR);
    CU_ASSERT_EQUAL(e0, PIRQ_MAX - 1);
    msi = -1;
    CU_ASSERT_EQUAL(pirq_map_msi(&dom0->d, 0, NET, &msi), -EBUSY);
    CU_ASSERT_EQUAL(map_entry(NET, 0, NET_BAR), -EEXIST);            /* the same entry twice */
    CU_ASSERT_EQUAL(msix_entries_mapped(0, NET), 1);
    CU_ASSERT_EQUAL(fake_msix_vectors_live, 1);
    /* A PIRQ taken by something else. */
    p = e0;
    CU_ASSERT_EQUAL(pirq_map_msix(&dom0->d, 0, NET, 1, NET_BAR, &p), -EBUSY);
    CU_ASSERT_EQUAL(fake_msix_vectors_live, 1);
    msix_teardown();
    CU_ASSERT_FALSE(msix_enabled(NET));
}

static void test_entry_from_map_to_unmap(void)
{
    msix_setup();
    int p0 = map_entry(NET, 0, NET_BAR), p2 = map_entry(NET, 2, NET_BAR);
    CU_ASSERT_EQUAL(p0, PIRQ_MAX - 1);
    CU_ASSERT_EQUAL(p2, PIRQ_MAX - 2);
    CU_ASSERT_EQUAL(fake_msix_table_maps, 1);                        /* one mapping per table */
    CU_ASSERT_TRUE(msix_enabled(NET));
    /* The hypervisor's message, masked until the bind; entry 1 untouched. */
    unsigned v0 = entry_word(NET_BAR, 0, 2), v2 = entry_word(NET_BAR, 2, 2);
    CU_ASSERT_EQUAL(entry_word(NET_BAR, 0, 0), 0xFEE00000u);
    CU_ASSERT_EQUAL(entry_word(NET_BAR, 0, 1), 0);
    CU_ASSERT_TRUE(v0 >= FAKE_MSIX_VECTOR_BASE && v2 >= FAKE_MSIX_VECTOR_BASE && v0 != v2);
    CU_ASSERT_EQUAL(entry_word(NET_BAR, 0, 3), 1);
    CU_ASSERT_EQUAL(entry_word(NET_BAR, 2, 3), 1);
    CU_ASSERT_EQUAL(entry_word(NET_BAR, 1, 2), 0);
    CU_ASSERT_EQUAL(entry_word(NET_BAR, 1, 3), 0);
    /* The table and PBA (one page here) are read-only to dom0, other pages not. */
    CU_ASSERT_TRUE(msix_frame_read_only(NET_BAR >> 12));
    CU_ASSERT_FALSE(msix_frame_read_only((NET_BAR >> 12) + 1));

    /* Before the bind a message is held off, not queued. */
    fake_mmio[NET_BAR - FAKE_MMIO_BASE + 12] = 0;
    CU_ASSERT_FALSE(pirq_msi_interrupt(v0));
    CU_ASSERT_EQUAL(entry_word(NET_BAR, 0, 3), 1);
    evtchn_port_t port;
    CU_ASSERT_EQUAL(bind_pirq(dom0, (uint32_t)p0, &port), 0);
    CU_ASSERT_EQUAL(entry_word(NET_BAR, 0, 3), 0);                   /* unmasked by the bind */
    CU_ASSERT_EQUAL(entry_word(NET_BAR, 2, 3), 1);                   /* the other stays masked */
    CU_ASSERT_TRUE(pirq_msi_interrupt(v0));
    pirq_deliver_pending();
    CU_ASSERT_TRUE(fake_pending(dom0, port));
    CU_ASSERT_EQUAL(pirq_eoi(&dom0->d, (uint32_t)p0), 0);            /* an edge: nothing to undo */
    CU_ASSERT_EQUAL(entry_word(NET_BAR, 0, 3), 0);
    CU_ASSERT_EQUAL(ev_close(dom0, port), 0);
    CU_ASSERT_EQUAL(entry_word(NET_BAR, 0, 3), 1);                   /* masked again by the close */

    /* Unmapped one by one: the last clears enable and gives the pages back. */
    CU_ASSERT_EQUAL(pirq_unmap(&dom0->d, p0), 0);
    CU_ASSERT_EQUAL(pirq_unmap(&dom0->d, p0), -EINVAL);              /* never mapped now */
    CU_ASSERT_TRUE(msix_enabled(NET));
    CU_ASSERT_TRUE(msix_frame_read_only(NET_BAR >> 12));
    CU_ASSERT_EQUAL(fake_msix_vectors_live, 1);
    CU_ASSERT_EQUAL(pirq_unmap(&dom0->d, p2), 0);
    CU_ASSERT_EQUAL(entry_word(NET_BAR, 2, 3), 1);
    CU_ASSERT_FALSE(msix_enabled(NET));
    CU_ASSERT_FALSE(msix_frame_read_only(NET_BAR >> 12));
    CU_ASSERT_EQUAL(fake_msix_vectors_live, 0);
    CU_ASSERT_FALSE(pirq_msi_interrupt(v0));                         /* nobody's now */
    /* Mapped again: the table's mapping is reused. */
    CU_ASSERT_EQUAL(map_entry(NET, 1, NET_BAR), PIRQ_MAX - 1);
    CU_ASSERT_EQUAL(fake_msix_table_maps, 1);
    msix_teardown();
}

static void test_large_table_and_vector_exhaustion(void)
{
    msix_setup();
    /* The last of 2048 entries: the table spans 8 pages, the PBA its own. */
    int last = map_entry(BIG, 2047, BIG_BAR);
    CU_ASSERT_TRUE(last >= 0);
    CU_ASSERT_EQUAL(entry_word(BIG_BAR, 2047, 0), 0xFEE00000u);
    CU_ASSERT_TRUE(msix_frame_read_only((BIG_BAR >> 12) + 7));
    CU_ASSERT_FALSE(msix_frame_read_only((BIG_BAR >> 12) + 8));
    CU_ASSERT_EQUAL(map_entry(BIG, 2048, BIG_BAR), -EINVAL);
    /* 64 vectors in the fake pool: the 65th map fails and leaves no PIRQ behind. */
    for (int e = 0; e < 63; e++)
        CU_ASSERT_TRUE(map_entry(BIG, e, BIG_BAR) >= 0);
    uint32_t free_before;
    CU_ASSERT_EQUAL(pirq_get_free(&dom0->d, MAP_PIRQ_TYPE_MSI, &free_before), 0);
    CU_ASSERT_EQUAL(map_entry(BIG, 100, BIG_BAR), -ENOSPC);
    uint32_t free_after;
    CU_ASSERT_EQUAL(pirq_get_free(&dom0->d, MAP_PIRQ_TYPE_MSI, &free_after), 0);
    CU_ASSERT_EQUAL(free_before, free_after);
    CU_ASSERT_EQUAL(entry_word(BIG_BAR, 100, 3), 0);                 /* never written */
    CU_ASSERT_EQUAL(msix_entries_mapped(0, BIG), 64);
    msix_teardown();
}

static void test_owner_death_undoes_everything(void)
{
    msix_setup();
    int p0 = map_entry(NET, 0, NET_BAR), p1 = map_entry(NET, 1, NET_BAR);
    int b0 = map_entry(BIG, 5, BIG_BAR);
    CU_ASSERT_TRUE(p0 >= 0 && p1 >= 0 && b0 >= 0);
    evtchn_port_t port;
    CU_ASSERT_EQUAL(bind_pirq(dom0, (uint32_t)p1, &port), 0);
    CU_ASSERT_TRUE(pirq_msi_interrupt(entry_word(NET_BAR, 1, 2)));
    evtchn_domain_destroy(&dom0->d);
    CU_ASSERT_EQUAL(entry_word(NET_BAR, 1, 3), 1);                   /* the close masked it */
    pirq_domain_destroy(&dom0->d);
    CU_ASSERT_EQUAL(fake_msix_vectors_live, 0);
    CU_ASSERT_FALSE(msix_enabled(NET));
    CU_ASSERT_FALSE(msix_enabled(BIG));
    CU_ASSERT_EQUAL(msix_entries_mapped(0, NET), 0);
    CU_ASSERT_EQUAL(msix_entries_mapped(0, BIG), 0);
    CU_ASSERT_FALSE(msix_frame_read_only(NET_BAR >> 12));
    CU_ASSERT_FALSE(msix_frame_read_only(BIG_BAR >> 12));
    pirq_deliver_pending();                                          /* nothing left to deliver */
    /* A new owner starts from a clean table. */
    CU_ASSERT_EQUAL(map_entry(NET, 0, NET_BAR), PIRQ_MAX - 1);
    msix_teardown();
}

static void test_announced_function_read_only(void)
{
    msix_setup();
    /* Announced (pci_device_add): read-only before any entry is mapped. */
    CU_ASSERT_FALSE(msix_frame_read_only(NET_BAR >> 12));
    msix_device_announce(0, NET);
    msix_device_announce(0, 0x30);                                   /* no function: nothing */
    CU_ASSERT_TRUE(msix_frame_read_only(NET_BAR >> 12));
    CU_ASSERT_EQUAL(fake_msix_table_maps, 0);                        /* mapped only when used */
    int p = map_entry(NET, 0, NET_BAR);
    CU_ASSERT_TRUE(p >= 0);
    /* Withdrawn while an entry is live: still read-only until the unmap. */
    msix_device_withdraw(0, NET);
    CU_ASSERT_TRUE(msix_frame_read_only(NET_BAR >> 12));
    CU_ASSERT_EQUAL(pirq_unmap(&dom0->d, p), 0);
    CU_ASSERT_FALSE(msix_frame_read_only(NET_BAR >> 12));
    /* A PBA in an unassigned BAR (2) leaves the table protected. */
    fake_pci_conf_set(NET, 0x58, 4, 0x800 | 2);
    msix_device_announce(0, NET);
    CU_ASSERT_TRUE(msix_frame_read_only(NET_BAR >> 12));
    CU_ASSERT_FALSE(msix_frame_read_only(0));
    /* A BAR unassigned when announced protects nothing, until the first map finds it. */
    fake_pci_conf_set(BIG, 0x20, 4, 4);
    fake_pci_conf_set(BIG, 0x24, 4, 0);
    msix_device_announce(0, BIG);
    CU_ASSERT_FALSE(msix_frame_read_only(0));
    CU_ASSERT_FALSE(msix_frame_read_only(BIG_BAR >> 12));
    CU_ASSERT_EQUAL(map_entry(BIG, 0, BIG_BAR), -ENXIO);
    fake_pci_conf_set(BIG, 0x20, 4, (uint32_t)BIG_BAR | 4);
    msix_device_announce(0, BIG);                                    /* announced again, now placed */
    CU_ASSERT_TRUE(msix_frame_read_only(BIG_BAR >> 12));
    msix_teardown();
}

const struct unit_case msix_cases[] = {
    UNIT_CASE(announced_function_read_only),
    UNIT_CASE(capability_and_bars),
    UNIT_CASE(map_refusals_leave_nothing),
    UNIT_CASE(entry_from_map_to_unmap),
    UNIT_CASE(large_table_and_vector_exhaustion),
    UNIT_CASE(owner_death_undoes_everything),
};
const size_t msix_cases_n = ARRAY_SIZE_UNIT(msix_cases);
