/*
 * The xenstore ring protocol seen from the daemon: requests are taken from
 * the guest's ring, replies and events put on the response ring. Indices
 * the guest writes are read once per pass and checked before use: a guest
 * that corrupts them only breaks its own connection.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "dump.h"
#include "transport_ring.h"
#include "txn.h"
#include "watch.h"

struct ring_conn {
    struct xsd_conn *conn;
    struct xenstore_domain_interface *intf;
    void (*notify)(void *opaque);
    void *opaque;
    struct ring_conn *dirty_next;
    bool dirty;
    bool failed;
};

static struct ring_conn *dirty_rings;

static void ring_mark_dirty(struct xsd_conn *conn)
{
    struct ring_conn *rc = conn->transport;
    if (rc->dirty)
        return;
    rc->dirty = true;
    rc->dirty_next = dirty_rings;
    dirty_rings = rc;
}

static void ring_destroy(struct xsd_conn *conn)
{
    struct ring_conn *rc = conn->transport;
    ring_conn_free(rc);
}

static const struct xsd_conn_ops ring_ops = {
    .output_ready = ring_mark_dirty,
    .destroy = ring_destroy,
};

struct ring_conn *ring_conn_new(struct xsd *xsd, unsigned domid,
                                struct xenstore_domain_interface *intf,
                                void (*notify)(void *opaque), void *opaque)
{
    struct ring_conn *rc = calloc(1, sizeof(*rc));
    if (!rc)
        return NULL;
    rc->conn = xsd_conn_new(xsd, domid, domid == 0, &ring_ops, rc);
    if (!rc->conn) {
        free(rc);
        return NULL;
    }
    rc->intf = intf;
    rc->notify = notify;
    rc->opaque = opaque;
    __atomic_store_n(&intf->server_features,
                     XENSTORE_SERVER_FEATURE_RECONNECTION | XENSTORE_SERVER_FEATURE_ERROR,
                     __ATOMIC_RELEASE);
    return rc;
}

struct xsd_conn *ring_conn_xsd_conn(struct ring_conn *rc)
{
    return rc->conn;
}

void ring_conn_free(struct ring_conn *rc)
{
    if (!rc)
        return;
    /* Unlink from the dirty list before the memory goes. */
    for (struct ring_conn **pp = &dirty_rings; *pp; pp = &(*pp)->dirty_next)
        if (*pp == rc) {
            *pp = rc->dirty_next;
            break;
        }
    xsd_conn_free(rc->conn);
    free(rc);
}

static void ring_fail(struct ring_conn *rc, uint32_t error)
{
    rc->failed = true;
    rc->conn->broken = true;
    __atomic_store_n(&rc->intf->error, error, __ATOMIC_RELEASE);
    xsd_logf(rc->conn->xsd, "domain %u: ring error %u", rc->conn->domid, error);
}

/* The guest asked for a fresh start: forget everything of the connection. */
static void ring_reset(struct ring_conn *rc)
{
    struct xsd_conn *conn = rc->conn;
    watch_remove_all(conn);
    txn_abort_all(conn);
    xsd_conn_output_consume(conn, conn->out_bytes);
    conn->hdr_got = conn->body_got = 0;
    conn->broken = false;
    rc->failed = false;
    struct xenstore_domain_interface *intf = rc->intf;
    intf->req_cons = intf->req_prod = 0;
    intf->rsp_cons = intf->rsp_prod = 0;
    __atomic_store_n(&intf->error, XENSTORE_ERROR_NONE, __ATOMIC_RELEASE);
    __atomic_store_n(&intf->connection, XENSTORE_CONNECTED, __ATOMIC_RELEASE);
}

/* Takes requests off the ring; returns whether any byte was consumed. */
static bool ring_take_input(struct ring_conn *rc)
{
    struct xenstore_domain_interface *intf = rc->intf;
    XENSTORE_RING_IDX cons = intf->req_cons;
    XENSTORE_RING_IDX prod = __atomic_load_n(&intf->req_prod, __ATOMIC_ACQUIRE);
    bool progress = false;

    if (prod - cons > XENSTORE_RING_SIZE) {
        ring_fail(rc, XENSTORE_ERROR_RINGIDX);
        return false;
    }
    while (cons != prod && xsd_conn_wants_input(rc->conn)) {
        size_t off = MASK_XENSTORE_IDX(cons);
        size_t chunk = prod - cons;
        if (chunk > XENSTORE_RING_SIZE - off)
            chunk = XENSTORE_RING_SIZE - off;
        char copy[XENSTORE_RING_SIZE];
        memcpy(copy, intf->req + off, chunk);   /* read guest memory once */
        long used = xsd_conn_input(rc->conn, copy, chunk);
        if (used < 0) {
            ring_fail(rc, XENSTORE_ERROR_PROTO);
            break;
        }
        if (used == 0)
            break;
        cons += (XENSTORE_RING_IDX)used;
        progress = true;
    }
    __atomic_store_n(&intf->req_cons, cons, __ATOMIC_RELEASE);
    return progress;
}

/* Puts queued output on the response ring; returns whether any was written. */
static bool ring_put_output(struct ring_conn *rc)
{
    struct xenstore_domain_interface *intf = rc->intf;
    XENSTORE_RING_IDX prod = intf->rsp_prod;
    XENSTORE_RING_IDX cons = __atomic_load_n(&intf->rsp_cons, __ATOMIC_ACQUIRE);
    bool progress = false;

    if (prod - cons > XENSTORE_RING_SIZE) {
        ring_fail(rc, XENSTORE_ERROR_RINGIDX);
        return false;
    }
    for (;;) {
        size_t len;
        const char *p = xsd_conn_output_peek(rc->conn, &len);
        size_t space = XENSTORE_RING_SIZE - (prod - cons);
        if (!p || space == 0)
            break;
        size_t off = MASK_XENSTORE_IDX(prod);
        size_t chunk = len < space ? len : space;
        if (chunk > XENSTORE_RING_SIZE - off)
            chunk = XENSTORE_RING_SIZE - off;
        memcpy(intf->rsp + off, p, chunk);
        prod += (XENSTORE_RING_IDX)chunk;
        xsd_conn_output_consume(rc->conn, chunk);
        progress = true;
    }
    __atomic_store_n(&intf->rsp_prod, prod, __ATOMIC_RELEASE);
    return progress;
}

void ring_conn_kick(struct ring_conn *rc)
{
    bool notify = false;

    if (__atomic_load_n(&rc->intf->connection, __ATOMIC_ACQUIRE) == XENSTORE_RECONNECT) {
        ring_reset(rc);
        notify = true;
    }
    while (!rc->failed) {
        bool in = ring_take_input(rc);
        bool out = ring_put_output(rc);
        notify |= in || out;
        if (!in && !out)
            break;
    }
    if (notify || rc->failed)
        rc->notify(rc->opaque);
}

void ring_transport_flush(void)
{
    while (dirty_rings) {
        struct ring_conn *rc = dirty_rings;
        dirty_rings = rc->dirty_next;
        rc->dirty = false;
        ring_conn_kick(rc);
    }
}

int ring_transport_dump(struct xsd *xsd, FILE *out, struct xsd_conn *requester,
                        const struct xsd_sockmsg *req)
{
    int err = 0;
    for (struct xsd_conn *conn = xsd->conns; conn && !err; conn = conn->next)
        if (conn->ops == &ring_ops)
            err = xsd_dump_conn(out, conn, 'r', conn->domid, NULL, 0,
                                conn == requester ? req : NULL);
    return err;
}
