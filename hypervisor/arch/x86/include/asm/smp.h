#ifndef ASM_SMP_H
#define ASM_SMP_H

struct percpu;

/* Make the boot CPU's per-CPU state usable (first thing in C). */
void smp_prepare_boot_cpu(void);
/* Start every CPU the firmware lists, up to max_cpus in all. */
void smp_bring_up(unsigned max_cpus);
/*
 * Run fn(data) on another online CPU, from its softirq context. Returns
 * -EBUSY if that CPU still has an earlier request pending, -EINVAL if it
 * is not online. Does not wait for fn to run.
 */
int smp_call_on(unsigned cpu, void (*fn)(void *data), void *data);

/* Run pending softirqs, never halting: for boot-time busy waits. */
void cpu_poll_softirqs(void);

/* A CPU's life after start-up: run softirqs, halt until the next interrupt. */
void cpu_idle_loop(void (*poll)(void)) __attribute__((noreturn));

#endif
