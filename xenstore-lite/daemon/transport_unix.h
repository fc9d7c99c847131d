/* Local clients over a unix stream socket: each is privileged (dom0). */
#ifndef XSD_TRANSPORT_UNIX_H
#define XSD_TRANSPORT_UNIX_H

#include <stdio.h>

#include "xsd.h"

/* Listens on path (replacing a stale socket). Returns 0 or -errno. */
int unix_transport_listen(struct xsd *xsd, const char *path);
/* Sends what connections have queued; closes the ones that failed. */
void unix_transport_flush(void);
void unix_transport_close(void);

/* Live update: state of the listener and every client into out. */
int unix_transport_dump(struct xsd *xsd, FILE *out, struct xsd_conn *requester,
                        const struct xsd_sockmsg *req);
/* Lets (or stops letting) the descriptors survive exec. */
void unix_transport_handover(bool on);
/* In the new daemon: take over the inherited descriptors. */
int unix_transport_adopt_listener(struct xsd *xsd, int fd, const char *path);
struct xsd_conn *unix_transport_adopt_client(struct xsd *xsd, int fd, unsigned domid, bool privileged);

#endif
