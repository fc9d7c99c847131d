/*
 * Timers on the running CPU's queue, driven by the local APIC timer in
 * one-shot mode: the APIC is always programmed for the earliest deadline.
 * Callbacks run from the TIMER softirq with the CPU's timer lock held, so
 * a callback may re-arm its own timer with timer_set() but must not wait.
 */
#ifndef ASM_TIMERS_H
#define ASM_TIMERS_H

#include <stdint.h>
#include <tessera/timer.h>

void timers_init(void);   /* boot CPU, once APIC and TSC are calibrated */
/* Arm (or move) t to fire at expires_ns on the calling CPU. */
void timer_set(struct timer *t, uint64_t expires_ns);
void timer_stop(struct timer *t);
/*
 * Moves t to CPU to's queue, armed as it was; from a CPU holding no timer
 * lock. Whoever arms or stops t must not race with this (its owner does
 * both from the CPU it runs on).
 */
void timer_migrate(struct timer *t, unsigned to);

/* For diagnostics: whether t is armed, and its deadline, read under its queue's lock. */
bool timer_peek(struct timer *t, uint64_t *expires_ns);

struct timer_queue_view {
    uint32_t nr;                /* timers armed */
    uint64_t next_ns;           /* the earliest deadline, UINT64_MAX if none */
    uint64_t lapic_deadline_ns; /* what its APIC timer was last set for, 0 = none */
    bool consistent;            /* the heap's own invariants hold */
    bool softirq_pending;       /* its TIMER softirq is raised and has not run */
    uint32_t hypercall_nr;      /* the PV hypercall it is in, UINT32_MAX: none */
    uint64_t hypercalls_begun;  /* how many have begun there */
};
/* A snapshot of CPU index's queue; false if that CPU is offline or holds the lock now. */
bool timer_queue_peek(unsigned index, struct timer_queue_view *out);

#endif
