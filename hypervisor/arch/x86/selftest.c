/*
 * Deliberate failures and checks selected with selftest= on the command
 * line, for the boot tests: they prove that exceptions are reported, that
 * panics stop the machine, and that every CPU's timer and IPIs work.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/percpu.h>
#include <asm/selftest.h>
#include <asm/smp.h>
#include <asm/timers.h>
#include <tessera/arch.h>
#include <tessera/log.h>
#include <tessera/panic.h>
#include <tessera/string.h>

#define TIMER_TEST_DELAY_NS   2000000ull     /* 2 ms */
#define TIMER_TEST_WAIT_NS    1000000000ull  /* give every CPU a second */

static __attribute__((noinline)) void selftest_fault(void)
{
    volatile uint64_t *bad = (volatile uint64_t *)0xFFFF87FFDEAD0000ull;
    *bad = 1;
}

struct timer_probe {
    struct timer timer;
    uint64_t armed_ns;
    volatile uint64_t fired_ns;   /* 0 until the callback ran */
};

static struct timer_probe probes[MAX_CPUS];

static void probe_fired(void *data)
{
    struct timer_probe *p = data;
    p->fired_ns = arch_now_ns();
}

static void probe_arm(void *data)
{
    struct timer_probe *p = data;
    timer_init(&p->timer, probe_fired, p, arch_cpu_id());
    p->armed_ns = arch_now_ns();
    timer_set(&p->timer, p->armed_ns + TIMER_TEST_DELAY_NS);
}

/* Arm a timer on every online CPU (through an IPI) and wait for them all. */
static void selftest_timers(void)
{
    unsigned armed = 0, fired = 0;
    uint64_t worst_late_ns = 0;

    for (unsigned i = 0; i < MAX_CPUS; i++) {
        if (!percpu_table[i] || !percpu_table[i]->online)
            continue;
        if (i == arch_cpu_id())
            probe_arm(&probes[i]);
        else if (smp_call_on(i, probe_arm, &probes[i]) < 0)
            continue;
        armed++;
    }
    uint64_t deadline = arch_now_ns() + TIMER_TEST_WAIT_NS;
    while (arch_now_ns() < deadline) {
        fired = 0;
        for (unsigned i = 0; i < MAX_CPUS; i++)
            fired += probes[i].fired_ns != 0;
        if (fired == armed)
            break;
        /* The boot CPU's own timer needs its idle-time softirq run. */
        cpu_poll_softirqs();
    }
    for (unsigned i = 0; i < MAX_CPUS; i++) {
        struct timer_probe *p = &probes[i];
        if (!p->fired_ns)
            continue;
        uint64_t late = p->fired_ns - p->armed_ns - TIMER_TEST_DELAY_NS;
        if (p->fired_ns < p->armed_ns + TIMER_TEST_DELAY_NS)
            log_err("selftest: CPU %u's timer fired early\n", i);
        else if (late > worst_late_ns)
            worst_late_ns = late;
    }
    if (fired == armed)
        log_info("selftest: timers fired on all %u CPUs, at most %lu us late\n", armed,
                 (unsigned long)(worst_late_ns / 1000));
    else
        log_err("selftest: timers fired on only %u of %u CPUs\n", fired, armed);
}

void run_selftest(const char *name)
{
    if (strcmp(name, "fault") == 0)
        selftest_fault();
    else if (strcmp(name, "panic") == 0)
        panic("self-test panic requested on the command line");
    else if (strcmp(name, "timers") == 0)
        selftest_timers();
    else if (name[0])
        log_warn("selftest: unknown test '%s'\n", name);
}
