/*
 * MSI-X of the control domain's PCI functions (common/msix.c), for
 * PHYSDEVOP_map_pirq with a table base, as Xen does it for a PV dom0: the
 * hypervisor reads the function's MSI-X capability, maps its table itself
 * and writes each mapped entry's message (address and data); the entry
 * stays masked until its PIRQ is bound. The table and PBA pages are
 * read-only to the control domain (msix_frame_read_only) while entries
 * are mapped, as Xen keeps them in mmio_ro_ranges, and also from the time
 * dom0 announces the function (PHYSDEVOP_pci_device_add, before any driver
 * maps the table) until it withdraws it: Xen 4.17 protects them only from
 * the first entry's map, after Linux has made its own writable mapping of
 * the table. dom0's writes there are dropped (pv/mmio_ro.c). Linux as a
 * Xen dom0 never writes them (pci_msi_ignore_mask).
 *
 * Configuration space, the table mapping and the vectors come through the
 * arch_pci_conf_*, arch_msix_table_map and arch_msi_vector_* hooks
 * (tessera/arch.h), so all of this is host-tested (tests/unit/test_msix.c).
 *
 * Locking: one lock (irqsave) guards the device records; it is taken
 * inside pirq.c's lock, and takes nothing but the arch's configuration
 * space and mapping locks.
 */
#ifndef TESSERA_MSIX_H
#define TESSERA_MSIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSIX_MAX_DEVICES 64u     /* MSI-X functions announced or with entries mapped at once */
#define MSIX_MAX_ENTRIES 2048u   /* the capability's table size field allows 2048 */

/* The MSI-X capability of one function, as read from configuration space. */
struct msix_cap {
    unsigned int pos;            /* offset of the capability */
    unsigned int nr_entries;     /* table size */
    unsigned int table_bir;      /* BAR holding the table, */
    uint32_t table_offset;       /* and its offset in that BAR */
    unsigned int pba_bir;
    uint32_t pba_offset;
};

/* Boot (from pirq_init): no function has entries mapped, no table is mapped. */
void msix_init(void);

/*
 * Offset of capability `id` in bus:devfn's list, or 0 (no such function, no
 * list, not found; a looping list is cut short). For MSI (arch/x86/msi.c) too.
 */
unsigned int pci_capability_offset(unsigned int bus, unsigned int devfn, unsigned int id);

/* The capability of bus:devfn: 0, or -ENODEV (no such function, no MSI-X). */
int msix_cap_read(unsigned int bus, unsigned int devfn, struct msix_cap *cap);
/*
 * Base address of memory BAR bir of bus:devfn (64-bit BARs read whole);
 * 0 for an I/O BAR, a BAR index past 5 or one never assigned.
 */
uint64_t msix_bar_address(unsigned int bus, unsigned int devfn, unsigned int bir);

/*
 * Entry `entry` of bus:devfn's table gets a vector of its own, its message
 * written, the entry masked, and MSI-X enabled in the capability. table_base
 * must be the address of the BAR holding the table, as Linux passes it.
 * 0 with *vector set; -ENODEV no MSI-X capability; -EINVAL entry past the
 * table or a table_base that is not that BAR (Xen warns and uses the BAR);
 * -ENXIO the BAR is not assigned; -EEXIST the entry is mapped already;
 * -ENOSPC no vector or no device record left; -ENOMEM no mapping.
 */
int msix_entry_enable(unsigned int bus, unsigned int devfn, unsigned int entry,
                      uint64_t table_base, unsigned int *vector);
/* Sets or clears a mapped entry's mask bit (nothing for one not mapped). */
void msix_entry_mask(unsigned int bus, unsigned int devfn, unsigned int entry, bool masked);
/*
 * The entry masked and forgotten, its vector freed; the function's last
 * entry also clears MSI-X enable and makes its pages writable again.
 */
void msix_entry_disable(unsigned int bus, unsigned int devfn, unsigned int entry,
                        unsigned int vector);
/* How many entries of bus:devfn are mapped (for tests and the console). */
unsigned int msix_entries_mapped(unsigned int bus, unsigned int devfn);

/*
 * dom0 announced (PHYSDEVOP_pci_device_add and the older manage_pci_add)
 * or withdrew bus:devfn: from the announcement its table and PBA pages, if
 * its BARs are assigned, are read-only to dom0 until the withdrawal and
 * the last entry's unmap. Nothing for a function without MSI-X.
 */
void msix_device_announce(unsigned int bus, unsigned int devfn);
void msix_device_withdraw(unsigned int bus, unsigned int devfn);

/* Whether machine frame mfn holds a protected table or PBA: dom0 maps it read-only. */
bool msix_frame_read_only(uint64_t mfn);

#endif
