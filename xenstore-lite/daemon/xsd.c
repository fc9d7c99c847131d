#include "xsd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"

void xsd_quota_defaults(struct xsd_quota *q)
{
    q->nodes = 1000;
    q->watches = 128;
    q->transactions = 10;
    q->outstanding = 20;
    q->transaction_nodes = 1024;
    q->memory = 2 * 1024 * 1024 + 512 * 1024;
    q->memory_soft = 2 * 1024 * 1024;
    q->node_size = 2048;
    q->path_max = XENSTORE_REL_PATH_MAX;
    q->permissions = 5;
}

/* The tree a fresh daemon starts with (as Xen's does), owned by dom0. */
static const char *const initial_nodes[] = { "/", "/tool", "/tool/xenstored" };

int xsd_init(struct xsd *xsd)
{
    static const struct xsd_perm root_perm = { 0, XSD_PERM_NONE };

    memset(xsd, 0, sizeof(*xsd));
    xsd_quota_defaults(&xsd->quota);
    if (node_table_init(&xsd->store, 1024))
        return -ENOMEM;
    if (!domain_get_or_create(xsd, 0))
        goto fail;
    for (int i = 0; i < 2; i++) {
        xsd->special_perms[i][0] = root_perm;
        xsd->special_nperms[i] = 1;
    }
    xsd->domains[0]->introduced = true;
    for (size_t i = 0; i < sizeof(initial_nodes) / sizeof(initial_nodes[0]); i++) {
        const char *path = initial_nodes[i];
        struct node *n = node_new(path, &root_perm, 1, NULL, 0);
        if (!n)
            goto fail;
        n->gen = ++xsd->gen;
        if (node_table_insert(&xsd->store, n)) {
            node_free(n);
            goto fail;
        }
        domain_account(xsd, n, +1);
        if (i > 0) {
            char parent[64];
            size_t plen = path_parent_len(path);
            memcpy(parent, path, plen);
            parent[plen] = '\0';
            struct node *p = node_table_find(&xsd->store, parent, node_hash(parent));
            domain_account(xsd, p, -1);
            node_link_child(p, n);
            domain_account(xsd, p, +1);
        }
    }
    return 0;
fail:
    xsd_destroy(xsd);
    return -ENOMEM;
}

void xsd_destroy(struct xsd *xsd)
{
    while (xsd->conns) {
        struct xsd_conn *c = xsd->conns;
        if (c->ops && c->ops->destroy)
            c->ops->destroy(c);
        else
            xsd_conn_free(c);
    }
    size_t pos = 0;
    struct node *n;
    while (xsd->store.slots && (n = node_table_next(&xsd->store, &pos)))
        node_free(n);
    node_table_destroy(&xsd->store);
    for (unsigned i = 0; i < XSD_MAX_DOMID; i++) {
        free(xsd->domains[i]);
        xsd->domains[i] = NULL;
    }
}

int xsd_special_index(const char *name)
{
    if (strcmp(name, XS_PATH_INTRODUCE_DOMAIN) == 0)
        return 0;
    if (strcmp(name, XS_PATH_RELEASE_DOMAIN) == 0)
        return 1;
    return -1;
}

struct domain *domain_get(struct xsd *xsd, unsigned domid)
{
    return domid < XSD_MAX_DOMID ? xsd->domains[domid] : NULL;
}

struct domain *domain_get_or_create(struct xsd *xsd, unsigned domid)
{
    if (domid >= XSD_MAX_DOMID)
        return NULL;
    if (!xsd->domains[domid]) {
        struct domain *d = calloc(1, sizeof(*d));
        if (!d)
            return NULL;
        d->domid = domid;
        xsd->domains[domid] = d;
    }
    return xsd->domains[domid];
}

void domain_account(struct xsd *xsd, const struct node *n, int sign)
{
    struct domain *d = domain_get_or_create(xsd, node_perm(n, 0).domid);
    if (!d)
        return;
    d->nodes += sign;
    d->memory += sign * (long)node_memory(n);
}

void xsd_logf(struct xsd *xsd, const char *fmt, ...)
{
    if (!xsd->log_enabled || !xsd->log)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    xsd->log(buf);
}
