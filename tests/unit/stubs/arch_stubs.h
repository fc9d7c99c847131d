/*
 * Test doubles for the arch hooks (tessera/arch.h): what the hypervisor
 * would do with hardware, recorded or simulated so tests can check it.
 */
#ifndef TESSERA_TEST_ARCH_STUBS_H
#define TESSERA_TEST_ARCH_STUBS_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Everything arch_console_write received since the last reset, NUL-terminated. */
extern char stub_console[1 << 20];
extern size_t stub_console_len;
void stub_console_reset(void);

/* What arch_now_ns returns; each arch_cpu_relax adds stub_relax_advance_ns. */
extern uint64_t stub_now_ns;
extern uint64_t stub_relax_advance_ns;

/* What arch_cpu_id returns, per thread. */
extern __thread unsigned int stub_cpu_id;

/* Interrupt state simulated per thread: true while "disabled". */
extern __thread bool stub_irqs_off;

/*
 * arch_panic_halt longjmps here when stub_panic_armed is set (and clears
 * it); otherwise it aborts the test program. stub_panic_count counts calls.
 */
extern jmp_buf stub_panic_jmp;
extern bool stub_panic_armed;
extern unsigned stub_panic_count;

/* Optional hook run inside arch_console_write (to test nested logging). */
extern void (*stub_console_hook)(void);

/* Optional one-shot hook run inside arch_cpu_relax on this thread (an "NMI"). */
extern __thread void (*stub_relax_hook)(void);

/*
 * Preemptible hypercalls: arch_hypercall_preempt_check says yes on every
 * stub_preempt_every-th call on this thread (0: never); each continuation
 * is recorded (the last one's op and arguments, and how many were made).
 */
extern __thread unsigned stub_preempt_every;
extern __thread unsigned stub_continuations;
extern __thread unsigned stub_continuation_op;
extern __thread uint64_t stub_continuation_args[5];

#endif
