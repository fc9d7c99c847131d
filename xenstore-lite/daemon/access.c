#include "access.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"

static struct node *live_find(struct xsd *xsd, const char *path, uint32_t hash)
{
    return node_table_find(&xsd->store, path, hash);
}

struct node *store_parent(struct xsd *xsd, const struct node *n)
{
    const char *path = node_path(n);
    if (strcmp(path, "/") == 0)
        return NULL;
    char parent[XENSTORE_ABS_PATH_MAX + 64];
    size_t plen = path_parent_len(path);
    if (plen >= sizeof(parent))
        return NULL;
    memcpy(parent, path, plen ? plen : 1);
    parent[plen ? plen : 1] = '\0';
    return live_find(xsd, parent, node_hash(parent));
}

void store_replace(struct xsd *xsd, struct node *old, struct node *m)
{
    struct node *p = store_parent(xsd, old);
    node_table_replace(&xsd->store, old, m);
    if (p)
        node_relink_child(p, old, m);
    node_free(old);
}

/* A record for path with nothing there yet (exists is false). */
static struct node *tnode_absent(const char *path)
{
    struct node *n = node_new(path, NULL, 0, NULL, 0);
    if (!n)
        return NULL;
    struct node *t = node_copy(n, true);
    node_free(n);
    return t;
}

/*
 * The transaction's record for path. On first touch it takes a snapshot of
 * the live node (or of its absence): later reads in the transaction see
 * that snapshot whatever others do meanwhile, and the commit fails with
 * EAGAIN if the live node has changed since.
 */
static struct tnode *tx_entry(struct view *v, const char *path, int *err)
{
    uint32_t hash = node_hash(path);
    struct node *n = node_table_find(&v->tx->nodes, path, hash);
    if (n)
        return node_tnode(n);
    if (v->limit_tx_nodes && v->tx->accessed >= v->xsd->quota.transaction_nodes) {
        *err = -ENOSPC;
        return NULL;
    }
    struct node *live = live_find(v->xsd, path, hash);
    n = live ? node_copy(live, true) : tnode_absent(path);
    if (!n) {
        *err = -ENOMEM;
        return NULL;
    }
    struct tnode *t = node_tnode(n);
    t->base_gen = live ? live->gen : 0;
    t->exists = live != NULL;
    if (node_table_insert(&v->tx->nodes, n)) {
        node_free(n);
        *err = -ENOMEM;
        return NULL;
    }
    v->tx->accessed++;
    return t;
}

struct node *view_get(struct view *v, const char *path, int *err)
{
    if (!v->tx) {
        struct node *n = live_find(v->xsd, path, node_hash(path));
        if (!n)
            *err = -ENOENT;
        return n;
    }
    struct tnode *t = tx_entry(v, path, err);
    if (!t)
        return NULL;
    if (!t->exists)
        *err = -ENOENT;
    return t->exists ? &t->n : NULL;
}

struct node *view_get_mut(struct view *v, const char *path, int *err)
{
    struct node *n = view_get(v, path, err);
    if (n && !v->tx)
        domain_account(v->xsd, n, -1);
    return n;
}

void view_changed(struct view *v, struct node *n)
{
    if (!v->tx) {
        n->gen = ++v->xsd->gen;
        domain_account(v->xsd, n, +1);
        return;
    }
    node_tnode(n)->modified = true;
    v->tx->changes++;
}

void view_unchanged(struct view *v, struct node *n)
{
    if (!v->tx)
        domain_account(v->xsd, n, +1);
}

int view_insert_child(struct view *v, struct node *p, struct node *n)
{
    int err = 0;

    if (!v->tx) {
        n->gen = ++v->xsd->gen;
        if (node_table_insert(&v->xsd->store, n)) {
            node_free(n);
            view_unchanged(v, p);
            return -ENOMEM;
        }
        node_link_child(p, n);
        view_changed(v, p);
        domain_account(v->xsd, n, +1);
        return 0;
    }
    const char *name = path_basename(node_path(n));
    if (tnode_add_child(p, name)) {
        node_free(n);
        view_unchanged(v, p);
        return -ENOMEM;
    }
    view_changed(v, p);
    /* The record takes n's contents; a new node has no children. */
    struct tnode *t = tx_entry(v, node_path(n), &err);
    struct node *c = t ? node_copy(n, true) : NULL;
    node_free(n);
    if (!t)
        return err;
    if (!c)
        return -ENOMEM;
    struct tnode *ct = node_tnode(c);
    ct->base_gen = t->base_gen;
    ct->exists = ct->modified = true;
    node_table_replace(&v->tx->nodes, &t->n, c);
    node_free(&t->n);
    v->tx->changes++;
    return 0;
}

void view_delete(struct view *v, struct node *n)
{
    if (!v->tx) {
        /* view_get_mut already took the node off its owner's account. */
        struct node *p = store_parent(v->xsd, n);
        if (p)
            node_unlink_child(p, n);
        node_table_remove(&v->xsd->store, n);
        node_free(n);
        return;
    }
    struct tnode *t = node_tnode(n);
    free(t->children);
    t->children = NULL;
    t->children_cap = 0;
    n->children_len = 0;
    t->exists = false;
    t->modified = true;
    v->tx->changes++;
}

/* Puts m, a changed copy of *np, in its place. */
static void moved(struct view *v, struct node **np, struct node *m)
{
    if (m == *np)
        return;
    if (v->tx) {
        node_table_replace(&v->tx->nodes, *np, m);
        node_free(*np);
    } else {
        store_replace(v->xsd, *np, m);
    }
    *np = m;
}

int view_set_value(struct view *v, struct node **np, const void *data, uint32_t len)
{
    int err = 0;
    struct node *m = node_with_value(*np, data, len, &err);
    if (!m)
        return err;
    moved(v, np, m);
    return 0;
}

int view_set_perms(struct view *v, struct node **np, const struct xsd_perm *perms,
                   uint32_t nperms)
{
    int err = 0;
    struct node *m = node_with_perms(*np, perms, nperms, &err);
    if (!m)
        return err;
    moved(v, np, m);
    return 0;
}
