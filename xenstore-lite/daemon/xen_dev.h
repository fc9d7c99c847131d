/*
 * dom0's Linux devices for talking to other domains, as thin calls that
 * answer -errno: /dev/xen/evtchn (event channels), /dev/xen/gntdev (pages
 * another domain granted) and /dev/xen/privcmd (foreign maps). Shared by
 * xenstored-lite and tessera-consoled; nothing here keeps state.
 */
#ifndef XSD_XEN_DEV_H
#define XSD_XEN_DEV_H

#include <stddef.h>
#include <stdint.h>

/* Opens a device non-blocking and close-on-exec; fd or -errno. */
int xen_dev_open(const char *path);

/* Event channels. Each bind answers the new local port or -errno. */
int xen_evtchn_bind_interdomain(int fd, unsigned domid, unsigned remote_port);
int xen_evtchn_bind_virq(int fd, unsigned virq);
int xen_evtchn_unbind(int fd, unsigned port);
int xen_evtchn_notify(int fd, unsigned port);
/*
 * Ports that fired since the last call, at most max of them; 0 when none.
 * Each stays masked until xen_evtchn_unmask() hands it back.
 */
int xen_evtchn_pending(int fd, uint32_t *ports, size_t max);
int xen_evtchn_unmask(int fd, uint32_t port);

/* A page of another domain mapped into this process. */
struct xen_page {
    void *addr;               /* NULL when nothing is mapped */
    uint64_t gnt_index;       /* gntdev's offset, for the unmap */
    int gntdev_fd;            /* -1: a foreign map through privcmd */
};

/* Grant ref of domid, read-write, through gntdev_fd. */
int xen_page_map_grant(struct xen_page *p, int gntdev_fd, unsigned domid, unsigned ref);
/* Frame mfn of domid, read-write, through privcmd_fd (MMAPBATCH_V2). */
int xen_page_map_foreign(struct xen_page *p, int privcmd_fd, unsigned domid, uint64_t mfn);
void xen_page_unmap(struct xen_page *p);

/* A hypercall with one argument through privcmd: its result or -errno. */
int xen_privcmd_hypercall(int privcmd_fd, unsigned op, uint64_t arg0);

/* A whole small file (/proc/xen/xsd_port) as an unsigned number. */
int xen_read_number_file(const char *path, unsigned long *out);

#endif
