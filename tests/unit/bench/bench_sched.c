/*
 * The scheduler's simulated fairness, as a table: for each scenario, what
 * every domain should get (by weight, cap and pCPU count) and what the
 * policy gave it over SIM seconds of simulated time, plus wake-up latency
 * of I/O-like vCPUs and the host cost of one pick.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "../sched_sim.h"

#define SPAN (10 * SIM_S)
#define KICK_DELAY_NS 5000          /* an IPI's latency in the simulation */

static struct sim sim;

struct dom_spec {
    unsigned vcpus, weight, cap;
    enum sim_load load;
    uint64_t burst, sleep;
    double want;            /* percent of one pCPU */
    unsigned long pin;      /* pCPUs its vCPUs may use, 0: all */
};

struct scenario {
    const char *name;
    unsigned cpus;
    unsigned nr;
    struct dom_spec dom[8];
};

static const struct scenario scenarios[] = {
    { "weights 256:512, 1 pCPU", 1, 2, {
        { 1, 256, 0, LOAD_CPU, 0, 0, 33.3, 0 }, { 1, 512, 0, LOAD_CPU, 0, 0, 66.7, 0 } } },
    { "weights 256:512:1024, 1 pCPU", 1, 3, {
        { 1, 256, 0, LOAD_CPU, 0, 0, 14.3, 0 }, { 1, 512, 0, LOAD_CPU, 0, 0, 28.6, 0 },
        { 1, 1024, 0, LOAD_CPU, 0, 0, 57.1, 0 } } },
    { "weights 256,256,512,512, 2 pCPUs", 2, 4, {
        { 1, 256, 0, LOAD_CPU, 0, 0, 33.3, 0 }, { 1, 256, 0, LOAD_CPU, 0, 0, 33.3, 0 },
        { 1, 512, 0, LOAD_CPU, 0, 0, 66.7, 0 }, { 1, 512, 0, LOAD_CPU, 0, 0, 66.7, 0 } } },
    { "3 equal vCPUs, 2 pCPUs", 2, 3, {
        { 1, 256, 0, LOAD_CPU, 0, 0, 66.7, 0 }, { 1, 256, 0, LOAD_CPU, 0, 0, 66.7, 0 },
        { 1, 256, 0, LOAD_CPU, 0, 0, 66.7, 0 } } },
    { "2-vCPU dom vs 1-vCPU dom, 2 pCPUs", 2, 2, {
        { 2, 256, 0, LOAD_CPU, 0, 0, 133.3, 0 }, { 1, 256, 0, LOAD_CPU, 0, 0, 66.7, 0 } } },
    { "cap 25 alone, 1 pCPU", 1, 1, {
        { 1, 256, 25, LOAD_CPU, 0, 0, 25.0, 0 } } },
    { "cap 30 vs uncapped, 1 pCPU", 1, 2, {
        { 1, 256, 30, LOAD_CPU, 0, 0, 30.0, 0 }, { 1, 256, 0, LOAD_CPU, 0, 0, 70.0, 0 } } },
    { "cap 150 (2 vCPUs) vs 2 uncapped, 4 pCPUs", 4, 3, {
        { 2, 256, 150, LOAD_CPU, 0, 0, 150.0, 0 }, { 1, 256, 0, LOAD_CPU, 0, 0, 100.0, 0 },
        { 1, 256, 0, LOAD_CPU, 0, 0, 100.0, 0 } } },
    { "3 equal vCPUs, one pinned to pCPU 1, 2 pCPUs", 2, 3, {
        { 1, 256, 0, LOAD_CPU, 0, 0, 66.7, 2 }, { 1, 256, 0, LOAD_CPU, 0, 0, 66.7, 0 },
        { 1, 256, 0, LOAD_CPU, 0, 0, 66.7, 0 } } },
    { "256:512 both pinned to pCPU 0 + 1 free, 2 pCPUs", 2, 3, {
        { 1, 256, 0, LOAD_CPU, 0, 0, 33.3, 1 }, { 1, 512, 0, LOAD_CPU, 0, 0, 66.7, 1 },
        { 1, 256, 0, LOAD_CPU, 0, 0, 100.0, 0 } } },
    { "I/O vCPU (0.5 ms on, 5 ms off) + 2 hogs, 1 pCPU", 1, 3, {
        { 1, 256, 0, LOAD_IO, 500000, 5000000, 9.1, 0 }, { 1, 256, 0, LOAD_CPU, 0, 0, 45.5, 0 },
        { 1, 256, 0, LOAD_CPU, 0, 0, 45.5, 0 } } },
};

static void run(const struct scenario *sc)
{
    int d[8];

    sim_init(&sim, sc->cpus);
    for (unsigned i = 0; i < sc->nr; i++) {
        const struct dom_spec *ds = &sc->dom[i];
        d[i] = sim_add_domain(&sim, ds->vcpus, ds->weight, ds->cap, ds->load, ds->burst, ds->sleep);
        if (ds->pin) {
            struct sched_cpumask m;
            bitmap_zero(m.bits, SCHED_MAX_CPUS);
            m.bits[0] = ds->pin;
            for (unsigned k = 0; k < ds->vcpus; k++)
                sched_set_affinity(&sim_vcpu(&sim, d[i], k)->v, &m);
        }
    }
    sim.measure_from = SIM_S;        /* latencies once credit has settled */
    sim.kick_delay_ns = KICK_DELAY_NS;
    sim_run_until(&sim, SPAN);
    sim_check(&sim);
    printf("%s (%u pCPU%s)\n", sc->name, sc->cpus, sc->cpus > 1 ? "s" : "");
    for (unsigned i = 0; i < sc->nr; i++) {
        const struct dom_spec *ds = &sc->dom[i];
        double got = 100.0 * (double)sim_domain_ran(&sim, d[i]) / (double)SPAN;
        printf("  dom%-2u vcpus %u weight %5u cap %3u %-4s %-6s want %6.1f%%  got %6.1f%%  (%+.1f)",
               i, ds->vcpus, ds->weight, ds->cap, ds->load == LOAD_IO ? "io" : "cpu",
               ds->pin == 1 ? "pin0" : ds->pin == 2 ? "pin1" : "", ds->want, got, got - ds->want);
        if (ds->load == LOAD_IO) {
            struct sim_vcpu *v = sim_vcpu(&sim, d[i], 0);
            printf("  wake latency avg %.1f us max %.1f us",
                   v->wakes ? (double)v->latency_sum / (double)v->wakes / 1000.0 : 0.0,
                   (double)v->latency_max / 1000.0);
        }
        printf("\n");
    }
    printf("  picks %llu, switches %llu, kicks %llu%s%s\n", (unsigned long long)sim.picks,
           (unsigned long long)sim.switches, (unsigned long long)sim.kicks,
           sim.errors ? ", ERROR: " : "", sim.errors ? sim.first_error : "");
    sim_teardown(&sim);
}

/* 48 domains of mixed weights and sizes on 4 pCPUs: the worst deviation. */
static void many_domains(void)
{
    enum { NR = 48, CPUS = 4 };
    double weight_sum = 0, worst = 0, total = 0;
    int worst_dom = 0;

    sim_init(&sim, CPUS);
    for (int i = 0; i < NR; i++) {
        sim_add_domain(&sim, 1 + i % 2, 64u << (i % 5), 0, LOAD_CPU, 0, 0);
        weight_sum += (double)(64u << (i % 5)) * (1 + i % 2);
    }
    sim_run_until(&sim, SPAN);
    sim_check(&sim);
    for (int i = 0; i < NR; i++) {
        double want = 100.0 * CPUS * (64u << (i % 5)) * (1 + i % 2) / weight_sum;
        double got = 100.0 * (double)sim_domain_ran(&sim, i) / (double)SPAN;
        total += got;
        if (fabs(got - want) / want > worst) {
            worst = fabs(got - want) / want;
            worst_dom = i;
        }
    }
    printf("48 domains (72 vCPUs, weights 64..1024), 4 pCPUs: busy %.1f%% of 400%%, worst domain "
           "off by %.1f%% of its share (dom%d)%s\n", total, 100.0 * worst, worst_dom,
           sim.errors ? " ERROR" : "");
    sim_teardown(&sim);
}

/* Host cost of a decision: many domains, 8 pCPUs, 1 ms slices. */
static void pick_cost(void)
{
    struct timespec t0, t1;

    sim_init(&sim, 8);
    for (int i = 0; i < 60; i++)
        sim_add_domain(&sim, 4, 128 + 64 * (unsigned)(i % 8), 0,
                       i % 3 ? LOAD_CPU : LOAD_IO, 300000, 2000000);
    sched_set_timeslice(SCHED_MIN_TSLICE_NS);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sim_run_until(&sim, 20 * SIM_S);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
    printf("240 vCPUs on 8 pCPUs, 20 s simulated: %llu picks, %.0f ns of host time per pick "
           "(simulation included)%s\n", (unsigned long long)sim.picks, ns / (double)sim.picks,
           sim.errors ? " ERROR" : "");
    sim_teardown(&sim);
}

int main(void)
{
    printf("Simulated fairness over %llu s (share of one pCPU per domain), kicks arrive "
           "after %u us\n\n", (unsigned long long)(SPAN / SIM_S), KICK_DELAY_NS / 1000);
    for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
        run(&scenarios[i]);
    printf("\n");
    many_domains();
    pick_cost();
    return 0;
}
