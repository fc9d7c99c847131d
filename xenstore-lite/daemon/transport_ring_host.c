/*
 * Host stand-in for guest pages and event channels (see transport_ring.h):
 * files and FIFOs in a directory, so the ring transport runs and is tested
 * without a hypervisor.
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

struct host_ring {
    struct loop_fd lf;        /* the kick FIFO */
    int notify_fd;
    void *page;
    struct ring_conn *rc;
};

static char *ring_dir;

static void host_notify(void *opaque)
{
    struct host_ring *h = opaque;
    char c = 1;
    /* A full FIFO already holds a pending notification: nothing is lost. */
    if (write(h->notify_fd, &c, 1) < 0 && errno != EAGAIN)
        return;
}

static void host_kick_ready(struct loop_fd *lf, uint32_t events)
{
    struct host_ring *h = (struct host_ring *)lf;
    char buf[256];
    (void)events;
    while (read(lf->fd, buf, sizeof(buf)) > 0)
        ;
    ring_conn_kick(h->rc);
}

static void host_ring_free(struct host_ring *h)
{
    if (h->lf.fd >= 0) {
        loop_remove(&h->lf);
        close(h->lf.fd);
    }
    if (h->notify_fd >= 0)
        close(h->notify_fd);
    if (h->page && h->page != MAP_FAILED)
        munmap(h->page, 4096);
    free(h);
}

static int open_in_dir(unsigned domid, const char *what, int flags)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/dom%u.%s", ring_dir, domid, what);
    return open(path, flags | O_CLOEXEC);
}

/* The conn's destroy hook frees the ring; this frees the stand-in around it. */
static struct host_ring *rings[XSD_MAX_DOMID];

static int host_introduce(struct xsd *xsd, struct domain *d)
{
    int pfd = open_in_dir(d->domid, "page", O_RDWR);
    if (pfd < 0)
        return 0;   /* no page to map: the domain is known but has no ring */
    struct host_ring *h = calloc(1, sizeof(*h));
    if (!h) {
        close(pfd);
        return -ENOMEM;
    }
    h->lf.fd = h->notify_fd = -1;
    h->page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, pfd, 0);
    close(pfd);
    h->lf.fd = open_in_dir(d->domid, "kick", O_RDWR | O_NONBLOCK);
    h->notify_fd = open_in_dir(d->domid, "notify", O_RDWR | O_NONBLOCK);
    h->lf.ready = host_kick_ready;
    if (h->page == MAP_FAILED || h->lf.fd < 0 || h->notify_fd < 0)
        goto fail;
    h->rc = ring_conn_new(xsd, d->domid, h->page, host_notify, h);
    if (!h->rc)
        goto fail;
    if (loop_add(&h->lf, EPOLLIN)) {
        ring_conn_free(h->rc);
        goto fail;
    }
    d->conn = ring_conn_xsd_conn(h->rc);
    rings[d->domid] = h;
    ring_conn_kick(h->rc);   /* the guest may have written before INTRODUCE */
    return 0;
fail:
    host_ring_free(h);
    return -EINVAL;
}

static void host_release(struct xsd *xsd, struct domain *d)
{
    (void)xsd;
    struct host_ring *h = rings[d->domid];
    if (!h)
        return;
    rings[d->domid] = NULL;
    d->conn = NULL;
    ring_conn_free(h->rc);
    host_ring_free(h);
}

int ring_transport_init(struct xsd *xsd, const char *dir)
{
    ring_dir = strdup(dir);
    if (!ring_dir)
        return -ENOMEM;
    if (access(dir, R_OK | W_OK | X_OK))
        return -errno;
    xsd->backend.introduce = host_introduce;
    xsd->backend.release = host_release;
    return 0;
}

void ring_transport_close(void)
{
    for (unsigned i = 0; i < XSD_MAX_DOMID; i++) {
        struct host_ring *h = rings[i];
        if (!h)
            continue;
        rings[i] = NULL;
        ring_conn_free(h->rc);
        host_ring_free(h);
    }
    free(ring_dir);
    ring_dir = NULL;
}
