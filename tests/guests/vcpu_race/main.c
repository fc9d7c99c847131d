/*
 * Two vCPUs race to initialise the same down vCPU: vCPU 0 and vCPU 1 call
 * VCPUOP_initialise for vCPU N at about the same moment, for each N from 2
 * up, vCPU 0 a little later each round so that the calls overlap in some.
 * Exactly one of the two may succeed and the other must get -EEXIST (the
 * "is it down and uninitialised?" check and the change are one step);
 * then each vCPU N is brought up and must run its own context. Before the
 * per-vCPU lock, both calls could pass the check and both install a
 * context, each taking references on the page tables and GDT frames.
 */
#include "guest.h"

const char test_title[] = "racing VCPUOP_initialise";

#define MAX_RACE_VCPUS 32
#define STACK_SIZE 8192

static char stacks[MAX_RACE_VCPUS][STACK_SIZE] __attribute__((aligned(16)));
static struct vcpu_guest_context ctx[2][MAX_RACE_VCPUS];
static volatile unsigned int round_target, round_done;
static volatile long result[2][MAX_RACE_VCPUS];
static volatile unsigned int ran[MAX_RACE_VCPUS];
static volatile bool helper_stop;
static volatile uint64_t entered[2][MAX_RACE_VCPUS], left[2][MAX_RACE_VCPUS];

static void target_main(unsigned int vcpu)
{
    ran[vcpu] = 1;
}

/* vCPU 1: races vCPU 0 in every round it is told of. */
static void helper_main(unsigned int vcpu)
{
    (void)vcpu;
    unsigned int seen = 0;
    while (!helper_stop) {
        unsigned int t = round_target;
        if (t == seen)
            continue;
        entered[1][t] = system_time_ns();
        result[1][t] = hyp_vcpu_op(VCPUOP_initialise, t, &ctx[1][t]);
        left[1][t] = system_time_ns();
        seen = t;
        __atomic_store_n(&round_done, t, __ATOMIC_RELEASE);
    }
}

void test_main(void)
{
    unsigned int n = 0;
    while (n < MAX_RACE_VCPUS && hyp_vcpu_op(VCPUOP_is_up, n, NULL) >= 0)
        n++;
    if (n < 3) {
        test_skip("this domain has %u vCPUs; the race needs 3 or more", n);
        return;
    }
    for (unsigned int t = 2; t < n; t++)
        for (unsigned int who = 0; who < 2; who++)
            CHECK(vcpu_context(&ctx[who][t], t, target_main, stacks[t] + STACK_SIZE) == 0,
                  "no context for vCPU %u", t);
    if (!CHECK_EQ(vcpu_start(1, helper_main, stacks[1] + STACK_SIZE), 0, "start vCPU 1"))
        return;

    unsigned int won[2] = { 0, 0 };
    for (unsigned int t = 2; t < n; t++) {
        __atomic_store_n(&round_target, t, __ATOMIC_RELEASE);
        for (volatile unsigned int d = 0; d < (t - 2) * 200; d++)
            ;   /* each round vCPU 0 starts a little later: the two calls meet somewhere */
        entered[0][t] = system_time_ns();
        result[0][t] = hyp_vcpu_op(VCPUOP_initialise, t, &ctx[0][t]);
        left[0][t] = system_time_ns();
        uint64_t deadline = system_time_ns() + 5000000000ull;
        while (__atomic_load_n(&round_done, __ATOMIC_ACQUIRE) != t && system_time_ns() < deadline)
            ;
        if (!CHECK(round_done == t, "vCPU 1 did not take part in round %u", t))
            break;
        long a = result[0][t], b = result[1][t];
        printk("vcpu_race: vCPU %u: vCPU 0 -> %ld in [%lu, %lu] ns, vCPU 1 -> %ld in [%ld, %ld] ns\n", t, a,
               (unsigned long)0, (unsigned long)(left[0][t] - entered[0][t]), b,
               (long)(entered[1][t] - entered[0][t]), (long)(left[1][t] - entered[0][t]));
        CHECK((a == 0 && b == -XEN_EEXIST) || (a == -XEN_EEXIST && b == 0),
              "vCPU %u initialised by both or neither: %ld and %ld", t, a, b);
        won[a == 0 ? 0 : 1]++;
        long up = hyp_vcpu_op(VCPUOP_up, t, NULL);
        CHECK(up == 0, "VCPUOP_up(%u) -> %ld", t, up);
    }
    helper_stop = true;
    uint64_t deadline = system_time_ns() + 20000000000ull;
    for (unsigned int t = 2; t < n; t++) {
        while (!ran[t] && system_time_ns() < deadline)
            hyp_sched_op(SCHEDOP_yield, NULL);
        CHECK(ran[t], "vCPU %u did not run its context", t);
    }
    printk("vcpu_race: %u rounds, vCPU 0 won %u, vCPU 1 won %u\n", n - 2, won[0], won[1]);
}
