/*
 * sysctl scheduler_op: the scheduler-wide parameters of CPU pool 0, as
 * `xl sched-credit` and `xl sched-credit -s` read and set them. For the
 * scheduler sched_id names: credit (Tessera's; Xen with sched=credit):
 * the time slice, rate limit and migration delay round trip, and each
 * limit Xen checks is refused with -EINVAL; credit2 (Xen's default): its
 * rate limit. For both: an unknown command -EINVAL, pool 1 -ESRCH, another
 * scheduler's id -EINVAL. The parameters are put back as found.
 */
#define PVABI_TOOLSTACK 1
#include "guest.h"
#include <pvabi/control/domctl.h>
#include <pvabi/control/sysctl.h>

const char test_title[] = "sysctl scheduler_op: the credit scheduler's parameters";

static long sysctl(struct xen_sysctl *op)
{
    op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    return hypercall1(__HYPERVISOR_sysctl, P(op));
}

static struct xen_sysctl s;
static struct xen_sysctl_credit_schedule *const p = &s.u.scheduler_op.u.sched_credit;

static long op(uint32_t pool, uint32_t sched, uint32_t cmd, uint32_t tslice_ms,
               uint32_t ratelimit_us, uint32_t migr_us)
{
    memset(&s, 0, sizeof(s));
    s.cmd = XEN_SYSCTL_scheduler_op;
    s.u.scheduler_op.cpupool_id = pool;
    s.u.scheduler_op.sched_id = sched;
    s.u.scheduler_op.cmd = cmd;
    p->tslice_ms = tslice_ms;
    p->ratelimit_us = ratelimit_us;
    p->vcpu_migr_delay_us = migr_us;
    return sysctl(&s);
}

static void credit(void)
{
    const uint32_t C = XEN_SCHEDULER_CREDIT, GET = XEN_SYSCTL_SCHEDOP_getinfo,
                   PUT = XEN_SYSCTL_SCHEDOP_putinfo;
    if (!CHECK_EQ(op(0, C, GET, 0, 0, 0), 0, "credit getinfo"))
        return;
    uint32_t t0 = p->tslice_ms, r0 = p->ratelimit_us, m0 = p->vcpu_migr_delay_us;
    printk("credit: tslice %u ms, ratelimit %u us, migration delay %u us\n", t0, r0, m0);
    CHECK(t0 >= 1 && t0 <= 1000, "time slice %u ms", t0);
    if (CHECK_EQ(op(0, C, PUT, 10, 1000, 500), 0, "putinfo 10 ms, 1000 us, 500 us"))
        CHECK(p->tslice_ms == 10 && p->ratelimit_us == 1000 && p->vcpu_migr_delay_us == 500,
              "put answers %u %u %u", p->tslice_ms, p->ratelimit_us, p->vcpu_migr_delay_us);
    if (CHECK_EQ(op(0, C, GET, 0, 0, 0), 0, "getinfo after put"))
        CHECK(p->tslice_ms == 10 && p->ratelimit_us == 1000 && p->vcpu_migr_delay_us == 500,
              "got %u %u %u", p->tslice_ms, p->ratelimit_us, p->vcpu_migr_delay_us);
    CHECK_EQ(op(0, C, PUT, 0, 0, 0), -XEN_EINVAL, "time slice 0");
    CHECK_EQ(op(0, C, PUT, 1001, 0, 0), -XEN_EINVAL, "time slice 1001 ms");
    CHECK_EQ(op(0, C, PUT, 10, 99, 0), -XEN_EINVAL, "rate limit 99 us");
    CHECK_EQ(op(0, C, PUT, 1000, 500001, 0), -XEN_EINVAL, "rate limit 500001 us");
    CHECK_EQ(op(0, C, PUT, 1, 1001, 0), -XEN_EINVAL, "rate limit longer than the slice");
    CHECK_EQ(op(0, C, PUT, 10, 0, 100001), -XEN_EINVAL, "migration delay 100001 us");
    if (CHECK_EQ(op(0, C, GET, 0, 0, 0), 0, "getinfo after the refusals"))
        CHECK(p->tslice_ms == 10 && p->ratelimit_us == 1000 && p->vcpu_migr_delay_us == 500,
              "unchanged: %u %u %u", p->tslice_ms, p->ratelimit_us, p->vcpu_migr_delay_us);
    CHECK_EQ(op(0, C, PUT, 1, 1000, 0), 0, "rate limit as long as the slice");
    CHECK_EQ(op(0, C, PUT, t0, r0, m0), 0, "put back as found");
}

static void credit2(void)
{
    const uint32_t C2 = XEN_SCHEDULER_CREDIT2;
    if (!CHECK_EQ(op(0, C2, XEN_SYSCTL_SCHEDOP_getinfo, 0, 0, 0), 0, "credit2 getinfo"))
        return;
    uint32_t r0 = s.u.scheduler_op.u.sched_credit2.ratelimit_us;
    printk("credit2: ratelimit %u us\n", r0);
    memset(&s.u.scheduler_op.u, 0, sizeof(s.u.scheduler_op.u));
    s.u.scheduler_op.cmd = XEN_SYSCTL_SCHEDOP_putinfo;
    s.u.scheduler_op.u.sched_credit2.ratelimit_us = 99;
    CHECK_EQ(sysctl(&s), -XEN_EINVAL, "credit2 rate limit 99 us");
    s.u.scheduler_op.u.sched_credit2.ratelimit_us = r0;
    CHECK_EQ(sysctl(&s), 0, "credit2 put back as found");
}

void test_main(void)
{
    struct xen_sysctl id = { .cmd = XEN_SYSCTL_sched_id };
    if (!CHECK_EQ(sysctl(&id), 0, "sched_id"))
        return;
    uint32_t sched = id.u.sched_id.sched_id;
    printk("scheduler %u\n", sched);
    CHECK_EQ(op(0, sched, 2, 10, 0, 0), -XEN_EINVAL, "command 2");
    CHECK_EQ(op(1, sched, XEN_SYSCTL_SCHEDOP_getinfo, 0, 0, 0), -XEN_ESRCH, "pool 1");
    uint32_t other = sched == XEN_SCHEDULER_CREDIT ? XEN_SCHEDULER_CREDIT2 : XEN_SCHEDULER_CREDIT;
    CHECK_EQ(op(0, other, XEN_SYSCTL_SCHEDOP_getinfo, 0, 0, 0), -XEN_EINVAL, "another scheduler's id");
    if (sched == XEN_SCHEDULER_CREDIT)
        credit();
    else if (CHECK_EQ(sched, XEN_SCHEDULER_CREDIT2, "a credit scheduler"))
        credit2();
}
