/* The I/O APICs (arch/x86/io_apic.c): device interrupts for the control domain. */
#ifndef ASM_IO_APIC_H
#define ASM_IO_APIC_H

#include <stdbool.h>
#include <stdint.h>

/* GSI g arrives as vector IRQ_VECTOR_BASE + g (GSI_MAX of them, below MSI's, asm/msi.h). */
#define IRQ_VECTOR_BASE 0x30u

/* Boot, after acpi_init and the boot CPU's APIC: map each I/O APIC, mask every input. */
void io_apic_init(void);
/* A vector in [IRQ_VECTOR_BASE, IRQ_VECTOR_BASE + GSI_MAX) arrived (interrupts off). */
void io_apic_interrupt(unsigned vector);
/* PHYSDEVOP_apic_read: register reg of the I/O APIC at physbase; -EINVAL if none is there. */
int io_apic_guest_read(uint64_t physbase, uint32_t reg, uint32_t *value);
/* Whether machine frame mfn holds an I/O APIC's registers. */
bool io_apic_owns_frame(uint64_t mfn);

#endif
