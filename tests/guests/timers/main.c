/*
 * Time: the pvclock in vcpu_info is published with the version protocol,
 * runs forward monotonically at a plausible rate, agrees with blocking
 * timeouts, and the wallclock and runstate information are filled in.
 */
#include "guest.h"

const char test_title[] = "timers and pvclock";

/*
 * pvclock and TSC read at (nearly) the same moment: a vCPU preempted
 * between the two reads (CPUs shared by several domains) would make them
 * disagree by the time it spent off its CPU, so retry until both fall in
 * one 50 us window.
 */
static void time_and_tsc(uint64_t tsc_hz, uint64_t *ns, uint64_t *tsc)
{
    uint64_t window = tsc_hz / 20000;
    for (int i = 0; i < 1000; i++) {
        uint64_t a = rdtsc_ordered();
        *ns = system_time_ns();
        uint64_t b = rdtsc_ordered();
        *tsc = a + (b - a) / 2;
        if (b - a < window)
            return;
    }
}

void test_main(void)
{
    const volatile struct vcpu_time_info *t = &this_vcpu_info()->time;

    CHECK((t->version & 1) == 0, "pvclock version %u is odd at rest", t->version);
    CHECK(t->tsc_to_system_mul != 0, "tsc_to_system_mul is 0");
    CHECK(t->tsc_shift >= -32 && t->tsc_shift <= 32, "tsc_shift %d", t->tsc_shift);
    uint64_t tsc_hz = ((1000000000ULL << 32) / t->tsc_to_system_mul);
    tsc_hz = t->tsc_shift >= 0 ? tsc_hz >> t->tsc_shift : tsc_hz << -t->tsc_shift;
    printk("timers: TSC %lu kHz, mul %u shift %d, flags %#x\n", (unsigned long)(tsc_hz / 1000),
           t->tsc_to_system_mul, t->tsc_shift, t->flags);
    CHECK(tsc_hz > 100000000ULL && tsc_hz < 20000000000ULL, "TSC frequency %lu Hz",
          (unsigned long)tsc_hz);

    /* Monotonic over many reads, including across the hypervisor's updates. */
    uint64_t prev = system_time_ns(), first = prev, backwards = 0;
    uint32_t v0 = t->version;
    for (int i = 0; i < 200000; i++) {
        uint64_t now = system_time_ns();
        if (now < prev)
            backwards++;
        prev = now;
    }
    CHECK(backwards == 0, "pvclock went backwards %lu times", (unsigned long)backwards);
    printk("timers: 200000 reads over %lu us, %u version updates seen\n",
           (unsigned long)((prev - first) / 1000), (t->version - v0) / 2);

    /* A blocking wait with set_timer_op lasts at least as long as asked. */
    CHECK_EQ(hyp_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL), 0, "stop the default tick");
    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
    CHECK_EQ(hyp_event_channel_op(EVTCHNOP_bind_virq, &bv), 0, "bind VIRQ_TIMER");
    events_enable();
    for (int ms = 1; ms <= 16; ms *= 4) {
        unsigned long before = guest_port_hits[bv.port];
        uint64_t t0, tsc0;
        time_and_tsc(tsc_hz, &t0, &tsc0);
        hyp_set_timer_op(t0 + ms * 1000000ULL);
        /* Test with events off: block unmasks them, so no wake-up slips in between. */
        for (;;) {
            events_disable();
            if (guest_port_hits[bv.port] != before || system_time_ns() - t0 >= 2000000000ULL)
                break;
            hyp_sched_op(SCHEDOP_block, NULL);
        }
        events_enable();
        uint64_t t1, tsc1;
        time_and_tsc(tsc_hz, &t1, &tsc1);
        uint64_t took = t1 - t0, tsc_took = tsc1 - tsc0;
        CHECK(took >= ms * 1000000ULL - 100000, "%d ms timer woke after %lu us", ms,
              (unsigned long)(took / 1000));
        CHECK(took < 5000000000ULL, "%d ms timer took %lu us", ms, (unsigned long)(took / 1000));
        /* pvclock and raw TSC agree on the elapsed time within 5%. */
        uint64_t tsc_ns = tsc_took * 1000 / (tsc_hz / 1000000);
        CHECK(tsc_ns * 100 >= took * 95 && tsc_ns * 100 <= took * 105,
              "%d ms wait: pvclock %lu us, TSC %lu us", ms, (unsigned long)(took / 1000),
              (unsigned long)(tsc_ns / 1000));
        printk("timers: %2d ms timer: woke after %lu us\n", ms, (unsigned long)(took / 1000));
    }
    events_disable();
    evtchn_close_port(bv.port);

    /* Wallclock: set (QEMU's RTC holds the host's date) and consistent. */
    const volatile shared_info_t *s = guest_shared_info;
    uint32_t wv, sec, nsec;
    do {
        wv = s->wc_version;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        sec = s->wc_sec;
        nsec = s->wc_nsec;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while ((wv & 1) || wv != s->wc_version);
    uint64_t unix_now = sec + (system_time_ns() + nsec) / 1000000000ULL;
    printk("timers: wallclock %lu s since 1970\n", (unsigned long)unix_now);
    CHECK(unix_now > 1600000000ULL, "wallclock %lu is before 2020", (unsigned long)unix_now);
    CHECK(nsec < 1000000000U, "wc_nsec %u", nsec);

    /* Runstate: we are running, and have run for a while. */
    struct vcpu_runstate_info rs;
    CHECK_EQ(hyp_vcpu_op(VCPUOP_get_runstate_info, 0, &rs), 0, "get_runstate_info");
    CHECK_EQ(rs.state, RUNSTATE_running, "runstate of the running vCPU");
    CHECK(rs.time[RUNSTATE_running] > 0, "no running time accounted");
    CHECK(rs.time[RUNSTATE_blocked] > 0, "blocking above was not accounted");
    CHECK(rs.state_entry_time <= system_time_ns(), "runstate entered in the future");
}
