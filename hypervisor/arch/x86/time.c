/*
 * Time: the TSC, measured once against the PIT, is the hypervisor's clock.
 * arch_now_ns() is TSC ticks since the first reading, scaled by a 32.32
 * fixed-point multiplier so no division happens on the hot path.
 */
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/time.h>
#include <tessera/arch.h>
#include <tessera/log.h>

#define PIT_HZ          1193182u
#define PIT_CH2_DATA    0x42
#define PIT_COMMAND     0x43
#define PORT_B          0x61
#define PORT_B_GATE2    0x01
#define PORT_B_SPEAKER  0x02
#define PORT_B_OUT2     0x20
#define CALIBRATE_MS    10
#define CALIBRATE_ROUNDS 5

static uint64_t tsc_at_zero;
static uint64_t tsc_rate_hz;
static uint64_t ns_per_tick_32_32;   /* (1e9 << 32) / tsc_rate_hz */

/* Ticks of the TSC while the PIT counts down CALIBRATE_MS. */
static uint64_t measure_tsc_over_pit(void)
{
    uint32_t count = PIT_HZ * CALIBRATE_MS / 1000;

    outb(PORT_B, (inb(PORT_B) & ~PORT_B_SPEAKER) | PORT_B_GATE2);
    outb(PIT_COMMAND, 0xB0);               /* channel 2, lo/hi byte, mode 0 */
    outb(PIT_CH2_DATA, count & 0xFF);
    outb(PIT_CH2_DATA, count >> 8);
    uint64_t start = rdtsc();
    uint64_t spins = 0;
    while (!(inb(PORT_B) & PORT_B_OUT2))
        if (++spins > 100000000)
            return 0;                       /* no PIT: caller falls back */
    return rdtsc() - start;
}

void tsc_calibrate(void)
{
    /*
     * A delay (an emulator's vCPU thread descheduled, an SMI) can only make
     * the TSC count more over a window; the shortest of several is the
     * truest.
     */
    uint64_t ticks = 0;
    for (int i = 0; i < CALIBRATE_ROUNDS; i++) {
        uint64_t t = measure_tsc_over_pit();
        if (t && (!ticks || t < ticks))
            ticks = t;
    }

    if (ticks == 0) {
        log_warn("time: PIT did not count; assuming a 1 GHz TSC\n");
        tsc_rate_hz = 1000000000ull;
    } else {
        tsc_rate_hz = ticks * 1000 / CALIBRATE_MS;
    }
    ns_per_tick_32_32 = (1000000000ull << 32) / tsc_rate_hz;
    if (!tsc_at_zero)
        tsc_at_zero = rdtsc();
    log_info("time: TSC runs at %lu.%03lu MHz (measured against the PIT)\n",
             (unsigned long)(tsc_rate_hz / 1000000),
             (unsigned long)(tsc_rate_hz / 1000 % 1000));
}

/* Count boot time from the first instruction of C, not from calibration. */
void time_mark_boot(void)
{
    tsc_at_zero = rdtsc();
}

uint64_t tsc_hz(void)
{
    return tsc_rate_hz;
}

uint64_t arch_now_ns_at(uint64_t tsc)
{
    if (!ns_per_tick_32_32)
        return 0;
    unsigned __int128 ns = (unsigned __int128)(tsc - tsc_at_zero) * ns_per_tick_32_32;
    return (uint64_t)(ns >> 32);
}

uint64_t arch_now_ns(void)
{
    return arch_now_ns_at(rdtsc());
}

void udelay(uint64_t us)
{
    uint64_t rate = tsc_rate_hz ? tsc_rate_hz : 1000000000ull;
    uint64_t end = rdtsc() + us * (rate / 1000000);
    while ((int64_t)(rdtsc() - end) < 0)
        arch_cpu_relax();
}
