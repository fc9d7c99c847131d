/*
 * Control hypercalls (see xenctl.h). Small argument structs go in the
 * handle's scratch hypercall page; arrays the hypervisor reads or writes
 * get hypercall buffers of their own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <pvabi/event_channel.h>
#include <pvabi/grant_table.h>
#include <pvabi/memory.h>
#include "xenctl.h"

#define PAGE 4096ul

static uint64_t ptr(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

int xenctl_domctl(struct hc *h, struct xen_domctl *d, const char *name)
{
    struct xen_domctl *buf = h->scratch;
    d->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    memcpy(buf, d, sizeof(*d));
    long rc = hc_hypercall(h, __HYPERVISOR_domctl, ptr(buf), 0, 0, 0, 0);
    if (rc < 0)
        return hc_fail(h, (int)rc, "domctl %s (domain %u)", name, d->domain);
    memcpy(d, buf, sizeof(*d));
    return 0;
}

int xenctl_sysctl(struct hc *h, struct xen_sysctl *s, const char *name)
{
    struct xen_sysctl *buf = h->scratch;
    s->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    memcpy(buf, s, sizeof(*s));
    long rc = hc_hypercall(h, __HYPERVISOR_sysctl, ptr(buf), 0, 0, 0, 0);
    if (rc < 0)
        return hc_fail(h, (int)rc, "sysctl %s", name);
    memcpy(s, buf, sizeof(*s));
    return 0;
}

int xenctl_create(struct hc *h, const struct xen_domctl_createdomain *c, uint32_t *domid)
{
    struct xen_domctl d = { .cmd = XEN_DOMCTL_createdomain, .domain = XENCTL_ALLOC_DOMID };
    d.u.createdomain = *c;
    int rc = xenctl_domctl(h, &d, "createdomain");
    if (rc == 0)
        *domid = d.domain;
    return rc;
}

int xenctl_simple(struct hc *h, uint32_t cmd, uint32_t domid, const char *name)
{
    struct xen_domctl d = { .cmd = cmd, .domain = (domid_t)domid };
    return xenctl_domctl(h, &d, name);
}

int xenctl_getdomaininfo(struct hc *h, uint32_t domid, struct xen_domctl_getdomaininfo *info)
{
    struct xen_domctl d = { .cmd = XEN_DOMCTL_getdomaininfo, .domain = (domid_t)domid };
    int rc = xenctl_domctl(h, &d, "getdomaininfo");
    if (rc == 0) {
        *info = d.u.getdomaininfo;
        info->domain = d.domain;
    }
    return rc;
}

int xenctl_domain_info(struct hc *h, uint32_t domid, struct xen_domctl_getdomaininfo *info)
{
    int rc = xenctl_getdomaininfo(h, domid, info);
    if (rc == 0 && info->domain != domid)
        rc = hc_fail(h, -ESRCH, "domctl getdomaininfo (domain %u)", domid);
    return rc;
}

int xenctl_list_domains(struct hc *h, struct xen_domctl_getdomaininfo **out, unsigned *n)
{
    enum { BATCH = 64 };
    size_t bytes = BATCH * sizeof(struct xen_domctl_getdomaininfo);
    struct xen_domctl_getdomaininfo *buf = hc_buf_alloc(h, bytes), *all = NULL;
    unsigned count = 0;
    uint32_t next = 0;
    int rc = 0;

    if (!buf)
        return hc_fail(h, -errno, "hypercall buffer");
    for (;;) {
        struct xen_sysctl s = { .cmd = XEN_SYSCTL_getdomaininfolist };
        s.u.getdomaininfolist.first_domain = (domid_t)next;
        s.u.getdomaininfolist.max_domains = BATCH;
        set_xen_guest_handle(s.u.getdomaininfolist.buffer, buf);
        if ((rc = xenctl_sysctl(h, &s, "getdomaininfolist")) < 0)
            break;
        unsigned got = s.u.getdomaininfolist.num_domains;
        if (got > BATCH) {
            rc = hc_fail(h, -EPROTO, "sysctl getdomaininfolist returned %u entries for %u", got,
                         (unsigned)BATCH);
            break;
        }
        struct xen_domctl_getdomaininfo *grown = realloc(all, (count + got + 1) * sizeof(*all));
        if (!grown) {
            rc = hc_fail(h, -ENOMEM, "domain list");
            break;
        }
        all = grown;
        memcpy(all + count, buf, got * sizeof(*all));
        count += got;
        if (got < BATCH || got == 0)
            break;
        next = all[count - 1].domain + 1u;
    }
    hc_buf_free(h, buf, bytes);
    if (rc < 0) {
        free(all);
        return rc;
    }
    *out = all;
    *n = count;
    return 0;
}

int xenctl_max_mem(struct hc *h, uint32_t domid, uint64_t max_memkb)
{
    struct xen_domctl d = { .cmd = XEN_DOMCTL_max_mem, .domain = (domid_t)domid };
    d.u.max_mem.max_memkb = max_memkb;
    return xenctl_domctl(h, &d, "max_mem");
}

int xenctl_max_vcpus(struct hc *h, uint32_t domid, uint32_t max)
{
    struct xen_domctl d = { .cmd = XEN_DOMCTL_max_vcpus, .domain = (domid_t)domid };
    d.u.max_vcpus.max = max;
    return xenctl_domctl(h, &d, "max_vcpus");
}

int xenctl_set_address_size(struct hc *h, uint32_t domid, uint32_t bits)
{
    struct xen_domctl d = { .cmd = XEN_DOMCTL_set_address_size, .domain = (domid_t)domid };
    d.u.address_size.size = bits;
    return xenctl_domctl(h, &d, "set_address_size");
}

int xenctl_setvcpucontext(struct hc *h, uint32_t domid, uint32_t vcpu,
                          const struct vcpu_guest_context *ctx)
{
    struct vcpu_guest_context *buf = hc_buf_alloc(h, sizeof(*buf));
    if (!buf)
        return hc_fail(h, -errno, "hypercall buffer");
    memcpy(buf, ctx, sizeof(*buf));
    struct xen_domctl d = { .cmd = XEN_DOMCTL_setvcpucontext, .domain = (domid_t)domid };
    d.u.vcpucontext.vcpu = vcpu;
    set_xen_guest_handle(d.u.vcpucontext.ctxt, buf);
    int rc = xenctl_domctl(h, &d, "setvcpucontext");
    hc_buf_free(h, buf, sizeof(*buf));
    return rc;
}

int xenctl_hypercall_init(struct hc *h, uint32_t domid, uint64_t gmfn)
{
    struct xen_domctl d = { .cmd = XEN_DOMCTL_hypercall_init, .domain = (domid_t)domid };
    d.u.hypercall_init.gmfn = gmfn;
    return xenctl_domctl(h, &d, "hypercall_init");
}

int xenctl_getvcpuinfo(struct hc *h, uint32_t domid, uint32_t vcpu,
                       struct xen_domctl_getvcpuinfo *info)
{
    struct xen_domctl d = { .cmd = XEN_DOMCTL_getvcpuinfo, .domain = (domid_t)domid };
    d.u.getvcpuinfo.vcpu = vcpu;
    int rc = xenctl_domctl(h, &d, "getvcpuinfo");
    if (rc == 0)
        *info = d.u.getvcpuinfo;
    return rc;
}

int xenctl_vcpu_affinity(struct hc *h, uint32_t domid, uint32_t vcpu, uint8_t *hard,
                         uint8_t *soft, uint32_t nr_bits, bool set)
{
    size_t bytes = (nr_bits + 7) / 8;
    uint8_t *buf = hc_buf_alloc(h, 2 * bytes);
    if (!buf)
        return hc_fail(h, -errno, "hypercall buffer");
    struct xen_domctl d = { .cmd = set ? XEN_DOMCTL_setvcpuaffinity : XEN_DOMCTL_getvcpuaffinity,
                            .domain = (domid_t)domid };
    d.u.vcpuaffinity.vcpu = vcpu;
    /* Only the maps given: the other affinity stays as it is. */
    if (hard) {
        d.u.vcpuaffinity.flags |= XEN_VCPUAFFINITY_HARD;
        if (set)
            memcpy(buf, hard, bytes);
        set_xen_guest_handle(d.u.vcpuaffinity.cpumap_hard.bitmap, buf);
        d.u.vcpuaffinity.cpumap_hard.nr_bits = nr_bits;
    }
    if (soft) {
        d.u.vcpuaffinity.flags |= XEN_VCPUAFFINITY_SOFT;
        if (set)
            memcpy(buf + bytes, soft, bytes);
        set_xen_guest_handle(d.u.vcpuaffinity.cpumap_soft.bitmap, buf + bytes);
        d.u.vcpuaffinity.cpumap_soft.nr_bits = nr_bits;
    }
    int rc = xenctl_domctl(h, &d, set ? "setvcpuaffinity" : "getvcpuaffinity");
    if (rc == 0 && !set) {
        if (hard)
            memcpy(hard, buf, bytes);
        if (soft)
            memcpy(soft, buf + bytes, bytes);
    }
    hc_buf_free(h, buf, 2 * bytes);
    return rc;
}

int xenctl_sched_credit(struct hc *h, uint32_t domid, struct xen_domctl_sched_credit *p, bool set)
{
    struct xen_domctl d = { .cmd = XEN_DOMCTL_scheduler_op, .domain = (domid_t)domid };
    d.u.scheduler_op.sched_id = XEN_SCHEDULER_CREDIT;
    d.u.scheduler_op.cmd = set ? XEN_DOMCTL_SCHEDOP_putinfo : XEN_DOMCTL_SCHEDOP_getinfo;
    if (set)
        d.u.scheduler_op.u.credit = *p;
    int rc = xenctl_domctl(h, &d, set ? "scheduler_op putinfo" : "scheduler_op getinfo");
    if (rc == 0 && !set)
        *p = d.u.scheduler_op.u.credit;
    return rc;
}

int xenctl_physinfo(struct hc *h, struct xen_sysctl_physinfo *pi)
{
    struct xen_sysctl s = { .cmd = XEN_SYSCTL_physinfo };
    int rc = xenctl_sysctl(h, &s, "physinfo");
    if (rc == 0)
        *pi = s.u.physinfo;
    return rc;
}

int xenctl_sched_id(struct hc *h, uint32_t *sched_id)
{
    struct xen_sysctl s = { .cmd = XEN_SYSCTL_sched_id };
    int rc = xenctl_sysctl(h, &s, "sched_id");
    if (rc == 0)
        *sched_id = s.u.sched_id.sched_id;
    return rc;
}

long xenctl_readconsole(struct hc *h, char *out, uint32_t size, bool clear)
{
    char *buf = hc_buf_alloc(h, size);
    if (!buf)
        return hc_fail(h, -errno, "hypercall buffer");
    struct xen_sysctl s = { .cmd = XEN_SYSCTL_readconsole };
    s.u.readconsole.clear = clear;
    set_xen_guest_handle(s.u.readconsole.buffer, buf);
    s.u.readconsole.count = size;
    long rc = xenctl_sysctl(h, &s, "readconsole");
    if (rc == 0) {
        rc = s.u.readconsole.count <= size ? s.u.readconsole.count : size;
        memcpy(out, buf, (size_t)rc);
    }
    hc_buf_free(h, buf, size);
    return rc;
}

int xenctl_populate_physmap(struct hc *h, uint32_t domid, xen_pfn_t *frames, uint64_t count)
{
    enum { BATCH = 8192 };
    xen_pfn_t *buf = hc_buf_alloc(h, BATCH * sizeof(xen_pfn_t));
    if (!buf)
        return hc_fail(h, -errno, "hypercall buffer");
    int rc = 0;
    for (uint64_t done = 0; done < count && rc == 0;) {
        uint64_t n = count - done < BATCH ? count - done : BATCH;
        memcpy(buf, frames + done, n * sizeof(xen_pfn_t));
        struct xen_memory_reservation *r = h->scratch;
        memset(r, 0, sizeof(*r));
        set_xen_guest_handle(r->extent_start, buf);
        r->nr_extents = n;
        r->domid = (domid_t)domid;
        long got = hc_memory_op(h, XENMEM_populate_physmap, r);
        if (got < 0)
            rc = hc_fail(h, (int)got, "memory_op populate_physmap (domain %u, pages %llu-%llu)",
                         domid, (unsigned long long)done, (unsigned long long)(done + n - 1));
        else if ((uint64_t)got != n)
            rc = hc_fail(h, -ENOMEM, "memory_op populate_physmap (domain %u): %ld of %llu pages "
                         "from page %llu", domid, got, (unsigned long long)n,
                         (unsigned long long)done);
        else
            memcpy(frames + done, buf, n * sizeof(xen_pfn_t));
        done += n;
    }
    hc_buf_free(h, buf, BATCH * sizeof(xen_pfn_t));
    return rc;
}

int xenctl_machphys_update(struct hc *h, uint32_t domid, const xen_pfn_t *frames, uint64_t count)
{
    enum { BATCH = 256 };
    struct mmu_update *req = hc_buf_alloc(h, BATCH * sizeof(*req) + PAGE);
    if (!req)
        return hc_fail(h, -errno, "hypercall buffer");
    unsigned *done_out = (unsigned *)(req + BATCH);
    int rc = 0;
    for (uint64_t pfn = 0; pfn < count && rc == 0;) {
        unsigned n = 0;
        for (; n < BATCH && pfn < count; n++, pfn++) {
            req[n].ptr = ((uint64_t)frames[pfn] << 12) | MMU_MACHPHYS_UPDATE;
            req[n].val = pfn;
        }
        *done_out = 0;
        long r = hc_hypercall(h, __HYPERVISOR_mmu_update, ptr(req), n, ptr(done_out), domid, 0);
        if (r < 0)
            rc = hc_fail(h, (int)r, "mmu_update MMU_MACHPHYS_UPDATE (domain %u, entry %u of "
                         "the batch ending at pfn %llu)", domid, *done_out,
                         (unsigned long long)pfn);
    }
    hc_buf_free(h, req, BATCH * sizeof(*req) + PAGE);
    return rc;
}

int xenctl_pin_l4(struct hc *h, uint32_t domid, xen_pfn_t mfn)
{
    struct mmuext_op *op = h->scratch;
    memset(op, 0, sizeof(*op));
    op->cmd = MMUEXT_PIN_L4_TABLE;
    op->arg1.mfn = mfn;
    long r = hc_hypercall(h, __HYPERVISOR_mmuext_op, ptr(op), 1, 0, domid, 0);
    return r < 0 ? hc_fail(h, (int)r, "mmuext_op MMUEXT_PIN_L4_TABLE (domain %u, frame %#llx)",
                           domid, (unsigned long long)mfn) : 0;
}

int xenctl_gnttab_frame(struct hc *h, uint32_t domid, xen_pfn_t *frame)
{
    struct gnttab_setup_table *st = h->scratch;
    xen_pfn_t *list = (xen_pfn_t *)((char *)h->scratch + 256);
    memset(st, 0, 256 + sizeof(*list));
    st->dom = (domid_t)domid;
    st->nr_frames = 1;
    set_xen_guest_handle(st->frame_list, list);
    long r = hc_hypercall(h, __HYPERVISOR_grant_table_op, GNTTABOP_setup_table, ptr(st), 1, 0, 0);
    if (r == 0 && st->status != 0)
        r = st->status == GNTST_permission_denied ? -EPERM : -EINVAL;
    if (r < 0)
        return hc_fail(h, (int)r, "grant_table_op GNTTABOP_setup_table (domain %u, status %d)",
                       domid, st->status);
    *frame = *list;
    return 0;
}

int xenctl_alloc_unbound(struct hc *h, uint32_t domid, uint32_t remote, uint32_t *port)
{
    struct evtchn_alloc_unbound *a = h->scratch;
    memset(a, 0, sizeof(*a));
    a->dom = (domid_t)domid;
    a->remote_dom = (domid_t)remote;
    long r = hc_hypercall(h, __HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, ptr(a), 0, 0, 0);
    if (r < 0)
        return hc_fail(h, (int)r, "event_channel_op EVTCHNOP_alloc_unbound (domain %u, remote %u)",
                       domid, remote);
    *port = a->port;
    return 0;
}
