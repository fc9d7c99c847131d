/*
 * Physical interrupts of real devices for the hardware domain (PIRQs),
 * with Xen 4.17's physdev_op meaning: a GSI (an I/O APIC input) is mapped
 * to a PIRQ number of the control domain (PHYSDEVOP_map_pirq), the PIRQ
 * is bound to an event channel (EVTCHNOP_bind_pirq), and each interrupt on
 * the line sets that port pending. A level-triggered line is masked when
 * it fires and unmasked by the guest's PHYSDEVOP_eoi, so a guest that
 * never EOIs only silences its own device; an edge-triggered one needs no
 * EOI (Xen's ACKTYPE_NONE).
 *
 * Only the control domain has PIRQs: there is no passthrough to other
 * domains (no IOMMU), so one table serves it, and a call from any other
 * domain is -EPERM as on Xen. The GSI-level work (programming, masking)
 * goes through the arch_gsi_* hooks (tessera/arch.h).
 *
 * Locking: one lock (irqsave) guards both tables; it is taken inside the
 * event-channel locks (bind and close call in here holding the port's
 * domain lock) and never held while an event-channel lock is taken, so
 * delivery happens outside it, from pirq_deliver_pending.
 */
#ifndef TESSERA_PIRQ_H
#define TESSERA_PIRQ_H

#include <stdbool.h>
#include <stdint.h>
#include <pvabi/event_channel.h>
#include <tessera/domain.h>

#define PIRQ_MAX 256u      /* PIRQ numbers 0..255 (one EOI bitmap page holds them easily) */
#define GSI_MAX  128u      /* inputs the hypervisor routes (vectors: arch) */

/* Boot: the machine has nr_gsis inputs (capped at GSI_MAX), each masked. */
void pirq_init(unsigned int nr_gsis);
/* Boot: the firmware's trigger and polarity for a GSI (MADT overrides). */
void pirq_gsi_set_default(unsigned int gsi, bool level, bool active_low);
unsigned int pirq_nr_gsis(void);

/*
 * The physdev operations, d the calling domain (its own PIRQs: the
 * hypercall layer resolves domid and refuses others). 0 or -errno:
 * -EPERM not the control domain, -EINVAL a GSI or PIRQ out of range or
 * not mapped, -EBUSY a PIRQ or GSI mapped otherwise, -ENOSPC no free PIRQ,
 * -EEXIST a GSI set up twice.
 */
long pirq_setup_gsi(struct domain *d, int gsi, bool level, bool active_low);
/* *pirq < 0: choose one (the GSI's existing PIRQ, else a free one). */
long pirq_map_gsi(struct domain *d, int gsi, int *pirq);
/*
 * An MSI (one vector) of PCI function bus:devfn: the hypervisor writes the
 * device's message (arch_msi_enable). -EEXIST if the function has one
 * already, -EBUSY if it has MSI-X entries mapped, -ENODEV if it has no
 * MSI capability, -ENOSPC no vector or PIRQ.
 */
long pirq_map_msi(struct domain *d, unsigned int bus, unsigned int devfn, int *pirq);
/*
 * Entry `entry` of function bus:devfn's MSI-X table, table_base the
 * address of the BAR holding it (common/msix.c writes the message and
 * keeps it masked until the bind). -EEXIST that entry is mapped already,
 * -EBUSY the function has an MSI mapped; msix_entry_enable's answers.
 */
long pirq_map_msix(struct domain *d, unsigned int bus, unsigned int devfn, unsigned int entry,
                   uint64_t table_base, int *pirq);
long pirq_unmap(struct domain *d, int pirq);
long pirq_eoi(struct domain *d, uint32_t pirq);
/* XENIRQSTAT_* for any domain's PIRQ number below PIRQ_MAX. */
long pirq_status_query(struct domain *d, uint32_t pirq, uint32_t *flags);
/* A PIRQ not mapped: from 16 up for a GSI type, from the top down otherwise. */
long pirq_get_free(struct domain *d, int type, uint32_t *pirq);
/*
 * PHYSDEVOP_pirq_eoi_gmfn_v2: map is a hypervisor mapping of the page
 * (held by the caller); a bit is set for each bound PIRQ that needs an
 * EOI. -EBUSY if d has one already (the caller then releases its hold).
 */
long pirq_set_eoi_map(struct domain *d, unsigned long *map);

/*
 * For the event channels, holding d's event-channel lock. bind: the PIRQ
 * must be mapped and not bound (-EINVAL, -EBUSY); its line is unmasked.
 * unbind: forgets the binding if it is still port's, masks the line.
 */
int pirq_bind(struct domain *d, uint32_t pirq, evtchn_port_t port);
void pirq_unbind(struct domain *d, uint32_t pirq, evtchn_port_t port);

/*
 * Interrupt context: gsi fired. Masks it if level-triggered (until the
 * EOI) or if nobody is bound to it (logged once per line); true when a
 * delivery was queued (the caller arranges for pirq_deliver_pending).
 */
bool pirq_gsi_interrupt(unsigned int gsi);
/* Interrupt context: an MSI vector arrived; true when a delivery was queued. */
bool pirq_msi_interrupt(unsigned int vector);
/* Sets the ports of the PIRQs that fired pending (softirq context). */
void pirq_deliver_pending(void);

/* d is dying: every PIRQ unmapped, its lines masked, its EOI page returned. */
void pirq_domain_destroy(struct domain *d);

/* How often gsi fired since boot (for tests and the console). */
uint64_t pirq_gsi_count(unsigned int gsi);

#endif
