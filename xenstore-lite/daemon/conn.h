/* Queuing replies and events on a connection. */
#ifndef XSD_CONN_H
#define XSD_CONN_H

#include "xsd.h"

/* Most events a connection may have waiting before new ones are dropped. */
#define XSD_EVENTS_MAX_UNPRIV 1024u
#define XSD_EVENTS_MAX_PRIV   65536u
/* Most unread replies a privileged connection may have (others: quota). */
#define XSD_REPLIES_MAX_PRIV  4096u

int conn_queue_reply(struct xsd_conn *conn, const struct xsd_sockmsg *hdr, const void *body);
void conn_queue_event(struct xsd_conn *conn, const struct xsd_sockmsg *hdr, const void *body);
/*
 * Input carried over a live update: handed to the transport's stash hook,
 * which feeds it before anything new it reads.
 */
/* Bytes already formatted as messages (output carried over a live update). */
int conn_queue_raw(struct xsd_conn *conn, const void *data, size_t len);
void conn_stash_input(struct xsd_conn *conn, const void *data, size_t len);

#endif
