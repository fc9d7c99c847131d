/*
 * PCI configuration space through ports 0xCF8/0xCFC (configuration
 * mechanism 1), shared by the hypervisor (MSI set-up, arch/x86/msi.c) and
 * the control domain's own port I/O. An access is two port operations (the
 * address, then the data), so both sides go through one lock, and the
 * control domain's address register is kept per domain, as Xen keeps it:
 * its `out` to 0xCF8 is remembered, and its data access at 0xCFC-0xCFF
 * writes that address and the data under the lock. Otherwise the
 * hypervisor's own access on another CPU could slip between dom0's two
 * and send dom0's data to the wrong register.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/paging.h>
#include <asm/pci.h>
#include <asm/pv.h>
#include <tessera/arch.h>
#include <tessera/domain.h>
#include <tessera/spinlock.h>

#define PCI_CONF_ADDRESS 0xCF8
#define PCI_CONF_DATA    0xCFC
#define PCI_CONF_ENABLE  0x80000000u

static spinlock_t pci_cfg_lock = SPINLOCK_INIT;

static uint32_t conf_address(unsigned bus, unsigned devfn, unsigned reg)
{
    return PCI_CONF_ENABLE | (bus & 0xFF) << 16 | (devfn & 0xFF) << 8 | (reg & 0xFC);
}

uint32_t pci_conf_read(unsigned bus, unsigned devfn, unsigned reg, unsigned size)
{
    unsigned long flags = spin_lock_irqsave(&pci_cfg_lock);
    outl(PCI_CONF_ADDRESS, conf_address(bus, devfn, reg));
    uint32_t v = port_in(PCI_CONF_DATA + (reg & 3), size);
    spin_unlock_irqrestore(&pci_cfg_lock, flags);
    return v;
}

void pci_conf_write(unsigned bus, unsigned devfn, unsigned reg, unsigned size, uint32_t value)
{
    unsigned long flags = spin_lock_irqsave(&pci_cfg_lock);
    outl(PCI_CONF_ADDRESS, conf_address(bus, devfn, reg));
    port_out(PCI_CONF_DATA + (reg & 3), size, value);
    spin_unlock_irqrestore(&pci_cfg_lock, flags);
}

uint32_t arch_pci_conf_read(unsigned int bus, unsigned int devfn, unsigned int reg,
                            unsigned int size)
{
    return pci_conf_read(bus, devfn, reg, size);
}

void arch_pci_conf_write(unsigned int bus, unsigned int devfn, unsigned int reg,
                         unsigned int size, uint32_t value)
{
    pci_conf_write(bus, devfn, reg, size, value);
}

/* The ioremap window has no unmapping: a table's mapping stays (common/msix.c reuses it). */
volatile void *arch_msix_table_map(uint64_t pa, size_t len)
{
    return ioremap(pa, len);
}

bool pci_guest_port(unsigned port, unsigned size)
{
    return port <= PCI_CONF_DATA + 3 && port + size - 1 >= PCI_CONF_ADDRESS;
}

uint32_t pci_guest_io(struct domain *d, unsigned port, unsigned size, bool out, uint32_t value)
{
    uint32_t result = 0;
    unsigned long flags = spin_lock_irqsave(&pci_cfg_lock);

    if (port == PCI_CONF_ADDRESS && size == 4) {
        /* The address register as this domain last wrote it. */
        if (out)
            d->arch->pci_cf8 = value;
        else
            result = d->arch->pci_cf8;
    } else if (port >= PCI_CONF_DATA && port + size <= PCI_CONF_DATA + 4) {
        outl(PCI_CONF_ADDRESS, d->arch->pci_cf8);
        if (out)
            port_out(port, size, value);
        else
            result = port_in(port, size);
    } else {
        /* Narrow or straddling accesses (Linux's mechanism probe): straight through. */
        if (out)
            port_out(port, size, value);
        else
            result = port_in(port, size);
    }
    spin_unlock_irqrestore(&pci_cfg_lock, flags);
    return result;
}
