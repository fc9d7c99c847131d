/*
 * Guest rings on a real hypervisor, from a Linux dom0 (see transport_ring.h
 * for the ring logic itself):
 *
 * - dom0's own ring: Linux allocates it when no xenstore runs yet and shows
 *   it as /proc/xen/xsd_kva (mmap the page) and /proc/xen/xsd_port (an
 *   unbound port of dom0 whose remote end is dom0 itself, which we bind).
 * - a domU's ring, on INTRODUCE: grant ref 1 (the builder's reserved
 *   xenstore entry) mapped through /dev/xen/gntdev, else the frame INTRODUCE
 *   named, mapped foreign through /dev/xen/privcmd; its port bound
 *   interdomain through /dev/xen/evtchn.
 * - VIRQ_DOM_EXC, bound through the same evtchn file: some domain shut down
 *   or died; xsd_check_domains() asks the hypervisor which (getdomaininfo).
 *
 * Every port of ours is bound through one evtchn file, polled by the loop:
 * it reads which ports fired, dispatches them and unmasks them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loop.h"
#include "transport_ring.h"
#include "xen_dev.h"
#include "xen_domctl.h"

#define VIRQ_DOM_EXC 3
#define GNTTAB_RESERVED_XENSTORE 1
#define MAX_PORTS 4096   /* enough local ports for 2-level and most FIFO uses */

struct xen_ring {
    unsigned domid;
    int port;                 /* local port, -1 if unbound */
    struct xen_page page;     /* a domU's page; dom0's is dom0_page */
    struct ring_conn *rc;
};

static struct {
    struct xsd *xsd;
    struct loop_fd evtchn;    /* /dev/xen/evtchn */
    int gntdev_fd, privcmd_fd;
    int virq_port;
    void *dom0_page;          /* /proc/xen/xsd_kva */
    struct xen_ring *rings[XSD_MAX_DOMID];
    struct xen_ring *by_port[MAX_PORTS];
} x = { .evtchn.fd = -1, .gntdev_fd = -1, .privcmd_fd = -1, .virq_port = -1 };

static void xen_notify(void *opaque)
{
    struct xen_ring *r = opaque;
    if (r->port >= 0)
        xen_evtchn_notify(x.evtchn.fd, (unsigned)r->port);
}

static void evtchn_ready(struct loop_fd *lf, uint32_t events)
{
    uint32_t ports[64];
    int n;
    (void)events;
    while ((n = xen_evtchn_pending(lf->fd, ports, 64)) > 0) {
        for (int i = 0; i < n; i++) {
            uint32_t p = ports[i];
            if ((int)p == x.virq_port) {
                xsd_logf(x.xsd, "VIRQ_DOM_EXC: a domain changed state");
                xsd_check_domains(x.xsd);
            }
            else if (p < MAX_PORTS && x.by_port[p])
                ring_conn_kick(x.by_port[p]->rc);
            xen_evtchn_unmask(lf->fd, p);
        }
    }
}

static void ring_free(struct xen_ring *r)
{
    if (r->port >= 0) {
        if (r->port < MAX_PORTS)
            x.by_port[r->port] = NULL;
        xen_evtchn_unbind(x.evtchn.fd, (unsigned)r->port);
    }
    xen_page_unmap(&r->page);
    free(r);
}

/* Connects a mapped ring to a fresh local port bound to the guest's. */
static int ring_connect(struct domain *d, struct xen_ring *r,
                        struct xenstore_domain_interface *intf)
{
    int port = xen_evtchn_bind_interdomain(x.evtchn.fd, d->domid, d->port);
    if (port < 0)
        return port;
    r->port = port;
    if (port >= MAX_PORTS)
        return -ERANGE;
    r->rc = ring_conn_new(x.xsd, d->domid, intf, xen_notify, r);
    if (!r->rc)
        return -ENOMEM;
    x.by_port[port] = r;
    x.rings[d->domid] = r;
    d->conn = ring_conn_xsd_conn(r->rc);
    ring_conn_kick(r->rc);   /* the guest may have written before we came */
    return 0;
}

static int xen_introduce(struct xsd *xsd, struct domain *d)
{
    (void)xsd;
    if (d->domid == 0 || x.rings[d->domid])
        return 0;   /* dom0's ring is connected at start; a ring is kept */
    struct xen_ring *r = calloc(1, sizeof(*r));
    if (!r)
        return -ENOMEM;
    r->domid = d->domid;
    r->port = -1;
    int err = -ENODEV;
    if (x.gntdev_fd >= 0)
        err = xen_page_map_grant(&r->page, x.gntdev_fd, d->domid, GNTTAB_RESERVED_XENSTORE);
    if (err && x.privcmd_fd >= 0)
        err = xen_page_map_foreign(&r->page, x.privcmd_fd, d->domid, d->mfn);
    if (!err)
        err = ring_connect(d, r, r->page.addr);
    if (err) {
        xsd_logf(x.xsd, "domain %u: cannot connect its ring: %s", d->domid, strerror(-err));
        if (r->rc) {
            d->conn = NULL;
            x.rings[d->domid] = NULL;
            ring_conn_free(r->rc);
        }
        ring_free(r);
        return err == -ENOMEM ? -ENOMEM : -EINVAL;
    }
    xsd_logf(x.xsd, "domain %u: ring connected (%s), port %u -> local %d", d->domid,
             r->page.gntdev_fd >= 0 ? "grant" : "foreign map", d->port, r->port);
    return 0;
}

static void xen_release(struct xsd *xsd, struct domain *d)
{
    (void)xsd;
    struct xen_ring *r = x.rings[d->domid];
    if (!r || d->domid == 0)
        return;
    x.rings[d->domid] = NULL;
    d->conn = NULL;
    ring_conn_free(r->rc);
    ring_free(r);
}

static int xen_domain_state(struct xsd *xsd, unsigned domid)
{
    (void)xsd;
    if (x.privcmd_fd < 0)
        return -ENODEV;
    uint32_t flags = 0;
    /* Two statements: the flags must be read after the call fills them. */
    int err = xen_domain_flags(x.privcmd_fd, domid, &flags);
    return xen_domain_state_of(err, flags);
}

/* dom0's own ring, the one Linux set up for the xenstore it waits for. */
static int connect_dom0(void)
{
    unsigned long port;
    int err = xen_read_number_file("/proc/xen/xsd_port", &port);
    if (err)
        return err;
    int fd = open("/proc/xen/xsd_kva", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (page == MAP_FAILED)
        return -errno;
    x.dom0_page = page;
    struct domain *d = domain_get_or_create(x.xsd, 0);
    struct xen_ring *r = calloc(1, sizeof(*r));
    if (!d || !r) {
        free(r);
        return -ENOMEM;
    }
    r->port = -1;
    r->page.gntdev_fd = -1;   /* not ours to unmap through xen_page */
    d->port = (unsigned)port;
    if ((err = ring_connect(d, r, page))) {
        ring_free(r);
        return err;
    }
    /*
     * Linux's xenbus in dom0 (XS_LOCAL) probes its devices, which writes
     * control/feature-* among others, only after a first event on this
     * port; Xen's xenstored notifies dom0 once at start for that reason.
     * Without it the probe waited for some dom0 process to use
     * /dev/xen/xenbus.
     */
    xen_notify(r);
    xsd_logf(x.xsd, "dom0: ring connected, port %lu -> local %d", port, r->port);
    return 0;
}

void xen_transport_tick(void)
{
    for (unsigned i = 1; i < XSD_MAX_DOMID; i++)
        if (x.rings[i]) {
            xsd_check_domains(x.xsd);
            return;
        }
}

int xen_transport_available(void)
{
    return access("/dev/xen/evtchn", R_OK | W_OK) == 0;
}

int xen_transport_init(struct xsd *xsd)
{
    int err;
    x.xsd = xsd;
    x.evtchn.fd = xen_dev_open("/dev/xen/evtchn");
    if (x.evtchn.fd < 0)
        return x.evtchn.fd;
    x.evtchn.ready = evtchn_ready;
    x.gntdev_fd = xen_dev_open("/dev/xen/gntdev");
    x.privcmd_fd = xen_dev_open("/dev/xen/privcmd");
    if (x.privcmd_fd < 0)
        xsd_logf(xsd, "/dev/xen/privcmd: %s: no foreign maps, dead domains go unnoticed",
                 strerror(-x.privcmd_fd));
    if (x.gntdev_fd < 0)
        xsd_logf(xsd, "/dev/xen/gntdev: %s", strerror(-x.gntdev_fd));
    if (x.gntdev_fd < 0 && x.privcmd_fd < 0)
        xsd_logf(xsd, "neither gntdev nor privcmd: no domU ring can be mapped");
    if ((err = loop_add(&x.evtchn, EPOLLIN)))
        return err;
    x.virq_port = xen_evtchn_bind_virq(x.evtchn.fd, VIRQ_DOM_EXC);
    if (x.virq_port < 0)
        xsd_logf(xsd, "VIRQ_DOM_EXC: %s: dead domains go unnoticed", strerror(-x.virq_port));
    else
        xsd_logf(xsd, "VIRQ_DOM_EXC on local port %d", x.virq_port);
    xsd->backend.introduce = xen_introduce;
    xsd->backend.release = xen_release;
    xsd->backend.domain_state = xen_domain_state;
    if ((err = connect_dom0()))
        xsd_logf(xsd, "dom0's ring (/proc/xen/xsd_kva, xsd_port): %s", strerror(-err));
    return 0;
}

void xen_transport_close(void)
{
    for (unsigned i = 0; i < XSD_MAX_DOMID; i++) {
        struct xen_ring *r = x.rings[i];
        if (!r)
            continue;
        x.rings[i] = NULL;
        ring_conn_free(r->rc);
        ring_free(r);
    }
    if (x.dom0_page)
        munmap(x.dom0_page, 4096);
    x.dom0_page = NULL;
    if (x.evtchn.fd >= 0) {
        loop_remove(&x.evtchn);
        close(x.evtchn.fd);   /* unbinds the VIRQ and every port left */
    }
    if (x.gntdev_fd >= 0)
        close(x.gntdev_fd);
    if (x.privcmd_fd >= 0)
        close(x.privcmd_fd);
    x.evtchn.fd = x.gntdev_fd = x.privcmd_fd = x.virq_port = -1;
}
