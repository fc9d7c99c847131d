/*
 * One request being handled: the message, who sent it, and helpers to parse
 * its strings and send the reply. Handlers return 0 once they replied, or a
 * negative errno for the dispatcher to send as an XS_ERROR reply.
 */
#ifndef XSD_REQUEST_H
#define XSD_REQUEST_H

#include "ops.h"

struct request {
    struct xsd_conn *conn;
    const struct xsd_sockmsg *hdr;
    char *body;           /* nul-terminated one past len */
    uint32_t len;
    struct op_ctx ctx;    /* view (with the transaction, if any) and caller */
};

typedef int (*request_handler)(struct request *r);

/* Number of nul-terminated strings the body holds (0 if it does not end in nul). */
unsigned request_count_strings(const struct request *r);
/* Splits the body into exactly n strings, or returns -EINVAL. */
int request_strings(const struct request *r, const char **out, unsigned n);
/* The body as one string: it must be exactly one nul-terminated string. */
const char *request_single_string(const struct request *r);
/* Canonical path for a name the client sent (-EINVAL if bad). */
int request_path(const struct request *r, const char *name, bool allow_special,
                 char *out, size_t outsz);
/* Parses a decimal domid argument. */
int request_domid(const char *s, unsigned *out);

int reply_data(struct request *r, const void *data, uint32_t len);
int reply_string(struct request *r, const char *s);   /* includes the nul */
int reply_ok(struct request *r);
void reply_error(struct xsd_conn *conn, const struct xsd_sockmsg *hdr, int err);

/* Handlers living outside handlers.c. */
int handle_introduce(struct request *r);
int handle_release(struct request *r);
int handle_resume(struct request *r);
int handle_get_domain_path(struct request *r);
int handle_is_domain_introduced(struct request *r);
int handle_set_target(struct request *r);
int handle_control(struct request *r);

/* errno to its name on the wire ("EINVAL" for anything unknown). */
const char *xs_errno_name(int err);

#endif
