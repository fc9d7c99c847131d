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

void watch_fire(struct xsd *xsd, const char *path, bool recurse,
                const struct xsd_perm *perms, uint32_t nperms)
{
    bool special = path[0] == '@';

    for (struct watch *w = xsd->watches; w; w = w->all_next) {
        if (special) {
            if (strcmp(w->path, path) == 0 && may_see(w, perms, nperms))
                watch_send_event(w, path);
            continue;
        }
        if (w->path[0] == '@')
            continue;
        if (path_is_child(path, w->path)) {
            if (may_see(w, perms, nperms))
                watch_send_event(w, path);
        } else if (recurse && path_is_child(w->path, path)) {
            if (may_see(w, perms, nperms))
                watch_send_event(w, w->path);
        }
    }
}
