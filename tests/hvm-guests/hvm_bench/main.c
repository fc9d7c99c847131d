/*
 * hvm_bench: what an exit costs a PVH guest, timed from inside it with
 * the TSC: CPUID (an exit the hypervisor answers from its policy and
 * returns from at once) and a hypercall by VMMCALL/VMCALL
 * (xen_version(XENVER_version), the cheapest one). Port I/O is left out:
 * Xen lets its PVH dom0 reach the ports it may use without an exit, so
 * the two would not time the same thing.
 * The same kernel runs on Tessera as a PVH domU and on Xen 4.17 as its
 * PVH dom0 on the same QEMU command line (tests/hvm-guests/bench.py).
 *
 * Command line: rounds=N (default 2000) per measure.
 */
#include "hvm_guest.h"

#define MAX_ROUNDS 20000

static uint64_t samples[MAX_ROUNDS];

static inline uint64_t tsc_ordered(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}

static void sort(uint64_t *v, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        uint64_t x = v[i];
        unsigned j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

static void cpuid_once(void) { (void)cpuid2(0, 0); }
static void hypercall_once(void) { (void)hvm_hypercall2(__HYPERVISOR_xen_version, XENVER_version, 0); }

/* One line per measure: the fastest, the median and the 90th percentile, in TSC cycles. */
static void measure(const char *name, void (*once)(void), unsigned rounds)
{
    for (unsigned i = 0; i < 50; i++)        /* warm: the emulator translates the path once */
        once();
    uint64_t overhead = UINT64_MAX;
    for (unsigned i = 0; i < 100; i++) {
        uint64_t t0 = tsc_ordered(), t1 = tsc_ordered();
        if (t1 - t0 < overhead)
            overhead = t1 - t0;
    }
    for (unsigned i = 0; i < rounds; i++) {
        uint64_t t0 = tsc_ordered();
        once();
        uint64_t t1 = tsc_ordered();
        samples[i] = t1 - t0 > overhead ? t1 - t0 - overhead : 0;
    }
    sort(samples, rounds);
    printk("hvm_bench: %s: min %lu median %lu p90 %lu cycles (%u rounds)\n", name,
           (unsigned long)samples[0], (unsigned long)samples[rounds / 2],
           (unsigned long)samples[rounds * 9 / 10], rounds);
    check(samples[rounds / 2] > 0, name);
}

void hvm_test_main(const struct hvm_start_info *si)
{
    const char *cmdline = si->cmdline_paddr ? (const char *)(uintptr_t)si->cmdline_paddr : "";
    const char *r = strstr(cmdline, "rounds=");
    unsigned rounds = 2000;
    if (r) {
        rounds = 0;
        for (r += 7; *r >= '0' && *r <= '9'; r++)
            rounds = rounds * 10 + (unsigned)(*r - '0');
    }
    if (rounds < 10 || rounds > MAX_ROUNDS) {
        check(false, "rounds between 10 and 20000");
        return;
    }
    long v = hvm_hypercall2(__HYPERVISOR_xen_version, XENVER_version, 0);
    printk("hvm_bench: on Xen %ld.%ld, hypercalls by %s\n", v >> 16, v & 0xFFFF,
           hypercall_insn_name());
    measure("cpuid", cpuid_once, rounds);
    measure("hypercall", hypercall_once, rounds);
}
