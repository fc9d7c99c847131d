/* Transactions: optimistic, committed only if nothing they touched changed. */
#ifndef XSD_TXN_H
#define XSD_TXN_H

#include "xsd.h"

int txn_start(struct xsd_conn *conn, struct txn **out);
struct txn *txn_find(struct xsd_conn *conn, uint32_t id);
/* Publishes the transaction's changes, or -EAGAIN on a conflict. Frees it. */
int txn_commit(struct xsd_conn *conn, struct txn *tx);
void txn_abort(struct xsd_conn *conn, struct txn *tx);
void txn_abort_all(struct xsd_conn *conn);
/* A transaction carried over a live update: usable, but its commit fails
 * with EAGAIN (its snapshot is gone), so the client retries it. */
int txn_restore_doomed(struct xsd_conn *conn, uint32_t id);

/* Remembers a change to announce when (if) the transaction commits. */
int txn_add_event(struct txn *tx, const char *path, bool recurse,
                  const struct xsd_perm *perms, uint32_t nperms);

#endif
