/*
 * sysctl (hypercall 35): the toolstack's questions about the whole
 * machine, with Xen 4.17's structure and answers: physinfo, sched_id,
 * getdomaininfolist, readconsole and the credit scheduler's parameters
 * here; the arch hooks supply the CPU facts. Anything else answers -ENOSYS.
 */
#include "control_priv.h"
#include <tessera/arch.h>
#include <tessera/control.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>
#include <tessera/log.h>
#include <tessera/page_alloc.h>
#include <tessera/sched.h>
#include <tessera/spinlock.h>
#include <tessera/string.h>

static spinlock_t sysctl_lock = SPINLOCK_INIT;

/* The log ring's first byte not cleared by a readconsole with clear set. */
static size_t console_cleared;   /* [sysctl_lock] */

static long op_physinfo(struct xen_sysctl_physinfo *pi)
{
    struct page_alloc_stats st;

    memset(pi, 0, sizeof(*pi));
    arch_physinfo(pi);
    page_alloc_stats(arch_frame_allocator(), &st);
    pi->total_pages = st.managed;
    pi->free_pages = st.free;
    pi->capabilities |= XEN_SYSCTL_PHYSCAP_pv | XEN_SYSCTL_PHYSCAP_gnttab_v1 |
                        XEN_SYSCTL_PHYSCAP_gnttab_v2;
    return 0;
}

/* Up to max_domains entries from first_domain on, in id order. */
static long op_getdomaininfolist(struct xen_sysctl_getdomaininfolist *l)
{
    struct xen_domctl_getdomaininfo info;
    uint32_t n = 0;
    domid_t next = l->first_domain;
    uint64_t buf = (uint64_t)(uintptr_t)l->buffer.p;

    while (n < l->max_domains) {
        struct domain *d = domain_get_from(next);
        if (!d)
            break;
        domain_fill_info(d, &info);
        next = d->domain_id + 1;
        domain_put(d);
        if (copy_to_guest(buf + (uint64_t)n * sizeof(info), &info, sizeof(info)) < 0)
            return -EFAULT;
        n++;
        if (next >= DOMID_FIRST_RESERVED)
            break;
    }
    l->num_domains = n;
    return 0;
}

/*
 * Xen's read_console_ring: from the oldest byte not cleared, or from index
 * when incremental and index lies within what is there; index comes back
 * as the position after the last byte copied.
 */
static long op_readconsole(struct xen_sysctl_readconsole *rc)
{
    size_t head = SIZE_MAX;
    char chunk[256];

    log_read(chunk, 0, &head);          /* learns the ring's end */
    size_t from = console_cleared;
    if (rc->incremental && rc->index > from && rc->index <= head)
        from = rc->index;
    uint32_t sofar = 0, max = rc->count;
    uint64_t buf = (uint64_t)(uintptr_t)rc->buffer.p;
    while (sofar < max) {
        size_t want = MIN(sizeof(chunk), (size_t)(max - sofar));
        size_t got = log_read(chunk, want, &from);   /* skips what the ring lost */
        if (!got)
            break;
        if (copy_to_guest(buf + sofar, chunk, got) < 0)
            return -EFAULT;
        sofar += (uint32_t)got;
    }
    if (rc->clear)
        console_cleared = from;
    rc->count = sofar;
    rc->index = (uint32_t)from;
    return 0;
}

/*
 * Credit's scheduler-wide parameters for Tessera's one pool (xl
 * sched-credit -s), with Xen 4.17's checks. The time slice is the
 * scheduler's own; the rate limit and migration delay are kept and given
 * back but change nothing: Tessera's credit scheduler has neither (its
 * rate limit reads 0, off, until a toolstack sets one).
 */
static uint32_t ratelimit_us, migr_delay_us;   /* [sysctl_lock] */

static long op_sched_adjust_global(struct xen_sysctl_scheduler_op *s)
{
    struct xen_sysctl_credit_schedule *p = &s->u.sched_credit;

    if (s->cmd != XEN_SYSCTL_SCHEDOP_putinfo && s->cmd != XEN_SYSCTL_SCHEDOP_getinfo)
        return -EINVAL;
    if (s->cpupool_id != 0)
        return -ESRCH;
    if (s->sched_id != XEN_SCHEDULER_CREDIT)
        return -EINVAL;
    if (s->cmd == XEN_SYSCTL_SCHEDOP_putinfo) {
        if (p->tslice_ms > XEN_SYSCTL_CSCHED_TSLICE_MAX || p->tslice_ms < XEN_SYSCTL_CSCHED_TSLICE_MIN ||
            (p->ratelimit_us && (p->ratelimit_us > XEN_SYSCTL_SCHED_RATELIMIT_MAX ||
                                 p->ratelimit_us < XEN_SYSCTL_SCHED_RATELIMIT_MIN)) ||
            (uint64_t)p->ratelimit_us * 1000 > (uint64_t)p->tslice_ms * 1000000 ||
            p->vcpu_migr_delay_us > XEN_SYSCTL_CSCHED_MGR_DLY_MAX_US)
            return -EINVAL;
        int rc = sched_set_timeslice((uint64_t)p->tslice_ms * 1000000);
        if (rc)
            return rc;
        ratelimit_us = p->ratelimit_us;
        migr_delay_us = p->vcpu_migr_delay_us;
    }
    p->tslice_ms = (uint32_t)(sched_get_timeslice() / 1000000);
    p->ratelimit_us = ratelimit_us;
    p->vcpu_migr_delay_us = migr_delay_us;
    return 0;
}

long do_sysctl(uint64_t guest_arg)
{
    struct xen_sysctl op;
    struct domain *caller = current_vcpu()->domain;
    long rc;

    if (copy_from_guest(&op, guest_arg, sizeof(op)) < 0)
        return -EFAULT;
    if (op.interface_version != XEN_SYSCTL_INTERFACE_VERSION)
        return -EACCES;
    if (!control_privileged(caller))
        return -EPERM;
    if (!spin_trylock(&sysctl_lock))
        return arch_hypercall_create_continuation(__HYPERVISOR_sysctl, 1, &guest_arg);

    switch (op.cmd) {
    case XEN_SYSCTL_physinfo:
        rc = op_physinfo(&op.u.physinfo);
        break;
    case XEN_SYSCTL_sched_id:
        op.u.sched_id.sched_id = XEN_SCHEDULER_CREDIT;   /* common/sched.c: credit */
        rc = 0;
        break;
    case XEN_SYSCTL_getdomaininfolist:
        rc = op_getdomaininfolist(&op.u.getdomaininfolist);
        break;
    case XEN_SYSCTL_readconsole:
        rc = op_readconsole(&op.u.readconsole);
        break;
    case XEN_SYSCTL_scheduler_op:
        rc = op_sched_adjust_global(&op.u.scheduler_op);
        break;
    default:
        rc = arch_do_sysctl(&op);
        break;
    }
    spin_unlock(&sysctl_lock);
    /* A featureset cut short says how much was written, as Xen's does. */
    bool copyback = rc >= 0 || (rc == -ENOBUFS && op.cmd == XEN_SYSCTL_get_cpu_featureset);
    if (copyback && copy_to_guest(guest_arg, &op, sizeof(op)) < 0)
        rc = -EFAULT;
    return rc;
}
