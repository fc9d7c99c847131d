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
/* Into a freshly initialised xsd. Returns 0 or -EINVAL on a bad file. */
int xsd_restore(struct xsd *xsd, FILE *in);

#endif
