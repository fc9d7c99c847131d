/* pvclock: system time from this vCPU's vcpu_time_info and the TSC. */
#include "guest.h"

uint64_t rdtsc_ordered(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}

uint64_t system_time_ns(void)
{
    const volatile struct vcpu_time_info *t = &this_vcpu_info()->time;
    uint32_t version;
    uint64_t ns;

    do {
        version = t->version;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        uint64_t delta = rdtsc_ordered() - t->tsc_timestamp;
        int8_t shift = t->tsc_shift;
        if (shift >= 0)
            delta <<= shift;
        else
            delta >>= -shift;
        ns = t->system_time + (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while ((version & 1) || version != t->version);
    return ns;
}

/* Blocks for at least `ns`. Binds VIRQ_TIMER (once) so the timer can wake
 * a blocked vCPU: an unbound VIRQ wakes nothing. vCPU 0 only. */
void guest_sleep_ns(uint64_t ns)
{
    static evtchn_port_t timer_port;
    if (!timer_port) {
        struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
        if (hyp_event_channel_op(EVTCHNOP_bind_virq, &bv) != 0)
            panic("guest_sleep_ns: cannot bind VIRQ_TIMER");
        timer_port = bv.port;
    }
    uint64_t until = system_time_ns() + ns;
    /*
     * Check and arm with events off: block unmasks them, so a timer that
     * fires between the check and the block still wakes it (it would
     * otherwise be delivered first and the block sleep for ever).
     */
    for (;;) {
        events_disable();
        if (system_time_ns() >= until)
            break;
        hyp_set_timer_op(until);
        hyp_sched_op(SCHEDOP_block, NULL);
    }
    events_enable();
}
