#include "watch.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "path.h"
#include "perms.h"

int watch_add(struct xsd_conn *conn, const char *path, const char *token, bool relative)
{
    for (struct watch *w = conn->watches; w; w = w->conn_next)
        if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0)
            return -EEXIST;

    struct domain *d = domain_get_or_create(conn->xsd, conn->domid);
    if (!conn->privileged && d && d->watches >= conn->xsd->quota.watches)
        return -E2BIG;

    struct watch *w = calloc(1, sizeof(*w));
    if (!w)
        return -ENOMEM;
    w->path = strdup(path);
    w->token = strdup(token);
    if (!w->path || !w->token) {
        free(w->path);
        free(w->token);
        free(w);
        return -ENOMEM;
    }
    w->conn = conn;
    w->relative = relative;
    w->seq = ++conn->xsd->watch_seq;
    w->hash = node_hash(path);
    struct watch **bucket = &conn->xsd->watch_index[w->hash % XSD_WATCH_BUCKETS];
    w->hash_next = *bucket;
    if (*bucket)
        (*bucket)->hash_pprev = &w->hash_next;
    w->hash_pprev = bucket;
    *bucket = w;
    w->conn_next = conn->watches;
    conn->watches = w;
    conn->nwatches++;

    struct xsd *xsd = conn->xsd;
    w->all_next = NULL;
    w->all_pprev = xsd->watches_tail ? &xsd->watches_tail->all_next : &xsd->watches;
    *w->all_pprev = w;
    xsd->watches_tail = w;
    xsd->nwatches++;
    if (d)
        d->watches++;
    return 0;
}

static void watch_unlink(struct watch *w)
{
    struct xsd *xsd = w->conn->xsd;
    struct domain *d = domain_get(xsd, w->conn->domid);

    if (xsd->watches_tail == w)
        xsd->watches_tail = w->all_pprev == &xsd->watches ? NULL :
            (struct watch *)((char *)w->all_pprev - offsetof(struct watch, all_next));
    *w->all_pprev = w->all_next;
    if (w->all_next)
        w->all_next->all_pprev = w->all_pprev;
    *w->hash_pprev = w->hash_next;
    if (w->hash_next)
        w->hash_next->hash_pprev = w->hash_pprev;
    xsd->nwatches--;
    if (d && d->watches)
        d->watches--;
    w->conn->nwatches--;
    free(w->path);
    free(w->token);
    free(w);
}

int watch_remove(struct xsd_conn *conn, const char *path, const char *token)
{
    for (struct watch **pp = &conn->watches; *pp; pp = &(*pp)->conn_next) {
        struct watch *w = *pp;
        if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0) {
            *pp = w->conn_next;
            watch_unlink(w);
            return 0;
        }
    }
    return -ENOENT;
}

void watch_remove_all(struct xsd_conn *conn)
{
    while (conn->watches) {
        struct watch *w = conn->watches;
        conn->watches = w->conn_next;
        watch_unlink(w);
    }
}

void watch_send_event(struct watch *w, const char *path)
{
    const char *shown = w->relative ? path_relative_to_domain(path, w->conn->domid) : path;
    size_t plen = strlen(shown) + 1, tlen = strlen(w->token) + 1;
    char buf[XENSTORE_PAYLOAD_MAX];

    if (plen + tlen > sizeof(buf))
        return;
    memcpy(buf, shown, plen);
    memcpy(buf + plen, w->token, tlen);
    struct xsd_sockmsg hdr = { .type = XS_WATCH_EVENT, .len = (uint32_t)(plen + tlen) };
    conn_queue_event(w->conn, &hdr, buf);
}

static bool may_see(struct watch *w, const struct xsd_perm *perms, uint32_t nperms)
{
    if (w->conn->privileged || !perms || !nperms)
        return true;
    struct caller c = { w->conn->xsd, w->conn->domid, false };
    return perm_for(&c, perms, nperms) & XSD_PERM_READ;
}

/* Watches that match one change, to be told in registration order. */
struct match {
    struct watch *w;
    const char *path;         /* the path the event names */
};

struct match_list {
    struct match *m;
    size_t n, cap;
    struct match small[32];
};

static void add_match(struct match_list *l, struct watch *w, const char *path)
{
    if (l->n == l->cap) {
        size_t cap = l->cap * 2;
        struct match *m = l->m == l->small ? malloc(cap * sizeof(*m)) : realloc(l->m, cap * sizeof(*m));
        if (!m)
            return;   /* out of memory: the event is lost, the daemon lives */
        if (l->m == l->small)
            memcpy(m, l->small, sizeof(l->small));
        l->m = m;
        l->cap = cap;
    }
    l->m[l->n++] = (struct match){ w, path };
}

static int by_seq(const void *a, const void *b)
{
    uint64_t x = ((const struct match *)a)->w->seq, y = ((const struct match *)b)->w->seq;
    return x < y ? -1 : x > y;
}

/* Watches registered on exactly the first len bytes of path. */
static void match_exact(struct xsd *xsd, const char *path, size_t len, uint32_t hash,
                        const char *event_path, struct match_list *l)
{
    for (struct watch *w = xsd->watch_index[hash % XSD_WATCH_BUCKETS]; w; w = w->hash_next)
        if (w->hash == hash && strncmp(w->path, path, len) == 0 && w->path[len] == '\0')
            add_match(l, w, event_path);
}

void watch_fire(struct xsd *xsd, const char *path, bool recurse,
                const struct xsd_perm *perms, uint32_t nperms)
{
    struct match_list l = { .m = NULL, .n = 0, .cap = 32 };
    l.m = l.small;

    if (path[0] == '@') {
        match_exact(xsd, path, strlen(path), node_hash(path), path, &l);
    } else {
        /* FNV-1a runs left to right: each prefix's hash comes on the way. */
        uint32_t h = 2166136261u;
        size_t i;
        for (i = 0; path[i]; i++) {
            if (i == 1 || (i > 1 && path[i] == '/'))
                match_exact(xsd, path, i, h, path, &l);
            h = (h ^ (unsigned char)path[i]) * 16777619u;
        }
        match_exact(xsd, path, i, h, path, &l);
        if (recurse) {
            /* Removals are rare: the watches below path are found by a scan. */
            for (struct watch *w = xsd->watches; w; w = w->all_next)
                if (w->path[0] != '@' && strcmp(w->path, path) != 0 && path_is_child(w->path, path))
                    add_match(&l, w, w->path);
        }
    }
    if (l.n > 1)
        qsort(l.m, l.n, sizeof(*l.m), by_seq);
    for (size_t k = 0; k < l.n; k++)
        if (may_see(l.m[k].w, perms, nperms))
            watch_send_event(l.m[k].w, l.m[k].path);
    if (l.m != l.small)
        free(l.m);
}
