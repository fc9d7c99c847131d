/*
 * Moving per-vCPU state out of shared_info: VCPUOP_register_vcpu_info (the
 * hypervisor copies vcpu_info to a page of ours and keeps it there: events
 * and time arrive in the new place), and VCPUOP_register_runstate_memory_area
 * (a runstate copy the hypervisor keeps up to date in our memory).
 */
#include "guest.h"

const char test_title[] = "register_vcpu_info and runstate area";

static char vi_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct vcpu_runstate_info runstate_area;

void test_main(void)
{
    struct vcpu_register_vcpu_info r = { .mfn = virt_to_mfn(vi_page),
                                         .offset = PAGE_SIZE - 32 };
    /* vcpu_info is 64 bytes: it may not straddle the page end (Xen: -ENXIO). */
    CHECK_EQ(hyp_vcpu_op(VCPUOP_register_vcpu_info, 0, &r), -XEN_ENXIO,
             "vcpu_info crossing the page end");
    r.offset = 64;
    CHECK_EQ(hyp_vcpu_op(VCPUOP_register_vcpu_info, 5000, &r), -XEN_ENOENT, "vCPU 5000");
    if (!CHECK_EQ(hyp_vcpu_op(VCPUOP_register_vcpu_info, 0, &r), 0, "register_vcpu_info"))
        return;
    vcpu_info_t *moved = (vcpu_info_t *)(vi_page + 64);
    percpu_area[0].vcpu_info = moved;
    CHECK_EQ(moved->evtchn_upcall_mask, 1, "events mask carried over");
    CHECK(moved->time.tsc_to_system_mul != 0, "time info not copied");
    CHECK_EQ(hyp_vcpu_op(VCPUOP_register_vcpu_info, 0, &r), -XEN_EINVAL, "registering twice");

    /* Time now comes from the new place, and runs. */
    uint64_t t0 = system_time_ns();
    guest_sleep_ns(3000000);
    uint64_t t1 = system_time_ns();
    CHECK(t1 - t0 >= 3000000 && t1 - t0 < 2000000000ULL, "3 ms sleep measured %lu ns",
          (unsigned long)(t1 - t0));

    /* Events are flagged in the new vcpu_info. */
    events_disable();
    struct evtchn_bind_ipi bi = { .vcpu = 0 };
    CHECK_EQ(hyp_event_channel_op(EVTCHNOP_bind_ipi, &bi), 0, "bind_ipi");
    CHECK_EQ(evtchn_send_port(bi.port), 0, "send");
    CHECK(moved->evtchn_upcall_pending, "upcall_pending not set in the registered vcpu_info");
    CHECK(moved->evtchn_pending_sel & (1UL << (bi.port / 64)), "selector not set there");
    unsigned long before = guest_port_hits[bi.port];
    events_enable();
    CHECK_EQ(guest_port_hits[bi.port], before + 1, "upcall through the registered vcpu_info");
    evtchn_close_port(bi.port);

    /* Runstate area: filled at registration, refreshed as we block/run. */
    memset(&runstate_area, 0xff, sizeof(runstate_area));
    struct vcpu_register_runstate_memory_area ra = { .addr.v = &runstate_area };
    CHECK_EQ(hyp_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &ra), 0,
             "register_runstate_memory_area");
    CHECK_EQ(runstate_area.state, RUNSTATE_running, "runstate area state");
    uint64_t entry = runstate_area.state_entry_time;
    uint64_t blocked = runstate_area.time[RUNSTATE_blocked];
    uint64_t times_before[4];
    memcpy(times_before, runstate_area.time, sizeof(times_before));
    /*
     * A host that stalls the emulated CPU can let the whole 5 ms pass before
     * the first block (the sleep then ends without blocking): sleep again,
     * up to 100 ms, until a block happened. A hypervisor that never counts
     * blocked time still fails below.
     */
    for (int tries = 0; tries < 20 && runstate_area.time[RUNSTATE_blocked] == blocked; tries++)
        guest_sleep_ns(5000000);
    CHECK(runstate_area.state_entry_time > entry, "runstate area not refreshed after blocking");
    CHECK(runstate_area.time[RUNSTATE_blocked] > blocked,
          "blocked time not accounted there (state %d, entry %lu -> %lu; running %lu -> %lu, "
          "runnable %lu -> %lu, blocked %lu -> %lu, offline %lu -> %lu)", runstate_area.state,
          (unsigned long)entry, (unsigned long)runstate_area.state_entry_time,
          (unsigned long)times_before[0], (unsigned long)runstate_area.time[0],
          (unsigned long)times_before[1], (unsigned long)runstate_area.time[1],
          (unsigned long)times_before[2], (unsigned long)runstate_area.time[2],
          (unsigned long)times_before[3], (unsigned long)runstate_area.time[3]);
    struct vcpu_runstate_info rs;
    CHECK_EQ(hyp_vcpu_op(VCPUOP_get_runstate_info, 0, &rs), 0, "get_runstate_info");
    CHECK(rs.time[RUNSTATE_blocked] >= runstate_area.time[RUNSTATE_blocked],
          "runstate area ahead of get_runstate_info");
    ra.addr.v = NULL;
    CHECK_EQ(hyp_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &ra), 0,
             "unregister the runstate area");
    events_disable();
}
