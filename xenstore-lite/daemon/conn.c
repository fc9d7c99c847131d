#include "conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "txn.h"
#include "watch.h"

struct xsd_conn *xsd_conn_new(struct xsd *xsd, unsigned domid, bool privileged,
                              const struct xsd_conn_ops *ops, void *transport)
{
    struct xsd_conn *conn = calloc(1, sizeof(*conn));
    if (!conn)
        return NULL;
    conn->xsd = xsd;
    conn->domid = domid;
    conn->privileged = privileged;
    conn->ops = ops;
    conn->transport = transport;
    conn->next_txid = 1;
    conn->next = xsd->conns;
    if (xsd->conns)
        xsd->conns->pprev = &conn->next;
    conn->pprev = &xsd->conns;
    xsd->conns = conn;
    return conn;
}

void xsd_conn_free(struct xsd_conn *conn)
{
    if (!conn)
        return;
    watch_remove_all(conn);
    txn_abort_all(conn);
    while (conn->out_head) {
        struct outmsg *m = conn->out_head;
        conn->out_head = m->next;
        free(m);
    }
    *conn->pprev = conn->next;
    if (conn->next)
        conn->next->pprev = conn->pprev;
    struct domain *d = domain_get(conn->xsd, conn->domid);
    if (d && d->conn == conn)
        d->conn = NULL;
    free(conn);
}

static int queue(struct xsd_conn *conn, const struct xsd_sockmsg *hdr,
                 const void *body, bool is_event)
{
    struct outmsg *m = malloc(sizeof(*m) + sizeof(*hdr) + hdr->len);
    if (!m)
        return -ENOMEM;
    m->next = NULL;
    m->is_event = is_event;
    m->len = (uint32_t)sizeof(*hdr) + hdr->len;
    memcpy(m->data, hdr, sizeof(*hdr));
    if (hdr->len)
        memcpy(m->data + sizeof(*hdr), body, hdr->len);
    bool was_empty = !conn->out_head;
    if (conn->out_tail)
        conn->out_tail->next = m;
    else
        conn->out_head = m;
    conn->out_tail = m;
    conn->out_bytes += m->len;
    if (is_event)
        conn->out_events++;
    else
        conn->out_replies++;
    if (was_empty && conn->ops && conn->ops->output_ready)
        conn->ops->output_ready(conn);
    return 0;
}

int conn_queue_reply(struct xsd_conn *conn, const struct xsd_sockmsg *hdr, const void *body)
{
    return queue(conn, hdr, body, false);
}

void conn_queue_event(struct xsd_conn *conn, const struct xsd_sockmsg *hdr, const void *body)
{
    unsigned limit = conn->privileged ? XSD_EVENTS_MAX_PRIV : XSD_EVENTS_MAX_UNPRIV;

    /*
     * A client that never reads must not make the daemon grow without
     * bound (XSA-326): past the limit its events are dropped, and counted.
     */
    if (conn->out_events >= limit || queue(conn, hdr, body, true)) {
        conn->events_dropped++;
        xsd_logf(conn->xsd, "dropping watch event for domain %u", conn->domid);
    }
}

bool xsd_conn_wants_input(const struct xsd_conn *conn)
{
    unsigned limit = conn->privileged ? XSD_REPLIES_MAX_PRIV : conn->xsd->quota.outstanding;
    return !conn->broken && conn->out_replies < limit;
}

long xsd_conn_input(struct xsd_conn *conn, const void *data, size_t len)
{
    const char *p = data;
    size_t used = 0;

    if (conn->broken)
        return -EPROTO;
    while (used < len && xsd_conn_wants_input(conn)) {
        if (conn->hdr_got < sizeof(conn->hdr)) {
            size_t n = sizeof(conn->hdr) - conn->hdr_got;
            if (n > len - used)
                n = len - used;
            memcpy((char *)&conn->hdr + conn->hdr_got, p + used, n);
            conn->hdr_got += (uint32_t)n;
            used += n;
            if (conn->hdr_got < sizeof(conn->hdr))
                break;
            if (conn->hdr.len > XENSTORE_PAYLOAD_MAX) {
                /* The protocol has no way to resynchronise after this. */
                conn->broken = true;
                xsd_logf(conn->xsd, "domain %u: payload of %u bytes, disconnecting",
                         conn->domid, conn->hdr.len);
                return -E2BIG;
            }
        }
        size_t want = conn->hdr.len - conn->body_got;
        if (want > len - used)
            want = len - used;
        memcpy(conn->body + conn->body_got, p + used, want);
        conn->body_got += (uint32_t)want;
        used += want;
        if (conn->body_got < conn->hdr.len)
            break;
        conn->body[conn->hdr.len] = '\0';
        struct xsd_sockmsg hdr = conn->hdr;
        conn->hdr_got = conn->body_got = 0;
        /* A live update in the handler must know what was consumed. */
        conn->feeding = true;
        conn->feeding_used = used;
        xsd_handle_message(conn, &hdr, conn->body);
        conn->feeding = false;
    }
    return (long)used;
}

const void *xsd_conn_output_peek(const struct xsd_conn *conn, size_t *len)
{
    if (!conn->out_head) {
        *len = 0;
        return NULL;
    }
    *len = conn->out_head->len - conn->out_off;
    return conn->out_head->data + conn->out_off;
}

void xsd_conn_output_consume(struct xsd_conn *conn, size_t len)
{
    while (len && conn->out_head) {
        struct outmsg *m = conn->out_head;
        size_t left = m->len - conn->out_off;
        if (len < left) {
            conn->out_off += (uint32_t)len;
            return;
        }
        len -= left;
        conn->out_off = 0;
        conn->out_head = m->next;
        if (!conn->out_head)
            conn->out_tail = NULL;
        conn->out_bytes -= m->len;
        if (m->is_event)
            conn->out_events--;
        else
            conn->out_replies--;
        free(m);
    }
}

void conn_stash_input(struct xsd_conn *conn, const void *data, size_t len)
{
    if (conn->ops && conn->ops->stash_input)
        conn->ops->stash_input(conn, data, len);
    else
        xsd_conn_input(conn, data, len);
}

int conn_queue_raw(struct xsd_conn *conn, const void *data, size_t len)
{
    struct outmsg *m = malloc(sizeof(*m) + len);
    if (!m)
        return -ENOMEM;
    m->next = NULL;
    m->is_event = false;
    m->len = (uint32_t)len;
    memcpy(m->data, data, len);
    if (conn->out_tail)
        conn->out_tail->next = m;
    else
        conn->out_head = m;
    conn->out_tail = m;
    conn->out_bytes += len;
    conn->out_replies++;
    if (conn->ops && conn->ops->output_ready)
        conn->ops->output_ready(conn);
    return 0;
}
