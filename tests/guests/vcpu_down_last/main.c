/*
 * VCPUOP_down of a domain's last vCPU that is up: Xen 4.17 shuts the
 * domain down (SHUTDOWN_poweroff) rather than leave it with no vCPU that
 * could ever run again. vCPU 1 takes vCPU 0 down, then itself.
 *
 * No verdict line can follow that last call, so the harness judges the
 * domain's power-off instead (Tessera: boot case pv-vcpu-down-last, which
 * expects "vcpu_down_last: vCPU 1 goes down last" and the domain's
 * poweroff and rejects "still running"; Xen 4.17: the run in
 * docs/guest-tests.md). Without "go" on its command line it only reports
 * SKIP, so the ordinary runs of every kernel pass it by.
 */
#include "guest.h"

const char test_title[] = "VCPUOP_down of the last vCPU up";

static char ap_stack[16384] __attribute__((aligned(16)));

static void last_vcpu(unsigned int vcpu)
{
    long rc = hyp_vcpu_op(VCPUOP_down, 0, NULL);
    if (rc) {
        test_fail("VCPUOP_down of vCPU 0 from vCPU 1 returned %ld", rc);
        guest_finish();
    }
    uint64_t t0 = system_time_ns();
    while (hyp_vcpu_op(VCPUOP_is_up, 0, NULL) != 0 && system_time_ns() - t0 < 5000000000ULL)
        hyp_sched_op(SCHEDOP_yield, NULL);
    printk("vcpu_down_last: vCPU 0 is down; vCPU %u goes down last\n", vcpu);
    rc = hyp_vcpu_op(VCPUOP_down, vcpu, NULL);
    /* Not reached when the domain powered off. */
    printk("vcpu_down_last: still running after the last vCPU went down (%ld)\n", rc);
    test_fail("the domain did not shut down when its last vCPU went down");
    guest_finish();
}

void test_main(void)
{
    if (!cmdline_has("go")) {
        test_skip("runs only with 'go' on its command line: it ends by powering its domain off");
        return;
    }
    if (hyp_vcpu_op(VCPUOP_is_up, 1, NULL) < 0) {
        test_skip("this domain has one vCPU; the test needs two");
        return;
    }
    long rc = vcpu_start(1, last_vcpu, ap_stack + sizeof(ap_stack));
    if (!CHECK_EQ(rc, 0, "starting vCPU 1"))
        return;
    /* vCPU 1 takes us down while we wait here. */
    for (;;)
        hyp_sched_op(SCHEDOP_yield, NULL);
}
