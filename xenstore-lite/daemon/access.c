#include "access.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct node *live_find(struct xsd *xsd, const char *path, uint32_t hash)
{
    return node_table_find(&xsd->store, path, hash);
}

void tnode_free(struct node *n)
{
    struct tnode *t = (struct tnode *)n;
    free(t->n.path);
    free(t->n.value);
    free(t->n.children);
    node_free_perms(&t->n);
    free(t);
}

/* Moves the contents of a fresh clone into the transaction's copy. */
static int take_contents(struct tnode *t, struct node *c)
{
    /* The clone's value may live inside the clone: give the copy its own. */
    if (node_value_inline(c) && c->value_len) {
        t->n.value = malloc(c->value_len);
        if (!t->n.value) {
            node_free(c);
            return -ENOMEM;
        }
        memcpy(t->n.value, c->value, c->value_len);
        t->n.value_len = c->value_len;
    } else {
        t->n.value = c->value;
        t->n.value_len = c->value_len;
        c->value = NULL;
    }
    t->n.children = c->children;
    t->n.children_len = c->children_len;
    t->n.children_cap = c->children_cap;
    node_move_perms(&t->n, c);
    t->n.gen = c->gen;
    c->children = NULL;
    node_free(c);
    return 0;
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
    struct tnode *t = (struct tnode *)node_table_find(&v->tx->nodes, path, hash);
    if (t)
        return t;
    if (v->limit_tx_nodes && v->tx->accessed >= v->xsd->quota.transaction_nodes) {
        *err = -ENOSPC;
        return NULL;
    }
    t = calloc(1, sizeof(*t));
    if (!t || !(t->n.path = strdup(path))) {
        free(t);
        *err = -ENOMEM;
        return NULL;
    }
    t->n.hash = hash;
    struct node *live = live_find(v->xsd, path, hash);
    t->base_gen = live ? live->gen : 0;
    if (live) {
        struct node *c = node_clone(live);
        if (!c || take_contents(t, c)) {
            tnode_free(&t->n);
            *err = -ENOMEM;
            return NULL;
        }
    }
    t->exists = live != NULL;
    if (node_table_insert(&v->tx->nodes, &t->n)) {
        tnode_free(&t->n);
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
    ((struct tnode *)n)->modified = true;
    v->tx->changes++;
}

void view_unchanged(struct view *v, struct node *n)
{
    if (!v->tx)
        domain_account(v->xsd, n, +1);
}

int view_insert(struct view *v, struct node *n)
{
    int err = 0;

    if (!v->tx) {
        n->gen = ++v->xsd->gen;
        if (node_table_insert(&v->xsd->store, n)) {
            node_free(n);
            return -ENOMEM;
        }
        domain_account(v->xsd, n, +1);
        return 0;
    }
    struct tnode *t = tx_entry(v, n->path, &err);
    if (!t) {
        node_free(n);
        return err;
    }
    free(t->n.value);
    free(t->n.children);
    node_free_perms(&t->n);
    t->n.value = t->n.children = NULL;
    t->n.value_len = t->n.children_len = t->n.children_cap = 0;
    if (take_contents(t, n))
        return -ENOMEM;
    t->exists = t->modified = true;
    v->tx->changes++;
    return 0;
}

void view_delete(struct view *v, struct node *n)
{
    if (!v->tx) {
        /* view_get_mut already took the node off its owner's account. */
        node_table_remove(&v->xsd->store, n);
        node_free(n);
        return;
    }
    struct tnode *t = (struct tnode *)n;
    free(t->n.value);
    free(t->n.children);
    node_free_perms(&t->n);
    t->n.value = t->n.children = NULL;
    t->n.value_len = t->n.children_len = t->n.children_cap = t->n.nperms = 0;
    t->exists = false;
    t->modified = true;
    v->tx->changes++;
}
