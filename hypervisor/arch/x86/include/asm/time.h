#ifndef ASM_TIME_H
#define ASM_TIME_H

#include <stdint.h>

/* Measure the TSC against the PIT; afterwards arch_now_ns() runs. */
/* Take the TSC reading that boot time is counted from. */
void time_mark_boot(void);
void tsc_calibrate(void);
uint64_t tsc_hz(void);
/* Busy-wait (interrupts may be off). */
void udelay(uint64_t us);

#endif
