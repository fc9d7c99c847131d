/*
 * One node of the store and the hash table that indexes nodes by path. The
 * same table type holds the live store and each transaction's private copies.
 */
#ifndef XSD_NODE_H
#define XSD_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Permission bits of one entry; the letters map n=0 r=1 w=2 b=3. */
#define XSD_PERM_NONE  0u
#define XSD_PERM_READ  1u
#define XSD_PERM_WRITE 2u
#define XSD_PERM_BOTH  3u

struct xsd_perm {
    uint32_t domid;
    uint32_t perm;
};

/*
 * perms[0] names the owner and the access of every domain not listed after
 * it. children holds each child's name nul-terminated, in creation order,
 * which is the order DIRECTORY reports.
 */
struct node {                 /* 72 bytes: keep it packed, there are many */
    char *path;           /* for live nodes, in the same allocation */
    uint32_t hash;
    uint32_t value_len;
    uint32_t children_len;
    uint32_t children_cap;
    uint32_t nperms;
    uint32_t inline_cap;  /* value bytes that fit in the node's own allocation */
    char *value;
    char *children;
    struct xsd_perm *perms;   /* &perm1 when there is one entry (most nodes) */
    struct xsd_perm perm1;
    uint64_t gen;         /* store generation of the last change */
};

struct node_table {
    struct node **slots;  /* open addressing, linear probing */
    size_t cap;           /* power of two */
    size_t count;
};

uint32_t node_hash(const char *path);

int node_table_init(struct node_table *t, size_t cap);
void node_table_destroy(struct node_table *t);
struct node *node_table_find(const struct node_table *t, const char *path, uint32_t hash);
int node_table_insert(struct node_table *t, struct node *n);
void node_table_remove(struct node_table *t, struct node *n);

/* Iterate: for (i = 0; (n = node_table_next(t, &i)); ) */
struct node *node_table_next(const struct node_table *t, size_t *pos);

/*
 * A new node with a copy of perms and of the value, no children. Path and
 * value share the node's allocation (values that later grow move out).
 */
struct node *node_new(const char *path, const struct xsd_perm *perms, uint32_t nperms,
                      const void *value, uint32_t value_len);
/* A deep copy, or NULL on allocation failure. */
struct node *node_clone(const struct node *n);
void node_free(struct node *n);
/* Whether the value lives in the node's own allocation. */
bool node_value_inline(const struct node *n);
/* Frees the permission list unless it is the inline one. */
void node_free_perms(struct node *n);
/* Moves src's permission list into dst (fixing the inline case). */
void node_move_perms(struct node *dst, struct node *src);

int node_set_value(struct node *n, const void *data, uint32_t len);
int node_set_perms(struct node *n, const struct xsd_perm *perms, uint32_t nperms);
int node_add_child(struct node *n, const char *name);
void node_remove_child(struct node *n, const char *name);

/* Bytes a node costs, as charged against its owner's memory quota. */
size_t node_memory(const struct node *n);

#endif
