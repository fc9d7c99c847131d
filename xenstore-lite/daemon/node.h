/*
 * One node of the store, a transaction's copy of one, and the hash table
 * that indexes nodes by path. The same table type holds the live store and
 * each transaction's private copies.
 *
 * A node is one allocation: a 36-byte header, then its permission list,
 * its path and its value (docs/xenstore-lite.md, "Node layout"). Live
 * nodes form a tree: a node points at its newest child and at its next
 * older sibling, so a child's name is not stored twice. A transaction's
 * copy (struct tnode) keeps its children's names in a list of its own.
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
 * Up to NODE_PACK_MAX permission entries whose domids fit in 30 bits are
 * kept as one uint32 each (domid << 2 | perm); other lists as struct
 * xsd_perm. Either way the list is what GET_PERMS gives back.
 */
#define NODE_PACK_MAX 8u
#define NODE_NPERMS_MAX 0x3fffu   /* more than a 4096-byte payload can name */

/* Flags in node.bits, above the count of permission entries. */
#define NODE_WIDE  0x4000u        /* permissions kept as struct xsd_perm */
#define NODE_TX    0x8000u        /* a transaction's copy (struct tnode) */

struct node {                     /* 36 bytes and the data: there are many */
    struct node *first_child;     /* live nodes: the newest child, or NULL */
    struct node *next_sibling;    /* live nodes: the next older sibling */
    uint64_t gen;                 /* store generation of the last change */
    uint32_t hash;                /* node_hash(path) */
    uint32_t children_len;        /* the children's names, nul-terminated, in bytes */
    uint16_t value_len;
    uint16_t bits;                /* permission entries | NODE_WIDE | NODE_TX */
    uint32_t data[];              /* permissions, path (nul-terminated), value */
};

/*
 * A transaction's record of one path: a node flagged NODE_TX with what the
 * transaction needs beside it. children holds each child's name
 * nul-terminated, in creation order, which is the order DIRECTORY reports.
 */
struct tnode {
    char *children;
    uint32_t children_cap;
    bool exists;                  /* the transaction's version exists (false: absent/deleted) */
    bool modified;
    uint64_t base_gen;            /* live generation when first touched, 0 if absent */
    struct node n;                /* last: its data follows */
};

struct node_table {
    struct node **slots;          /* open addressing, Robin Hood linear probing */
    size_t cap;                   /* power of two */
    size_t count;
};

uint32_t node_hash(const char *path);

int node_table_init(struct node_table *t, size_t cap);
void node_table_destroy(struct node_table *t);
struct node *node_table_find(const struct node_table *t, const char *path, uint32_t hash);
int node_table_insert(struct node_table *t, struct node *n);
void node_table_remove(struct node_table *t, struct node *n);
/* Puts new where old is (both of one path). */
void node_table_replace(struct node_table *t, const struct node *old, struct node *new);
/* Grows the table now so that extra more nodes go in without failing. */
int node_table_reserve(struct node_table *t, size_t extra);

/* Iterate: for (i = 0; (n = node_table_next(t, &i)); ) */
struct node *node_table_next(const struct node_table *t, size_t *pos);

/* A new live node with a copy of perms and of the value, no children. */
struct node *node_new(const char *path, const struct xsd_perm *perms, uint32_t nperms,
                      const void *value, uint32_t value_len);
/*
 * A copy of path, permissions, value, generation and children_len: a
 * transaction's copy (with the children's names, from src's list or its
 * tree) when tx, else a live node without children links. NULL on
 * allocation failure.
 */
struct node *node_copy(const struct node *src, bool tx);
/* Frees the node alone (a live node's children are not touched). */
void node_free(struct node *n);

static inline struct tnode *node_tnode(struct node *n)
{
    return (struct tnode *)((char *)n - offsetof(struct tnode, n));
}

static inline uint32_t node_nperms(const struct node *n)
{
    return n->bits & NODE_NPERMS_MAX;
}

const char *node_path(const struct node *n);
const char *node_value(const struct node *n);
/* Entry i (< node_nperms) of the permission list. */
struct xsd_perm node_perm(const struct node *n, uint32_t i);
/*
 * The permission list: in place when kept wide, else unpacked into buf,
 * which must hold NODE_PACK_MAX entries.
 */
const struct xsd_perm *node_perms(const struct node *n, struct xsd_perm *buf);

/*
 * The node with a new value or permission list: n itself, changed, when it
 * has room, else a new node (n unchanged: the caller puts the new one
 * where n was and frees n). NULL with *err set on failure.
 */
struct node *node_with_value(struct node *n, const void *data, uint32_t len, int *err);
struct node *node_with_perms(struct node *n, const struct xsd_perm *perms, uint32_t nperms,
                             int *err);

/* The last component of a live node's path (its name in its parent). */
const char *node_name(const struct node *n);
/*
 * The children's names in creation order, children_len bytes: a
 * transaction's list as it is, a live node's written into buf.
 */
const char *node_children(const struct node *n, char *buf);

/* Live tree: link a new child under p, or take child (one of p's) out. */
void node_link_child(struct node *p, struct node *child);
void node_unlink_child(struct node *p, const struct node *child);
/* Puts new in old's place among p's children. */
void node_relink_child(struct node *p, const struct node *old, struct node *new);

/* A transaction's copy: its list of children's names. */
int tnode_add_child(struct node *n, const char *name);
void tnode_remove_child(struct node *n, const char *name);

/* Bytes a node costs, as charged against its owner's memory quota. */
size_t node_memory(const struct node *n);

#endif
