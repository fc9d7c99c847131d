/* Local clients over a unix stream socket: each is privileged (dom0). */
#ifndef XSD_TRANSPORT_UNIX_H
#define XSD_TRANSPORT_UNIX_H

#include "xsd.h"

/* Listens on path (replacing a stale socket). Returns 0 or -errno. */
int unix_transport_listen(struct xsd *xsd, const char *path);
/* Sends what connections have queued; closes the ones that failed. */
void unix_transport_flush(void);
void unix_transport_close(void);

#endif
