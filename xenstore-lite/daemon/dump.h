/*
 * Saving the daemon's state to a file and restoring it in a new daemon:
 * the store (values, permissions, child order), introduced domains (whose
 * rings are reconnected), special-name permissions and quotas. Connections,
 * their watches and open transactions are not carried over: local clients
 * reconnect, as after any daemon restart.
 *
 * Format (ours, versioned): a header line "xenstore-lite-dump 1", then one
 * record per line, nodes in pre-order so a parent always comes first:
 *   Q <nodes> <watches> <transactions> <outstanding> <transaction-nodes>
 *     <memory> <memory-soft> <node-size> <path-max> <permissions>
 *   S <index> <perm>...                     special-name permissions
 *   D <domid> <mfn> <port> <target or -1>   an introduced domain
 *   N <pathlen> <valuelen> <perm>...        followed by the path bytes, the
 *                                           value bytes and a newline
 */
#ifndef XSD_DUMP_H
#define XSD_DUMP_H

#include <stdio.h>

#include "xsd.h"

int xsd_dump(struct xsd *xsd, FILE *out);
/*
 * Into a freshly initialised xsd. Stops after a "CONNS" line, if any, so
 * the caller can go on with xsd_restore_conns(). Returns 0 or -EINVAL.
 */
int xsd_restore(struct xsd *xsd, FILE *in);

/*
 * Live update also carries the connections over (the new daemon inherits
 * their descriptors): after "CONNS", one record per connection
 *   C <kind> <id> <domid> <privileged> <next_txid> <inlen> <outlen>
 *     then the unprocessed input bytes and the unsent output bytes
 *   W <relative> <pathlen> <tokenlen>, then path and token    (its watches)
 *   T <txid>      an open transaction: it carries on empty and its commit
 *                 fails with EAGAIN, so the client simply retries
 *   P <req_id>    the live-update request itself, answered "OK" afterwards
 * kind is 'u' (unix socket, id = descriptor) or 'r' (ring, id = domid).
 * extra_in are transport-buffered input bytes not yet given to the conn.
 */
int xsd_dump_conn(FILE *out, struct xsd_conn *conn, char kind, long id,
                  const void *extra_in, size_t extra_len,
                  const struct xsd_sockmsg *pending_reply);

/* Makes (or finds) the connection a record names, fed with its input. */
typedef struct xsd_conn *(*xsd_adopt_fn)(struct xsd *xsd, char kind, long id,
                                         unsigned domid, bool privileged);
int xsd_restore_conns(struct xsd *xsd, FILE *in, xsd_adopt_fn adopt);

#endif
