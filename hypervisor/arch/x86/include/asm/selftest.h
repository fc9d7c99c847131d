#ifndef ASM_SELFTEST_H
#define ASM_SELFTEST_H

/* fault, panic (before the other CPUs start) or timers (after). */
void run_selftest(const char *name);

#endif
