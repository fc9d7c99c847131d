/*
 * Long hypercalls give their CPU up. Run with two vCPUs on one physical
 * CPU: vCPU 1 counts in a loop while vCPU 0 issues batches far longer
 * than a time slice (65536 m2p updates in one mmu_update; sixteen of them
 * in one multicall). The batches must finish with every item done and
 * counted, and vCPU 1 must have run while the multicall was in the
 * hypervisor: a hypervisor that runs a batch to the end holds the CPU
 * for its whole length (or refuses counts this large).
 */
#include "guest.h"

const char test_title[] = "preemptible hypercalls";

#define BATCH   65536u
#define ENTRIES 16u

static struct mmu_update reqs[BATCH];
static struct multicall_entry calls[ENTRIES];
static unsigned int done[ENTRIES];
static char ap_stack[16384] __attribute__((aligned(16)));
static char page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static volatile unsigned long spins;
static volatile bool stop_spinning;

static void spinner(unsigned int vcpu)
{
    (void)vcpu;
    while (!stop_spinning)
        __atomic_fetch_add(&spins, 1, __ATOMIC_RELAXED);
}

/* Every request writes the m2p entry of one of our frames with the value it has. */
static void fill_requests(void)
{
    unsigned long mfn = virt_to_mfn(page);
    unsigned long pfn = ((const unsigned long *)MACH2PHYS_VIRT_START)[mfn];
    for (unsigned int i = 0; i < BATCH; i++)
        reqs[i] = (struct mmu_update){ .ptr = ((uint64_t)mfn << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE,
                                       .val = pfn };
}

static void one_long_mmu_update(void)
{
    unsigned int n = 0;
    uint64_t t0 = system_time_ns();
    long rc = hyp_mmu_update(reqs, BATCH, &n, DOMID_SELF);
    uint64_t ms = (system_time_ns() - t0) / 1000000;
    printk("preempt: mmu_update of %u requests -> %ld, %u done, %lu ms\n", BATCH, rc, n,
           (unsigned long)ms);
    CHECK_EQ(rc, 0, "mmu_update of 65536 requests");
    CHECK_EQ(n, BATCH, "requests done");
}

static void long_multicall(void)
{
    for (unsigned int i = 0; i < ENTRIES; i++) {
        done[i] = 0;
        calls[i] = (struct multicall_entry){
            .op = __HYPERVISOR_mmu_update,
            .result = 12345,
            .args = { (unsigned long)reqs, BATCH, (unsigned long)&done[i], DOMID_SELF },
        };
    }
    unsigned long before = spins;
    uint64_t t0 = system_time_ns();
    long rc = hyp_multicall(calls, ENTRIES);
    uint64_t ms = (system_time_ns() - t0) / 1000000;
    unsigned long during = spins - before;
    printk("preempt: multicall of %u x %u requests -> %ld in %lu ms; vCPU 1 counted %lu meanwhile\n",
           ENTRIES, BATCH, rc, (unsigned long)ms, during);
    CHECK_EQ(rc, 0, "multicall of 16 long mmu_updates");
    for (unsigned int i = 0; i < ENTRIES; i++) {
        CHECK(calls[i].result == 0, "entry %u result %ld", i, (long)calls[i].result);
        CHECK(done[i] == BATCH, "entry %u: %u requests done", i, done[i]);
    }
    CHECK(during > 0, "vCPU 1 never ran during a %lu ms multicall on a shared CPU",
          (unsigned long)ms);
}

void test_main(void)
{
    if (hyp_vcpu_op(VCPUOP_is_up, 1, NULL) < 0) {
        test_skip("this domain has one vCPU");
        return;
    }
    fill_requests();
    if (!CHECK_EQ(vcpu_start(1, spinner, ap_stack + sizeof(ap_stack)), 0, "start vCPU 1"))
        return;
    uint64_t deadline = system_time_ns() + 5000000000ull;
    while (!spins && system_time_ns() < deadline)
        hyp_sched_op(SCHEDOP_yield, NULL);
    if (!CHECK(spins != 0, "vCPU 1 never started counting"))
        return;
    one_long_mmu_update();
    long_multicall();
    stop_spinning = true;
}
