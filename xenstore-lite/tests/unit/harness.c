#include "harness.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct xsd *th;
static struct xsd state;

void th_reset(void)
{
    if (th)
        xsd_destroy(th);
    th = &state;
    if (xsd_init(th))
        abort();
}

int th_setup(void)
{
    th_reset();
    return 0;
}

int th_teardown(void)
{
    if (th)
        xsd_destroy(th);
    th = NULL;
    return 0;
}

struct xsd_conn *th_conn(unsigned domid, bool privileged)
{
    return xsd_conn_new(th, domid, privileged, NULL, NULL);
}

/* Pops the first queued message of the wanted kind (events or not). */
static bool pop(struct xsd_conn *c, bool want_event, struct reply *out)
{
    struct outmsg **pp = &c->out_head, *prev = NULL;
    for (; *pp; prev = *pp, pp = &(*pp)->next) {
        struct outmsg *m = *pp;
        if (m->is_event != want_event)
            continue;
        struct xsd_sockmsg hdr;
        memcpy(&hdr, m->data, sizeof(hdr));
        out->type = hdr.type;
        out->req_id = hdr.req_id;
        out->tx_id = hdr.tx_id;
        out->len = hdr.len;
        memcpy(out->body, m->data + sizeof(hdr), hdr.len);
        out->body[hdr.len] = '\0';
        *pp = m->next;
        if (c->out_tail == m)
            c->out_tail = prev;
        c->out_bytes -= m->len;
        if (m->is_event)
            c->out_events--;
        else
            c->out_replies--;
        free(m);
        return true;
    }
    return false;
}

struct reply th_call(struct xsd_conn *c, uint32_t type, uint32_t tx, const void *payload, uint32_t len)
{
    static uint32_t req;
    struct reply r;
    char buf[sizeof(struct xsd_sockmsg) + 2 * XENSTORE_PAYLOAD_MAX];
    struct xsd_sockmsg hdr = { .type = type, .req_id = ++req, .tx_id = tx, .len = len };

    memcpy(buf, &hdr, sizeof(hdr));
    memcpy(buf + sizeof(hdr), payload, len);
    long used = xsd_conn_input(c, buf, sizeof(hdr) + len);
    memset(&r, 0, sizeof(r));
    if (used != (long)(sizeof(hdr) + len) || !pop(c, false, &r)) {
        r.type = XS_INVALID;
        strcpy(r.body, "NO REPLY");
        return r;
    }
    CU_ASSERT_EQUAL(r.req_id, hdr.req_id);
    return r;
}

struct reply th_callv(struct xsd_conn *c, uint32_t type, uint32_t tx, ...)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    uint32_t len = 0;
    va_list ap;
    va_start(ap, tx);
    for (const char *s; (s = va_arg(ap, const char *));) {
        size_t n = strlen(s) + 1;
        memcpy(buf + len, s, n);
        len += (uint32_t)n;
    }
    va_end(ap);
    return th_call(c, type, tx, buf, len);
}

bool th_event(struct xsd_conn *c, struct reply *out)
{
    return pop(c, true, out);
}

bool th_take_reply(struct xsd_conn *c, struct reply *out)
{
    return pop(c, false, out);
}

unsigned th_queued(struct xsd_conn *c)
{
    return c->out_replies + c->out_events;
}

bool th_write(struct xsd_conn *c, uint32_t tx, const char *path, const char *value)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    size_t plen = strlen(path) + 1, vlen = strlen(value);
    memcpy(buf, path, plen);
    memcpy(buf + plen, value, vlen);
    struct reply r = th_call(c, XS_WRITE, tx, buf, (uint32_t)(plen + vlen));
    return r.type == XS_WRITE && strcmp(r.body, "OK") == 0;
}

const char *th_read(struct xsd_conn *c, uint32_t tx, const char *path)
{
    static struct reply r;
    r = th_callv(c, XS_READ, tx, path, NULL);
    return r.body;
}

uint32_t th_tx_start(struct xsd_conn *c)
{
    struct reply r = th_callv(c, XS_TRANSACTION_START, 0, "", NULL);
    CU_ASSERT_EQUAL(r.type, XS_TRANSACTION_START);
    return (uint32_t)strtoul(r.body, NULL, 10);
}
