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
