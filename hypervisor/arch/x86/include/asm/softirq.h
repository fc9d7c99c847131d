/*
 * Deferred work: interrupt handlers only mark a softirq pending on their
 * CPU; the CPU runs it from its idle loop with interrupts enabled.
 */
#ifndef ASM_SOFTIRQ_H
#define ASM_SOFTIRQ_H

#include <stdbool.h>

enum softirq {
    SOFTIRQ_TIMER,
    SOFTIRQ_CALL,       /* run the function smp_call_on() left for this CPU */
    SOFTIRQ_PIRQ,       /* device interrupts to the control domain's ports (common/pirq.c) */
    SOFTIRQ_STALL_WATCH, /* look for wake-ups owed and not given (pv/stall_watch.c) */
    NR_SOFTIRQS
};

typedef void (*softirq_handler)(void);

void softirq_register(enum softirq nr, softirq_handler fn);
/* Mark nr pending on this CPU. */
void softirq_raise(enum softirq nr);
/* Mark nr pending on another CPU and wake it. */
void softirq_raise_on(unsigned cpu, enum softirq nr);
/* Run everything pending on this CPU. */
void softirq_run_pending(void);
bool softirq_pending(void);

#endif
