/*
 * Guests over the shared xenstore ring page (xenstore_ring.h).
 *
 * The ring logic (ring_conn_*) takes any mapped page and a notify callback,
 * so the same code serves real guest pages later. On the host, until the
 * control domain wires real pages and event channels, a directory stands in:
 * for domain N, RINGDIR/domN.page is the page (mmap'ed shared), and the
 * FIFOs RINGDIR/domN.kick (guest to daemon) and RINGDIR/domN.notify (daemon
 * to guest) are its event channel. INTRODUCE of domain N connects them.
 */
#ifndef XSD_TRANSPORT_RING_H
#define XSD_TRANSPORT_RING_H

#include <pvabi/io/xenstore_ring.h>
#include <stdio.h>

#include "xsd.h"

struct ring_conn;

/* Ring logic, independent of how the page and the event channel are had. */
struct ring_conn *ring_conn_new(struct xsd *xsd, unsigned domid,
                                struct xenstore_domain_interface *intf,
                                void (*notify)(void *opaque), void *opaque);
/* Processes what the guest produced and sends what is queued. */
void ring_conn_kick(struct ring_conn *rc);
void ring_conn_free(struct ring_conn *rc);
struct xsd_conn *ring_conn_xsd_conn(struct ring_conn *rc);

/* Live update: every ring connection's state into out (see dump.h). */
int ring_transport_dump(struct xsd *xsd, FILE *out, struct xsd_conn *requester,
                        const struct xsd_sockmsg *req);

/* The host stand-in: registers the INTRODUCE/RELEASE backend. */
int ring_transport_init(struct xsd *xsd, const char *dir);
void ring_transport_flush(void);
/* Disconnects every stand-in ring (at exit). */
void ring_transport_close(void);

/*
 * The real thing in a Linux dom0 (transport_ring_xen.c): dom0's own ring,
 * domU rings on INTRODUCE, dead domains through VIRQ_DOM_EXC.
 */
int xen_transport_available(void);   /* /dev/xen/evtchn is there */
int xen_transport_init(struct xsd *xsd);
void xen_transport_close(void);
/*
 * Asks about the domains again (called every few seconds while domUs are
 * connected), so a shutdown is noticed even if its VIRQ_DOM_EXC came before
 * the hypervisor showed it or was missed.
 */
void xen_transport_tick(void);

#endif
