/* Watches: registration and delivering events for changed paths. */
#ifndef XSD_WATCH_H
#define XSD_WATCH_H

#include "xsd.h"

/* path is canonical (absolute or "@..."); relative says how it was given. */
int watch_add(struct xsd_conn *conn, const char *path, const char *token, bool relative);
int watch_remove(struct xsd_conn *conn, const char *path, const char *token);
void watch_remove_all(struct xsd_conn *conn);

/*
 * Announces a change of path to every watch on it or above it (and, when
 * recurse is set, below it). perms are the node's: unprivileged watchers
 * that may not read it hear nothing.
 */
void watch_fire(struct xsd *xsd, const char *path, bool recurse,
                const struct xsd_perm *perms, uint32_t nperms);

/* Queues one event for a single watch (used for the initial event). */
void watch_send_event(struct watch *w, const char *path);

#endif
