#include "ops.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "txn.h"
#include "watch.h"

static bool unprivileged(const struct op_ctx *ctx)
{
    return !ctx->c.privileged;
}

/* Tells watchers now, or when the transaction commits. */
static int announce(struct op_ctx *ctx, const char *path, bool recurse,
                    const struct xsd_perm *perms, uint32_t nperms)
{
    if (ctx->v.tx)
        return txn_add_event(ctx->v.tx, path, recurse, perms, nperms);
    watch_fire(ctx->v.xsd, path, recurse, perms, nperms);
    return 0;
}

static int check_access(struct op_ctx *ctx, const struct node *n, unsigned want)
{
    struct xsd_perm buf[NODE_PACK_MAX];
    return (perm_for(&ctx->c, node_perms(n, buf), node_nperms(n)) & want) == want ? 0 : -EACCES;
}

/* Announces a change of n with n's permissions. */
static int announce_node(struct op_ctx *ctx, const char *path, const struct node *n)
{
    struct xsd_perm buf[NODE_PACK_MAX];
    return announce(ctx, path, false, node_perms(n, buf), node_nperms(n));
}

int op_get_readable(struct op_ctx *ctx, const char *path, struct node **out)
{
    int err = 0;
    struct node *n = view_get(&ctx->v, path, &err);
    if (!n)
        return err;
    err = check_access(ctx, n, XSD_PERM_READ);
    if (err)
        return err;
    *out = n;
    return 0;
}

static int check_value_quota(struct op_ctx *ctx, const struct node *n, uint32_t len)
{
    if (!unprivileged(ctx))
        return 0;
    if (len > ctx->v.xsd->quota.node_size)
        return -ENOSPC;
    struct domain *d = domain_get(ctx->v.xsd, ctx->c.domid);
    long now = n ? (long)n->value_len : 0;
    if (d && d->memory + (long)len - now > (long)ctx->v.xsd->quota.memory)
        return -ENOMEM;
    return 0;
}

/*
 * Creates path and any missing parents. Parents inherit the permissions of
 * the nearest existing ancestor, which the caller must be able to write;
 * an unprivileged creator owns what it creates.
 */
static int create_path(struct op_ctx *ctx, const char *path, const void *data, uint32_t len)
{
    struct xsd *xsd = ctx->v.xsd;
    char buf[XENSTORE_ABS_PATH_MAX + 64];
    size_t plen = strlen(path), missing = 1, cut;
    struct node *anc = NULL;
    int err = 0;

    if (plen >= sizeof(buf))
        return -EINVAL;
    memcpy(buf, path, plen + 1);
    /* Walk up until an existing ancestor. */
    for (cut = path_parent_len(buf);; cut = path_parent_len(buf)) {
        buf[cut ? cut : 1] = '\0';
        anc = view_get(&ctx->v, buf, &err);
        if (anc)
            break;
        if (err != -ENOENT || cut == 0)
            return err;
        missing++;
    }
    err = check_access(ctx, anc, XSD_PERM_WRITE);
    if (err)
        return err;
    if (unprivileged(ctx)) {
        struct domain *d = domain_get_or_create(xsd, ctx->c.domid);
        if (d && d->nodes + (long)missing > (long)xsd->quota.nodes)
            return -ENOSPC;
        err = check_value_quota(ctx, NULL, len);
        if (err)
            return err;
    }

    struct xsd_perm perms[64];
    uint32_t nperms = node_nperms(anc);
    if (nperms > 64)
        return -ENOMEM;
    for (uint32_t i = 0; i < nperms; i++)
        perms[i] = node_perm(anc, i);
    if (unprivileged(ctx))
        perms[0].domid = ctx->c.domid;

    /* Create top-down: each new node is linked into its parent. */
    size_t pos = strlen(buf);
    while (pos < plen) {
        size_t end = pos + 1;
        if (pos == 1 && buf[0] == '/')
            end = 1;   /* the root's children start right after "/" */
        memcpy(buf, path, plen + 1);
        const char *next = strchr(path + end, '/');
        size_t upto = next ? (size_t)(next - path) : plen;
        buf[upto] = '\0';

        char parent[sizeof(buf)];
        size_t parlen = path_parent_len(buf);
        memcpy(parent, buf, parlen ? parlen : 1);
        parent[parlen ? parlen : 1] = '\0';

        struct node *p = view_get_mut(&ctx->v, parent, &err);
        if (!p)
            return err;
        bool last = upto == plen;
        struct node *n = node_new(buf, perms, nperms, last ? data : NULL, last ? len : 0);
        if (!n) {
            view_unchanged(&ctx->v, p);
            return -ENOMEM;
        }
        err = view_insert_child(&ctx->v, p, n);
        if (err)
            return err;
        pos = upto;
    }
    return announce(ctx, path, false, perms, nperms);
}

int op_write(struct op_ctx *ctx, const char *path, const void *data, uint32_t len)
{
    int err = 0;
    struct node *n = view_get_mut(&ctx->v, path, &err);

    if (!n) {
        if (err != -ENOENT)
            return err;
        return create_path(ctx, path, data, len);
    }
    err = check_access(ctx, n, XSD_PERM_WRITE);
    if (!err)
        err = check_value_quota(ctx, n, len);
    if (!err)
        err = view_set_value(&ctx->v, &n, data, len);
    if (err) {
        view_unchanged(&ctx->v, n);
        return err;
    }
    view_changed(&ctx->v, n);
    return announce_node(ctx, path, n);
}

int op_mkdir(struct op_ctx *ctx, const char *path)
{
    int err = 0;
    struct node *n = view_get(&ctx->v, path, &err);

    if (n)
        return 0;   /* already there: success, and nothing to announce */
    if (err != -ENOENT)
        return err;
    return create_path(ctx, path, NULL, 0);
}

/* Deletes n's subtree, children first. n came from view_get_mut. */
static int delete_tree(struct op_ctx *ctx, struct node *n)
{
    char child[XENSTORE_ABS_PATH_MAX + 64];
    const char *path = node_path(n);
    size_t plen = strlen(path);
    int err = 0;

    if (!ctx->v.tx) {
        /* The live tree links the children: no lookups, nothing can fail. */
        while (n->first_child) {
            domain_account(ctx->v.xsd, n->first_child, -1);   /* as view_get_mut */
            delete_tree(ctx, n->first_child);
        }
        view_delete(&ctx->v, n);
        return 0;
    }
    while (n->children_len) {
        const char *name = node_tnode(n)->children;
        size_t nlen = strlen(name);
        if (plen + 1 + nlen >= sizeof(child)) {
            tnode_remove_child(n, name);
            continue;
        }
        memcpy(child, path, plen);
        size_t off = plen;
        if (!(plen == 1 && path[0] == '/'))
            child[off++] = '/';
        memcpy(child + off, name, nlen + 1);
        struct node *c = view_get_mut(&ctx->v, child, &err);
        if (c) {
            err = delete_tree(ctx, c);
            if (err)
                return err;
        } else if (err != -ENOENT) {
            return err;
        }
        /* Child list entries are dropped as we go, so retries don't loop. */
        tnode_remove_child(n, path_basename(child));
    }
    view_delete(&ctx->v, n);
    return 0;
}

int op_rm(struct op_ctx *ctx, const char *path)
{
    int err = 0;

    if (strcmp(path, "/") == 0)
        return -EINVAL;
    struct node *n = view_get(&ctx->v, path, &err);
    if (!n) {
        if (err != -ENOENT)
            return err;
        /* Removing what is not there is fine if the parent exists. */
        char parent[XENSTORE_ABS_PATH_MAX + 64];
        size_t plen = path_parent_len(path);
        memcpy(parent, path, plen ? plen : 1);
        parent[plen ? plen : 1] = '\0';
        return view_get(&ctx->v, parent, &err) ? 0 : -ENOENT;
    }
    err = check_access(ctx, n, XSD_PERM_WRITE);
    if (err)
        return err;

    /* In a transaction, a subtree bigger than the quota fails cleanly. */
    struct xsd_perm perms[64];
    uint32_t nperms = node_nperms(n) < 64 ? node_nperms(n) : 64;
    for (uint32_t i = 0; i < nperms; i++)
        perms[i] = node_perm(n, i);

    char parent[XENSTORE_ABS_PATH_MAX + 64];
    size_t plen = path_parent_len(path);
    memcpy(parent, path, plen ? plen : 1);
    parent[plen ? plen : 1] = '\0';
    struct node *p = view_get_mut(&ctx->v, parent, &err);
    if (!p)
        return err;
    n = view_get_mut(&ctx->v, path, &err);
    if (!n) {
        view_unchanged(&ctx->v, p);
        return err;
    }
    err = delete_tree(ctx, n);
    if (err) {
        view_unchanged(&ctx->v, p);
        return err;
    }
    /* A live delete took n out of p's children already. */
    if (ctx->v.tx)
        tnode_remove_child(p, path_basename(path));
    view_changed(&ctx->v, p);
    return announce(ctx, path, true, perms, nperms);
}

int op_set_perms(struct op_ctx *ctx, const char *path,
                 const struct xsd_perm *perms, uint32_t nperms)
{
    int err = 0;

    if (nperms == 0)
        return -EINVAL;
    if (unprivileged(ctx) && nperms > ctx->v.xsd->quota.permissions + 1)
        return -ENOSPC;
    struct node *n = view_get_mut(&ctx->v, path, &err);
    if (!n)
        return err;
    err = check_access(ctx, n, XSD_PERM_WRITE);
    /* An unprivileged domain may not give its nodes away. */
    if (!err && unprivileged(ctx) && perms[0].domid != node_perm(n, 0).domid)
        err = -EPERM;
    if (!err)
        err = view_set_perms(&ctx->v, &n, perms, nperms);
    if (err) {
        view_unchanged(&ctx->v, n);
        return err;
    }
    view_changed(&ctx->v, n);
    return announce_node(ctx, path, n);
}
