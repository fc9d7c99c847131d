/*
 * The I/O APICs, which the hypervisor owns (the control domain never maps
 * them: pv/page_type.c refuses their pages, and PHYSDEVOP_apic_read reads
 * a register for it). Every input is masked at boot; an input is
 * programmed and unmasked only for a GSI the control domain mapped and
 * bound (common/pirq.c). GSI g is delivered to the boot CPU as vector
 * IRQ_VECTOR_BASE + g, fixed delivery, physical destination.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/io_apic.h>
#include <asm/paging.h>
#include <asm/percpu.h>
#include <asm/softirq.h>
#include <tessera/arch.h>
#include <tessera/errno.h>
#include <tessera/log.h>
#include <tessera/pirq.h>
#include <tessera/spinlock.h>

#define IOAPIC_REGSEL 0x00
#define IOAPIC_WINDOW 0x10          /* bytes from the base, 32-bit registers */
#define IOAPIC_REG_ID      0x00
#define IOAPIC_REG_VERSION 0x01
#define IOAPIC_REG_RTE(pin) (0x10 + 2 * (pin))

#define RTE_POLARITY_LOW (1u << 13)
#define RTE_TRIGGER_LEVEL (1u << 15)
#define RTE_MASKED       (1u << 16)

struct io_apic {
    volatile uint32_t *mmio;
    uint32_t address;
    unsigned gsi_base, nr_pins;
};

static struct io_apic io_apics[ACPI_MAX_IOAPICS];
static unsigned nr_io_apics;
static spinlock_t io_apic_lock = SPINLOCK_INIT;   /* the select/window pairs */

static uint32_t reg_read(const struct io_apic *a, unsigned reg)
{
    a->mmio[IOAPIC_REGSEL / 4] = reg;
    return a->mmio[IOAPIC_WINDOW / 4];
}

static void reg_write(const struct io_apic *a, unsigned reg, uint32_t value)
{
    a->mmio[IOAPIC_REGSEL / 4] = reg;
    a->mmio[IOAPIC_WINDOW / 4] = value;
}

/* The I/O APIC and pin of a GSI, or NULL. */
static const struct io_apic *gsi_pin(unsigned gsi, unsigned *pin)
{
    for (unsigned i = 0; i < nr_io_apics; i++) {
        const struct io_apic *a = &io_apics[i];
        if (gsi >= a->gsi_base && gsi < a->gsi_base + a->nr_pins) {
            *pin = gsi - a->gsi_base;
            return a;
        }
    }
    return NULL;
}

static void write_rte(unsigned gsi, uint32_t low)
{
    unsigned pin;
    const struct io_apic *a = gsi_pin(gsi, &pin);
    if (!a)
        return;
    uint32_t high = (percpu_table[0]->apic_id & 0xFF) << 24;
    unsigned long flags = spin_lock_irqsave(&io_apic_lock);
    /* Masked while the halves disagree, then the low half with the real mask. */
    reg_write(a, IOAPIC_REG_RTE(pin), RTE_MASKED);
    reg_write(a, IOAPIC_REG_RTE(pin) + 1, high);
    reg_write(a, IOAPIC_REG_RTE(pin), low);
    spin_unlock_irqrestore(&io_apic_lock, flags);
}

static uint32_t rte_low(unsigned gsi, bool level, bool active_low, bool masked)
{
    return (IRQ_VECTOR_BASE + gsi) | (active_low ? RTE_POLARITY_LOW : 0) |
           (level ? RTE_TRIGGER_LEVEL : 0) | (masked ? RTE_MASKED : 0);
}

void arch_gsi_program(unsigned int gsi, bool level, bool active_low, bool masked)
{
    if (gsi < GSI_MAX)
        write_rte(gsi, rte_low(gsi, level, active_low, masked));
}

void arch_gsi_mask(unsigned int gsi, bool masked)
{
    unsigned pin;
    const struct io_apic *a = gsi_pin(gsi, &pin);
    if (!a)
        return;
    unsigned long flags = spin_lock_irqsave(&io_apic_lock);
    uint32_t low = reg_read(a, IOAPIC_REG_RTE(pin));
    low = masked ? low | RTE_MASKED : low & ~RTE_MASKED;
    reg_write(a, IOAPIC_REG_RTE(pin), low);
    spin_unlock_irqrestore(&io_apic_lock, flags);
}

int io_apic_guest_read(uint64_t physbase, uint32_t reg, uint32_t *value)
{
    for (unsigned i = 0; i < nr_io_apics; i++) {
        if (io_apics[i].address != physbase)
            continue;
        unsigned long flags = spin_lock_irqsave(&io_apic_lock);
        *value = reg_read(&io_apics[i], reg & 0xFF);
        spin_unlock_irqrestore(&io_apic_lock, flags);
        return 0;
    }
    return -EINVAL;
}

bool io_apic_owns_frame(uint64_t mfn)
{
    for (unsigned i = 0; i < nr_io_apics; i++)
        if (io_apics[i].address >> 12 == mfn)
            return true;
    return false;
}

void io_apic_interrupt(unsigned vector)
{
    bool queued = pirq_gsi_interrupt(vector - IRQ_VECTOR_BASE);
    /* After the mask: a level line's remote IRR clears only with the line silenced. */
    apic_eoi();
    if (queued)
        softirq_raise(SOFTIRQ_PIRQ);
}

static void apply_overrides(void)
{
    for (unsigned i = 0; i < acpi.nr_overrides; i++) {
        const struct acpi_override *o = &acpi.overrides[i];
        unsigned polarity = o->flags & 3, trigger = (o->flags >> 2) & 3;
        /* 0 is "as the bus says": ISA is edge-triggered, active high. */
        pirq_gsi_set_default(o->gsi, trigger == 3, polarity == 3);
    }
}

void io_apic_init(void)
{
    unsigned nr_gsis = 0;

    for (unsigned i = 0; i < acpi.nr_ioapics && nr_io_apics < ACPI_MAX_IOAPICS; i++) {
        struct io_apic *a = &io_apics[nr_io_apics];
        a->address = acpi.ioapics[i].address;
        a->gsi_base = acpi.ioapics[i].gsi_base;
        a->mmio = ioremap(a->address, 4096);
        if (!a->mmio) {
            log_warn("io_apic: cannot map the I/O APIC at %#x; its inputs unused\n", a->address);
            continue;
        }
        a->nr_pins = ((reg_read(a, IOAPIC_REG_VERSION) >> 16) & 0xFF) + 1;
        nr_io_apics++;
        if (a->gsi_base + a->nr_pins > nr_gsis)
            nr_gsis = a->gsi_base + a->nr_pins;
        log_info("io_apic: id %u at %#x, GSIs %u-%u\n", acpi.ioapics[i].id, a->address,
                 a->gsi_base, a->gsi_base + a->nr_pins - 1);
    }
    if (nr_gsis > GSI_MAX) {
        log_warn("io_apic: GSIs from %u on are not routed\n", GSI_MAX);
        nr_gsis = GSI_MAX;
    }
    pirq_init(nr_gsis);
    apply_overrides();
    for (unsigned gsi = 0; gsi < nr_gsis; gsi++)
        write_rte(gsi, rte_low(gsi, false, false, true));
    softirq_register(SOFTIRQ_PIRQ, pirq_deliver_pending);
}
