/*
 * libFuzzer target for common/sched*.c: the input is a machine shape and a
 * sequence of scheduler operations in any order (wake, block, poll, yield,
 * pause, affinity, parameters, up/down, destroy and re-create, extra
 * picks, time passing) applied to simulated pCPUs. After every operation
 * the scheduler's invariants must hold (every runnable vCPU on exactly one
 * allowed queue or running on exactly one pCPU), no pCPU may be handed a
 * vCPU another one runs, and at the end all memory is returned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/heap.h>
#include "../sched_sim.h"
#include "fuzz_input.h"

static struct sim sim;
static unsigned pauses[SIM_MAX_VCPUS];

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_sched: %s\n", what);
    abort();
}

static void check(void)
{
    sim_check(&sim);
    if (sim.errors)
        fail(sim.first_error);
}

/* Take the vCPU off every pCPU, destroy its state and create it afresh. */
static void recreate(struct sim_vcpu *sv, unsigned idx, unsigned weight)
{
    sched_vcpu_pause(&sv->v);
    pauses[idx]++;
    sim_deliver_kicks(&sim);
    if (sched_vcpu_running(&sv->v))
        fail("a paused vCPU still runs after its pCPU picked");
    sched_vcpu_destroy(&sv->v);
    pauses[idx] = 0;
    sv->workload_blocked = false;
    sv->woke_at = 0;
    if (sched_vcpu_init(&sv->v, weight, 0) != 0)
        fail("re-creating a vCPU failed");
    if (sched_vcpu_up(&sv->v) != 0)
        fail("bringing a re-created vCPU up failed");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };
    struct heap_stats before, after;

    sim_heap_init();
    heap_get_stats(&before);
    sim_init(&sim, 1 + next(&in) % 4);
    sim.kick_delay_ns = 1000ull * (next(&in) % 4) * 10;     /* 0 .. 30 us of IPI latency */
    memset(pauses, 0, sizeof(pauses));
    unsigned nr_doms = 1 + next(&in) % 4;
    for (unsigned d = 0; d < nr_doms; d++) {
        unsigned shape = next(&in);
        enum sim_load load = shape & 1 ? LOAD_IO : LOAD_CPU;
        unsigned cap = shape & 2 ? 10 + (shape >> 2) % 90 : 0;
        sim_add_domain(&sim, 1 + (shape >> 4) % 3, 1 + next(&in) * 4, cap, load,
                       100000 * (1 + (shape >> 3) % 8), 200000 * (1 + (shape >> 5) % 4));
    }
    check();

    for (unsigned steps = 0; in.left && steps < 400; steps++) {
        unsigned op = next(&in), arg = next(&in);
        unsigned idx = arg % sim.nr_vcpus;
        struct sim_vcpu *sv = &sim.vc[idx];
        struct vcpu *v = &sv->v;

        switch (op % 16) {
        case 0: sim_run_until(&sim, sim.now + 50000ull * (1 + arg)); break;
        case 1: sched_vcpu_wake(v); break;
        case 2: sched_vcpu_block(v); break;
        case 3: sched_vcpu_poll(v); break;
        case 4: sched_vcpu_yield(v); break;
        case 5: sched_vcpu_pause(v); pauses[idx]++; break;
        case 6:
            if (pauses[idx]) {
                sched_vcpu_unpause(v);
                pauses[idx]--;
            }
            break;
        case 7: {
            struct sched_cpumask m;
            bitmap_zero(m.bits, SCHED_MAX_CPUS);
            m.bits[0] = next(&in);
            int rc = sched_set_affinity(v, &m);
            if (rc != 0 && (m.bits[0] & ((1ul << sim.nr_cpus) - 1)))
                fail("a valid affinity was refused");
            break;
        }
        case 8: {
            unsigned w = next(&in) * 300, c = next(&in);
            int rc = sched_set_params(v->domain, w, c);
            bool valid = w >= 1 && w <= SCHED_MAX_WEIGHT && c <= 100 * v->domain->max_vcpus;
            if ((rc == 0) != valid)
                fail("set_params accepted bad or refused good parameters");
            break;
        }
        case 9: sched_vcpu_down(v); break;
        case 10: sched_vcpu_up(v); break;
        case 11: sched_vcpu_kick(v); break;
        case 12: sched_account(v, 10000ull * arg); break;
        case 13: recreate(sv, idx, 1 + arg * 8); break;
        case 14: sched_set_timeslice(SCHED_MIN_TSLICE_NS * (1 + arg % 40)); break;
        case 15: arch_sched_kick_cpu(arg % sim.nr_cpus); sim_settle(&sim); break;
        }
        check();
    }
    sim_settle(&sim);
    check();
    for (unsigned i = 0; i < sim.nr_vcpus; i++)
        while (pauses[i]--)
            sched_vcpu_unpause(&sim.vc[i].v);
    sim_teardown(&sim);
    if (sim.errors)
        fail(sim.first_error);
    heap_get_stats(&after);
    if (after.small_in_use != before.small_in_use)
        fail("scheduler state leaked");
    return 0;
}
