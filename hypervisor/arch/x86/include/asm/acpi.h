#ifndef ASM_ACPI_H
#define ASM_ACPI_H

#include <stdbool.h>
#include <stdint.h>

struct acpi_cpu {
    uint32_t apic_id;
    uint32_t acpi_uid;
};

#define ACPI_MAX_CPUS 256
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_OVERRIDES 16

struct acpi_ioapic {
    uint8_t id;
    uint32_t address;
    uint32_t gsi_base;
};

/* ISA IRQ 'isa_irq' is GSI 'gsi'; flags are the MPS INTI flags (polarity bits 0-1, trigger 2-3). */
struct acpi_override {
    uint8_t isa_irq;
    uint32_t gsi;
    uint16_t flags;
};

/* What the boot path needs from the firmware's ACPI tables. */
struct acpi_info {
    uint64_t rsdp_pa;
    char oem_id[7];
    unsigned nr_cpus;
    struct acpi_cpu cpus[ACPI_MAX_CPUS];
    unsigned cpus_ignored;          /* disabled entries, or past ACPI_MAX_CPUS */
    uint64_t lapic_pa;
    /* I/O APICs (MADT type 1) and ISA interrupt source overrides (type 2). */
    unsigned nr_ioapics;
    struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
    unsigned nr_overrides;
    struct acpi_override overrides[ACPI_MAX_OVERRIDES];
    /* Power-off and reset. */
    uint16_t pm1a_cnt, pm1b_cnt;
    uint16_t smi_cmd;
    uint8_t acpi_enable;
    bool s5_valid;
    uint8_t slp_typa, slp_typb;
    bool reset_valid;
    uint8_t reset_space;            /* 0 memory, 1 I/O */
    uint64_t reset_addr;
    uint8_t reset_value;
};

extern struct acpi_info acpi;

/*
 * Find and parse the tables (MADT, FADT, DSDT's \_S5). rsdp_from_loader is
 * the loader's copy of the RSDP (multiboot2), or NULL to search the BIOS
 * areas. Returns 0 or a negative errno; never trusts a table whose
 * checksum is wrong.
 */
int acpi_init(const void *rsdp_from_loader);

#endif
