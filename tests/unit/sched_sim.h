/*
 * A discrete-event simulation of pCPUs running vCPUs under the scheduler
 * (hypervisor/common/sched*.c), on a simulated clock: the tests, the
 * fuzzer and the fairness benchmark drive the real policy code with it.
 *
 * The simulation plays the architecture: it calls sched_pick_next when a
 * slice ends or a pCPU was kicked (arch_sched_kick_cpu, defined here,
 * takes effect kick_delay_ns later, at once by default), runs the vCPU it was given
 * until then, and plays each vCPU's workload: CPU-bound (always wants to
 * run) or I/O-like (runs 'burst' ns, blocks 'sleep' ns, is woken by a
 * "timer"), measuring run time and wake-up latency on its own.
 */
#ifndef TESSERA_TEST_SCHED_SIM_H
#define TESSERA_TEST_SCHED_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <tessera/domain.h>
#include <tessera/sched.h>

#define SIM_MAX_DOMAINS 64
#define SIM_MAX_VCPUS   512
#define SIM_MS          1000000ull
#define SIM_S           1000000000ull

enum sim_load { LOAD_CPU, LOAD_IO, LOAD_IDLE };

struct sim_vcpu {
    struct vcpu v;
    enum sim_load load;
    uint64_t burst_ns, sleep_ns;     /* LOAD_IO */
    uint64_t burst_left;
    uint64_t wake_at;                /* blocked by the workload: when its timer fires */
    bool workload_blocked;
    uint64_t woke_at;                /* a wake not yet followed by a run, 0: none */
    uint64_t ran_ns;                 /* measured by the simulation */
    uint64_t wakes, latency_sum, latency_max;
    uint64_t cpus_run_on;            /* bit per pCPU it was picked on */
};

struct sim {
    unsigned nr_cpus;
    uint64_t now;
    unsigned nr_domains, nr_vcpus;
    struct domain dom[SIM_MAX_DOMAINS];
    struct sim_vcpu vc[SIM_MAX_VCPUS];
    struct sim_vcpu *running[SCHED_MAX_CPUS];
    uint64_t slice_end[SCHED_MAX_CPUS];
    bool kicked[SCHED_MAX_CPUS];
    uint64_t kick_at[SCHED_MAX_CPUS];  /* when a kicked pCPU picks */
    uint64_t kick_delay_ns;          /* IPI latency; 0: a kick acts at once */
    uint64_t picks, kicks, switches;
    uint64_t measure_from;           /* wake latencies before this are not recorded */
    unsigned errors;                 /* double runs, sched/sim disagreements */
    const char *first_error;
};

/* When set, arch_sched_kick_cpu calls this instead (tests with real threads). */
extern void (*sim_kick_hook)(unsigned cpu);

/* Gives the scheduler's heap a page source from the C library (once). */
void sim_heap_init(void);

/* Resets the scheduler to nr_cpus pCPUs and the simulation to time 0. */
void sim_init(struct sim *s, unsigned nr_cpus);

/* Frees all scheduling state (every vCPU is paused and descheduled first). */
void sim_teardown(struct sim *s);

/* A domain with nr vCPUs of one workload, all brought up. Returns its index. */
int sim_add_domain(struct sim *s, unsigned nr_vcpus, unsigned weight, unsigned cap,
                   enum sim_load load, uint64_t burst_ns, uint64_t sleep_ns);

/* The i-th vCPU of domain d. */
struct sim_vcpu *sim_vcpu(struct sim *s, int d, unsigned i);

/* Runs the simulation until 'until' (absolute ns). */
void sim_run_until(struct sim *s, uint64_t until);

/* Every pCPU whose kick arrived or whose slice ended picks now (bounded). */
void sim_settle(struct sim *s);

/* Kicks still in flight arrive now; then sim_settle. */
void sim_deliver_kicks(struct sim *s);

/* Records an error when the scheduler's view and the simulation's differ. */
void sim_check(struct sim *s);

/* Sum of the measured run time of domain d's vCPUs. */
uint64_t sim_domain_ran(struct sim *s, int d);

#endif
