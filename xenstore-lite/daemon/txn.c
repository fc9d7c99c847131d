#include "txn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "watch.h"

int txn_start(struct xsd_conn *conn, struct txn **out)
{
    struct txn *tx = calloc(1, sizeof(*tx));
    if (!tx || node_table_init(&tx->nodes, 16)) {
        free(tx);
        return -ENOMEM;
    }
    /* Ids are per connection, never 0, and not reused while in use. */
    do {
        tx->id = conn->next_txid++;
    } while (tx->id == 0 || txn_find(conn, tx->id));
    tx->next = conn->txns;
    conn->txns = tx;
    conn->ntxns++;
    *out = tx;
    return 0;
}

int txn_restore_doomed(struct xsd_conn *conn, uint32_t id)
{
    if (id == 0 || txn_find(conn, id))
        return -EINVAL;
    struct txn *tx = calloc(1, sizeof(*tx));
    if (!tx || node_table_init(&tx->nodes, 16)) {
        free(tx);
        return -ENOMEM;
    }
    tx->id = id;
    tx->poisoned = -EAGAIN;
    tx->next = conn->txns;
    conn->txns = tx;
    conn->ntxns++;
    return 0;
}

struct txn *txn_find(struct xsd_conn *conn, uint32_t id)
{
    for (struct txn *tx = conn->txns; tx; tx = tx->next)
        if (tx->id == id)
            return tx;
    return NULL;
}

static void txn_free(struct xsd_conn *conn, struct txn *tx)
{
    for (struct txn **pp = &conn->txns; *pp; pp = &(*pp)->next)
        if (*pp == tx) {
            *pp = tx->next;
            conn->ntxns--;
            break;
        }
    size_t pos = 0;
    struct node *n;
    while ((n = node_table_next(&tx->nodes, &pos)))
        tnode_free(n);
    node_table_destroy(&tx->nodes);
    for (unsigned i = 0; i < tx->nevents; i++) {
        free(tx->events[i].path);
        free(tx->events[i].perms);
    }
    free(tx->events);
    free(tx);
}

void txn_abort(struct xsd_conn *conn, struct txn *tx)
{
    txn_free(conn, tx);
}

void txn_abort_all(struct xsd_conn *conn)
{
    while (conn->txns)
        txn_free(conn, conn->txns);
}

static bool conflicts(struct xsd *xsd, struct txn *tx)
{
    size_t pos = 0;
    struct node *n;
    while ((n = node_table_next(&tx->nodes, &pos))) {
        struct tnode *t = (struct tnode *)n;
        struct node *live = node_table_find(&xsd->store, t->n.path, t->n.hash);
        if ((live ? live->gen : 0) != t->base_gen)
            return true;
    }
    return false;
}

int txn_commit(struct xsd_conn *conn, struct txn *tx)
{
    struct xsd *xsd = conn->xsd;
    size_t pos = 0, nnew = 0, i;
    struct node *n, **fresh = NULL;
    int rc = 0;

    if (tx->poisoned) {
        rc = tx->poisoned;
        goto out;
    }
    if (conflicts(xsd, tx)) {
        rc = -EAGAIN;
        goto out;
    }
    /*
     * Build every published node first and make room in the store, so that
     * once we start changing the live store nothing can fail half way.
     */
    fresh = calloc(tx->nodes.count + 1, sizeof(*fresh));
    if (!fresh) {
        rc = -ENOMEM;
        goto out;
    }
    while ((n = node_table_next(&tx->nodes, &pos))) {
        struct tnode *t = (struct tnode *)n;
        if (!t->modified || !t->exists)
            continue;
        fresh[nnew] = node_clone(&t->n);
        if (!fresh[nnew]) {
            rc = -ENOMEM;
            goto out;
        }
        nnew++;
    }
    while ((xsd->store.count + nnew + 1) * 4 > xsd->store.cap * 3) {
        struct node_table bigger;
        if (node_table_init(&bigger, xsd->store.cap * 2)) {
            rc = -ENOMEM;
            goto out;
        }
        size_t p = 0;
        while ((n = node_table_next(&xsd->store, &p)))
            node_table_insert(&bigger, n);
        node_table_destroy(&xsd->store);
        xsd->store = bigger;
    }

    pos = 0;
    while ((n = node_table_next(&tx->nodes, &pos))) {
        struct tnode *t = (struct tnode *)n;
        if (!t->modified)
            continue;
        struct node *live = node_table_find(&xsd->store, t->n.path, t->n.hash);
        if (live) {
            domain_account(xsd, live, -1);
            node_table_remove(&xsd->store, live);
            node_free(live);
        }
    }
    for (i = 0; i < nnew; i++) {
        fresh[i]->gen = ++xsd->gen;
        node_table_insert(&xsd->store, fresh[i]);
        domain_account(xsd, fresh[i], +1);
        fresh[i] = NULL;
    }
    for (i = 0; i < tx->nevents; i++)
        watch_fire(xsd, tx->events[i].path, tx->events[i].recurse,
                   tx->events[i].perms, tx->events[i].nperms);
out:
    if (fresh)
        for (i = 0; i < nnew; i++)
            node_free(fresh[i]);
    free(fresh);
    txn_free(conn, tx);
    return rc;
}

int txn_add_event(struct txn *tx, const char *path, bool recurse,
                  const struct xsd_perm *perms, uint32_t nperms)
{
    if (tx->nevents == tx->events_cap) {
        unsigned cap = tx->events_cap ? tx->events_cap * 2 : 8;
        struct pending_event *e = realloc(tx->events, cap * sizeof(*e));
        if (!e)
            return -ENOMEM;
        tx->events = e;
        tx->events_cap = cap;
    }
    struct pending_event *e = &tx->events[tx->nevents];
    e->path = strdup(path);
    e->perms = malloc(sizeof(*perms) * (nperms ? nperms : 1));
    if (!e->path || !e->perms) {
        free(e->path);
        free(e->perms);
        return -ENOMEM;
    }
    memcpy(e->perms, perms, sizeof(*perms) * nperms);
    e->nperms = nperms;
    e->recurse = recurse;
    tx->nevents++;
    return 0;
}
