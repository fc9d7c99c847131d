/*
 * Several vCPUs: VCPUOP_initialise + VCPUOP_up start vCPU 1 on our page
 * tables and trap table; it runs C code, takes its own upcalls, reads its
 * own pvclock (which agrees with vCPU 0's), and goes down again.
 */
#include "guest.h"

const char test_title[] = "vCPUs via VCPUOP_initialise";

static char ap_stack[16384] __attribute__((aligned(16)));
static volatile unsigned int ap_ran, ap_seen_id, ap_done, ap_go;
static volatile uint64_t bsp_time, ap_worst_behind;
static volatile evtchn_port_t ap_ipi_port;
static volatile unsigned long ap_ipis;

static void ap_main(unsigned int vcpu)
{
    ap_seen_id = this_vcpu_id();
    ap_ran = vcpu + 1;
    /* Compare our pvclock with the time vCPU 0 keeps publishing: ours must
     * never be behind a value it published before we read ours. */
    uint64_t worst = 0;
    while (!ap_go)
        ;
    for (int i = 0; i < 20000; i++) {
        uint64_t seen = bsp_time;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        uint64_t mine = system_time_ns();
        if (mine < seen && seen - mine > worst)
            worst = seen - mine;
    }
    ap_worst_behind = worst;
    /* Take an IPI on this vCPU. */
    events_enable();
    while (!ap_ipi_port)
        ;
    for (;;) {
        events_disable();
        if (guest_port_hits[ap_ipi_port] != 0)
            break;
        hyp_sched_op(SCHEDOP_block, NULL);   /* unmasks events: no wake-up slips in */
    }
    ap_ipis = guest_port_hits[ap_ipi_port];
    ap_done = 1;
}

void test_main(void)
{
    long nr_up = 0;
    for (unsigned int v = 0; v < XEN_LEGACY_MAX_VCPUS; v++) {
        long rc = hyp_vcpu_op(VCPUOP_is_up, v, NULL);
        if (rc < 0)
            break;
        nr_up += rc;
    }
    CHECK_EQ(hyp_vcpu_op(VCPUOP_is_up, 0, NULL), 1, "VCPUOP_is_up(0)");
    long up1 = hyp_vcpu_op(VCPUOP_is_up, 1, NULL);
    if (up1 < 0) {
        test_skip("this domain has one vCPU (is_up(1) = %ld)", up1);
        return;
    }
    CHECK_EQ(up1, 0, "vCPU 1 up before we started it");
    CHECK_EQ(hyp_vcpu_op(VCPUOP_is_up, 5000, NULL), -XEN_ENOENT, "VCPUOP_is_up(5000)");

    long rc = vcpu_start(1, ap_main, ap_stack + sizeof(ap_stack));
    if (!CHECK_EQ(rc, 0, "vcpu_start(1)"))
        return;
    CHECK_EQ(hyp_vcpu_op(VCPUOP_is_up, 1, NULL), 1, "VCPUOP_is_up(1) after up");

    uint64_t t0 = system_time_ns();
    while (!ap_ran && system_time_ns() - t0 < 5000000000ULL)
        ;
    if (!CHECK(ap_ran == 2, "vCPU 1 did not run (ap_ran %u)", ap_ran))
        return;
    CHECK_EQ(ap_seen_id, 1, "vCPU 1's per-cpu id");

    /* A second initialise of a running vCPU is refused. */
    struct vcpu_guest_context dummy;
    memset(&dummy, 0, sizeof(dummy));
    CHECK_EQ(hyp_vcpu_op(VCPUOP_initialise, 1, &dummy), -XEN_EEXIST, "initialising vCPU 1 twice");

    ap_go = 1;
    for (int i = 0; i < 40000; i++)
        bsp_time = system_time_ns();

    struct evtchn_bind_ipi bi = { .vcpu = 1 };
    CHECK_EQ(hyp_event_channel_op(EVTCHNOP_bind_ipi, &bi), 0, "bind_ipi to vCPU 1");
    ap_ipi_port = bi.port;
    t0 = system_time_ns();
    while (!ap_done && system_time_ns() - t0 < 5000000000ULL) {
        evtchn_send_port(bi.port);
        for (volatile int d = 0; d < 100000; d++)
            ;
    }
    CHECK(ap_done, "vCPU 1 never received its IPI");
    CHECK(ap_ipis >= 1, "IPI upcalls on vCPU 1: %lu", ap_ipis);
    printk("vcpus: vCPU 1 ran, pvclock at most %lu ns behind vCPU 0's, %lu IPI upcalls\n",
           (unsigned long)ap_worst_behind, ap_ipis);
    CHECK(ap_worst_behind < 1000000, "vCPU 1's pvclock %lu ns behind vCPU 0's",
          (unsigned long)ap_worst_behind);

    /* vCPU 1 takes itself down when ap_main returns. */
    t0 = system_time_ns();
    while (hyp_vcpu_op(VCPUOP_is_up, 1, NULL) != 0 && system_time_ns() - t0 < 5000000000ULL)
        hyp_sched_op(SCHEDOP_yield, NULL);
    CHECK_EQ(hyp_vcpu_op(VCPUOP_is_up, 1, NULL), 0, "VCPUOP_is_up(1) after it went down");
    /* is_up turns 0 when the vCPU asks to go down; its runstate becomes
     * offline once it is actually off its CPU, a moment later (Xen too). */
    struct vcpu_runstate_info rs;
    t0 = system_time_ns();
    do {
        CHECK_EQ(hyp_vcpu_op(VCPUOP_get_runstate_info, 1, &rs), 0, "runstate of vCPU 1");
        if (rs.state == RUNSTATE_offline)
            break;
        hyp_sched_op(SCHEDOP_yield, NULL);
    } while (system_time_ns() - t0 < 5000000000ULL);
    CHECK_EQ(rs.state, RUNSTATE_offline, "vCPU 1 runstate after down");
    CHECK(rs.time[RUNSTATE_running] > 0, "vCPU 1 accounted no running time");
    (void)nr_up;
}
