#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <stdbool.h>
#include <stdint.h>

/* Interrupt vectors the hypervisor uses for itself. */
#define VECTOR_LOCAL_TIMER 0xF0
#define VECTOR_IPI_WAKE    0xF1
#define VECTOR_IPI_FLUSH   0xF2   /* TLB shootdown (asm/tlb_flush.h) */
#define VECTOR_APIC_ERROR  0xFE
#define VECTOR_SPURIOUS    0xFF

/* Choose xAPIC or x2APIC on the boot CPU (x2APIC when present unless refused). */
void apic_init_boot(bool allow_x2apic);
/* Enable and configure this CPU's local APIC. */
void apic_init_cpu(void);
bool apic_x2apic_mode(void);
uint32_t apic_read_id(void);
void apic_eoi(void);

/* Measure the APIC timer's rate against the calibrated TSC (boot CPU). */
void apic_timer_calibrate(void);
/* Fire VECTOR_LOCAL_TIMER once at (or soon after) deadline_ns; 0 stops it. */
void apic_timer_set_deadline(uint64_t deadline_ns);
uint64_t apic_timer_hz(void);

void apic_send_ipi(uint32_t apic_id, uint8_t vector);
/* NMI to every CPU but this one. */
void apic_send_nmi_allbutself(void);
/* INIT, then two start-up IPIs at the page holding the trampoline. */
void apic_wake_cpu(uint32_t apic_id, uint64_t trampoline_pa);

#endif
