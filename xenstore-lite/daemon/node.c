#include "node.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#define NODE_HEAD offsetof(struct node, data)

_Static_assert(offsetof(struct node, data) == 36, "node header grew: memory per node is measured");
_Static_assert(offsetof(struct node, data) % 4 == 0, "permissions must stay aligned");

uint32_t node_hash(const char *path)
{
    /* FNV-1a: short keys, good spread, no state. */
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

/* ---- the table: Robin Hood linear probing, up to 9/10 full ---- */

int node_table_init(struct node_table *t, size_t cap)
{
    size_t c = 16;
    while (c < cap)
        c <<= 1;
    t->slots = calloc(c, sizeof(*t->slots));
    if (!t->slots)
        return -ENOMEM;
    t->cap = c;
    t->count = 0;
    return 0;
}

void node_table_destroy(struct node_table *t)
{
    free(t->slots);
    t->slots = NULL;
    t->cap = t->count = 0;
}

/* How far slot i is from where the node in it hashes to. */
static size_t distance(const struct node_table *t, size_t i)
{
    return (i - (t->slots[i]->hash & (t->cap - 1))) & (t->cap - 1);
}

struct node *node_table_find(const struct node_table *t, const char *path, uint32_t hash)
{
    size_t mask = t->cap - 1;
    for (size_t i = hash & mask, d = 0;; i = (i + 1) & mask, d++) {
        struct node *n = t->slots[i];
        /*
         * Every node placed before its home's probe run reaches this far
         * is nearer its own home: once one is, path is not in the table.
         */
        if (!n || distance(t, i) < d)
            return NULL;
        if (n->hash == hash && strcmp(node_path(n), path) == 0)
            return n;
    }
}

static void place(struct node_table *t, struct node *n)
{
    size_t mask = t->cap - 1;
    for (size_t i = n->hash & mask, d = 0;; i = (i + 1) & mask, d++) {
        if (!t->slots[i]) {
            t->slots[i] = n;
            return;
        }
        /* The richer (nearer its home) gives its slot to the poorer. */
        size_t theirs = distance(t, i);
        if (theirs < d) {
            struct node *o = t->slots[i];
            t->slots[i] = n;
            n = o;
            d = theirs;
        }
    }
}

static bool too_full(size_t count, size_t cap)
{
    return count * 10 > cap * 9;
}

static int grow_to(struct node_table *t, size_t ncap)
{
    struct node_table bigger = { .slots = calloc(ncap, sizeof(struct node *)), .cap = ncap };
    if (!bigger.slots)
        return -ENOMEM;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i])
            place(&bigger, t->slots[i]);
    bigger.count = t->count;
    free(t->slots);
    *t = bigger;
    return 0;
}

int node_table_reserve(struct node_table *t, size_t extra)
{
    size_t ncap = t->cap;
    while (too_full(t->count + extra, ncap))
        ncap *= 2;
    return ncap == t->cap ? 0 : grow_to(t, ncap);
}

int node_table_insert(struct node_table *t, struct node *n)
{
    int rc = node_table_reserve(t, 1);
    if (rc)
        return rc;
    place(t, n);
    t->count++;
    return 0;
}

static size_t slot_of(const struct node_table *t, const struct node *n)
{
    size_t mask = t->cap - 1;
    size_t i = n->hash & mask;
    while (t->slots[i] != n) {
        if (!t->slots[i])
            return t->cap;
        i = (i + 1) & mask;
    }
    return i;
}

void node_table_remove(struct node_table *t, struct node *n)
{
    size_t mask = t->cap - 1;
    size_t i = slot_of(t, n);
    if (i == t->cap)
        return;
    /* Backward shift: the run after the hole moves one nearer home. */
    for (size_t j = (i + 1) & mask; t->slots[j] && distance(t, j) > 0; j = (j + 1) & mask) {
        t->slots[i] = t->slots[j];
        i = j;
    }
    t->slots[i] = NULL;
    t->count--;
}

void node_table_replace(struct node_table *t, const struct node *old, struct node *new)
{
    size_t i = slot_of(t, old);
    if (i < t->cap)
        t->slots[i] = new;
}

struct node *node_table_next(const struct node_table *t, size_t *pos)
{
    while (*pos < t->cap) {
        struct node *n = t->slots[(*pos)++];
        if (n)
            return n;
    }
    return NULL;
}

/* ---- one node ---- */

static bool packable(const struct xsd_perm *perms, uint32_t nperms)
{
    if (nperms > NODE_PACK_MAX)
        return false;
    for (uint32_t i = 0; i < nperms; i++)
        if (perms[i].domid >= (1u << 30) || perms[i].perm > 3)
            return false;
    return true;
}

static size_t perms_bytes(const struct node *n)
{
    return node_nperms(n) * (n->bits & NODE_WIDE ? sizeof(struct xsd_perm) : sizeof(uint32_t));
}

const char *node_path(const struct node *n)
{
    return (const char *)n->data + perms_bytes(n);
}

const char *node_value(const struct node *n)
{
    const char *path = node_path(n);
    return path + strlen(path) + 1;
}

struct xsd_perm node_perm(const struct node *n, uint32_t i)
{
    if (n->bits & NODE_WIDE)
        return ((const struct xsd_perm *)n->data)[i];
    return (struct xsd_perm){ .domid = n->data[i] >> 2, .perm = n->data[i] & 3 };
}

const struct xsd_perm *node_perms(const struct node *n, struct xsd_perm *buf)
{
    if (n->bits & NODE_WIDE)
        return (const struct xsd_perm *)n->data;
    for (uint32_t i = 0; i < node_nperms(n); i++)
        buf[i] = node_perm(n, i);
    return buf;
}

static size_t wanted(bool wide, uint32_t nperms, size_t path_len, uint32_t value_len)
{
    return NODE_HEAD + nperms * (wide ? sizeof(struct xsd_perm) : sizeof(uint32_t)) +
           path_len + 1 + value_len;
}

/* Room for a node of size bytes (zeroed header), plain or a transaction's. */
static struct node *node_alloc(bool tx, size_t size)
{
    if (!tx)
        return calloc(1, size);
    struct tnode *t = calloc(1, offsetof(struct tnode, n) + size);
    if (!t)
        return NULL;
    t->n.bits = NODE_TX;
    return &t->n;
}

/* The bytes of n's allocation that its data may use. */
static size_t room(const struct node *n)
{
    if (n->bits & NODE_TX) {
        struct tnode *t = node_tnode((struct node *)n);
        return malloc_usable_size(t) - offsetof(struct tnode, n);
    }
    return malloc_usable_size((void *)n);
}

/* Writes perms, path and value into a new node's data, which has room. */
static void fill(struct node *n, const struct xsd_perm *perms, uint32_t nperms,
                 const char *path, size_t path_len, const void *value, uint32_t value_len)
{
    bool wide = !packable(perms, nperms);
    char *p = (char *)n->data;
    if (wide) {
        memcpy(p, perms, nperms * sizeof(*perms));
        p += nperms * sizeof(*perms);
    } else {
        for (uint32_t i = 0; i < nperms; i++)
            n->data[i] = perms[i].domid << 2 | perms[i].perm;
        p += nperms * sizeof(uint32_t);
    }
    memcpy(p, path, path_len + 1);
    if (value_len)
        memcpy(p + path_len + 1, value, value_len);
    n->bits = (uint16_t)((n->bits & NODE_TX) | (wide ? NODE_WIDE : 0) | nperms);
    n->value_len = (uint16_t)value_len;
}

/*
 * n with these perms and value: in place when the layout stays (the same
 * number of entries kept the same way, the value n's own), else a new
 * node of n's kind with n's header.
 */
static struct node *rebuilt(struct node *n, const struct xsd_perm *perms, uint32_t nperms,
                            const void *value, uint32_t value_len, int *err)
{
    if (nperms > NODE_NPERMS_MAX || value_len > UINT16_MAX) {
        *err = -E2BIG;
        return NULL;
    }
    bool wide = !packable(perms, nperms);
    const char *path = node_path(n);
    size_t path_len = strlen(path);
    if (wide == !!(n->bits & NODE_WIDE) && nperms == node_nperms(n) &&
        value == node_value(n) && value_len == n->value_len) {
        if (wide)
            memmove(n->data, perms, nperms * sizeof(*perms));
        else
            for (uint32_t i = 0; i < nperms; i++)
                n->data[i] = perms[i].domid << 2 | perms[i].perm;
        return n;
    }
    struct node *m = node_alloc(n->bits & NODE_TX, wanted(wide, nperms, path_len, value_len));
    if (!m) {
        *err = -ENOMEM;
        return NULL;
    }
    m->first_child = n->first_child;
    m->next_sibling = n->next_sibling;
    m->gen = n->gen;
    m->hash = n->hash;
    m->children_len = n->children_len;
    fill(m, perms, nperms, path, path_len, value, value_len);
    if (n->bits & NODE_TX) {
        /* The transaction's record moves with it. */
        struct tnode *from = node_tnode(n), *to = node_tnode(m);
        to->children = from->children;
        to->children_cap = from->children_cap;
        to->exists = from->exists;
        to->modified = from->modified;
        to->base_gen = from->base_gen;
        from->children = NULL;
        from->children_cap = 0;
    }
    return m;
}

struct node *node_new(const char *path, const struct xsd_perm *perms, uint32_t nperms,
                      const void *value, uint32_t value_len)
{
    size_t path_len = strlen(path);
    if (nperms > NODE_NPERMS_MAX || value_len > UINT16_MAX)
        return NULL;
    struct node *n = node_alloc(false, wanted(!packable(perms, nperms), nperms, path_len, value_len));
    if (!n)
        return NULL;
    fill(n, perms, nperms, path, path_len, value, value_len);
    n->hash = node_hash(path);
    return n;
}

struct node *node_copy(const struct node *src, bool tx)
{
    const char *path = node_path(src);
    size_t path_len = strlen(path);
    uint32_t nperms = node_nperms(src);
    struct xsd_perm pbuf[NODE_PACK_MAX];
    const struct xsd_perm *perms = node_perms(src, pbuf);
    struct node *n = node_alloc(tx, wanted(!packable(perms, nperms), nperms, path_len, src->value_len));
    if (!n)
        return NULL;
    fill(n, perms, nperms, path, path_len, node_value(src), src->value_len);
    n->hash = src->hash;
    n->gen = src->gen;
    n->children_len = src->children_len;
    if (tx && src->children_len) {
        struct tnode *t = node_tnode(n);
        t->children = malloc(src->children_len);
        if (!t->children) {
            n->children_len = 0;
            node_free(n);
            return NULL;
        }
        t->children_cap = src->children_len;
        if (src->bits & NODE_TX)
            memcpy(t->children, node_tnode((struct node *)src)->children, src->children_len);
        else
            node_children(src, t->children);
    }
    return n;
}

void node_free(struct node *n)
{
    if (!n)
        return;
    if (n->bits & NODE_TX) {
        struct tnode *t = node_tnode(n);
        free(t->children);
        free(t);
        return;
    }
    free(n);
}

struct node *node_with_value(struct node *n, const void *data, uint32_t len, int *err)
{
    if (len > UINT16_MAX) {
        *err = -E2BIG;
        return NULL;
    }
    const char *path = node_path(n);
    size_t at = (size_t)(path - (const char *)n) + strlen(path) + 1;
    if (at + len <= room(n)) {
        /* The value is last: it changes in place. */
        memmove((char *)n + at, data, len);
        n->value_len = (uint16_t)len;
        return n;
    }
    struct xsd_perm pbuf[NODE_PACK_MAX];
    return rebuilt(n, node_perms(n, pbuf), node_nperms(n), data, len, err);
}

struct node *node_with_perms(struct node *n, const struct xsd_perm *perms, uint32_t nperms,
                             int *err)
{
    return rebuilt(n, perms, nperms, node_value(n), n->value_len, err);
}

/* ---- children ---- */

/* The last component of path, of length path_len, and its length. */
static const char *last_name(const char *path, size_t path_len, size_t *len)
{
    const char *slash = memrchr(path, '/', path_len);
    if (!slash || path_len == 1) {
        *len = path_len;
        return path;
    }
    *len = path_len - (size_t)(slash + 1 - path);
    return slash + 1;
}

const char *node_name(const struct node *n)
{
    const char *path = node_path(n);
    size_t len;
    return last_name(path, strlen(path), &len);
}

const char *node_children(const struct node *n, char *buf)
{
    if (n->bits & NODE_TX)
        return node_tnode((struct node *)n)->children;
    /*
     * The list runs newest first: fill buf from its end. A child's name is
     * its path after the parent's and a slash (none after the root's).
     */
    size_t skip = strlen(node_path(n));
    skip += skip > 1;
    size_t end = n->children_len;
    for (const struct node *c = n->first_child; c && end; c = c->next_sibling) {
        const char *name = node_path(c) + skip;
        size_t len = strlen(name);
        if (len + 1 > end)
            break;
        end -= len + 1;
        memcpy(buf + end, name, len + 1);
    }
    return buf;
}

void node_link_child(struct node *p, struct node *child)
{
    child->next_sibling = p->first_child;
    p->first_child = child;
    p->children_len += (uint32_t)strlen(node_name(child)) + 1;
}

void node_unlink_child(struct node *p, const struct node *child)
{
    for (struct node **pp = &p->first_child; *pp; pp = &(*pp)->next_sibling)
        if (*pp == child) {
            *pp = child->next_sibling;
            p->children_len -= (uint32_t)strlen(node_name(child)) + 1;
            return;
        }
}

void node_relink_child(struct node *p, const struct node *old, struct node *new)
{
    for (struct node **pp = &p->first_child; *pp; pp = &(*pp)->next_sibling)
        if (*pp == old) {
            *pp = new;
            new->next_sibling = old->next_sibling;
            return;
        }
}

int tnode_add_child(struct node *n, const char *name)
{
    struct tnode *t = node_tnode(n);
    size_t len = strlen(name) + 1;
    if (n->children_len + len > t->children_cap) {
        size_t cap = t->children_cap ? (size_t)t->children_cap * 2 : 32;
        while (cap < n->children_len + len)
            cap *= 2;
        char *c = realloc(t->children, cap);
        if (!c)
            return -ENOMEM;
        t->children = c;
        t->children_cap = (uint32_t)cap;
    }
    memcpy(t->children + n->children_len, name, len);
    n->children_len += (uint32_t)len;
    return 0;
}

void tnode_remove_child(struct node *n, const char *name)
{
    char *children = node_tnode(n)->children;
    size_t len = strlen(name) + 1;
    for (uint32_t off = 0; off < n->children_len;) {
        size_t clen = strlen(children + off) + 1;
        if (clen == len && memcmp(children + off, name, len) == 0) {
            memmove(children + off, children + off + clen, n->children_len - off - clen);
            n->children_len -= (uint32_t)clen;
            return;
        }
        off += (uint32_t)clen;
    }
}

size_t node_memory(const struct node *n)
{
    return strlen(node_path(n)) + n->value_len + n->children_len +
           node_nperms(n) * sizeof(struct xsd_perm);
}
