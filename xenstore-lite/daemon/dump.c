#include "dump.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "conn.h"
#include "path.h"
#include "perms.h"
#include "txn.h"
#include "watch.h"

#define DUMP_MAGIC "xenstore-lite-dump 1"

static void put_perms(FILE *out, const struct xsd_perm *p, uint32_t n)
{
    char buf[24];
    for (uint32_t i = 0; i < n; i++) {
        perm_format(&p[i], buf, sizeof(buf));
        fprintf(out, " %s", buf);
    }
}

static int dump_node(struct xsd *xsd, FILE *out, const struct node *n)
{
    const char *path = node_path(n);
    struct xsd_perm pbuf[NODE_PACK_MAX];
    fprintf(out, "N %zu %u", strlen(path), n->value_len);
    put_perms(out, node_perms(n, pbuf), node_nperms(n));
    fputc('\n', out);
    fwrite(path, 1, strlen(path), out);
    if (n->value_len)
        fwrite(node_value(n), 1, n->value_len, out);
    fputc('\n', out);

    /* Children in creation order: the live list runs newest first. */
    size_t count = 0;
    for (const struct node *c = n->first_child; c; c = c->next_sibling)
        count++;
    if (!count)
        return 0;
    const struct node **kids = malloc(count * sizeof(*kids));
    if (!kids)
        return -ENOMEM;
    size_t i = count;
    for (const struct node *c = n->first_child; c; c = c->next_sibling)
        kids[--i] = c;
    int err = 0;
    for (i = 0; i < count && !err; i++)
        err = dump_node(xsd, out, kids[i]);
    free(kids);
    return err;
}

int xsd_dump(struct xsd *xsd, FILE *out)
{
    const struct xsd_quota *q = &xsd->quota;
    fprintf(out, "%s\n", DUMP_MAGIC);
    fprintf(out, "Q %u %u %u %u %u %lu %lu %u %u %u\n", q->nodes, q->watches,
            q->transactions, q->outstanding, q->transaction_nodes, q->memory,
            q->memory_soft, q->node_size, q->path_max, q->permissions);
    for (int i = 0; i < 2; i++) {
        fprintf(out, "S %d", i);
        put_perms(out, xsd->special_perms[i], xsd->special_nperms[i]);
        fputc('\n', out);
    }
    for (unsigned i = 1; i < XSD_MAX_DOMID; i++) {
        struct domain *d = xsd->domains[i];
        if (d && d->introduced)
            fprintf(out, "D %u %lu %u %d\n", d->domid, d->mfn, d->port,
                    d->has_target ? (int)d->target : -1);
    }
    struct node *root = node_table_find(&xsd->store, "/", node_hash("/"));
    int err = root ? dump_node(xsd, out, root) : -EINVAL;
    if (!err && (fflush(out) || ferror(out)))
        err = -EIO;
    return err;
}

/* Parses " r5 n0 ..." into perms; returns the count or -EINVAL. */
static int parse_perms(char *s, struct xsd_perm *perms, int max)
{
    int n = 0;
    for (char *tok = strtok(s, " \n"); tok; tok = strtok(NULL, " \n")) {
        if (n == max || perm_parse(tok, &perms[n]))
            return -EINVAL;
        n++;
    }
    return n;
}

static int restore_node(struct xsd *xsd, const char *path, const char *value,
                        uint32_t vlen, const struct xsd_perm *perms, uint32_t nperms)
{
    char check[XENSTORE_ABS_PATH_MAX + 64];
    if (path_canonical(path, 0, false, 0, check, sizeof(check)) || strcmp(check, path))
        return -EINVAL;
    struct node *n = node_table_find(&xsd->store, path, node_hash(path));
    if (n) {
        domain_account(xsd, n, -1);
        int err = 0;
        struct node *m = node_with_value(n, value, vlen, &err);
        if (m && m != n)
            store_replace(xsd, n, m);
        if (m) {
            n = m;
            m = node_with_perms(n, perms, nperms, &err);
            if (m && m != n)
                store_replace(xsd, n, m);
            if (m)
                n = m;
        }
        domain_account(xsd, n, +1);
        return err;
    }
    char parent[sizeof(check)];
    size_t plen = path_parent_len(path);
    memcpy(parent, path, plen ? plen : 1);
    parent[plen ? plen : 1] = '\0';
    struct node *p = node_table_find(&xsd->store, parent, node_hash(parent));
    if (!p)
        return -EINVAL;   /* parents come first in a good dump */
    n = node_new(path, perms, nperms, value, vlen);
    if (!n)
        return -ENOMEM;
    if (node_table_insert(&xsd->store, n)) {
        node_free(n);
        return -ENOMEM;
    }
    domain_account(xsd, p, -1);
    node_link_child(p, n);
    domain_account(xsd, p, +1);
    n->gen = ++xsd->gen;
    domain_account(xsd, n, +1);
    return 0;
}

int xsd_restore(struct xsd *xsd, FILE *in)
{
    char line[8192];
    static char path[XENSTORE_ABS_PATH_MAX + 2], value[XENSTORE_PAYLOAD_MAX + 2];
    struct xsd_perm perms[XENSTORE_PAYLOAD_MAX / 2];
    int err = 0;

    if (!fgets(line, sizeof(line), in) || strncmp(line, DUMP_MAGIC "\n", sizeof(DUMP_MAGIC)) != 0)
        return -EINVAL;
    while (!err && fgets(line, sizeof(line), in)) {
        struct xsd_quota *q = &xsd->quota;
        if (strcmp(line, "CONNS\n") == 0)
            break;
        unsigned domid, port, pl, vl;
        unsigned long mfn;
        int target, idx, n, off;
        switch (line[0]) {
        case 'Q':
            if (sscanf(line, "Q %u %u %u %u %u %lu %lu %u %u %u", &q->nodes, &q->watches,
                       &q->transactions, &q->outstanding, &q->transaction_nodes,
                       &q->memory, &q->memory_soft, &q->node_size, &q->path_max,
                       &q->permissions) != 10)
                err = -EINVAL;
            break;
        case 'S':
            if (sscanf(line, "S %d%n", &idx, &off) != 1 || idx < 0 || idx > 1 ||
                (n = parse_perms(line + off, xsd->special_perms[idx], 8)) < 1)
                err = -EINVAL;
            else
                xsd->special_nperms[idx] = (uint32_t)n;
            break;
        case 'D': {
            if (sscanf(line, "D %u %lu %u %d", &domid, &mfn, &port, &target) != 4 ||
                domid == 0 || domid >= XSD_MAX_DOMID) {
                err = -EINVAL;
                break;
            }
            struct domain *d = domain_get_or_create(xsd, domid);
            if (!d) {
                err = -ENOMEM;
                break;
            }
            d->mfn = mfn;
            d->port = port;
            d->has_target = target >= 0;
            d->target = target >= 0 ? (unsigned)target : 0;
            /* Reconnect the ring; a guest without one stays introduced. */
            if (xsd->backend.introduce)
                xsd->backend.introduce(xsd, d);
            d->introduced = true;
            break;
        }
        case 'N':
            if (sscanf(line, "N %u %u%n", &pl, &vl, &off) != 2 ||
                pl == 0 || pl > XENSTORE_ABS_PATH_MAX || vl > XENSTORE_PAYLOAD_MAX ||
                (n = parse_perms(line + off, perms, (int)(sizeof(perms) / sizeof(perms[0])))) < 1 ||
                fread(path, 1, pl, in) != pl || fread(value, 1, vl, in) != vl ||
                fgetc(in) != '\n') {
                err = -EINVAL;
                break;
            }
            path[pl] = '\0';
            err = restore_node(xsd, path, value, vl, perms, (uint32_t)n);
            break;
        default:
            err = -EINVAL;
        }
    }
    return err;
}

int xsd_dump_conn(FILE *out, struct xsd_conn *conn, char kind, long id,
                  const void *extra_in, size_t extra_len,
                  const struct xsd_sockmsg *pending_reply)
{
    size_t partial = conn->hdr_got + (conn->hdr_got == sizeof(conn->hdr) ? conn->body_got : 0);
    fprintf(out, "C %c %ld %u %d %u %zu %zu\n", kind, id, conn->domid, conn->privileged,
            conn->next_txid, partial + extra_len, conn->out_bytes - conn->out_off);
    fwrite(&conn->hdr, 1, conn->hdr_got, out);
    if (conn->hdr_got == sizeof(conn->hdr))
        fwrite(conn->body, 1, conn->body_got, out);
    if (extra_len)
        fwrite(extra_in, 1, extra_len, out);
    for (struct outmsg *m = conn->out_head; m; m = m->next) {
        size_t skip = m == conn->out_head ? conn->out_off : 0;
        fwrite(m->data + skip, 1, m->len - skip, out);
    }
    fputc('\n', out);
    for (struct watch *w = conn->watches; w; w = w->conn_next) {
        fprintf(out, "W %d %zu %zu\n", w->relative, strlen(w->path), strlen(w->token));
        fprintf(out, "%s%s\n", w->path, w->token);
    }
    for (struct txn *tx = conn->txns; tx; tx = tx->next)
        fprintf(out, "T %u\n", tx->id);
    if (pending_reply)
        fprintf(out, "P %u %u\n", pending_reply->req_id, pending_reply->tx_id);
    return ferror(out) ? -EIO : 0;
}

int xsd_restore_conns(struct xsd *xsd, FILE *in, xsd_adopt_fn adopt)
{
    char line[512];
    static char buf[2 * XENSTORE_PAYLOAD_MAX + 64];
    struct xsd_conn *conn = NULL;

    while (fgets(line, sizeof(line), in)) {
        char kind;
        long id;
        unsigned domid, next_txid, rel, txid, req_id;
        int priv;
        size_t inlen, outlen, pl, tl;
        if (sscanf(line, "C %c %ld %u %d %u %zu %zu", &kind, &id, &domid, &priv,
                   &next_txid, &inlen, &outlen) == 7) {
            /* Bounds well above anything a daemon holds per connection. */
            if (inlen > (1u << 20) || outlen > (256u << 20))
                return -EINVAL;
            char *input = inlen ? malloc(inlen) : NULL, *output = outlen ? malloc(outlen) : NULL;
            bool ok = (!inlen || (input && fread(input, 1, inlen, in) == inlen)) &&
                      (!outlen || (output && fread(output, 1, outlen, in) == outlen)) &&
                      fgetc(in) == '\n';
            conn = ok ? adopt(xsd, kind, id, domid, priv != 0) : NULL;
            if (conn) {
                conn->next_txid = next_txid;
                /* Unsent output goes back as one block, sent as it was. */
                if (outlen)
                    conn_queue_raw(conn, output, outlen);
                if (inlen)
                    conn_stash_input(conn, input, inlen);
            }
            free(input);
            free(output);
            if (!ok)
                return -EINVAL;
        } else if (sscanf(line, "W %u %zu %zu", &rel, &pl, &tl) == 3) {
            if (pl > XENSTORE_ABS_PATH_MAX || tl >= XENSTORE_PAYLOAD_MAX ||
                fread(buf, 1, pl + tl + 1, in) != pl + tl + 1)
                return -EINVAL;
            buf[pl + tl] = '\0';
            char token[XENSTORE_PAYLOAD_MAX];
            memcpy(token, buf + pl, tl + 1);
            buf[pl] = '\0';
            char check[XENSTORE_ABS_PATH_MAX + 64];
            if (path_canonical(buf, 0, true, 0, check, sizeof(check)) || strcmp(check, buf))
                return -EINVAL;
            if (conn)
                watch_add(conn, buf, token, rel != 0);
        } else if (sscanf(line, "T %u", &txid) == 1) {
            if (conn)
                txn_restore_doomed(conn, txid);
        } else if (sscanf(line, "P %u %u", &req_id, &txid) == 2) {
            if (conn) {
                struct xsd_sockmsg h = { .type = XS_CONTROL, .req_id = req_id, .tx_id = txid, .len = 3 };
                conn_queue_reply(conn, &h, "OK");
            }
        } else {
            return -EINVAL;
        }
    }
    return 0;
}
