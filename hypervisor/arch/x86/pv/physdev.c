/*
 * physdev_op (hypercall 33) for PV guests, with Xen 4.17's numbers,
 * layouts and answers. set_iopl is every guest's (pv/ioport.c); the rest
 * is the control domain's: device interrupts as PIRQs (common/pirq.c:
 * map, unmap, setup_gsi, eoi, the EOI bitmap page), reading an I/O APIC
 * register, and the PCI device notifications, which are accepted and need
 * nothing here (no IOMMU, nothing passed through). MSI is one vector per
 * device (arch/x86/msi.c writes the message), MSI-X one vector per table
 * entry (common/msix.c writes it); multi-message MSI is -EOPNOTSUPP, and
 * Linux's drivers then ask for one MSI. Each operation copies its
 * argument in once, checks it, acts and copies the OUT fields back.
 */
#include <stdint.h>
#include <asm/io_apic.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <pvabi/physdev.h>
#include <tessera/arch.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>
#include <tessera/log.h>
#include <tessera/msix.h>
#include <tessera/pirq.h>

/*
 * The domain a map/unmap names: the caller's own (DOMID_SELF or its id).
 * Another existing domain is -EPERM: nothing is passed through to domUs.
 */
static long own_domain(struct domain *caller, domid_t domid)
{
    if (domid == DOMID_SELF || domid == caller->domain_id)
        return caller->is_privileged ? 0 : -EPERM;
    struct domain *d = domain_get(domid);
    if (!d)
        return -ESRCH;
    domain_put(d);
    return -EPERM;
}

static long map_pirq(struct domain *d, uint64_t arg)
{
    struct physdev_map_pirq op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    long rc = own_domain(d, op.domid);
    if (rc)
        return rc;
    switch (op.type) {
    case MAP_PIRQ_TYPE_GSI:
        rc = pirq_map_gsi(d, op.index, &op.pirq);
        break;
    case MAP_PIRQ_TYPE_MSI:
    case MAP_PIRQ_TYPE_MSI_SEG:
        /* Segment 0 only (MSI_SEG's high 16 bits of bus), as the machine has no other. */
        if (op.type == MAP_PIRQ_TYPE_MSI_SEG && (uint32_t)op.bus >> 16)
            return -ENODEV;
        /* As on Xen, a table base says MSI-X, and entry_nr names the table's entry. */
        if (op.table_base) {
            rc = pirq_map_msix(d, (uint32_t)op.bus & 0xFFFF, (uint32_t)op.devfn,
                               (uint32_t)op.entry_nr, op.table_base, &op.pirq);
            /* As Xen, say why: Linux's fallback to fewer vectors or INTx is silent. */
            if (rc)
                log_warn("physdev: MSI-X entry %d of %02x:%02x.%u (table BAR %#llx) refused: %ld\n",
                         op.entry_nr, (uint32_t)op.bus & 0xFF, ((uint32_t)op.devfn >> 3) & 0x1F,
                         (uint32_t)op.devfn & 7, (unsigned long long)op.table_base, rc);
        } else
            rc = pirq_map_msi(d, (uint32_t)op.bus & 0xFFFF, (uint32_t)op.devfn, &op.pirq);
        break;
    case MAP_PIRQ_TYPE_MULTI_MSI:
        return -EOPNOTSUPP;
    default:
        return -EINVAL;
    }
    if (rc == 0 && copy_to_guest(arg, &op, sizeof(op))) {
        pirq_unmap(d, op.pirq);
        rc = -EFAULT;
    }
    return rc;
}

static long unmap_pirq(struct domain *d, uint64_t arg)
{
    struct physdev_unmap_pirq op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    long rc = own_domain(d, op.domid);
    return rc ? rc : pirq_unmap(d, op.pirq);
}

static long setup_gsi(struct domain *d, uint64_t arg)
{
    struct physdev_setup_gsi op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    return pirq_setup_gsi(d, op.gsi, op.triggering != 0, op.polarity != 0);
}

static long eoi(struct domain *d, uint64_t arg)
{
    struct physdev_eoi op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    return pirq_eoi(d, op.irq);
}

static long irq_status_query(struct domain *d, uint64_t arg)
{
    struct physdev_irq_status_query op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    long rc = pirq_status_query(d, op.irq, &op.flags);
    if (rc == 0 && copy_to_guest(arg, &op, sizeof(op)))
        rc = -EFAULT;
    return rc;
}

static long get_free_pirq(struct domain *d, uint64_t arg)
{
    struct physdev_get_free_pirq op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    long rc = pirq_get_free(d, op.type, &op.pirq);
    if (rc == 0 && copy_to_guest(arg, &op, sizeof(op)))
        rc = -EFAULT;
    return rc;
}

static long pirq_eoi_gmfn_v2(struct domain *d, uint64_t arg)
{
    struct physdev_pirq_eoi_gmfn op;
    void *page;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (!d->is_privileged)
        return -EPERM;
    if (arch_guest_frame_hold(d, op.gmfn, &page) < 0)
        return -EINVAL;
    long rc = pirq_set_eoi_map(d, page);
    if (rc)
        arch_guest_frame_release(d, page);
    return rc;
}

static long apic_read(struct domain *d, uint64_t arg)
{
    struct physdev_apic op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (!d->is_privileged)
        return -EPERM;
    long rc = io_apic_guest_read(op.apic_physbase, op.reg, &op.value);
    if (rc == 0 && copy_to_guest(arg, &op, sizeof(op)))
        rc = -EFAULT;
    return rc;
}

static long alloc_irq_vector(struct domain *d, uint64_t arg)
{
    struct physdev_irq op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (!d->is_privileged)
        return -EPERM;
    if (op.irq >= pirq_nr_gsis())
        return -EINVAL;
    /* As Xen 4.17: the "vector" is the IRQ itself, a name the guest passes back. */
    op.vector = op.irq;
    return copy_to_guest(arg, &op, sizeof(op)) ? -EFAULT : 0;
}

/*
 * PCI add/remove notices and MSI restores: without an IOMMU nothing is set
 * up, but an added function's MSI-X table and PBA become read-only to dom0
 * (common/msix.c), before its driver maps them. Segment 0 only.
 */
static long pci_notice(struct domain *d, int cmd, uint64_t arg, size_t size)
{
    union {
        struct physdev_manage_pci manage;
        struct physdev_manage_pci_ext manage_ext;
        struct physdev_pci_device_add add;
        struct physdev_pci_device device;
        struct physdev_pci_mmcfg_reserved mmcfg;
    } op;

    if (size > sizeof(op) || copy_from_guest(&op, arg, size))
        return -EFAULT;
    if (!d->is_privileged)
        return -EPERM;
    switch (cmd) {
    case PHYSDEVOP_manage_pci_add:
        msix_device_announce(op.manage.bus, op.manage.devfn);
        break;
    case PHYSDEVOP_manage_pci_add_ext:
        msix_device_announce(op.manage_ext.bus, op.manage_ext.devfn);
        break;
    case PHYSDEVOP_pci_device_add:
        if (op.add.seg == 0)
            msix_device_announce(op.add.bus, op.add.devfn);
        break;
    case PHYSDEVOP_manage_pci_remove:
        msix_device_withdraw(op.manage.bus, op.manage.devfn);
        break;
    case PHYSDEVOP_pci_device_remove:
        if (op.device.seg == 0)
            msix_device_withdraw(op.device.bus, op.device.devfn);
        break;
    }
    return 0;
}

long hc_physdev_op(struct vcpu *v, int cmd, uint64_t arg)
{
    struct domain *d = v->domain;
    struct physdev_set_iopl si;

    switch (cmd) {
    case PHYSDEVOP_set_iopl:
        if (copy_from_guest(&si, arg, sizeof(si)) < 0)
            return -EFAULT;
        return pv_set_iopl(v, si.iopl);
    case PHYSDEVOP_map_pirq:
        return map_pirq(d, arg);
    case PHYSDEVOP_unmap_pirq:
        return unmap_pirq(d, arg);
    case PHYSDEVOP_setup_gsi:
        return setup_gsi(d, arg);
    case PHYSDEVOP_eoi:
        return eoi(d, arg);
    case PHYSDEVOP_irq_status_query:
        return irq_status_query(d, arg);
    case PHYSDEVOP_get_free_pirq:
        return get_free_pirq(d, arg);
    case PHYSDEVOP_pirq_eoi_gmfn_v2:
        return pirq_eoi_gmfn_v2(d, arg);
    case PHYSDEVOP_apic_read:
        return apic_read(d, arg);
    case PHYSDEVOP_alloc_irq_vector:
        return alloc_irq_vector(d, arg);
    case PHYSDEVOP_manage_pci_add:
    case PHYSDEVOP_manage_pci_remove:
    case PHYSDEVOP_restore_msi:
        return pci_notice(d, cmd, arg, sizeof(struct physdev_manage_pci));
    case PHYSDEVOP_manage_pci_add_ext:
        return pci_notice(d, cmd, arg, sizeof(struct physdev_manage_pci_ext));
    case PHYSDEVOP_pci_device_add:
        return pci_notice(d, cmd, arg, sizeof(struct physdev_pci_device_add));
    case PHYSDEVOP_pci_device_remove:
    case PHYSDEVOP_restore_msi_ext:
        return pci_notice(d, cmd, arg, sizeof(struct physdev_pci_device));
    case PHYSDEVOP_pci_mmcfg_reserved:
        return pci_notice(d, cmd, arg, sizeof(struct physdev_pci_mmcfg_reserved));
    default:
        /* apic_write, pirq_eoi_gmfn_v1, free_irq_vector, set_iobitmap, dbgp_op, MSI-X prepare */
        return -ENOSYS;
    }
}
