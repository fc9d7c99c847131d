/*
 * The control domain's PIRQs and the GSIs behind them (tessera/pirq.h).
 * Pure bookkeeping: the lines themselves are programmed and masked through
 * the arch_gsi_* hooks, ports are set pending through the event channels.
 */
#include <stddef.h>
#include <pvabi/physdev.h>
#include <tessera/arch.h>
#include <tessera/bitmap.h>
#include <tessera/errno.h>
#include <tessera/event_channel.h>
#include <tessera/log.h>
#include <tessera/msix.h>
#include <tessera/pirq.h>
#include <tessera/spinlock.h>

/* First PIRQ get_free_pirq offers for a GSI: below it are the ISA IRQs' own numbers. */
#define PIRQ_FIRST_DYNAMIC_GSI 16u

enum pirq_type { PIRQ_UNMAPPED = 0, PIRQ_GSI, PIRQ_MSI, PIRQ_MSIX };

struct pirq_entry {
    uint8_t type;           /* enum pirq_type */
    bool in_flight;         /* level line masked until the guest's EOI */
    uint16_t gsi;           /* with PIRQ_GSI */
    uint8_t bus, devfn;     /* with PIRQ_MSI and PIRQ_MSIX: the device, */
    uint16_t entry;         /* with PIRQ_MSIX: its table entry, */
    uint16_t vector;        /* and the vector its message names */
    bool stray_logged;      /* a message while unbound was reported */
    evtchn_port_t port;     /* bound port, 0 if none */
};

struct gsi_line {
    bool level, active_low; /* as programmed (setup_gsi, else the firmware's) */
    bool set_up;            /* PHYSDEVOP_setup_gsi done: a second one is -EEXIST */
    bool masked;            /* as last written to the line */
    bool stray_logged;      /* an interrupt nobody was bound to has been reported */
    int16_t pirq;           /* mapped to, -1 if none */
    uint64_t count;         /* interrupts seen */
};

/* All [L]: the lock below, except the [a] atomic fields. */
static struct {
    spinlock_t lock;
    bool have_owner;
    domid_t owner;                        /* the domain whose PIRQs these are */
    unsigned int nr_gsis;
    struct pirq_entry pirq[PIRQ_MAX];
    struct gsi_line gsi[GSI_MAX];
    unsigned long *eoi_map;               /* guest page; bits written [a] */
    DECLARE_BITMAP(fired, PIRQ_MAX);      /* [a] awaiting delivery */
} irqs = { .lock = SPINLOCK_INIT };

void pirq_init(unsigned int nr_gsis)
{
    unsigned long flags = spin_lock_irqsave(&irqs.lock);
    irqs.nr_gsis = nr_gsis < GSI_MAX ? nr_gsis : GSI_MAX;
    irqs.have_owner = false;
    irqs.eoi_map = NULL;
    bitmap_zero(irqs.fired, PIRQ_MAX);
    for (unsigned int p = 0; p < PIRQ_MAX; p++)
        irqs.pirq[p] = (struct pirq_entry){ 0 };
    for (unsigned int g = 0; g < GSI_MAX; g++) {
        /* ISA inputs default to edge/high, PCI ones to level/low (ACPI's conventions). */
        bool isa = g < 16;
        irqs.gsi[g] = (struct gsi_line){ .level = !isa, .active_low = !isa, .masked = true,
                                         .pirq = -1 };
    }
    spin_unlock_irqrestore(&irqs.lock, flags);
    msix_init();
}

void pirq_gsi_set_default(unsigned int gsi, bool level, bool active_low)
{
    if (gsi >= GSI_MAX)
        return;
    unsigned long flags = spin_lock_irqsave(&irqs.lock);
    irqs.gsi[gsi].level = level;
    irqs.gsi[gsi].active_low = active_low;
    spin_unlock_irqrestore(&irqs.lock, flags);
}

unsigned int pirq_nr_gsis(void)
{
    return __atomic_load_n(&irqs.nr_gsis, __ATOMIC_RELAXED);
}

uint64_t pirq_gsi_count(unsigned int gsi)
{
    if (gsi >= GSI_MAX)
        return 0;
    return __atomic_load_n(&irqs.gsi[gsi].count, __ATOMIC_RELAXED);
}

/* d may own PIRQs: the control domain, the first one to ask. [L] */
static bool may_own(const struct domain *d)
{
    if (!d->is_privileged)
        return false;
    return !irqs.have_owner || irqs.owner == d->domain_id;
}

static void claim_owner(const struct domain *d)
{
    irqs.have_owner = true;
    irqs.owner = d->domain_id;
}

/* Writes the line's mask bit when it changes. [L] */
static void line_mask(unsigned int gsi, bool masked)
{
    if (irqs.gsi[gsi].masked == masked)
        return;
    irqs.gsi[gsi].masked = masked;
    arch_gsi_mask(gsi, masked);
}

/* Whether a bound PIRQ waits for the guest's EOI: a level line (an MSI is an edge). [L] */
static bool needs_eoi(const struct pirq_entry *e)
{
    return e->type == PIRQ_GSI && irqs.gsi[e->gsi].level;
}

static void eoi_map_write(uint32_t pirq, bool set)
{
    unsigned long *map = __atomic_load_n(&irqs.eoi_map, __ATOMIC_ACQUIRE);
    if (!map)
        return;
    if (set)
        bitmap_set_atomic(map, pirq);
    else
        bitmap_clear_atomic(map, pirq);
}

long pirq_setup_gsi(struct domain *d, int gsi, bool level, bool active_low)
{
    long rc = 0;
    unsigned long flags = spin_lock_irqsave(&irqs.lock);

    if (!may_own(d)) {
        rc = -EPERM;
    } else if (gsi < 0 || (unsigned int)gsi >= irqs.nr_gsis) {
        rc = -EINVAL;
    } else if (irqs.gsi[gsi].set_up) {
        rc = -EEXIST;
    } else {
        struct gsi_line *line = &irqs.gsi[gsi];
        line->set_up = true;
        line->level = level;
        line->active_low = active_low;
        arch_gsi_program((unsigned int)gsi, level, active_low, line->masked);
    }
    spin_unlock_irqrestore(&irqs.lock, flags);
    return rc;
}

static int first_free(unsigned int from, unsigned int to_excl, bool down)
{
    for (unsigned int i = 0; i < to_excl - from; i++) {
        unsigned int p = down ? to_excl - 1 - i : from + i;
        if (irqs.pirq[p].type == PIRQ_UNMAPPED)
            return (int)p;
    }
    return -ENOSPC;
}

/* A free PIRQ for this map type. [L] */
static int choose_free(int type)
{
    if (type == MAP_PIRQ_TYPE_GSI) {
        int p = first_free(PIRQ_FIRST_DYNAMIC_GSI, irqs.nr_gsis > PIRQ_FIRST_DYNAMIC_GSI
                                                        ? irqs.nr_gsis : PIRQ_FIRST_DYNAMIC_GSI,
                           false);
        if (p >= 0)
            return p;
    }
    return first_free(irqs.nr_gsis, PIRQ_MAX, true);
}

long pirq_map_gsi(struct domain *d, int gsi, int *pirq)
{
    long rc = 0;
    unsigned long flags = spin_lock_irqsave(&irqs.lock);

    if (!may_own(d)) {
        rc = -EPERM;
        goto out;
    }
    if (gsi < 0 || (unsigned int)gsi >= irqs.nr_gsis) {
        rc = -EINVAL;
        goto out;
    }
    struct gsi_line *line = &irqs.gsi[gsi];
    int p = *pirq;
    if (p < 0)
        p = line->pirq >= 0 ? line->pirq : choose_free(MAP_PIRQ_TYPE_GSI);
    if (p < 0) {
        rc = p;
        goto out;
    }
    if ((unsigned int)p >= PIRQ_MAX) {
        rc = -EINVAL;
        goto out;
    }
    struct pirq_entry *e = &irqs.pirq[p];
    if (e->type == PIRQ_GSI && e->gsi == gsi) {
        *pirq = p;          /* mapped like this already: as Xen, nothing to do */
        goto out;
    }
    /* Xen logs this and answers 0; we refuse so the guest's number stays true. */
    if (e->type != PIRQ_UNMAPPED || line->pirq >= 0) {
        rc = -EBUSY;
        goto out;
    }
    claim_owner(d);
    *e = (struct pirq_entry){ .type = PIRQ_GSI, .gsi = (uint16_t)gsi };
    line->pirq = (int16_t)p;
    line_mask((unsigned int)gsi, true);
    if (!line->set_up)
        arch_gsi_program((unsigned int)gsi, line->level, line->active_low, true);
    *pirq = p;
out:
    spin_unlock_irqrestore(&irqs.lock, flags);
    return rc;
}

/*
 * Whether bus:devfn may take a message of this type: -EEXIST it has its
 * MSI already (type PIRQ_MSI), -EBUSY it uses the other kind. Xen turns
 * the other kind off instead; Linux never asks for both. [L]
 */
static long function_in_use(unsigned int bus, unsigned int devfn, enum pirq_type type)
{
    for (unsigned int p = 0; p < PIRQ_MAX; p++) {
        const struct pirq_entry *e = &irqs.pirq[p];
        if ((e->type != PIRQ_MSI && e->type != PIRQ_MSIX) || e->bus != bus || e->devfn != devfn)
            continue;
        if (e->type != type)
            return -EBUSY;
        if (type == PIRQ_MSI)
            return -EEXIST;
    }
    return 0;
}

/* A PIRQ for an MSI or MSI-X message: the caller's choice if free, else from the top down. [L] */
static long choose_msi_pirq(int wanted, int *pirq)
{
    int p = wanted < 0 ? choose_free(MAP_PIRQ_TYPE_MSI) : wanted;
    if (p < 0)
        return p;
    if ((unsigned int)p >= PIRQ_MAX)
        return -EINVAL;
    if (irqs.pirq[p].type != PIRQ_UNMAPPED)
        return -EBUSY;
    *pirq = p;
    return 0;
}

/*
 * MSI (entry and table_base unused) and MSI-X alike: d may own device
 * interrupts, bus:devfn is a function with no mapping of the other kind,
 * a PIRQ is free (the one asked for, or one chosen); then the device is
 * programmed and gives the vector.
 */
static long map_message(struct domain *d, enum pirq_type type, unsigned int bus,
                        unsigned int devfn, unsigned int entry, uint64_t table_base, int *pirq)
{
    long rc;
    unsigned long flags = spin_lock_irqsave(&irqs.lock);

    if (!may_own(d)) {
        rc = -EPERM;
        goto out;
    }
    if (bus > 0xFF || devfn > 0xFF) {
        rc = -EINVAL;
        goto out;
    }
    rc = function_in_use(bus, devfn, type);
    if (rc)
        goto out;
    int p;
    rc = choose_msi_pirq(*pirq, &p);
    if (rc)
        goto out;
    unsigned int vector;
    rc = type == PIRQ_MSI ? arch_msi_enable(bus, devfn, &vector)
                          : msix_entry_enable(bus, devfn, entry, table_base, &vector);
    if (rc)
        goto out;
    claim_owner(d);
    irqs.pirq[p] = (struct pirq_entry){ .type = (uint8_t)type, .bus = (uint8_t)bus,
                                        .devfn = (uint8_t)devfn, .entry = (uint16_t)entry,
                                        .vector = (uint16_t)vector };
    *pirq = p;
out:
    spin_unlock_irqrestore(&irqs.lock, flags);
    return rc;
}

long pirq_map_msi(struct domain *d, unsigned int bus, unsigned int devfn, int *pirq)
{
    return map_message(d, PIRQ_MSI, bus, devfn, 0, 0, pirq);
}

long pirq_map_msix(struct domain *d, unsigned int bus, unsigned int devfn, unsigned int entry,
                   uint64_t table_base, int *pirq)
{
    return map_message(d, PIRQ_MSIX, bus, devfn, entry, table_base, pirq);
}

/* Masks or unmasks the message of an MSI or MSI-X PIRQ where the device can. [L] */
static void message_mask(const struct pirq_entry *e, bool masked)
{
    if (e->type == PIRQ_MSI)
        arch_msi_mask(e->bus, e->devfn, masked);
    else if (e->type == PIRQ_MSIX)
        msix_entry_mask(e->bus, e->devfn, e->entry, masked);
}

/* Forgets PIRQ p's mapping; its port, if any, stays bound to nothing. [L] */
static void unmap_locked(unsigned int p)
{
    struct pirq_entry *e = &irqs.pirq[p];
    if (e->type == PIRQ_GSI) {
        line_mask(e->gsi, true);
        irqs.gsi[e->gsi].pirq = -1;
    }
    if (e->type == PIRQ_MSI)
        arch_msi_disable(e->bus, e->devfn, e->vector);
    if (e->type == PIRQ_MSIX)
        msix_entry_disable(e->bus, e->devfn, e->entry, e->vector);
    if (e->port)
        eoi_map_write(p, false);
    bitmap_clear_atomic(irqs.fired, p);
    *e = (struct pirq_entry){ 0 };
}

long pirq_unmap(struct domain *d, int pirq)
{
    long rc = 0;
    unsigned long flags = spin_lock_irqsave(&irqs.lock);

    if (!may_own(d))
        rc = -EPERM;
    else if (pirq < 0 || (unsigned int)pirq >= PIRQ_MAX ||
             irqs.pirq[pirq].type == PIRQ_UNMAPPED)
        rc = -EINVAL;
    else
        unmap_locked((unsigned int)pirq);
    spin_unlock_irqrestore(&irqs.lock, flags);
    return rc;
}

long pirq_eoi(struct domain *d, uint32_t pirq)
{
    long rc = -EINVAL;     /* as Xen: a PIRQ the caller does not have */

    if (pirq >= PIRQ_MAX)
        return -EINVAL;
    unsigned long flags = spin_lock_irqsave(&irqs.lock);
    struct pirq_entry *e = &irqs.pirq[pirq];
    if (irqs.have_owner && irqs.owner == d->domain_id && e->type != PIRQ_UNMAPPED) {
        if (e->in_flight) {
            e->in_flight = false;
            if (e->port)
                line_mask(e->gsi, false);
        }
        rc = 0;
    }
    spin_unlock_irqrestore(&irqs.lock, flags);
    return rc;
}

long pirq_status_query(struct domain *d, uint32_t pirq, uint32_t *flags)
{
    (void)d;
    if (pirq >= PIRQ_MAX)
        return -EINVAL;
    /*
     * As Xen for PV guests: always "needs EOI" (a guest without the EOI
     * bitmap must EOI every interrupt); never shared, as one domain owns
     * every line.
     */
    *flags = XENIRQSTAT_needs_eoi;
    return 0;
}

long pirq_get_free(struct domain *d, int type, uint32_t *pirq)
{
    long rc;
    unsigned long flags = spin_lock_irqsave(&irqs.lock);
    if (!may_own(d)) {
        rc = -EPERM;
    } else {
        rc = choose_free(type);
        if (rc >= 0) {
            *pirq = (uint32_t)rc;
            rc = 0;
        }
    }
    spin_unlock_irqrestore(&irqs.lock, flags);
    return rc;
}

long pirq_set_eoi_map(struct domain *d, unsigned long *map)
{
    long rc = 0;
    unsigned long flags = spin_lock_irqsave(&irqs.lock);
    if (!may_own(d)) {
        rc = -EPERM;
    } else if (irqs.eoi_map) {
        rc = -EBUSY;
    } else {
        claim_owner(d);
        __atomic_store_n(&irqs.eoi_map, map, __ATOMIC_RELEASE);
        for (unsigned int p = 0; p < PIRQ_MAX; p++) {
            struct pirq_entry *e = &irqs.pirq[p];
            eoi_map_write(p, e->port && needs_eoi(e));
        }
    }
    spin_unlock_irqrestore(&irqs.lock, flags);
    return rc;
}

int pirq_bind(struct domain *d, uint32_t pirq, evtchn_port_t port)
{
    int rc = 0;
    unsigned long flags = spin_lock_irqsave(&irqs.lock);
    if (!may_own(d)) {
        rc = -EPERM;
    } else if (pirq >= PIRQ_MAX || irqs.pirq[pirq].type == PIRQ_UNMAPPED) {
        rc = -EINVAL;
    } else if (irqs.pirq[pirq].port) {
        rc = -EBUSY;
    } else {
        struct pirq_entry *e = &irqs.pirq[pirq];
        e->port = port;
        e->in_flight = false;
        eoi_map_write(pirq, needs_eoi(e));
        if (e->type == PIRQ_GSI) {
            irqs.gsi[e->gsi].stray_logged = false;
            line_mask(e->gsi, false);
        } else {
            e->stray_logged = false;
            message_mask(e, false);
        }
    }
    spin_unlock_irqrestore(&irqs.lock, flags);
    return rc;
}

void pirq_unbind(struct domain *d, uint32_t pirq, evtchn_port_t port)
{
    unsigned long flags = spin_lock_irqsave(&irqs.lock);
    if (pirq < PIRQ_MAX && irqs.have_owner && irqs.owner == d->domain_id) {
        struct pirq_entry *e = &irqs.pirq[pirq];
        if (e->port == port) {
            e->port = 0;
            e->in_flight = false;
            eoi_map_write(pirq, false);
            bitmap_clear_atomic(irqs.fired, pirq);
            if (e->type == PIRQ_GSI)
                line_mask(e->gsi, true);
            else
                message_mask(e, true);
        }
    }
    spin_unlock_irqrestore(&irqs.lock, flags);
}

bool pirq_gsi_interrupt(unsigned int gsi)
{
    bool queued = false;

    if (gsi >= GSI_MAX)
        return false;
    unsigned long flags = spin_lock_irqsave(&irqs.lock);
    struct gsi_line *line = &irqs.gsi[gsi];
    line->count++;
    int p = line->pirq;
    struct pirq_entry *e = p >= 0 ? &irqs.pirq[p] : NULL;
    if (!e || !e->port) {
        /*
         * Nobody to tell: silence the line, or an asserted level input
         * storms. Written even if we believe it masked: it just fired.
         */
        line->masked = true;
        arch_gsi_mask(gsi, true);
        if (!line->stray_logged) {
            line->stray_logged = true;
            log_warn("irq: GSI %u fired with no event channel bound; masked\n", gsi);
        }
    } else {
        if (line->level) {
            e->in_flight = true;
            line_mask(gsi, true);
        }
        bitmap_set_atomic(irqs.fired, (size_t)p);
        queued = true;
    }
    spin_unlock_irqrestore(&irqs.lock, flags);
    return queued;
}

bool pirq_msi_interrupt(unsigned int vector)
{
    bool queued = false;
    unsigned long flags = spin_lock_irqsave(&irqs.lock);
    for (unsigned int p = 0; p < PIRQ_MAX; p++) {
        struct pirq_entry *e = &irqs.pirq[p];
        if ((e->type != PIRQ_MSI && e->type != PIRQ_MSIX) || e->vector != vector)
            continue;
        if (e->port) {
            bitmap_set_atomic(irqs.fired, p);
            queued = true;
        } else {
            /* Enabled by the guest before it bound the PIRQ: hold it off where we can. */
            message_mask(e, true);
            if (!e->stray_logged) {
                e->stray_logged = true;
                log_warn("irq: %s of %02x:%02x.%u before its PIRQ %u was bound; masked\n",
                         e->type == PIRQ_MSIX ? "MSI-X" : "MSI", e->bus, e->devfn >> 3,
                         e->devfn & 7, p);
            }
        }
        break;
    }
    spin_unlock_irqrestore(&irqs.lock, flags);
    return queued;
}

void pirq_deliver_pending(void)
{
    size_t p;
    while ((p = bitmap_find_first_set(irqs.fired, PIRQ_MAX)) < PIRQ_MAX) {
        if (!bitmap_test_and_clear_atomic(irqs.fired, p))
            continue;
        unsigned long flags = spin_lock_irqsave(&irqs.lock);
        evtchn_port_t port = irqs.pirq[p].port;
        domid_t owner = irqs.owner;
        spin_unlock_irqrestore(&irqs.lock, flags);
        if (!port)
            continue;
        struct domain *d = domain_get(owner);
        if (!d)
            continue;
        /* The port is checked again under its own lock: it may have closed meanwhile. */
        evtchn_send_pirq(d, port, (uint32_t)p);
        domain_put(d);
    }
}

void pirq_domain_destroy(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&irqs.lock);
    if (!irqs.have_owner || irqs.owner != d->domain_id) {
        spin_unlock_irqrestore(&irqs.lock, flags);
        return;
    }
    for (unsigned int p = 0; p < PIRQ_MAX; p++)
        if (irqs.pirq[p].type != PIRQ_UNMAPPED)
            unmap_locked(p);
    unsigned long *map = irqs.eoi_map;
    __atomic_store_n(&irqs.eoi_map, NULL, __ATOMIC_RELEASE);
    irqs.have_owner = false;
    for (unsigned int g = 0; g < GSI_MAX; g++)
        irqs.gsi[g].set_up = false;
    spin_unlock_irqrestore(&irqs.lock, flags);
    if (map)
        arch_guest_frame_release(d, map);
}
