/*
 * Local APIC, in xAPIC (MMIO) or x2APIC (MSR) mode: chosen once on the boot
 * CPU, then used the same way on every CPU.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/paging.h>
#include <asm/time.h>
#include <tessera/arch.h>
#include <tessera/log.h>
#include <tessera/panic.h>

#define APIC_ID        0x020
#define APIC_VERSION   0x030
#define APIC_TPR       0x080
#define APIC_EOI       0x0B0
#define APIC_SVR       0x0F0
#define APIC_ESR       0x280
#define APIC_ICR_LO    0x300
#define APIC_ICR_HI    0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TMR_INIT  0x380
#define APIC_TMR_CUR   0x390
#define APIC_TMR_DIV   0x3E0

#define SVR_ENABLE        (1u << 8)
#define LVT_MASKED        (1u << 16)
#define ICR_DELIVERY_BUSY (1u << 12)
#define ICR_FIXED         0x000
#define ICR_NMI           0x400
#define ICR_INIT          0x500
#define ICR_STARTUP       0x600
#define ICR_ASSERT        0x4000
#define ICR_LEVEL         0x8000
#define ICR_ALL_BUT_SELF  0xC0000
#define TMR_DIV_16        0x3

static bool x2apic;
static volatile uint32_t *xapic_mmio;
static uint64_t timer_hz;
static uint64_t ticks_per_ns_32_32;

static uint32_t apic_read(unsigned reg)
{
    if (x2apic)
        return (uint32_t)rdmsr(0x800 + (reg >> 4));
    return xapic_mmio[reg / 4];
}

static void apic_write(unsigned reg, uint32_t val)
{
    if (x2apic)
        wrmsr(0x800 + (reg >> 4), val);
    else
        xapic_mmio[reg / 4] = val;
}

static void apic_write_icr(uint32_t dest, uint32_t low)
{
    if (x2apic) {
        wrmsr(0x830, ((uint64_t)dest << 32) | low);
        return;
    }
    while (apic_read(APIC_ICR_LO) & ICR_DELIVERY_BUSY)
        arch_cpu_relax();
    apic_write(APIC_ICR_HI, dest << 24);
    apic_write(APIC_ICR_LO, low);
}

void apic_init_boot(bool allow_x2apic)
{
    struct cpuid_regs r = cpuid(1);

    if (!(r.edx & CPUID1_EDX_APIC))
        panic("this CPU has no local APIC");
    x2apic = allow_x2apic && (r.ecx & CPUID1_ECX_X2APIC);
    if (!x2apic) {
        uint64_t base = rdmsr(MSR_APIC_BASE) & 0x000FFFFFFFFFF000ull;
        xapic_mmio = ioremap(base, 4096);
        if (!xapic_mmio)
            panic("cannot map the local APIC");
    }
    log_info("apic: %s mode\n", x2apic ? "x2APIC" : "xAPIC");
}

bool apic_x2apic_mode(void)
{
    return x2apic;
}

void apic_init_cpu(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;
    if (x2apic)
        base |= APIC_BASE_X2APIC;
    wrmsr(MSR_APIC_BASE, base);

    apic_write(APIC_TPR, 0);
    apic_write(APIC_LVT_TIMER, LVT_MASKED | VECTOR_LOCAL_TIMER);
    apic_write(APIC_LVT_LINT0, LVT_MASKED);
    apic_write(APIC_LVT_LINT1, LVT_MASKED);
    apic_write(APIC_LVT_ERROR, VECTOR_APIC_ERROR);
    apic_write(APIC_ESR, 0);
    apic_write(APIC_SVR, SVR_ENABLE | VECTOR_SPURIOUS);
    apic_write(APIC_TMR_DIV, TMR_DIV_16);
}

uint32_t apic_read_id(void)
{
    uint32_t id = apic_read(APIC_ID);
    return x2apic ? id : id >> 24;
}

void apic_eoi(void)
{
    apic_write(APIC_EOI, 0);
}

void apic_timer_calibrate(void)
{
    const uint64_t window_us = 10000;

    apic_write(APIC_TMR_DIV, TMR_DIV_16);
    apic_write(APIC_LVT_TIMER, LVT_MASKED | VECTOR_LOCAL_TIMER);
    apic_write(APIC_TMR_INIT, 0xFFFFFFFF);
    udelay(window_us);
    uint32_t elapsed = 0xFFFFFFFF - apic_read(APIC_TMR_CUR);
    apic_write(APIC_TMR_INIT, 0);

    timer_hz = (uint64_t)elapsed * (1000000 / window_us);
    if (timer_hz == 0)
        panic("the local APIC timer does not count");
    ticks_per_ns_32_32 = (timer_hz << 32) / 1000000000ull;
    log_info("apic: timer runs at %lu kHz (divided by 16)\n", (unsigned long)(timer_hz / 1000));
}

uint64_t apic_timer_hz(void)
{
    return timer_hz;
}

void apic_timer_set_deadline(uint64_t deadline_ns)
{
    if (deadline_ns == 0) {
        apic_write(APIC_TMR_INIT, 0);
        return;
    }
    uint64_t now = arch_now_ns();
    uint64_t delta = deadline_ns > now ? deadline_ns - now : 0;
    unsigned __int128 t = (unsigned __int128)delta * ticks_per_ns_32_32;
    uint64_t ticks = (uint64_t)(t >> 32);

    if (ticks == 0)
        ticks = 1;
    if (ticks > 0xFFFFFFFFull)
        ticks = 0xFFFFFFFFull;     /* the handler re-arms for the rest */
    apic_write(APIC_LVT_TIMER, VECTOR_LOCAL_TIMER);   /* one-shot, unmasked */
    apic_write(APIC_TMR_INIT, (uint32_t)ticks);
}

void apic_send_ipi(uint32_t apic_id, uint8_t vector)
{
    apic_write_icr(apic_id, ICR_FIXED | ICR_ASSERT | vector);
}

void apic_send_nmi_allbutself(void)
{
    apic_write_icr(0, ICR_NMI | ICR_ASSERT | ICR_ALL_BUT_SELF);
}

void apic_wake_cpu(uint32_t apic_id, uint64_t trampoline_pa)
{
    uint32_t page = (uint32_t)(trampoline_pa >> 12);

    apic_write_icr(apic_id, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
    udelay(10000);
    for (int i = 0; i < 2; i++) {
        apic_write_icr(apic_id, ICR_STARTUP | page);
        udelay(200);
    }
}
