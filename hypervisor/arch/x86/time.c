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

/* Channel 2's count now (mode 0 counts down from what was loaded). */
static uint16_t pit_read_count(void)
{
    outb(PIT_COMMAND, 0x80);                /* latch channel 2 */
    uint8_t lo = inb(PIT_CH2_DATA);
    return (uint16_t)(lo | inb(PIT_CH2_DATA) << 8);
}

/*
 * The PIT's count and the TSC at nearly one moment: the reading whose two
 * TSC samples around it are closest, so a delay while reading (an emulator's
 * vCPU thread descheduled) does not count.
 */
static void pit_and_tsc(uint16_t *count, uint64_t *tsc)
{
    uint64_t best = UINT64_MAX;
    for (int i = 0; i < 4; i++) {
        uint64_t before = rdtsc();
        uint16_t c = pit_read_count();
        uint64_t after = rdtsc();
        if (after - before < best) {
            best = after - before;
            *count = c;
            *tsc = before + (after - before) / 2;
        }
    }
}

/*
 * TSC ticks per CALIBRATE_MS of PIT time, from the counts read at both ends
 * of the window rather than from when the end was seen: under an emulator
 * the PIT's count follows the host's clock exactly, but the moment the
 * guest notices it has run out comes late when its vCPU waits for the host
 * (a loaded host made that overestimate the TSC by 15% to threefold). 0
 * without a PIT.
 */
static uint64_t measure_tsc_over_pit(void)
{
    uint32_t window = PIT_HZ * CALIBRATE_MS / 1000;

    outb(PORT_B, (inb(PORT_B) & ~PORT_B_SPEAKER) | PORT_B_GATE2);
    outb(PIT_COMMAND, 0xB0);               /* channel 2, lo/hi byte, mode 0 */
    outb(PIT_CH2_DATA, 0xFF);
    outb(PIT_CH2_DATA, 0xFF);
    uint16_t c0, c1;
    uint64_t t0, t1, spins = 0;
    pit_and_tsc(&c0, &t0);
    do {
        if (++spins > 100000000)
            return 0;                       /* the count never moved: no PIT */
        pit_and_tsc(&c1, &t1);
    } while ((uint16_t)(c0 - c1) < window && !(inb(PORT_B) & PORT_B_OUT2));
    /* Past the terminal count (55 ms) the count has wrapped: not usable. */
    uint16_t elapsed = (uint16_t)(c0 - c1);
    if (elapsed == 0 || (inb(PORT_B) & PORT_B_OUT2))
        return 0;
    return (t1 - t0) * window / elapsed;
}

void tsc_calibrate(void)
{
    /*
     * What delays remain (between the TSC and PIT samples of one reading)
     * can only make the TSC count more over a window; the shortest of
     * several is the truest.
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
