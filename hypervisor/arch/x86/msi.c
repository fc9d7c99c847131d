/*
 * MSI for the control domain's devices (the arch_msi_* hooks of
 * tessera/arch.h, called by common/pirq.c for PHYSDEVOP_map_pirq of type
 * MSI). As Xen does for a PV dom0, the hypervisor writes the message
 * (address and data) into the device's MSI capability itself when the
 * PIRQ is mapped; dom0 sets the enable bit as on bare metal and never
 * writes the message (Linux's Xen code does not). One vector per device
 * (no multi-message), delivered edge-triggered to the boot CPU from a
 * pool of MSI_VECTOR_COUNT vectors after the GSIs' (asm/io_apic.h).
 * A device with per-vector masking is masked until its PIRQ is bound.
 * MSI-X entries (common/msix.c) take their vectors and messages from here.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/msi.h>
#include <asm/pci.h>
#include <asm/percpu.h>
#include <asm/softirq.h>
#include <asm/apic.h>
#include <tessera/arch.h>
#include <tessera/bitmap.h>
#include <tessera/errno.h>
#include <tessera/msix.h>
#include <tessera/pirq.h>
#include <tessera/spinlock.h>

#define PCI_CAP_ID_MSI 0x05

#define MSI_CONTROL       2          /* offsets in the capability */
#define MSI_ADDRESS_LO    4
#define MSI_ADDRESS_HI    8          /* 64-bit capabilities only */
#define MSI_CTRL_ENABLE   (1u << 0)
#define MSI_CTRL_MME      (7u << 4)  /* multiple message enable: 0 for one */
#define MSI_CTRL_64BIT    (1u << 7)
#define MSI_CTRL_MASKABLE (1u << 8)

#define MSI_ADDRESS_BASE  0xFEE00000u
#define MSI_DATA_ASSERT   (1u << 14)

static spinlock_t vector_lock = SPINLOCK_INIT;
static DECLARE_BITMAP(vectors_used, MSI_VECTOR_COUNT);

struct msi_cap {
    unsigned pos;
    uint16_t control;
};

static bool find_msi(unsigned bus, unsigned devfn, struct msi_cap *cap)
{
    cap->pos = pci_capability_offset(bus, devfn, PCI_CAP_ID_MSI);
    if (!cap->pos)
        return false;
    cap->control = (uint16_t)pci_conf_read(bus, devfn, cap->pos + MSI_CONTROL, 2);
    return true;
}

static unsigned data_reg(const struct msi_cap *cap)
{
    return cap->pos + ((cap->control & MSI_CTRL_64BIT) ? 12 : 8);
}

static unsigned mask_reg(const struct msi_cap *cap)
{
    return data_reg(cap) + 4;
}

int arch_msi_vector_alloc(unsigned int *vector)
{
    unsigned long flags = spin_lock_irqsave(&vector_lock);
    size_t slot = bitmap_find_first_zero(vectors_used, MSI_VECTOR_COUNT);
    if (slot < MSI_VECTOR_COUNT)
        bitmap_set(vectors_used, slot);
    spin_unlock_irqrestore(&vector_lock, flags);
    if (slot >= MSI_VECTOR_COUNT)
        return -ENOSPC;
    *vector = MSI_VECTOR_BASE + (unsigned)slot;
    return 0;
}

void arch_msi_vector_free(unsigned int vector)
{
    if (vector >= MSI_VECTOR_BASE && vector < MSI_VECTOR_BASE + MSI_VECTOR_COUNT) {
        unsigned long flags = spin_lock_irqsave(&vector_lock);
        bitmap_clear(vectors_used, vector - MSI_VECTOR_BASE);
        spin_unlock_irqrestore(&vector_lock, flags);
    }
}

void arch_msi_message(unsigned int vector, uint64_t *address, uint32_t *data)
{
    uint32_t dest = percpu_table[0]->apic_id & 0xFF;
    *address = MSI_ADDRESS_BASE | dest << 12;
    *data = MSI_DATA_ASSERT | vector;
}

int arch_msi_enable(unsigned int bus, unsigned int devfn, unsigned int *vector)
{
    struct msi_cap cap;

    if (bus > 0xFF || devfn > 0xFF)
        return -EINVAL;
    if (!find_msi(bus, devfn, &cap))
        return -ENODEV;
    int rc = arch_msi_vector_alloc(vector);
    if (rc)
        return rc;

    if (cap.control & MSI_CTRL_MASKABLE)
        pci_conf_write(bus, devfn, mask_reg(&cap), 4, 1);
    uint64_t address;
    uint32_t data;
    arch_msi_message(*vector, &address, &data);
    pci_conf_write(bus, devfn, cap.pos + MSI_ADDRESS_LO, 4, (uint32_t)address);
    if (cap.control & MSI_CTRL_64BIT)
        pci_conf_write(bus, devfn, cap.pos + MSI_ADDRESS_HI, 4, (uint32_t)(address >> 32));
    pci_conf_write(bus, devfn, data_reg(&cap), 2, data);
    pci_conf_write(bus, devfn, cap.pos + MSI_CONTROL, 2, cap.control & ~MSI_CTRL_MME);
    return 0;
}

void arch_msi_mask(unsigned int bus, unsigned int devfn, bool masked)
{
    struct msi_cap cap;

    if (find_msi(bus, devfn, &cap) && (cap.control & MSI_CTRL_MASKABLE))
        pci_conf_write(bus, devfn, mask_reg(&cap), 4, masked ? 1 : 0);
}

void arch_msi_disable(unsigned int bus, unsigned int devfn, unsigned int vector)
{
    struct msi_cap cap;

    if (find_msi(bus, devfn, &cap)) {
        if (cap.control & MSI_CTRL_MASKABLE)
            pci_conf_write(bus, devfn, mask_reg(&cap), 4, 1);
        pci_conf_write(bus, devfn, cap.pos + MSI_CONTROL, 2,
                       cap.control & ~MSI_CTRL_ENABLE);
    }
    arch_msi_vector_free(vector);
}

void msi_interrupt(unsigned vector)
{
    bool queued = pirq_msi_interrupt(vector);
    apic_eoi();
    if (queued)
        softirq_raise(SOFTIRQ_PIRQ);
}
