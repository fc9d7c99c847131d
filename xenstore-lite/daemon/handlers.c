/*
 * The message dispatcher and the handlers of the store, watch and
 * transaction operations. One table, indexed by message type, names each
 * operation and says who may use it.
 */
#include "request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "path.h"
#include "txn.h"
#include "watch.h"

#define PATH_BUF (XENSTORE_ABS_PATH_MAX + 64)

static int handle_read(struct request *r)
{
    const char *name = request_single_string(r);
    char path[PATH_BUF];
    struct node *n;
    int err;

    if (!name)
        return -EINVAL;
    if ((err = request_path(r, name, false, path, sizeof(path))))
        return err;
    if ((err = op_get_readable(&r->ctx, path, &n)))
        return err;
    return reply_data(r, node_value(n), n->value_len);
}

static int handle_write(struct request *r)
{
    char path[PATH_BUF];
    size_t nlen = strnlen(r->body, r->len);
    int err;

    if (nlen == r->len)
        return -EINVAL;   /* no nul after the path */
    if ((err = request_path(r, r->body, false, path, sizeof(path))))
        return err;
    uint32_t off = (uint32_t)nlen + 1;
    if ((err = op_write(&r->ctx, path, r->body + off, r->len - off)))
        return err;
    return reply_ok(r);
}

/* MKDIR and RM: one path in, "OK" out. */
static int handle_path_only(struct request *r, int (*op)(struct op_ctx *, const char *))
{
    const char *name = request_single_string(r);
    char path[PATH_BUF];
    int err;

    if (!name)
        return -EINVAL;
    if ((err = request_path(r, name, false, path, sizeof(path))))
        return err;
    if ((err = op(&r->ctx, path)))
        return err;
    return reply_ok(r);
}

static int handle_mkdir(struct request *r)
{
    return handle_path_only(r, op_mkdir);
}

static int handle_rm(struct request *r)
{
    return handle_path_only(r, op_rm);
}

static int handle_directory(struct request *r)
{
    const char *name = request_single_string(r);
    char path[PATH_BUF];
    struct node *n;
    int err;

    if (!name)
        return -EINVAL;
    if ((err = request_path(r, name, false, path, sizeof(path))))
        return err;
    if ((err = op_get_readable(&r->ctx, path, &n)))
        return err;
    if (n->children_len > XENSTORE_PAYLOAD_MAX)
        return -E2BIG;   /* the client falls back to DIRECTORY_PART */
    char names[XENSTORE_PAYLOAD_MAX];
    return reply_data(r, node_children(n, names), n->children_len);
}

static int handle_directory_part(struct request *r)
{
    const char *args[2];
    char path[PATH_BUF], out[XENSTORE_PAYLOAD_MAX + 1];
    struct node *n;
    int err;

    if (request_strings(r, args, 2))
        return -EINVAL;
    if ((err = request_path(r, args[0], false, path, sizeof(path))))
        return err;
    char *end;
    unsigned long off = strtoul(args[1], &end, 10);
    if (*args[1] == '\0' || *end)
        return -EINVAL;
    if ((err = op_get_readable(&r->ctx, path, &n)))
        return err;

    /* A live node's list is made for the occasion. */
    char *names = NULL;
    const char *children = "";
    if (n->children_len) {
        if (!(names = malloc(n->children_len)))
            return -ENOMEM;
        children = node_children(n, names);
    }

    /* Reply: generation, then whole child names from off; an empty name ends the list. */
    int genlen = snprintf(out, sizeof(out), "%llu", (unsigned long long)n->gen) + 1;
    size_t max = XENSTORE_PAYLOAD_MAX - (size_t)genlen - 1, len = 0;
    if (off < n->children_len) {
        while (off + len < n->children_len) {
            size_t clen = strlen(children + off + len) + 1;
            if (len + clen > max)
                break;
            len += clen;
        }
        memcpy(out + genlen, children + off, len);
    } else {
        off = n->children_len;
    }
    size_t total = (size_t)genlen + len;
    if (off + len == n->children_len)
        out[total++] = '\0';
    free(names);
    return reply_data(r, out, (uint32_t)total);
}

static int handle_get_perms(struct request *r)
{
    const char *name = request_single_string(r);
    char path[PATH_BUF], out[XENSTORE_PAYLOAD_MAX];
    struct node *n;
    int err;

    if (!name)
        return -EINVAL;
    if ((err = request_path(r, name, false, path, sizeof(path))))
        return err;
    if ((err = op_get_readable(&r->ctx, path, &n)))
        return err;
    size_t len = 0;
    for (uint32_t i = 0; i < node_nperms(n); i++) {
        if (len + 16 > sizeof(out))
            return -E2BIG;
        struct xsd_perm p = node_perm(n, i);
        len += (size_t)perm_format(&p, out + len, sizeof(out) - len) + 1;
    }
    return reply_data(r, out, (uint32_t)len);
}

/* The special watch names have permissions too: they decide who hears them. */
static int set_special_perms(struct request *r, const char *name,
                             const struct xsd_perm *perms, unsigned n)
{
    struct xsd *xsd = r->conn->xsd;
    int i = xsd_special_index(name);

    if (i < 0)
        return -EINVAL;
    if (n > sizeof(xsd->special_perms[0]) / sizeof(xsd->special_perms[0][0]))
        return -ENOSPC;
    if (!(perm_for(&r->ctx.c, xsd->special_perms[i], xsd->special_nperms[i]) & XSD_PERM_WRITE))
        return -EACCES;
    memcpy(xsd->special_perms[i], perms, n * sizeof(*perms));
    xsd->special_nperms[i] = n;
    return 0;
}

static int handle_set_perms(struct request *r)
{
    unsigned n = request_count_strings(r);
    struct xsd_perm perms[XENSTORE_PAYLOAD_MAX / 2];
    char path[PATH_BUF];
    int err;

    if (n < 2)
        return -EINVAL;
    if ((err = request_path(r, r->body, true, path, sizeof(path))))
        return err;
    const char *p = r->body + strlen(r->body) + 1;
    for (unsigned i = 0; i + 1 < n; i++) {
        if (perm_parse(p, &perms[i]))
            return -EINVAL;
        p += strlen(p) + 1;
    }
    if (path[0] == '@')
        err = set_special_perms(r, path, perms, n - 1);
    else
        err = op_set_perms(&r->ctx, path, perms, n - 1);
    if (err)
        return err;
    return reply_ok(r);
}

static int handle_watch(struct request *r)
{
    const char *args[2];
    char path[PATH_BUF];
    int err;

    if (request_strings(r, args, 2))
        return -EINVAL;
    if ((err = request_path(r, args[0], true, path, sizeof(path))))
        return err;
    bool relative = args[0][0] != '/' && args[0][0] != '@';
    if ((err = watch_add(r->conn, path, args[1], relative)))
        return err;
    reply_ok(r);
    /* Every new watch fires once at once, so clients can sync to it. */
    watch_send_event(r->conn->watches, path);
    return 0;
}

static int handle_unwatch(struct request *r)
{
    const char *args[2];
    char path[PATH_BUF];
    int err;

    if (request_strings(r, args, 2))
        return -EINVAL;
    if ((err = request_path(r, args[0], true, path, sizeof(path))))
        return err;
    if ((err = watch_remove(r->conn, path, args[1])))
        return err;
    return reply_ok(r);
}

static int handle_transaction_start(struct request *r)
{
    struct txn *tx;
    char id[16];
    int err;

    if (r->hdr->tx_id)
        return -EBUSY;
    if (!r->ctx.c.privileged && r->conn->ntxns >= r->conn->xsd->quota.transactions)
        return -ENOSPC;
    if ((err = txn_start(r->conn, &tx)))
        return err;
    snprintf(id, sizeof(id), "%u", tx->id);
    return reply_string(r, id);
}

static int handle_transaction_end(struct request *r)
{
    const char *arg = request_single_string(r);
    struct txn *tx = r->ctx.v.tx;
    int err;

    if (!tx)
        return -ENOENT;
    if (!arg || (strcmp(arg, "T") && strcmp(arg, "F")))
        return -EINVAL;
    if (arg[0] == 'F') {
        txn_abort(r->conn, tx);
        return reply_ok(r);
    }
    if ((err = txn_commit(r->conn, tx)))
        return err;
    return reply_ok(r);
}

static int handle_reset_watches(struct request *r)
{
    watch_remove_all(r->conn);
    txn_abort_all(r->conn);
    return reply_ok(r);
}

enum op_flags {
    OP_PRIV  = 1,  /* only privileged connections */
    OP_NO_TX = 2,  /* not tied to a transaction: tx_id is ignored */
};

static const struct op_desc {
    const char *name;
    request_handler handle;
    unsigned flags;
} op_table[XS_TYPE_COUNT] = {
    [XS_CONTROL]              = { "CONTROL", handle_control, OP_PRIV | OP_NO_TX },
    [XS_DIRECTORY]            = { "DIRECTORY", handle_directory, 0 },
    [XS_READ]                 = { "READ", handle_read, 0 },
    [XS_GET_PERMS]            = { "GET_PERMS", handle_get_perms, 0 },
    [XS_WATCH]                = { "WATCH", handle_watch, OP_NO_TX },
    [XS_UNWATCH]              = { "UNWATCH", handle_unwatch, OP_NO_TX },
    [XS_TRANSACTION_START]    = { "TRANSACTION_START", handle_transaction_start, OP_NO_TX },
    [XS_TRANSACTION_END]      = { "TRANSACTION_END", handle_transaction_end, 0 },
    [XS_INTRODUCE]            = { "INTRODUCE", handle_introduce, OP_PRIV | OP_NO_TX },
    [XS_RELEASE]              = { "RELEASE", handle_release, OP_PRIV | OP_NO_TX },
    [XS_GET_DOMAIN_PATH]      = { "GET_DOMAIN_PATH", handle_get_domain_path, OP_NO_TX },
    [XS_WRITE]                = { "WRITE", handle_write, 0 },
    [XS_MKDIR]                = { "MKDIR", handle_mkdir, 0 },
    [XS_RM]                   = { "RM", handle_rm, 0 },
    [XS_SET_PERMS]            = { "SET_PERMS", handle_set_perms, 0 },
    [XS_IS_DOMAIN_INTRODUCED] = { "IS_DOMAIN_INTRODUCED", handle_is_domain_introduced, OP_PRIV | OP_NO_TX },
    [XS_RESUME]               = { "RESUME", handle_resume, OP_PRIV | OP_NO_TX },
    [XS_SET_TARGET]           = { "SET_TARGET", handle_set_target, OP_PRIV | OP_NO_TX },
    [XS_RESET_WATCHES]        = { "RESET_WATCHES", handle_reset_watches, OP_NO_TX },
    [XS_DIRECTORY_PART]       = { "DIRECTORY_PART", handle_directory_part, 0 },
};

const char *xsd_op_name(uint32_t type)
{
    return type < XS_TYPE_COUNT && op_table[type].name ? op_table[type].name : "UNKNOWN";
}

void xsd_handle_message(struct xsd_conn *conn, const struct xsd_sockmsg *hdr, char *body)
{
    struct request r = {
        .conn = conn, .hdr = hdr, .body = body, .len = hdr->len,
        .ctx = {
            .v = { .xsd = conn->xsd, .tx = NULL, .limit_tx_nodes = !conn->privileged },
            .c = { .xsd = conn->xsd, .domid = conn->domid, .privileged = conn->privileged },
        },
    };
    int err;

    conn->xsd->requests++;
    if (hdr->type >= XS_TYPE_COUNT || !op_table[hdr->type].handle) {
        reply_error(conn, hdr, ENOSYS);
        return;
    }
    const struct op_desc *op = &op_table[hdr->type];
    if ((op->flags & OP_PRIV) && !conn->privileged) {
        reply_error(conn, hdr, EACCES);
        return;
    }
    if (!(op->flags & OP_NO_TX) && hdr->tx_id) {
        r.ctx.v.tx = txn_find(conn, hdr->tx_id);
        if (!r.ctx.v.tx) {
            reply_error(conn, hdr, ENOENT);
            return;
        }
    }
    struct txn *tx = r.ctx.v.tx;
    unsigned changes = tx ? tx->changes : 0;
    err = op->handle(&r);
    if (err) {
        /*
         * An operation that failed after changing some of the transaction's
         * copies (a quota hit half way through a removal, say) must not be
         * committed in part: the commit will fail with the same error.
         */
        if (tx && hdr->type != XS_TRANSACTION_END && tx->changes != changes)
            tx->poisoned = err;
        reply_error(conn, hdr, -err);
    }
}
