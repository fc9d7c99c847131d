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
/* arch_now_ns() as it was when the TSC read tsc. */
uint64_t arch_now_ns_at(uint64_t tsc);
/* Seconds since 1970 at boot, from the RTC (0 if unreadable). */
uint64_t wallclock_at_boot(void);

#endif
