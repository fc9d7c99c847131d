/* MSI vectors for the control domain's devices (arch/x86/msi.c). */
#ifndef ASM_MSI_H
#define ASM_MSI_H

#include <asm/io_apic.h>

/* After the GSIs' vectors (IRQ_VECTOR_BASE + GSI_MAX), below the hypervisor's own at 0xF0. */
#define MSI_VECTOR_BASE  0xB0u
#define MSI_VECTOR_COUNT 64u

/* An MSI vector arrived (interrupts off): its PIRQ fires, the local APIC gets its EOI. */
void msi_interrupt(unsigned vector);

#endif
