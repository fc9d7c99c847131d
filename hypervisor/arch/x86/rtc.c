/*
 * The CMOS real-time clock, read once at boot for the wallclock PV guests
 * see. Waits out an update in progress and reads twice until stable.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/time.h>

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71

static uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_INDEX, reg);
    return inb(CMOS_DATA);
}

static unsigned from_bcd(uint8_t v, bool bcd)
{
    return bcd ? (v & 0x0F) + (v >> 4) * 10 : v;
}

struct rtc_time {
    uint8_t sec, min, hour, day, mon, year, century;
};

static void read_raw(struct rtc_time *t)
{
    for (int i = 0; i < 1000000 && (cmos_read(0x0A) & 0x80); i++)
        ;   /* update in progress */
    t->sec = cmos_read(0x00);
    t->min = cmos_read(0x02);
    t->hour = cmos_read(0x04);
    t->day = cmos_read(0x07);
    t->mon = cmos_read(0x08);
    t->year = cmos_read(0x09);
    t->century = cmos_read(0x32);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static uint64_t days_since_epoch(unsigned y, unsigned m, unsigned d)
{
    y -= m <= 2;
    uint64_t era = y / 400;
    unsigned yoe = y - era * 400;
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

uint64_t wallclock_at_boot(void)
{
    struct rtc_time a, b;

    read_raw(&a);
    for (int tries = 0; tries < 5; tries++) {
        read_raw(&b);
        if (a.sec == b.sec && a.min == b.min && a.hour == b.hour && a.day == b.day)
            break;
        a = b;
    }
    uint8_t status_b = cmos_read(0x0B);
    bool bcd = !(status_b & 0x04);
    bool h12 = !(status_b & 0x02);
    unsigned hour = from_bcd(b.hour & 0x7F, bcd);
    if (h12 && (b.hour & 0x80))
        hour = (hour % 12) + 12;
    unsigned century = b.century ? from_bcd(b.century, bcd) : 20;
    unsigned year = century * 100 + from_bcd(b.year, bcd);
    unsigned mon = from_bcd(b.mon, bcd), day = from_bcd(b.day, bcd);
    if (mon < 1 || mon > 12 || day < 1 || day > 31 || year < 1970)
        return 0;
    uint64_t secs = days_since_epoch(year, mon, day) * 86400ull + hour * 3600ull +
                    from_bcd(b.min, bcd) * 60ull + from_bcd(b.sec, bcd);
    /* The guest wants seconds at system_time 0, i.e. at boot. */
    uint64_t up = arch_now_ns_at(rdtsc()) / 1000000000ull;
    return secs > up ? secs - up : secs;
}
