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

/* The node at path or NULL with *err set (-ENOENT, -ENOSPC, -ENOMEM). */
struct node *view_get(struct view *v, const char *path, int *err);

/*
 * The node at path, ready to be changed. Every successful call must be
 * followed by view_changed() (it was changed) or view_unchanged().
 */
struct node *view_get_mut(struct view *v, const char *path, int *err);
void view_changed(struct view *v, struct node *n);
void view_unchanged(struct view *v, struct node *n);

/*
 * Adds a new node n below its parent p (from view_get_mut, and this call
 * stands for its view_changed or view_unchanged). Ownership of n passes to
 * the view, even on failure.
 */
int view_insert_child(struct view *v, struct node *p, struct node *n);
/* Deletes this one node (not its children) as returned by view_get_mut. */
void view_delete(struct view *v, struct node *n);
/*
 * Changes the value or the permissions of *np (from view_get_mut), which
 * may move: *np is the node afterwards.
 */
int view_set_value(struct view *v, struct node **np, const void *data, uint32_t len);
int view_set_perms(struct view *v, struct node **np, const struct xsd_perm *perms,
                   uint32_t nperms);

/* The live node at the parent path of n's, or NULL for the root. */
struct node *store_parent(struct xsd *xsd, const struct node *n);
/* Puts m where old was in the live store (table and parent) and frees old. */
void store_replace(struct xsd *xsd, struct node *old, struct node *m);

#endif
