/*
 * Time for PV guests: each vCPU's vcpu_time_info (pvclock) and the
 * domain's wallclock, published with the version protocol (odd while
 * being written). The hypervisor's clock is the TSC itself, scaled, so
 * one publication stays exact for as long as the TSC runs at its rate.
 */
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/pv.h>
#include <asm/time.h>
#include <pvabi/xen.h>
#include <tessera/arch.h>
#include <tessera/domain.h>
#include <tessera/domain_ops.h>
#include <tessera/errno.h>

/* ns = ((tsc_delta << shift) * mul) >> 32, shift may be negative. */
static void pvclock_scale(uint64_t hz, uint32_t *mul, int8_t *shift)
{
    uint64_t ratio = (1000000000ull << 32) / hz;   /* 32.32 ns per tick */
    int s = 0;

    while (ratio >= (1ull << 32)) {
        ratio >>= 1;
        s++;
    }
    while (ratio < (1ull << 31) && s > -31) {
        ratio <<= 1;
        s--;
    }
    *mul = (uint32_t)ratio;
    *shift = (int8_t)s;
}

void pv_publish_time(struct vcpu *v)
{
    struct vcpu_time_info *t = &v->vcpu_info->time;
    uint32_t mul;
    int8_t shift;

    pvclock_scale(tsc_hz(), &mul, &shift);
    __atomic_store_n(&t->version, t->version + 1, __ATOMIC_SEQ_CST);   /* odd: writing */
    uint64_t tsc = rdtsc();
    t->system_time = arch_now_ns_at(tsc);
    t->tsc_timestamp = tsc;
    t->tsc_to_system_mul = mul;
    t->tsc_shift = shift;
    t->flags = 0;
    __atomic_store_n(&t->version, t->version + 1, __ATOMIC_SEQ_CST);   /* even: done */
}

/*
 * The wall clock at system time 0, in ns since the Unix epoch, once the
 * control domain has set it (platform_op settime); until then each domain
 * gets the CMOS clock's seconds when it is built.
 */
static uint64_t boot_wallclock_ns;   /* [a] 0: not set */

static void publish_wallclock(struct domain *d, uint64_t sec, uint32_t nsec)
{
    struct shared_info *s = d->shared_info;

    __atomic_store_n(&s->wc_version, s->wc_version + 1, __ATOMIC_SEQ_CST);
    s->wc_sec = (uint32_t)sec;
    s->wc_sec_hi = (uint32_t)(sec >> 32);
    s->wc_nsec = nsec;
    __atomic_store_n(&s->wc_version, s->wc_version + 1, __ATOMIC_SEQ_CST);
}

void pv_publish_wallclock(struct domain *d)
{
    uint64_t ns = __atomic_load_n(&boot_wallclock_ns, __ATOMIC_ACQUIRE);
    if (ns)
        publish_wallclock(d, ns / 1000000000u, (uint32_t)(ns % 1000000000u));
    else
        publish_wallclock(d, wallclock_at_boot(), 0);
}

static void republish(struct domain *d, void *unused)
{
    (void)unused;
    if (d->shared_info)
        pv_publish_wallclock(d);
}

int pv_set_wallclock(uint64_t secs, uint32_t nsecs, uint64_t system_time)
{
    if (nsecs >= 1000000000u || secs > UINT64_MAX / 1000000000u - 1)
        return -EINVAL;
    uint64_t at = secs * 1000000000u + nsecs;
    if (at <= system_time)
        return -EINVAL;                /* before the machine started */
    __atomic_store_n(&boot_wallclock_ns, at - system_time, __ATOMIC_RELEASE);
    domain_for_each(republish, NULL);
    return 0;
}
