#include "request.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "path.h"

static const struct xs_error_name error_names[XS_ERROR_NAME_COUNT] = XS_ERROR_NAMES_INIT;

const char *xs_errno_name(int err)
{
    for (unsigned i = 0; i < XS_ERROR_NAME_COUNT; i++)
        if (error_names[i].errnum == err)
            return error_names[i].name;
    return "EINVAL";
}

unsigned request_count_strings(const struct request *r)
{
    unsigned n = 0;
    if (r->len == 0 || r->body[r->len - 1] != '\0')
        return 0;
    for (uint32_t i = 0; i < r->len; i++)
        n += r->body[i] == '\0';
    return n;
}

int request_strings(const struct request *r, const char **out, unsigned n)
{
    if (request_count_strings(r) != n)
        return -EINVAL;
    const char *p = r->body;
    for (unsigned i = 0; i < n; i++) {
        out[i] = p;
        p += strlen(p) + 1;
    }
    return 0;
}

const char *request_single_string(const struct request *r)
{
    const char *s;
    return request_strings(r, &s, 1) ? NULL : s;
}

int request_path(const struct request *r, const char *name, bool allow_special,
                 char *out, size_t outsz)
{
    size_t max = r->ctx.c.privileged ? 0 : r->conn->xsd->quota.path_max;
    /* The path quota limits a domain's relative names, as Xen's does. */
    if (max)
        max += strlen(XS_DOMAIN_PATH_PREFIX) + 6;
    return path_canonical(name, r->ctx.c.domid, allow_special, max, out, outsz);
}

int request_domid(const char *s, unsigned *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -EINVAL;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v > UINT16_MAX)
        return -EINVAL;
    *out = (unsigned)v;
    return 0;
}

int reply_data(struct request *r, const void *data, uint32_t len)
{
    struct xsd_sockmsg hdr = *r->hdr;
    hdr.len = len;
    if (conn_queue_reply(r->conn, &hdr, data)) {
        reply_error(r->conn, r->hdr, -ENOMEM);
    }
    return 0;
}

int reply_string(struct request *r, const char *s)
{
    return reply_data(r, s, (uint32_t)strlen(s) + 1);
}

int reply_ok(struct request *r)
{
    return reply_string(r, "OK");
}

void reply_error(struct xsd_conn *conn, const struct xsd_sockmsg *hdr, int err)
{
    const char *name = xs_errno_name(err < 0 ? -err : err);
    struct xsd_sockmsg h = *hdr;
    h.type = XS_ERROR;
    h.len = (uint32_t)strlen(name) + 1;
    conn_queue_reply(conn, &h, name);
}
