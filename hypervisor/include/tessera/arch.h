/*
 * The hooks common hypervisor code calls into the architecture for.
 * Common code includes only this header for machine-specific services,
 * never an arch header, so it also builds as host C for unit tests (which
 * provide their own definitions of these hooks).
 */
#ifndef TESSERA_ARCH_H
#define TESSERA_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Write bytes to every console (serial, debug port). Safe from any context. */
void arch_console_write(const char *s, size_t len);

/* Disable interrupts on this CPU; returns the previous state for restore. */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);

/* Hint to the CPU inside a spin-wait loop. */
void arch_cpu_relax(void);

/* Index (0 .. nr_cpus-1) of the CPU running the caller. */
unsigned int arch_cpu_id(void);

/* Monotonic nanoseconds since boot (0 before the clock is calibrated). */
uint64_t arch_now_ns(void);

/*
 * Long hypercalls give their CPU up part way (Xen's continuations): a
 * batch loop asks arch_hypercall_preempt_check() between items (never
 * before the first, so each entry makes progress) and, when it says yes,
 * returns arch_hypercall_create_continuation(op, n, args): the hypercall
 * is issued again with these arguments when the vCPU next runs (inside a
 * multicall: its entry is rewritten and the multicall continued). The
 * handler returns that value as its result.
 */
bool arch_hypercall_preempt_check(void);
long arch_hypercall_create_continuation(unsigned int op, unsigned int nargs,
                                        const uint64_t *args);

/*
 * Stop the machine after a fatal error: every other CPU is halted, and
 * test builds end the emulator. Never returns.
 */
void arch_panic_halt(void) __attribute__((noreturn));

struct domain;

/*
 * A page of d's own that the hypervisor writes from now on (a FIFO event
 * channel control block or event array page). gfn must name a frame of
 * d's that may become writable; it is held so that it never becomes a
 * page table or descriptor page while the hypervisor may use it. 0 with
 * *va set to a hypervisor mapping of its 4 KiB, -EINVAL (not d's frame,
 * or one that may not be writable) or -ENOMEM. May take the arch's
 * memory locks: call with no event-channel or grant lock held.
 */
int arch_guest_frame_hold(struct domain *d, uint64_t gfn, void **va);
/* The hypervisor is done with a page from arch_guest_frame_hold (va as returned). Takes no lock. */
void arch_guest_frame_release(struct domain *d, void *va);

#endif
