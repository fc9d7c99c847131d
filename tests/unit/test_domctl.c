/*
 * common/domctl.c, domain_info.c, sysctl.c and the domain list's zombies
 * (common/domain.c) against fake domains: the order of the checks
 * (version, target, privilege, op), createdomain's ids, getdomaininfo's
 * >= rule and flags, the toolstack pause count, max_vcpus/max_mem, a
 * destroyed domain that is still referenced, getdomaininfolist,
 * readconsole and copy faults. The arch hooks are doubles here: an
 * "arch" domain is a fake domain (stubs/evtchn_fakes.c).
 */
#define PVABI_TOOLSTACK 1
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pvabi/control/domctl.h>
#include <pvabi/control/sysctl.h>
#include <pvabi/sched.h>
#include <tessera/arch.h>
#include <tessera/control.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/log.h>
#include <tessera/page_alloc.h>
#include <tessera/sched.h>
#include "evtchn_fakes.h"
#include "unit.h"

/* ---- doubles of the scheduler and the arch hooks --------------------------- */

static int paused[64];          /* sched pause depth per domain id */
static unsigned creations_finished;
static struct fake_domain *made[64];

void sched_domain_pause(struct domain *d) { paused[d->domain_id]++; }
void sched_domain_unpause(struct domain *d) { paused[d->domain_id]--; }
bool sched_vcpu_running(struct vcpu *v) { (void)v; return false; }
/* The scheduler's time slice, with its limits (common/sched.c). */
static uint64_t tslice = 30000000;
int sched_set_timeslice(uint64_t ns)
{
    if (ns < 1000000 || ns > 1000000000)
        return -EINVAL;
    tslice = ns;
    return 0;
}
uint64_t sched_get_timeslice(void) { return tslice; }
int sched_get_runstate(struct vcpu *v, struct sched_runstate *out)
{
    memset(out, 0, sizeof(*out));
    out->time[0] = 1000 * (v->vcpu_id + 1);
    return 0;
}

int arch_domain_create(uint16_t id, const struct xen_domctl_createdomain *cfg, struct domain **out)
{
    if (id >= 64 || cfg->max_vcpus > FAKE_MAX_VCPUS)
        return -ENOMEM;
    struct fake_domain *f = fake_domain_new(id, cfg->max_vcpus, false);
    if (!f)
        return -EEXIST;
    for (unsigned i = 0; i < cfg->max_vcpus; i++)
        f->v[i].run_state = VCPU_OFFLINE;
    f->d.toolstack_created = true;
    f->d.shutdown_reason = ~0u;
    f->d.controller_pause_count = 1;
    f->d.shared_info_mfn = 0x1000 + id;
    sched_domain_pause(&f->d);
    made[id] = f;
    *out = &f->d;
    return 0;
}

void arch_domain_creation_finished(struct domain *d) { (void)d; creations_finished++; }

int arch_domain_destroy(struct domain *d)
{
    if (d->state == DOMAIN_DYING)
        return 0;
    fake_domain_kill((struct fake_domain *)d);
    return 0;
}

long arch_do_domctl(struct domain *caller, struct domain *d, struct xen_domctl *op, bool *copyback)
{
    (void)caller; (void)d; (void)op; (void)copyback;
    return -ENOSYS;
}

long arch_do_sysctl(struct xen_sysctl *op) { (void)op; return -ENOSYS; }

void arch_physinfo(struct xen_sysctl_physinfo *pi) { pi->nr_cpus = 2; pi->cpu_khz = 1000000; }

static struct page_allocator frames;
static struct page_info frame_meta[256];
struct page_allocator *arch_frame_allocator(void) { return &frames; }
unsigned int arch_guest_paddr_bits(void) { return 40; }

/* ---- fixture ----------------------------------------------------------------- */

static struct fake_domain *dom0, *domu;

static void setup(void)
{
    memset(paused, 0, sizeof(paused));
    memset(made, 0, sizeof(made));
    creations_finished = 0;
    page_alloc_init(&frames, frame_meta, 0x100, 256);
    page_alloc_add_free(&frames, 0x100, 256);
    dom0 = fake_domain_new(0, 2, true);
    domu = fake_domain_new(10, 1, false);
    dom0->d.vcpus_allocated = domu->d.vcpus_allocated = true;
    dom0->d.shutdown_reason = domu->d.shutdown_reason = ~0u;
    stub_current = &dom0->v[0];
}

static void teardown(void)
{
    for (unsigned i = 0; i < 64; i++)
        if (made[i])
            fake_domain_release(made[i]);
    fake_domain_release(domu);
    fake_domain_release(dom0);
    stub_current = NULL;
    stub_fail_copy_from = stub_fail_copy_to = false;
}

static long domctl_as(struct fake_domain *f, uint32_t cmd, domid_t dom, struct xen_domctl *op)
{
    op->cmd = cmd;
    op->domain = dom;
    if (!op->interface_version)
        op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    stub_current = &f->v[0];
    long rc = do_domctl((uint64_t)(uintptr_t)op);
    stub_current = &dom0->v[0];
    return rc;
}

static long dctl(uint32_t cmd, domid_t dom, struct xen_domctl *op)
{
    return domctl_as(dom0, cmd, dom, op);
}

static long sctl_as(struct fake_domain *f, struct xen_sysctl *op)
{
    if (!op->interface_version)
        op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    stub_current = &f->v[0];
    long rc = do_sysctl((uint64_t)(uintptr_t)op);
    stub_current = &dom0->v[0];
    return rc;
}

static long create(domid_t want, unsigned vcpus, domid_t *got)
{
    struct xen_domctl op;
    memset(&op, 0, sizeof(op));
    op.u.createdomain.max_vcpus = vcpus;
    op.u.createdomain.max_grant_frames = -1;
    op.u.createdomain.max_maptrack_frames = -1;
    op.u.createdomain.grant_opts = XEN_DOMCTL_GRANT_version(1);
    memset(op.u.createdomain.handle, 0xab, 16);
    long rc = dctl(XEN_DOMCTL_createdomain, want, &op);
    if (rc == 0 && got)
        *got = op.domain;
    return rc;
}

/* ---- cases ------------------------------------------------------------------- */

static void test_check_order(void)
{
    setup();
    struct xen_domctl op;
    memset(&op, 0, sizeof(op));
    op.interface_version = 0x14;
    CU_ASSERT_EQUAL(domctl_as(domu, XEN_DOMCTL_pausedomain, 0x7000, &op), -EACCES);
    memset(&op, 0, sizeof(op));
    CU_ASSERT_EQUAL(domctl_as(domu, XEN_DOMCTL_pausedomain, 0x7000, &op), -ESRCH);
    memset(&op, 0, sizeof(op));
    CU_ASSERT_EQUAL(domctl_as(domu, XEN_DOMCTL_pausedomain, 0, &op), -EPERM);
    memset(&op, 0, sizeof(op));
    CU_ASSERT_EQUAL(domctl_as(domu, XEN_DOMCTL_createdomain, 0xffff, &op), -EPERM);
    memset(&op, 0, sizeof(op));
    CU_ASSERT_EQUAL(domctl_as(domu, XEN_DOMCTL_getdomaininfo, 0, &op), -EPERM);
    CU_ASSERT_EQUAL(paused[0], 0);
    memset(&op, 0, sizeof(op));
    CU_ASSERT_EQUAL(dctl(999, 0, &op), -ENOSYS);
    memset(&op, 0, sizeof(op));
    CU_ASSERT_EQUAL(dctl(999, 0x7000, &op), -ESRCH);

    struct xen_sysctl s;
    memset(&s, 0, sizeof(s));
    s.cmd = XEN_SYSCTL_physinfo;
    CU_ASSERT_EQUAL(sctl_as(domu, &s), -EPERM);
    s.interface_version = 0x16;
    CU_ASSERT_EQUAL(sctl_as(domu, &s), -EACCES);
    memset(&s, 0, sizeof(s));
    s.cmd = 999;
    CU_ASSERT_EQUAL(sctl_as(dom0, &s), -ENOSYS);

    stub_fail_copy_from = true;
    memset(&op, 0, sizeof(op));
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_getdomaininfo, 0, &op), -EFAULT);
    stub_fail_copy_from = false;
    teardown();
}

static void test_create_ids(void)
{
    setup();
    domid_t a = 0, b = 0, c = 0;
    CU_ASSERT_EQUAL(create(0xffff, 1, &a), 0);
    CU_ASSERT_EQUAL(a, 1);                     /* the rover starts after 0 */
    CU_ASSERT_EQUAL(create(0, 1, &b), 0);      /* 0 also asks for one */
    CU_ASSERT_EQUAL(b, 2);
    CU_ASSERT_EQUAL(create(2, 1, &c), -EEXIST);
    CU_ASSERT_EQUAL(create(10, 1, &c), -EEXIST);   /* the boot domU's */
    CU_ASSERT_EQUAL(create(7, 1, &c), 0);
    CU_ASSERT_EQUAL(c, 7);
    CU_ASSERT_EQUAL(create(0xffff, 1, &c), 0);
    CU_ASSERT_EQUAL(c, 3);                     /* after the last one the rover gave */
    CU_ASSERT_EQUAL(create(0xffff, 0, &c), -EINVAL);

    struct xen_domctl op;
    memset(&op, 0, sizeof(op));
    op.u.createdomain.max_vcpus = 1;
    op.u.createdomain.flags = XEN_DOMCTL_CDF_hvm;
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_createdomain, 0xffff, &op), -EINVAL);
    op.u.createdomain.flags = 1u << 8;
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_createdomain, 0xffff, &op), -EINVAL);
    op.u.createdomain.flags = 0;
    op.u.createdomain.cpupool_id = 3;
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_createdomain, 0xffff, &op), -ENOENT);
    op.u.createdomain.cpupool_id = 0;
    op.u.createdomain.grant_opts = 0x10;
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_createdomain, 0xffff, &op), -EINVAL);
    op.u.createdomain.grant_opts = XEN_DOMCTL_GRANT_version(0);     /* Xen: no version 0 */
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_createdomain, 0xffff, &op), -EINVAL);
    op.u.createdomain.grant_opts = XEN_DOMCTL_GRANT_version(3);
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_createdomain, 0xffff, &op), -EINVAL);
    op.u.createdomain.grant_opts = XEN_DOMCTL_GRANT_version(1);
    op.u.createdomain.max_grant_frames = 0;
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_createdomain, 0xffff, &op), -EINVAL);
    op.u.createdomain.max_grant_frames = -1;
    op.u.createdomain.max_maptrack_frames = 1025;
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_createdomain, 0xffff, &op), -EINVAL);
    teardown();
}

static void test_getdomaininfo(void)
{
    setup();
    domid_t a;
    CU_ASSERT_EQUAL(create(5, 2, &a), 0);
    struct xen_domctl op;
    memset(&op, 0, sizeof(op));
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_getdomaininfo, 1, &op), 0);
    CU_ASSERT_EQUAL(op.domain, 5);
    const struct xen_domctl_getdomaininfo *in = &op.u.getdomaininfo;
    CU_ASSERT_EQUAL(in->domain, 5);
    CU_ASSERT_EQUAL(in->flags, XEN_DOMINF_paused | 0xffff0000u);
    CU_ASSERT_EQUAL(in->max_vcpu_id, XEN_INVALID_MAX_VCPU_ID);
    CU_ASSERT_EQUAL(in->nr_online_vcpus, 0);
    CU_ASSERT_EQUAL(in->shared_info_frame, 0x1005);
    CU_ASSERT_EQUAL(in->handle[15], 0xab);
    CU_ASSERT_EQUAL(in->gpaddr_bits, 40);
    memset(&op, 0, sizeof(op));
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_getdomaininfo, 6, &op), 0);
    CU_ASSERT_EQUAL(op.domain, 10);
    memset(&op, 0, sizeof(op));
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_getdomaininfo, 11, &op), -ESRCH);
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_getdomaininfo, DOMID_SELF, &op), -EINVAL);

    /* dom0 runs two vCPUs, one blocked: not blocked as a whole; cpu_time sums. */
    dom0->v[1].run_state = VCPU_BLOCKED;
    memset(&op, 0, sizeof(op));
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_getdomaininfo, 0, &op), 0);
    CU_ASSERT_EQUAL(op.u.getdomaininfo.nr_online_vcpus, 2);
    CU_ASSERT_EQUAL(op.u.getdomaininfo.max_vcpu_id, 1);
    CU_ASSERT_EQUAL(op.u.getdomaininfo.cpu_time, 3000);
    CU_ASSERT_EQUAL(op.u.getdomaininfo.flags & XEN_DOMINF_blocked, 0);
    dom0->v[0].run_state = VCPU_BLOCKED;
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_getdomaininfo, 0, &op), 0);
    CU_ASSERT(op.u.getdomaininfo.flags & XEN_DOMINF_blocked);
    dom0->v[0].run_state = VCPU_RUNNABLE;

    /* A shutdown with its code. */
    domu->d.state = DOMAIN_SHUTDOWN;
    domu->d.shutdown_reason = SHUTDOWN_reboot;
    memset(&op, 0, sizeof(op));
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_getdomaininfo, 10, &op), 0);
    CU_ASSERT_EQUAL(op.u.getdomaininfo.flags >> XEN_DOMINF_shutdownshift, SHUTDOWN_reboot);
    CU_ASSERT(op.u.getdomaininfo.flags & XEN_DOMINF_shutdown);
    teardown();
}

static void test_pause_counts_and_limits(void)
{
    setup();
    domid_t a;
    struct xen_domctl op;
    CU_ASSERT_EQUAL(create(0xffff, 2, &a), 0);
    CU_ASSERT_EQUAL(paused[a], 1);
    memset(&op, 0, sizeof(op));
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_unpausedomain, a, &op), 0);
    CU_ASSERT_EQUAL(paused[a], 0);
    CU_ASSERT_EQUAL(creations_finished, 1);
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_unpausedomain, a, &op), -EINVAL);
    CU_ASSERT_EQUAL(paused[a], 0);
    for (int i = 0; i < 255; i++)
        CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_pausedomain, a, &op), 0);
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_pausedomain, a, &op), -EOVERFLOW);
    CU_ASSERT_EQUAL(paused[a], 255);
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_unpausedomain, a, &op), 0);
    CU_ASSERT_EQUAL(creations_finished, 1);    /* only the first time */
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_pausedomain, 0, &op), -EINVAL);   /* itself */

    op.u.max_vcpus.max = 3;
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_max_vcpus, a, &op), -EINVAL);
    op.u.max_vcpus.max = 2;
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_max_vcpus, a, &op), 0);
    CU_ASSERT(made[a]->d.vcpus_allocated);
    op.u.max_mem.max_memkb = 65536 + 3;
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_max_mem, a, &op), 0);
    CU_ASSERT_EQUAL(made[a]->d.max_pages, 16384);
    op.u.max_mem.max_memkb = UINT64_MAX;
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_max_mem, a, &op), 0);
    CU_ASSERT_EQUAL(made[a]->d.max_pages, UINT32_MAX);
    memset(&op, 0, sizeof(op));
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_getdomaininfo, a, &op), 0);
    CU_ASSERT_EQUAL(op.u.getdomaininfo.max_vcpu_id, 1);
    teardown();
}

static void test_zombie_keeps_its_id(void)
{
    setup();
    domid_t a, c;
    struct xen_domctl op;
    CU_ASSERT_EQUAL(create(4, 1, &a), 0);
    struct domain *held = domain_get_any(4);    /* e.g. a foreign mapping's reference */
    CU_ASSERT_PTR_NOT_NULL_FATAL(held);
    memset(&op, 0, sizeof(op));
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_destroydomain, 4, &op), 0);
    CU_ASSERT_FALSE(made[4]->freed);
    CU_ASSERT_PTR_NULL(domain_get(4));          /* dying: not for ordinary lookups */
    memset(&op, 0, sizeof(op));
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_getdomaininfo, 4, &op), 0);
    CU_ASSERT_EQUAL(op.domain, 4);
    CU_ASSERT(op.u.getdomaininfo.flags & XEN_DOMINF_dying);
    CU_ASSERT_EQUAL(create(4, 1, &c), -EEXIST);
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_destroydomain, 4, &op), 0);   /* again: done already */
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_destroydomain, 0, &op), -EINVAL);   /* itself */
    domain_put(held);
    CU_ASSERT(made[4]->freed);
    fake_domain_release(made[4]);
    made[4] = NULL;
    memset(&op, 0, sizeof(op));
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_getdomaininfo, 4, &op), 0);
    CU_ASSERT_EQUAL(op.domain, 10);             /* gone: the next one is reported */
    CU_ASSERT_EQUAL(dctl(XEN_DOMCTL_destroydomain, 4, &op), -ESRCH);
    CU_ASSERT_EQUAL(create(4, 1, &c), 0);       /* its id is free again */
    teardown();
}

/* sysctl scheduler_op: credit's parameters in pool 0, with Xen's checks. */
static long sched_global(uint32_t pool, uint32_t sched, uint32_t cmd, uint32_t tslice_ms,
                         uint32_t ratelimit_us, uint32_t migr_us, struct xen_sysctl *s)
{
    memset(s, 0, sizeof(*s));
    s->cmd = XEN_SYSCTL_scheduler_op;
    s->u.scheduler_op.cpupool_id = pool;
    s->u.scheduler_op.sched_id = sched;
    s->u.scheduler_op.cmd = cmd;
    s->u.scheduler_op.u.sched_credit.tslice_ms = tslice_ms;
    s->u.scheduler_op.u.sched_credit.ratelimit_us = ratelimit_us;
    s->u.scheduler_op.u.sched_credit.vcpu_migr_delay_us = migr_us;
    return sctl_as(dom0, s);
}

static void test_sysctl_scheduler_op(void)
{
    setup();
    struct xen_sysctl s;
    const struct xen_sysctl_credit_schedule *p = &s.u.scheduler_op.u.sched_credit;
    const uint32_t C = XEN_SCHEDULER_CREDIT, GET = XEN_SYSCTL_SCHEDOP_getinfo,
                   PUT = XEN_SYSCTL_SCHEDOP_putinfo;
    CU_ASSERT_EQUAL(sched_global(0, C, GET, 0, 0, 0, &s), 0);
    CU_ASSERT_EQUAL(p->tslice_ms, 30);
    CU_ASSERT_EQUAL(p->ratelimit_us, 0);
    CU_ASSERT_EQUAL(sched_global(0, C, PUT, 10, 1000, 500, &s), 0);
    CU_ASSERT_EQUAL(tslice, 10000000);
    CU_ASSERT(p->tslice_ms == 10 && p->ratelimit_us == 1000 && p->vcpu_migr_delay_us == 500);
    CU_ASSERT_EQUAL(sched_global(0, C, GET, 0, 0, 0, &s), 0);
    CU_ASSERT(p->tslice_ms == 10 && p->ratelimit_us == 1000 && p->vcpu_migr_delay_us == 500);
    /* Refusals, each leaving the parameters as they were. */
    CU_ASSERT_EQUAL(sched_global(0, C, 2, 10, 0, 0, &s), -EINVAL);
    CU_ASSERT_EQUAL(sched_global(1, C, GET, 0, 0, 0, &s), -ESRCH);
    CU_ASSERT_EQUAL(sched_global(0, XEN_SCHEDULER_CREDIT2, GET, 0, 0, 0, &s), -EINVAL);
    CU_ASSERT_EQUAL(sched_global(0, C, PUT, 0, 0, 0, &s), -EINVAL);
    CU_ASSERT_EQUAL(sched_global(0, C, PUT, 1001, 0, 0, &s), -EINVAL);
    CU_ASSERT_EQUAL(sched_global(0, C, PUT, 10, 99, 0, &s), -EINVAL);
    CU_ASSERT_EQUAL(sched_global(0, C, PUT, 1000, 500001, 0, &s), -EINVAL);
    CU_ASSERT_EQUAL(sched_global(0, C, PUT, 1, 1001, 0, &s), -EINVAL);   /* longer than the slice */
    CU_ASSERT_EQUAL(sched_global(0, C, PUT, 1, 1000, 0, &s), 0);         /* as long: taken */
    CU_ASSERT_EQUAL(sched_global(0, C, PUT, 10, 0, 100001, &s), -EINVAL);
    CU_ASSERT_EQUAL(sched_global(0, C, GET, 0, 0, 0, &s), 0);
    CU_ASSERT(p->tslice_ms == 1 && p->ratelimit_us == 1000 && p->vcpu_migr_delay_us == 0);
    CU_ASSERT_EQUAL(sched_global(0, C, PUT, 30, 0, 0, &s), 0);
    CU_ASSERT_EQUAL(tslice, 30000000);
    teardown();
}

static void test_sysctl_lists_and_physinfo(void)
{
    setup();
    domid_t a;
    CU_ASSERT_EQUAL(create(3, 1, &a), 0);
    struct xen_domctl_getdomaininfo list[8];
    struct xen_sysctl s;
    memset(&s, 0, sizeof(s));
    s.cmd = XEN_SYSCTL_getdomaininfolist;
    s.u.getdomaininfolist.first_domain = 0;
    s.u.getdomaininfolist.max_domains = 8;
    s.u.getdomaininfolist.buffer.p = list;
    CU_ASSERT_EQUAL(sctl_as(dom0, &s), 0);
    CU_ASSERT_EQUAL(s.u.getdomaininfolist.num_domains, 3);
    CU_ASSERT(list[0].domain == 0 && list[1].domain == 3 && list[2].domain == 10);
    s.u.getdomaininfolist.first_domain = 1;
    s.u.getdomaininfolist.max_domains = 1;
    CU_ASSERT_EQUAL(sctl_as(dom0, &s), 0);
    CU_ASSERT_EQUAL(s.u.getdomaininfolist.num_domains, 1);
    CU_ASSERT_EQUAL(list[0].domain, 3);
    s.u.getdomaininfolist.max_domains = 0;
    CU_ASSERT_EQUAL(sctl_as(dom0, &s), 0);
    CU_ASSERT_EQUAL(s.u.getdomaininfolist.num_domains, 0);
    s.u.getdomaininfolist.max_domains = 2;
    s.u.getdomaininfolist.buffer.p = NULL;
    CU_ASSERT_EQUAL(sctl_as(dom0, &s), -EFAULT);

    memset(&s, 0, sizeof(s));
    s.cmd = XEN_SYSCTL_physinfo;
    CU_ASSERT_EQUAL(sctl_as(dom0, &s), 0);
    CU_ASSERT_EQUAL(s.u.physinfo.total_pages, 256);
    CU_ASSERT_EQUAL(s.u.physinfo.free_pages, 256);
    CU_ASSERT_EQUAL(s.u.physinfo.nr_cpus, 2);
    CU_ASSERT(s.u.physinfo.capabilities & XEN_SYSCTL_PHYSCAP_pv);
    memset(&s, 0, sizeof(s));
    s.cmd = XEN_SYSCTL_sched_id;
    CU_ASSERT_EQUAL(sctl_as(dom0, &s), 0);
    CU_ASSERT_EQUAL(s.u.sched_id.sched_id, XEN_SCHEDULER_CREDIT);
    teardown();
}

static void test_readconsole(void)
{
    setup();
    static char buf[32768];
    log_info("readconsole-one\n");
    struct xen_sysctl s;
    memset(&s, 0, sizeof(s));
    s.cmd = XEN_SYSCTL_readconsole;
    s.u.readconsole.buffer.p = buf;
    s.u.readconsole.count = sizeof(buf) - 1;
    CU_ASSERT_EQUAL(sctl_as(dom0, &s), 0);
    uint32_t got = s.u.readconsole.count, index = s.u.readconsole.index;
    buf[got] = 0;
    CU_ASSERT(got > 0 && strstr(buf, "readconsole-one") != NULL);
    log_info("readconsole-two\n");
    memset(buf, 0, sizeof(buf));
    s.u.readconsole.incremental = 1;
    s.u.readconsole.index = index;
    s.u.readconsole.count = sizeof(buf) - 1;
    CU_ASSERT_EQUAL(sctl_as(dom0, &s), 0);
    CU_ASSERT(strstr(buf, "readconsole-two") != NULL && strstr(buf, "readconsole-one") == NULL);
    CU_ASSERT_EQUAL(s.u.readconsole.index, index + s.u.readconsole.count);
    /* A small buffer: only what fits, the index where it stopped. */
    s.u.readconsole.index = index;
    s.u.readconsole.count = 4;
    CU_ASSERT_EQUAL(sctl_as(dom0, &s), 0);
    CU_ASSERT_EQUAL(s.u.readconsole.count, 4);
    CU_ASSERT_EQUAL(s.u.readconsole.index, index + 4);
    /* Clear: a plain read then starts where the clearing read ended. */
    s.u.readconsole.incremental = 0;
    s.u.readconsole.clear = 1;
    s.u.readconsole.count = sizeof(buf) - 1;
    CU_ASSERT_EQUAL(sctl_as(dom0, &s), 0);
    s.u.readconsole.clear = 0;
    log_info("readconsole-three\n");
    memset(buf, 0, sizeof(buf));
    s.u.readconsole.count = sizeof(buf) - 1;
    CU_ASSERT_EQUAL(sctl_as(dom0, &s), 0);
    CU_ASSERT(strstr(buf, "readconsole-three") != NULL && strstr(buf, "readconsole-two") == NULL);
    teardown();
}

int main(void)
{
    static const struct unit_case cases[] = {
        UNIT_CASE(check_order),
        UNIT_CASE(create_ids),
        UNIT_CASE(getdomaininfo),
        UNIT_CASE(pause_counts_and_limits),
        UNIT_CASE(zombie_keeps_its_id),
        UNIT_CASE(sysctl_lists_and_physinfo),
        UNIT_CASE(sysctl_scheduler_op),
        UNIT_CASE(readconsole),
    };
    unit_begin();
    UNIT_SUITE("domctl", cases);
    return unit_end();
}
