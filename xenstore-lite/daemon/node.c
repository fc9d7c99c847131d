#include "node.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(struct node) <= 72, "struct node grew: memory per node is measured");

uint32_t node_hash(const char *path)
{
    /* FNV-1a: short keys, good spread, no state. */
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

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

struct node *node_table_find(const struct node_table *t, const char *path, uint32_t hash)
{
    size_t mask = t->cap - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        struct node *n = t->slots[i];
        if (!n)
            return NULL;
        if (n->hash == hash && strcmp(n->path, path) == 0)
            return n;
    }
}

static void place(struct node **slots, size_t mask, struct node *n)
{
    size_t i = n->hash & mask;
    while (slots[i])
        i = (i + 1) & mask;
    slots[i] = n;
}

static int grow(struct node_table *t)
{
    size_t ncap = t->cap * 2;
    struct node **ns = calloc(ncap, sizeof(*ns));
    if (!ns)
        return -ENOMEM;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i])
            place(ns, ncap - 1, t->slots[i]);
    free(t->slots);
    t->slots = ns;
    t->cap = ncap;
    return 0;
}

int node_table_insert(struct node_table *t, struct node *n)
{
    /* Keep the load under 3/4 so probe runs stay short. */
    if ((t->count + 1) * 4 > t->cap * 3) {
        int rc = grow(t);
        if (rc)
            return rc;
    }
    place(t->slots, t->cap - 1, n);
    t->count++;
    return 0;
}

void node_table_remove(struct node_table *t, struct node *n)
{
    size_t mask = t->cap - 1;
    size_t i = n->hash & mask;

    while (t->slots[i] != n) {
        if (!t->slots[i])
            return;
        i = (i + 1) & mask;
    }
    /* Backward-shift deletion keeps every probe chain unbroken. */
    size_t hole = i;
    for (size_t j = (i + 1) & mask; t->slots[j]; j = (j + 1) & mask) {
        size_t home = t->slots[j]->hash & mask;
        bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
        if (movable) {
            t->slots[hole] = t->slots[j];
            hole = j;
        }
    }
    t->slots[hole] = NULL;
    t->count--;
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

struct node *node_new(const char *path, const struct xsd_perm *perms, uint32_t nperms,
                      const void *value, uint32_t value_len)
{
    /* One allocation for node, path and value: most nodes need no other. */
    size_t plen = strlen(path) + 1;
    struct node *n = calloc(1, sizeof(*n) + plen + value_len);
    if (!n)
        return NULL;
    n->path = (char *)(n + 1);
    memcpy(n->path, path, plen);
    n->inline_cap = value_len;
    if (value_len) {
        n->value = n->path + plen;
        memcpy(n->value, value, value_len);
        n->value_len = value_len;
    }
    if (node_set_perms(n, perms, nperms)) {
        node_free(n);
        return NULL;
    }
    n->hash = node_hash(path);
    return n;
}

struct node *node_clone(const struct node *src)
{
    struct node *n = node_new(src->path, src->perms, src->nperms, src->value, src->value_len);
    if (!n)
        return NULL;
    if (src->children_len) {
        n->children = malloc(src->children_len);
        if (!n->children)
            goto fail;
        memcpy(n->children, src->children, src->children_len);
        n->children_len = n->children_cap = src->children_len;
    }
    n->gen = src->gen;
    return n;
fail:
    node_free(n);
    return NULL;
}

void node_free_perms(struct node *n)
{
    if (n->perms != &n->perm1)
        free(n->perms);
    n->perms = NULL;
    n->nperms = 0;
}

void node_move_perms(struct node *dst, struct node *src)
{
    dst->nperms = src->nperms;
    if (src->perms == &src->perm1) {
        dst->perm1 = src->perm1;
        dst->perms = &dst->perm1;
    } else {
        dst->perms = src->perms;
    }
    src->perms = NULL;
    src->nperms = 0;
}

bool node_value_inline(const struct node *n)
{
    return n->inline_cap && n->value == (char *)(n + 1) + strlen(n->path) + 1;
}

void node_free(struct node *n)
{
    if (!n)
        return;
    if (!node_value_inline(n))
        free(n->value);
    if (n->path != (char *)(n + 1))
        free(n->path);
    free(n->children);
    node_free_perms(n);
    free(n);
}

int node_set_value(struct node *n, const void *data, uint32_t len)
{
    if (len && len <= n->inline_cap) {
        /* Back into (or still in) the node's own room. */
        char *room = (char *)(n + 1) + strlen(n->path) + 1;
        memmove(room, data, len);
        if (!node_value_inline(n))
            free(n->value);
        n->value = room;
        n->value_len = len;
        return 0;
    }
    char *v = NULL;
    if (len) {
        v = malloc(len);
        if (!v)
            return -ENOMEM;
        memcpy(v, data, len);
    }
    if (!node_value_inline(n))
        free(n->value);
    n->value = v;
    n->value_len = len;
    return 0;
}

int node_set_perms(struct node *n, const struct xsd_perm *perms, uint32_t nperms)
{
    struct xsd_perm *p = &n->perm1;
    if (nperms > 1) {
        p = malloc(sizeof(*p) * nperms);
        if (!p)
            return -ENOMEM;
    }
    memmove(p, perms, sizeof(*p) * nperms);
    if (n->perms && n->perms != &n->perm1)
        free(n->perms);
    n->perms = p;
    n->nperms = nperms;
    return 0;
}

int node_add_child(struct node *n, const char *name)
{
    size_t len = strlen(name) + 1;
    if (n->children_len + len > n->children_cap) {
        size_t cap = n->children_cap ? n->children_cap * 2 : 32;
        while (cap < n->children_len + len)
            cap *= 2;
        char *c = realloc(n->children, cap);
        if (!c)
            return -ENOMEM;
        n->children = c;
        n->children_cap = (uint32_t)cap;
    }
    memcpy(n->children + n->children_len, name, len);
    n->children_len += (uint32_t)len;
    return 0;
}

void node_remove_child(struct node *n, const char *name)
{
    size_t len = strlen(name) + 1;
    for (uint32_t off = 0; off < n->children_len;) {
        size_t clen = strlen(n->children + off) + 1;
        if (clen == len && memcmp(n->children + off, name, len) == 0) {
            memmove(n->children + off, n->children + off + clen,
                    n->children_len - off - clen);
            n->children_len -= (uint32_t)clen;
            return;
        }
        off += (uint32_t)clen;
    }
}

size_t node_memory(const struct node *n)
{
    return strlen(n->path) + n->value_len + n->children_len +
           n->nperms * sizeof(struct xsd_perm);
}
