/*
 * Reading and changing nodes either in the live store or inside a
 * transaction. Inside a transaction every node touched is remembered with
 * the generation it had, and changes go to private copies; the commit
 * (txn.c) checks those generations and publishes the copies.
 */
#ifndef XSD_ACCESS_H
#define XSD_ACCESS_H

#include "xsd.h"

struct view {
    struct xsd *xsd;
    struct txn *tx;        /* NULL: the live store */
    bool limit_tx_nodes;   /* apply the transaction-nodes quota */
};

/* A transaction's record of one path. */
struct tnode {
    struct node n;         /* path/hash always; the rest when exists */
    uint64_t base_gen;     /* live generation when first touched, 0 if absent */
    bool exists;           /* the transaction's version exists (false: absent/deleted) */
    bool modified;
};

/* The node at path or NULL with *err set (-ENOENT, -ENOSPC, -ENOMEM). */
struct node *view_get(struct view *v, const char *path, int *err);

/*
 * The node at path, ready to be changed. Every successful call must be
 * followed by view_changed() (it was changed) or view_unchanged().
 */
struct node *view_get_mut(struct view *v, const char *path, int *err);
void view_changed(struct view *v, struct node *n);
void view_unchanged(struct view *v, struct node *n);

/* Adds a new node (ownership passes to the view, even on failure). */
int view_insert(struct view *v, struct node *n);
/* Deletes this one node (not its children) as returned by view_get_mut. */
void view_delete(struct view *v, struct node *n);

void tnode_free(struct node *n);

#endif
