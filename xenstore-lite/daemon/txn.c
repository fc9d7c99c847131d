#include "txn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "path.h"
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
        node_free(n);
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
        struct node *live = node_table_find(&xsd->store, node_path(n), n->hash);
        if ((live ? live->gen : 0) != node_tnode(n)->base_gen)
            return true;
    }
    return false;
}

/* The transaction's record of the parent of path, if it has one. */
static struct tnode *tx_parent(struct txn *tx, const char *path)
{
    char parent[XENSTORE_ABS_PATH_MAX + 64];
    size_t plen = path_parent_len(path);
    if (strcmp(path, "/") == 0 || plen >= sizeof(parent))
        return NULL;
    memcpy(parent, path, plen ? plen : 1);
    parent[plen ? plen : 1] = '\0';
    struct node *n = node_table_find(&tx->nodes, parent, node_hash(parent));
    return n ? node_tnode(n) : NULL;
}

/* Links the live children named in t's list under f, in their order. */
static void link_children(struct xsd *xsd, struct node *f, const struct tnode *t)
{
    char child[XENSTORE_ABS_PATH_MAX + 64];
    const char *path = node_path(f);
    size_t plen = strlen(path);

    f->first_child = NULL;
    f->children_len = 0;
    for (uint32_t off = 0; off < t->n.children_len;) {
        const char *name = t->children + off;
        size_t nlen = strlen(name);
        off += (uint32_t)nlen + 1;
        if (plen + nlen + 2 > sizeof(child))
            continue;
        size_t at = plen;
        memcpy(child, path, plen);
        if (plen > 1)
            child[at++] = '/';
        memcpy(child + at, name, nlen + 1);
        struct node *c = node_table_find(&xsd->store, child, node_hash(child));
        if (c)
            node_link_child(f, c);
    }
}

int txn_commit(struct xsd_conn *conn, struct txn *tx)
{
    struct xsd *xsd = conn->xsd;
    size_t pos = 0, nfresh = 0, nold = 0, i;
    struct node *n, **fresh = NULL, **old = NULL;
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
     * fresh[i] is the new version of the record's path, or NULL when the
     * transaction deleted it; old[i] the live node it replaces, or NULL.
     */
    fresh = calloc(tx->nodes.count + 1, sizeof(*fresh));
    old = calloc(tx->nodes.count + 1, sizeof(*old));
    struct tnode **recs = calloc(tx->nodes.count + 1, sizeof(*recs));
    if (!fresh || !old || !recs) {
        free(recs);
        rc = -ENOMEM;
        goto out;
    }
    while ((n = node_table_next(&tx->nodes, &pos))) {
        struct tnode *t = node_tnode(n);
        if (!t->modified)
            continue;
        recs[nold] = t;
        if (t->exists) {
            fresh[nold] = node_copy(n, false);
            if (!fresh[nold]) {
                nfresh = nold + 1;
                free(recs);
                rc = -ENOMEM;
                goto out;
            }
        }
        nold++;
    }
    nfresh = nold;
    if (node_table_reserve(&xsd->store, nfresh)) {
        free(recs);
        rc = -ENOMEM;
        goto out;
    }

    /* Out with the old versions, in with the new. */
    for (i = 0; i < nold; i++) {
        old[i] = node_table_find(&xsd->store, node_path(&recs[i]->n), recs[i]->n.hash);
        if (old[i]) {
            domain_account(xsd, old[i], -1);
            node_table_remove(&xsd->store, old[i]);
        }
    }
    for (i = 0; i < nfresh; i++)
        if (fresh[i]) {
            fresh[i]->gen = ++xsd->gen;
            node_table_insert(&xsd->store, fresh[i]);
        }
    /*
     * A new version's children are the ones its record lists; a parent
     * the transaction did not change keeps its list, with the new version
     * in the old one's place (it changed no one's children).
     */
    for (i = 0; i < nold; i++) {
        if (fresh[i])
            link_children(xsd, fresh[i], recs[i]);
        struct tnode *pt = tx_parent(tx, node_path(&recs[i]->n));
        if (pt && pt->modified && pt->exists)
            continue;
        struct node *p = old[i] ? store_parent(xsd, old[i]) : NULL;
        if (p && fresh[i])
            node_relink_child(p, old[i], fresh[i]);
        else if (p) {
            domain_account(xsd, p, -1);
            node_unlink_child(p, old[i]);
            domain_account(xsd, p, +1);
        }
    }
    for (i = 0; i < nfresh; i++)
        if (fresh[i]) {
            domain_account(xsd, fresh[i], +1);
            fresh[i] = NULL;
        }
    for (i = 0; i < nold; i++)
        node_free(old[i]);
    free(recs);
    for (i = 0; i < tx->nevents; i++)
        watch_fire(xsd, tx->events[i].path, tx->events[i].recurse,
                   tx->events[i].perms, tx->events[i].nperms);
out:
    if (fresh)
        for (i = 0; i < nfresh; i++)
            node_free(fresh[i]);
    free(fresh);
    free(old);
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
