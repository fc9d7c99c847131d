/*
 * Linux's /dev/xen/evtchn device as dom0 userspace sees it (toolstack side,
 * not guest ABI): the ioctls of Linux's uapi xen/evtchn.h, written here from
 * its documented numbers and layouts.
 *
 * One open file is a set of ports bound by the ioctls below. read() returns
 * the ports that fired as 32-bit numbers; a port stays masked until its
 * number is written back to the file. A bind ioctl returns the new local
 * port (>= 0) or -1 with errno.
 */
#ifndef PVABI_LINUX_EVTCHN_H
#define PVABI_LINUX_EVTCHN_H

#include <stdint.h>

#include <pvabi/linux/ioctl.h>

/* Binds a virtual IRQ (VIRQ_DOM_EXC and friends) to a fresh local port. */
struct pvabi_evtchn_bind_virq {
    unsigned int virq;
};
#define PVABI_IOCTL_EVTCHN_BIND_VIRQ \
    PVABI_LINUX_IOC_NONE('E', 0, sizeof(struct pvabi_evtchn_bind_virq))

/* Connects a fresh local port to remote_port of remote_domain. */
struct pvabi_evtchn_bind_interdomain {
    unsigned int remote_domain;
    unsigned int remote_port;
};
#define PVABI_IOCTL_EVTCHN_BIND_INTERDOMAIN \
    PVABI_LINUX_IOC_NONE('E', 1, sizeof(struct pvabi_evtchn_bind_interdomain))

/* Allocates a local port that remote_domain may bind to later. */
struct pvabi_evtchn_bind_unbound_port {
    unsigned int remote_domain;
};
#define PVABI_IOCTL_EVTCHN_BIND_UNBOUND_PORT \
    PVABI_LINUX_IOC_NONE('E', 2, sizeof(struct pvabi_evtchn_bind_unbound_port))

/* Closes a local port bound through this file. */
struct pvabi_evtchn_unbind {
    unsigned int port;
};
#define PVABI_IOCTL_EVTCHN_UNBIND \
    PVABI_LINUX_IOC_NONE('E', 3, sizeof(struct pvabi_evtchn_unbind))

/* Sends an event on a local port bound through this file. */
struct pvabi_evtchn_notify {
    unsigned int port;
};
#define PVABI_IOCTL_EVTCHN_NOTIFY \
    PVABI_LINUX_IOC_NONE('E', 4, sizeof(struct pvabi_evtchn_notify))

/* Unbinds every port of this file. */
#define PVABI_IOCTL_EVTCHN_RESET PVABI_LINUX_IOC_NONE('E', 5, 0)

/* Limits this file to binding ports of one domain (device models). */
struct pvabi_evtchn_restrict_domid {
    uint16_t domid;
};
#define PVABI_IOCTL_EVTCHN_RESTRICT_DOMID \
    PVABI_LINUX_IOC_NONE('E', 6, sizeof(struct pvabi_evtchn_restrict_domid))

_Static_assert(sizeof(struct pvabi_evtchn_bind_interdomain) == 8, "evtchn bind_interdomain");
_Static_assert(PVABI_IOCTL_EVTCHN_BIND_VIRQ == 0x00044500, "IOCTL_EVTCHN_BIND_VIRQ");
_Static_assert(PVABI_IOCTL_EVTCHN_BIND_INTERDOMAIN == 0x00084501, "IOCTL_EVTCHN_BIND_INTERDOMAIN");
_Static_assert(PVABI_IOCTL_EVTCHN_NOTIFY == 0x00044504, "IOCTL_EVTCHN_NOTIFY");

#endif /* PVABI_LINUX_EVTCHN_H */
