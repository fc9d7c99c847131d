/*
 * common/sched*.c: the vCPU scheduler's policy, driven by the
 * discrete-event simulation in sched_sim.c on a simulated clock.
 */
#include <pthread.h>
#include <sched.h>
#include <pvabi/vcpu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tessera/errno.h>
#include <tessera/heap.h>
#include <tessera/sched.h>
#include "arch_stubs.h"
#include "sched_sim.h"
#include "unit.h"

static struct sim sim;

/* Domain d's measured share of one pCPU over 'span' ns, in percent. */
static double pct(int d, uint64_t span)
{
    return 100.0 * (double)sim_domain_ran(&sim, d) / (double)span;
}

static void assert_clean(void)
{
    sim_check(&sim);
    if (sim.errors)
        fprintf(stderr, "simulation error: %s\n", sim.first_error);
    CU_ASSERT_EQUAL(sim.errors, 0);
}

static void finish(void)
{
    assert_clean();
    sim_teardown(&sim);
    CU_ASSERT_EQUAL(sim.errors, 0);
}

static void expect_near(double got, double want, double tolerance, const char *what)
{
    if (got < want - tolerance || got > want + tolerance)
        fprintf(stderr, "%s: got %.2f, want %.2f +- %.2f\n", what, got, want, tolerance);
    CU_ASSERT(got >= want - tolerance && got <= want + tolerance);
}

/* ---- parameters and life cycle -------------------------------------------- */

static void test_init_rejects_bad_input(void)
{
    struct heap_stats before, after;
    struct domain d = { .domain_id = 1, .max_vcpus = 2 };
    struct vcpu v = { .vcpu_id = 0, .domain = &d };
    unsigned w, c;

    sim_init(&sim, 2);
    CU_ASSERT_EQUAL(sched_init(0), -EINVAL);
    CU_ASSERT_EQUAL(sched_init(SCHED_MAX_CPUS + 1), -EINVAL);
    CU_ASSERT_EQUAL(sched_init(2), 0);
    heap_get_stats(&before);
    CU_ASSERT_EQUAL(sched_vcpu_init(&v, SCHED_MAX_WEIGHT + 1, 0), -EINVAL);
    CU_ASSERT_EQUAL(sched_vcpu_init(&v, 256, 201), -EINVAL);   /* > 100 per vCPU */
    heap_get_stats(&after);
    CU_ASSERT_EQUAL(after.small_in_use, before.small_in_use); /* nothing left half-made */
    CU_ASSERT_EQUAL(sched_get_params(&d, &w, &c), -ESRCH);
    CU_ASSERT_EQUAL(sched_set_params(&d, 256, 0), -ESRCH);
    CU_ASSERT_EQUAL(sched_vcpu_up(&v), -ESRCH);

    CU_ASSERT_EQUAL(sched_vcpu_init(&v, 0, 200), 0);
    CU_ASSERT_EQUAL(sched_get_params(&d, &w, &c), 0);
    CU_ASSERT_EQUAL(w, SCHED_DEFAULT_WEIGHT);
    CU_ASSERT_EQUAL(c, 200);
    CU_ASSERT_EQUAL(sched_vcpu_init(&v, 256, 0), -EEXIST);
    CU_ASSERT_EQUAL(sched_set_params(&d, 0, 0), -EINVAL);
    CU_ASSERT_EQUAL(sched_set_params(&d, 70000, 0), -EINVAL);
    CU_ASSERT_EQUAL(sched_set_params(&d, 512, 300), -EINVAL);
    CU_ASSERT_EQUAL(sched_set_params(&d, 512, 50), 0);
    CU_ASSERT_EQUAL(sched_get_params(&d, &w, &c), 0);
    CU_ASSERT_EQUAL(w, 512);
    CU_ASSERT_EQUAL(c, 50);
    CU_ASSERT_EQUAL(v.run_state, VCPU_OFFLINE);
    CU_ASSERT_EQUAL(sched_vcpu_up(&v), 0);
    CU_ASSERT_EQUAL(sched_vcpu_up(&v), -EINVAL);
    CU_ASSERT_EQUAL(v.run_state, VCPU_RUNNABLE);

    CU_ASSERT_EQUAL(sched_set_timeslice(SCHED_MIN_TSLICE_NS - 1), -EINVAL);
    CU_ASSERT_EQUAL(sched_set_timeslice(SCHED_MAX_TSLICE_NS + 1), -EINVAL);
    CU_ASSERT_EQUAL(sched_get_timeslice(), SCHED_DEFAULT_TSLICE_NS);

    struct sched_cpumask none;
    bitmap_zero(none.bits, SCHED_MAX_CPUS);
    bitmap_set(none.bits, 5);                 /* only a pCPU that does not exist */
    CU_ASSERT_EQUAL(sched_set_affinity(&v, &none), -EINVAL);

    sched_vcpu_down(&v);
    CU_ASSERT_EQUAL(v.run_state, VCPU_OFFLINE);
    assert_clean();
    sched_vcpu_destroy(&v);
    heap_get_stats(&after);
    CU_ASSERT_EQUAL(after.small_in_use, before.small_in_use);
    CU_ASSERT_EQUAL(sched_get_params(&d, &w, &c), -ESRCH);
}

/* ---- fairness -------------------------------------------------------------- */

static void test_single_vcpu_gets_whole_cpu(void)
{
    struct sched_runstate rs;

    sim_init(&sim, 1);
    int d = sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    sim_run_until(&sim, 1 * SIM_S);
    expect_near(pct(d, SIM_S), 100.0, 0.01, "lone vCPU share");
    CU_ASSERT_EQUAL(sched_get_runstate(&sim_vcpu(&sim, d, 0)->v, &rs), 0);
    CU_ASSERT_EQUAL(rs.state, RUNSTATE_running);
    CU_ASSERT_EQUAL(rs.time[RUNSTATE_running], sim_vcpu(&sim, d, 0)->ran_ns);
    finish();
}

static void test_weights_one_cpu(void)
{
    sim_init(&sim, 1);
    int a = sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    int b = sim_add_domain(&sim, 1, 512, 0, LOAD_CPU, 0, 0);
    sim_run_until(&sim, 3 * SIM_S);
    double ratio = (double)sim_domain_ran(&sim, b) / (double)sim_domain_ran(&sim, a);
    expect_near(ratio, 2.0, 0.1, "512:256 run-time ratio on one pCPU");
    expect_near(pct(a, 3 * SIM_S) + pct(b, 3 * SIM_S), 100.0, 0.01, "pCPU kept busy");
    finish();
}

static void test_weights_two_cpus(void)
{
    /* 256, 256, 512, 512 on 2 pCPUs: each 256 gets 1/3 of a pCPU, each 512 2/3. */
    sim_init(&sim, 2);
    int d[4];
    d[0] = sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    d[1] = sim_add_domain(&sim, 1, 512, 0, LOAD_CPU, 0, 0);
    d[2] = sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    d[3] = sim_add_domain(&sim, 1, 512, 0, LOAD_CPU, 0, 0);
    sim_run_until(&sim, 6 * SIM_S);
    expect_near(pct(d[0], 6 * SIM_S), 33.3, 4, "weight 256 #1");
    expect_near(pct(d[2], 6 * SIM_S), 33.3, 4, "weight 256 #2");
    expect_near(pct(d[1], 6 * SIM_S), 66.7, 4, "weight 512 #1");
    expect_near(pct(d[3], 6 * SIM_S), 66.7, 4, "weight 512 #2");
    finish();
}

static void test_three_equal_on_two_cpus(void)
{
    sim_init(&sim, 2);
    int d[3];
    for (int i = 0; i < 3; i++)
        d[i] = sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    sim_run_until(&sim, 6 * SIM_S);
    for (int i = 0; i < 3; i++)
        expect_near(pct(d[i], 6 * SIM_S), 66.7, 5, "three equal vCPUs on two pCPUs");
    finish();
}

/* ---- caps ------------------------------------------------------------------- */

static void test_cap_alone(void)
{
    struct sched_runstate rs;

    sim_init(&sim, 1);
    int d = sim_add_domain(&sim, 1, 256, 25, LOAD_CPU, 0, 0);
    sim_run_until(&sim, 3 * SIM_S);
    expect_near(pct(d, 3 * SIM_S), 25.0, 1.0, "cap 25 on an idle machine");
    /* Parked time shows as offline, as Xen reports a capped vCPU's wait. */
    CU_ASSERT_EQUAL(sched_get_runstate(&sim_vcpu(&sim, d, 0)->v, &rs), 0);
    CU_ASSERT(rs.time[RUNSTATE_offline] > 2 * SIM_S);
    finish();
}

static void test_cap_with_competition_and_lifted(void)
{
    sim_init(&sim, 1);
    int capped = sim_add_domain(&sim, 1, 256, 30, LOAD_CPU, 0, 0);
    int free = sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    sim_run_until(&sim, 3 * SIM_S);
    expect_near(pct(capped, 3 * SIM_S), 30.0, 1.5, "cap 30 share");
    expect_near(pct(free, 3 * SIM_S), 70.0, 1.5, "uncapped share beside cap 30");
    /* Lifting the cap gives back the fair half. */
    uint64_t before = sim_domain_ran(&sim, capped);
    CU_ASSERT_EQUAL(sched_set_params(&sim.dom[capped], 256, 0), 0);
    sim_run_until(&sim, 6 * SIM_S);
    expect_near(100.0 * (double)(sim_domain_ran(&sim, capped) - before) / (3.0 * SIM_S), 50.0, 2.0,
                "share once the cap is lifted");
    finish();
}

/* ---- affinity --------------------------------------------------------------- */

static void test_affinity_respected(void)
{
    struct sched_cpumask only;

    sim_init(&sim, 2);
    int a = sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    int b = sim_add_domain(&sim, 2, 256, 0, LOAD_CPU, 0, 0);
    struct sim_vcpu *pinned = sim_vcpu(&sim, a, 0);
    bitmap_zero(only.bits, SCHED_MAX_CPUS);
    bitmap_set(only.bits, 1);
    CU_ASSERT_EQUAL(sched_set_affinity(&pinned->v, &only), 0);
    sim_run_until(&sim, 2 * SIM_S);
    pinned->cpus_run_on = 0;
    sim_run_until(&sim, 4 * SIM_S);
    CU_ASSERT_EQUAL(pinned->cpus_run_on, 1u << 1);
    CU_ASSERT(sim_vcpu(&sim, b, 0)->cpus_run_on != 0);

    /* Re-pinned while it may be running: from then on only pCPU 0. */
    bitmap_zero(only.bits, SCHED_MAX_CPUS);
    bitmap_set(only.bits, 0);
    CU_ASSERT_EQUAL(sched_set_affinity(&pinned->v, &only), 0);
    sim_settle(&sim);
    pinned->cpus_run_on = 0;
    sim_run_until(&sim, 6 * SIM_S);
    CU_ASSERT_EQUAL(pinned->cpus_run_on, 1u << 0);
    struct sched_cpumask got;
    CU_ASSERT_EQUAL(sched_get_affinity(&pinned->v, &got), 0);
    CU_ASSERT_EQUAL(got.bits[0], 1u);
    /* Three equal vCPUs on two pCPUs still share fairly with one pinned. */
    expect_near(100.0 * (double)pinned->ran_ns / (6.0 * SIM_S), 66.7, 6.0, "pinned vCPU share");
    finish();
}

static void test_weights_hold_when_pinned_together(void)
{
    struct sched_cpumask m;

    /* 256 and 512 pinned to pCPU 0 of two, a free vCPU beside them: the
     * pinned pair hold more credit than they can spend, and still split
     * pCPU 0 by weight. */
    sim_init(&sim, 2);
    int a = sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    int b = sim_add_domain(&sim, 1, 512, 0, LOAD_CPU, 0, 0);
    int f = sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    bitmap_zero(m.bits, SCHED_MAX_CPUS);
    bitmap_set(m.bits, 0);
    sched_set_affinity(&sim_vcpu(&sim, a, 0)->v, &m);
    sched_set_affinity(&sim_vcpu(&sim, b, 0)->v, &m);
    sim_run_until(&sim, 6 * SIM_S);
    expect_near(pct(a, 6 * SIM_S), 33.3, 2.0, "pinned weight 256");
    expect_near(pct(b, 6 * SIM_S), 66.7, 2.0, "pinned weight 512");
    expect_near(pct(f, 6 * SIM_S), 100.0, 0.01, "the free vCPU on pCPU 1");
    finish();
}

/* ---- blocking, waking, boost -------------------------------------------------- */

static void test_blocked_never_picked(void)
{
    struct sched_runstate rs;

    sim_init(&sim, 1);
    int a = sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    int b = sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    struct sim_vcpu *sb = sim_vcpu(&sim, b, 0);
    sim_run_until(&sim, 100 * SIM_MS);
    sched_vcpu_block(&sb->v);
    CU_ASSERT_EQUAL(sb->v.run_state, VCPU_BLOCKED);
    sim_settle(&sim);
    uint64_t ran_b = sb->ran_ns, ran_a = sim_domain_ran(&sim, a);
    sim_run_until(&sim, 1100 * SIM_MS);
    CU_ASSERT_EQUAL(sb->ran_ns, ran_b);
    expect_near(100.0 * (double)(sim_domain_ran(&sim, a) - ran_a) / SIM_S, 100.0, 0.01,
                "the other vCPU gets the whole pCPU");
    CU_ASSERT_EQUAL(sched_get_runstate(&sb->v, &rs), 0);
    CU_ASSERT_EQUAL(rs.state, RUNSTATE_blocked);
    CU_ASSERT(rs.time[RUNSTATE_blocked] >= SIM_S);
    assert_clean();

    sched_vcpu_wake(&sb->v);
    CU_ASSERT_EQUAL(sb->v.run_state, VCPU_RUNNABLE);
    sim_run_until(&sim, 3100 * SIM_MS);
    expect_near(100.0 * (double)(sb->ran_ns - ran_b) / (2.0 * SIM_S), 50.0, 2.0, "woken vCPU share");
    finish();
}

static void test_wake_is_prompt_with_boost(void)
{
    sim_init(&sim, 1);
    int io = sim_add_domain(&sim, 1, 256, 0, LOAD_IO, 500000, 5 * SIM_MS);
    sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    sim.measure_from = 200 * SIM_MS;
    sim_run_until(&sim, 5 * SIM_S);
    struct sim_vcpu *v = sim_vcpu(&sim, io, 0);
    CU_ASSERT(v->wakes > 800);
    /* Kicks take effect at once in the simulation: a boosted wake runs at once. */
    if (v->latency_max != 0)
        fprintf(stderr, "I/O vCPU: worst wake latency %llu ns over %llu wakes\n",
                (unsigned long long)v->latency_max, (unsigned long long)v->wakes);
    CU_ASSERT_EQUAL(v->latency_max, 0);
    /* It gets all it asks for: 0.5 ms of every 5.5 ms. */
    expect_near(pct(io, 5 * SIM_S), 100.0 * 0.5 / 5.5, 0.5, "I/O vCPU share");
    finish();
}

static void test_wake_latency_is_one_ipi(void)
{
    /* With kicks taking 10 us to arrive, a boosted wake waits just that. */
    sim_init(&sim, 2);
    sim.kick_delay_ns = 10000;
    int io = sim_add_domain(&sim, 2, 256, 0, LOAD_IO, 300000, 3 * SIM_MS);
    sim_add_domain(&sim, 3, 256, 0, LOAD_CPU, 0, 0);
    sim.measure_from = 200 * SIM_MS;
    sim_run_until(&sim, 3 * SIM_S);
    for (unsigned i = 0; i < 2; i++) {
        struct sim_vcpu *v = sim_vcpu(&sim, io, i);
        CU_ASSERT(v->wakes > 500);
        if (v->latency_max > 10000)
            fprintf(stderr, "I/O vCPU %u: worst wake latency %llu ns\n", i,
                    (unsigned long long)v->latency_max);
        CU_ASSERT(v->latency_max <= 10000);
    }
    finish();
}

static void test_poll_and_kick(void)
{
    sim_init(&sim, 2);
    int d = sim_add_domain(&sim, 2, 256, 0, LOAD_CPU, 0, 0);
    struct vcpu *v0 = &sim_vcpu(&sim, d, 0)->v, *v1 = &sim_vcpu(&sim, d, 1)->v;
    sim_run_until(&sim, 10 * SIM_MS);
    CU_ASSERT(sched_vcpu_running(v0) && sched_vcpu_running(v1));

    sched_vcpu_poll(v0);
    CU_ASSERT_TRUE(v0->polling);
    CU_ASSERT_EQUAL(v0->run_state, VCPU_BLOCKED);
    sim_settle(&sim);
    CU_ASSERT_FALSE(sched_vcpu_running(v0));
    sched_vcpu_kick(v0);                              /* an event on a polled port */
    CU_ASSERT_FALSE(v0->polling);
    CU_ASSERT_EQUAL(v0->run_state, VCPU_RUNNABLE);
    sim_settle(&sim);
    CU_ASSERT_TRUE(sched_vcpu_running(v0));

    /* A running vCPU on another pCPU gets that pCPU interrupted. */
    unsigned where = v1->processor;
    stub_cpu_id = where ^ 1;
    uint64_t kicks = sim.kicks;
    sched_vcpu_kick(v1);
    CU_ASSERT_EQUAL(sim.kicks, kicks + 1);
    CU_ASSERT_TRUE(sim.kicked[where]);
    stub_cpu_id = 0;
    sim_settle(&sim);
    finish();
}

static void test_yield_gives_way(void)
{
    sim_init(&sim, 1);
    sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    sim_run_until(&sim, 45 * SIM_MS);
    for (int i = 0; i < 10; i++) {
        struct sim_vcpu *was = sim.running[0];
        CU_ASSERT_PTR_NOT_NULL_FATAL(was);
        sched_vcpu_yield(&was->v);
        sim_settle(&sim);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sim.running[0]);
        CU_ASSERT_PTR_NOT_EQUAL(sim.running[0], was);
        sim_run_until(&sim, sim.now + SIM_MS);
    }
    assert_clean();
    sim_teardown(&sim);

    /* Alone, a yielding vCPU keeps its pCPU. */
    sim_init(&sim, 1);
    int d = sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    sim_run_until(&sim, 5 * SIM_MS);
    sched_vcpu_yield(&sim_vcpu(&sim, d, 0)->v);
    sim_settle(&sim);
    CU_ASSERT_PTR_EQUAL(sim.running[0], sim_vcpu(&sim, d, 0));
    finish();
}

/* ---- idle pCPUs take work -------------------------------------------------------- */

static void test_idle_cpu_steals(void)
{
    struct sched_cpumask m;

    sim_init(&sim, 2);
    int d = sim_add_domain(&sim, 2, 256, 0, LOAD_CPU, 0, 0);
    struct sim_vcpu *a = sim_vcpu(&sim, d, 0), *b = sim_vcpu(&sim, d, 1);
    bitmap_zero(m.bits, SCHED_MAX_CPUS);
    bitmap_set(m.bits, 0);
    sched_set_affinity(&a->v, &m);
    sched_set_affinity(&b->v, &m);
    sim_run_until(&sim, 500 * SIM_MS);
    CU_ASSERT_PTR_NULL(sim.running[1]);           /* pCPU 1 idles: both pinned to 0 */
    CU_ASSERT_PTR_NULL(sched_current(1));

    /* Widening b's mask lets idle pCPU 1 take it at once. */
    bitmap_fill(m.bits, SCHED_MAX_CPUS);
    CU_ASSERT_EQUAL(sched_set_affinity(&b->v, &m), 0);
    sim_settle(&sim);
    CU_ASSERT_PTR_NOT_NULL(sim.running[0]);
    CU_ASSERT_PTR_NOT_NULL(sim.running[1]);
    uint64_t ra = a->ran_ns, rb = b->ran_ns;
    sim_run_until(&sim, 1500 * SIM_MS);
    expect_near(100.0 * (double)(a->ran_ns - ra) / SIM_S, 100.0, 0.01, "a after the split");
    expect_near(100.0 * (double)(b->ran_ns - rb) / SIM_S, 100.0, 0.01, "b after the split");
    assert_clean();
    sim_teardown(&sim);

    /* Three hogs on two pCPUs; when one blocks, its pCPU takes the queued one. */
    sim_init(&sim, 2);
    for (int i = 0; i < 3; i++)
        sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    sim_run_until(&sim, 100 * SIM_MS);
    for (int round = 0; round < 2; round++) {
        struct sim_vcpu *gone = sim.running[1];
        CU_ASSERT_PTR_NOT_NULL_FATAL(gone);
        sched_vcpu_block(&gone->v);
        sim_settle(&sim);
        CU_ASSERT_PTR_NOT_NULL(sim.running[0]);
        CU_ASSERT_PTR_NOT_NULL(sim.running[1]);
        CU_ASSERT_PTR_NOT_EQUAL(sim.running[1], gone);
        sched_vcpu_wake(&gone->v);
        sim_run_until(&sim, sim.now + 50 * SIM_MS);
    }
    finish();
}

static void test_wakes_spread_over_idle_cpus(void)
{
    struct sched_cpumask m;

    /* One hog on pCPU 0; three vCPUs homed there block, then wake at once. */
    sim_init(&sim, 4);
    int d = sim_add_domain(&sim, 4, 256, 0, LOAD_CPU, 0, 0);
    bitmap_zero(m.bits, SCHED_MAX_CPUS);
    bitmap_set(m.bits, 0);
    for (unsigned i = 0; i < 4; i++)
        sched_set_affinity(&sim_vcpu(&sim, d, i)->v, &m);
    sim_run_until(&sim, 100 * SIM_MS);
    for (unsigned i = 1; i < 4; i++)
        sched_vcpu_block(&sim_vcpu(&sim, d, i)->v);
    sim_settle(&sim);
    CU_ASSERT_PTR_EQUAL(sim.running[0], sim_vcpu(&sim, d, 0));
    bitmap_fill(m.bits, SCHED_MAX_CPUS);
    for (unsigned i = 1; i < 4; i++)
        sched_set_affinity(&sim_vcpu(&sim, d, i)->v, &m);
    sim_run_until(&sim, 200 * SIM_MS);
    uint64_t kicks = sim.kicks;
    for (unsigned i = 1; i < 4; i++)
        sched_vcpu_wake(&sim_vcpu(&sim, d, i)->v);
    /* Each wake went to a different idle pCPU; the hog was not preempted. */
    CU_ASSERT_EQUAL(sim.kicks - kicks, 3);
    CU_ASSERT_FALSE(sim.kicked[0]);
    sim_settle(&sim);
    CU_ASSERT_PTR_EQUAL(sim.running[0], sim_vcpu(&sim, d, 0));
    for (unsigned c = 1; c < 4; c++)
        CU_ASSERT_PTR_NOT_NULL(sim.running[c]);
    finish();
}

/* ---- pause ------------------------------------------------------------------------ */

static void test_pause_unpause(void)
{
    struct sched_runstate rs;

    sim_init(&sim, 2);
    int p = sim_add_domain(&sim, 2, 256, 0, LOAD_CPU, 0, 0);
    int o = sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    sim_run_until(&sim, 200 * SIM_MS);
    sched_domain_pause(&sim.dom[p]);
    sched_domain_pause(&sim.dom[p]);         /* nests */
    sim_settle(&sim);
    for (unsigned i = 0; i < 2; i++)
        CU_ASSERT_FALSE(sched_vcpu_running(&sim_vcpu(&sim, p, i)->v));
    uint64_t ran = sim_domain_ran(&sim, p), other = sim_domain_ran(&sim, o);
    sim_run_until(&sim, 700 * SIM_MS);
    sched_domain_unpause(&sim.dom[p]);
    sim_run_until(&sim, 1200 * SIM_MS);
    CU_ASSERT_EQUAL(sim_domain_ran(&sim, p), ran);
    expect_near(100.0 * (double)(sim_domain_ran(&sim, o) - other) / SIM_S, 100.0, 0.01,
                "the unpaused domain meanwhile");
    CU_ASSERT_EQUAL(sched_get_runstate(&sim_vcpu(&sim, p, 0)->v, &rs), 0);
    CU_ASSERT_EQUAL(rs.state, RUNSTATE_offline);
    CU_ASSERT(rs.time[RUNSTATE_offline] >= SIM_S);

    sched_domain_unpause(&sim.dom[p]);
    sim_run_until(&sim, 4200 * SIM_MS);
    expect_near(100.0 * (double)(sim_domain_ran(&sim, p) - ran) / (3.0 * SIM_S), 133.3, 6.0,
                "the domain's two vCPUs once unpaused");
    finish();
}

static void test_up_down(void)
{
    sim_init(&sim, 1);
    int d = sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    struct sim_vcpu *v = sim_vcpu(&sim, d, 0);
    sim_run_until(&sim, 10 * SIM_MS);
    CU_ASSERT_PTR_EQUAL(sim.running[0], v);
    sched_vcpu_down(&v->v);
    CU_ASSERT_EQUAL(v->v.run_state, VCPU_OFFLINE);
    sim_settle(&sim);
    CU_ASSERT_PTR_NULL(sim.running[0]);
    uint64_t ran = v->ran_ns;
    sim_run_until(&sim, 100 * SIM_MS);
    CU_ASSERT_EQUAL(v->ran_ns, ran);
    sched_vcpu_wake(&v->v);                   /* a wake does not bring it up */
    CU_ASSERT_EQUAL(v->v.run_state, VCPU_OFFLINE);
    CU_ASSERT_EQUAL(sched_vcpu_up(&v->v), 0);
    sim_settle(&sim);
    CU_ASSERT_PTR_EQUAL(sim.running[0], v);
    finish();
}

/* ---- scale and bookkeeping ------------------------------------------------------------ */

static void test_many_domains(void)
{
    enum { NR = 48, CPUS = 4 };
    double weight_sum = 0;
    int d[NR];

    sim_init(&sim, CPUS);
    for (int i = 0; i < NR; i++) {
        unsigned w = 64u << (i % 5);                 /* 64 .. 1024 */
        d[i] = sim_add_domain(&sim, 1 + i % 2, w, 0, LOAD_CPU, 0, 0);
        weight_sum += (double)w * (1 + i % 2);
    }
    sim_run_until(&sim, 10 * SIM_S);
    assert_clean();
    double total = 0;
    unsigned off = 0;
    for (int i = 0; i < NR; i++) {
        double want = 100.0 * CPUS * (64u << (i % 5)) * (1 + i % 2) / weight_sum;
        double got = pct(d[i], 10 * SIM_S);
        total += got;
        if (got < want * 0.85 - 0.2 || got > want * 1.15 + 0.2) {
            fprintf(stderr, "domain %d: got %.2f%%, want %.2f%%\n", i, got, want);
            off++;
        }
    }
    CU_ASSERT_EQUAL(off, 0);
    expect_near(total, 100.0 * CPUS, 0.01, "all pCPUs kept busy");
    finish();
}

static void test_runstate_adds_up(void)
{
    sim_init(&sim, 2);
    sim_add_domain(&sim, 2, 256, 0, LOAD_IO, 2 * SIM_MS, 3 * SIM_MS);
    sim_add_domain(&sim, 2, 512, 40, LOAD_CPU, 0, 0);
    sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    sim_run_until(&sim, 2 * SIM_S);
    for (unsigned i = 0; i < sim.nr_vcpus; i++) {
        struct sched_runstate rs;
        CU_ASSERT_EQUAL_FATAL(sched_get_runstate(&sim.vc[i].v, &rs), 0);
        uint64_t sum = rs.time[0] + rs.time[1] + rs.time[2] + rs.time[3];
        CU_ASSERT_EQUAL(sum, 2 * SIM_S);
        CU_ASSERT_EQUAL(rs.time[RUNSTATE_running], sim.vc[i].ran_ns);
        CU_ASSERT(rs.time[RUNSTATE_runnable] > 0);
    }
    finish();
}

static void test_timeslice_setting(void)
{
    sim_init(&sim, 1);
    sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    sim_add_domain(&sim, 1, 256, 0, LOAD_CPU, 0, 0);
    CU_ASSERT_EQUAL(sched_set_timeslice(5 * SIM_MS), 0);
    CU_ASSERT_EQUAL(sched_get_timeslice(), 5 * SIM_MS);
    sim_run_until(&sim, 100 * SIM_MS);
    uint64_t switches = sim.switches;
    for (int i = 0; i < 200; i++) {
        sim_run_until(&sim, sim.now + SIM_MS);
        CU_ASSERT(sim.slice_end[0] - sim.now <= 5 * SIM_MS);
    }
    /* 200 ms of two hogs in slices of at most 5 ms: at least 40 switches. */
    CU_ASSERT(sim.switches - switches >= 40);
    finish();
}

/* ---- real threads ---------------------------------------------------------------
 * pCPU threads pick concurrently while event threads wake, pause, re-pin
 * and re-weight vCPUs: the locks must keep one vCPU on one pCPU at a time
 * and leave consistent state behind.
 */

enum { TH_CPUS = 3, TH_EVENT_THREADS = 2, TH_ENOUGH = 20000, TH_MAX_MS = 3000 };

static int th_owner[SIM_MAX_VCPUS];          /* pCPU running it, -1: none */
static unsigned th_kicked[SCHED_MAX_CPUS];
static bool th_stop;
static unsigned th_double_runs;
static unsigned th_refused;                  /* valid calls refused (CUnit asserts only here) */
static uint64_t th_picks, th_events;

static void th_kick(unsigned cpu)
{
    __atomic_store_n(&th_kicked[cpu], 1, __ATOMIC_RELEASE);
}

static int th_index(struct vcpu *v)
{
    return (int)((struct sim_vcpu *)((char *)v - offsetof(struct sim_vcpu, v)) - sim.vc);
}

static void *th_cpu(void *arg)
{
    unsigned cpu = (unsigned)(uintptr_t)arg, seed = cpu * 7919 + 1;
    struct vcpu *prev = NULL;

    stub_cpu_id = cpu;
    while (!__atomic_load_n(&th_stop, __ATOMIC_ACQUIRE)) {
        uint64_t slice, now;
        /* The arch stops running prev before it asks for the next vCPU. */
        if (prev)
            __atomic_store_n(&th_owner[th_index(prev)], -1, __ATOMIC_RELEASE);
        now = __atomic_add_fetch(&stub_now_ns, 20000 + (uint64_t)(rand_r(&seed) % 400000),
                                 __ATOMIC_RELAXED);
        __atomic_store_n(&th_kicked[cpu], 0, __ATOMIC_RELEASE);
        struct vcpu *v = sched_pick_next(cpu, now, &slice);
        if (v) {
            int none = -1;
            if (!__atomic_compare_exchange_n(&th_owner[th_index(v)], &none, (int)cpu, false,
                                             __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
                __atomic_fetch_add(&th_double_runs, 1, __ATOMIC_RELAXED);
            /* What the running guest does: sometimes yield, sometimes block. */
            unsigned r = (unsigned)rand_r(&seed) % 16;
            if (r == 0)
                sched_vcpu_yield(v);
            else if (r == 1)
                sched_vcpu_block(v);
        }
        prev = v;
        __atomic_fetch_add(&th_picks, 1, __ATOMIC_RELAXED);
        sched_yield();      /* "run the guest": let the event threads in on a busy host */
    }
    if (prev)
        __atomic_store_n(&th_owner[th_index(prev)], -1, __ATOMIC_RELEASE);
    return NULL;
}

static void *th_events_run(void *arg)
{
    unsigned who = (unsigned)(uintptr_t)arg, seed = who * 104729 + 3;
    unsigned paused[SIM_MAX_VCPUS] = { 0 };

    stub_cpu_id = TH_CPUS + who;
    while (!__atomic_load_n(&th_stop, __ATOMIC_ACQUIRE)) {
        /* Each event thread owns every other vCPU's pause count. */
        unsigned i = ((unsigned)rand_r(&seed) % (sim.nr_vcpus / 2)) * 2 + who;
        struct vcpu *v = &sim.vc[i].v;
        struct sched_cpumask m;

        switch ((unsigned)rand_r(&seed) % 8) {
        case 0: case 1: sched_vcpu_wake(v); break;
        case 2: sched_vcpu_kick(v); break;
        case 3:
            if (paused[i] < 2) {
                sched_vcpu_pause(v);
                paused[i]++;
            }
            break;
        case 4:
            if (paused[i]) {
                sched_vcpu_unpause(v);
                paused[i]--;
            }
            break;
        case 5:
            bitmap_zero(m.bits, SCHED_MAX_CPUS);
            m.bits[0] = 1 + (unsigned)rand_r(&seed) % ((1u << TH_CPUS) - 1);
            if (sched_set_affinity(v, &m) != 0)
                __atomic_fetch_add(&th_refused, 1, __ATOMIC_RELAXED);
            break;
        case 6:
            if (sched_set_params(v->domain, 1 + (unsigned)rand_r(&seed) % 1000,
                                 (unsigned)rand_r(&seed) % 2 ? 0 : 20) != 0)
                __atomic_fetch_add(&th_refused, 1, __ATOMIC_RELAXED);
            break;
        case 7: sched_account(v, (uint64_t)(rand_r(&seed) % 100000)); break;
        }
        __atomic_fetch_add(&th_events, 1, __ATOMIC_RELAXED);
    }
    for (unsigned k = 0; k < SIM_MAX_VCPUS; k++)
        while (paused[k]--)
            sched_vcpu_unpause(&sim.vc[k].v);
    return NULL;
}

static void test_threads_keep_one_vcpu_on_one_cpu(void)
{
    pthread_t cpus[TH_CPUS], events[TH_EVENT_THREADS];
    const char *why = NULL;

    sim_init(&sim, TH_CPUS);
    for (int d = 0; d < 4; d++)
        sim_add_domain(&sim, 3, 256, 0, LOAD_CPU, 0, 0);
    for (unsigned i = 0; i < SIM_MAX_VCPUS; i++)
        th_owner[i] = -1;
    th_stop = false;
    th_double_runs = 0;
    th_refused = 0;
    th_picks = th_events = 0;
    sim_kick_hook = th_kick;
    for (uintptr_t c = 0; c < TH_CPUS; c++)
        pthread_create(&cpus[c], NULL, th_cpu, (void *)c);
    for (uintptr_t e = 0; e < TH_EVENT_THREADS; e++)
        pthread_create(&events[e], NULL, th_events_run, (void *)e);
    /* Until enough happened, or a time limit on a very busy host. */
    struct timespec tick = { 0, 10 * 1000000L };
    for (int waited = 0; waited < TH_MAX_MS; waited += 10) {
        nanosleep(&tick, NULL);
        if (__atomic_load_n(&th_events, __ATOMIC_RELAXED) >= TH_ENOUGH &&
            __atomic_load_n(&th_picks, __ATOMIC_RELAXED) >= TH_ENOUGH)
            break;
    }
    __atomic_store_n(&th_stop, true, __ATOMIC_RELEASE);
    for (int c = 0; c < TH_CPUS; c++)
        pthread_join(cpus[c], NULL);
    for (int e = 0; e < TH_EVENT_THREADS; e++)
        pthread_join(events[e], NULL);
    sim_kick_hook = NULL;
    stub_cpu_id = 0;

    CU_ASSERT_EQUAL(th_double_runs, 0);
    CU_ASSERT_EQUAL(th_refused, 0);
    if (th_events < TH_ENOUGH || th_picks < TH_ENOUGH)
        fprintf(stderr, "threads: only %llu picks and %llu events in %d ms\n",
                (unsigned long long)th_picks, (unsigned long long)th_events, TH_MAX_MS);
    CU_ASSERT(th_picks >= 500);
    CU_ASSERT(th_events >= 500);
    CU_ASSERT_EQUAL(sched_check_invariants(&why), 0);
    if (why)
        fprintf(stderr, "after the threads: %s\n", why);
    /* Hand the pCPUs back to the simulation so it can take everything down. */
    sim.now = stub_now_ns;
    for (unsigned c = 0; c < TH_CPUS; c++)
        sim.running[c] = (struct sim_vcpu *)(sched_current(c) ?
            (struct sim_vcpu *)((char *)sched_current(c) - offsetof(struct sim_vcpu, v)) : NULL);
    for (unsigned i = 0; i < sim.nr_vcpus; i++)
        sched_vcpu_wake(&sim.vc[i].v);
    finish();
}

int main(void)
{
    static const struct unit_case cases[] = {
        UNIT_CASE(init_rejects_bad_input),
        UNIT_CASE(single_vcpu_gets_whole_cpu),
        UNIT_CASE(weights_one_cpu),
        UNIT_CASE(weights_two_cpus),
        UNIT_CASE(three_equal_on_two_cpus),
        UNIT_CASE(cap_alone),
        UNIT_CASE(cap_with_competition_and_lifted),
        UNIT_CASE(affinity_respected),
        UNIT_CASE(weights_hold_when_pinned_together),
        UNIT_CASE(blocked_never_picked),
        UNIT_CASE(wake_is_prompt_with_boost),
        UNIT_CASE(wake_latency_is_one_ipi),
        UNIT_CASE(poll_and_kick),
        UNIT_CASE(yield_gives_way),
        UNIT_CASE(idle_cpu_steals),
        UNIT_CASE(wakes_spread_over_idle_cpus),
        UNIT_CASE(pause_unpause),
        UNIT_CASE(up_down),
        UNIT_CASE(many_domains),
        UNIT_CASE(runstate_adds_up),
        UNIT_CASE(timeslice_setting),
        UNIT_CASE(threads_keep_one_vcpu_on_one_cpu),
    };

    unit_begin();
    UNIT_SUITE("sched", cases);
    return unit_end();
}
