/*
 * The xenstore wire protocol: what a client and the xenstore daemon exchange,
 * over a unix socket or over the shared ring page (see xenstore_ring.h).
 *
 * Every message is a 16-byte header followed by `len` bytes of payload,
 * usually one or more nul-terminated strings. The numbers below are fixed by
 * the Xen ABI and are never reused: a retired operation (RESTRICT, 20) keeps
 * its gap.
 */
#ifndef PVABI_IO_XS_WIRE_H
#define PVABI_IO_XS_WIRE_H

#include <stdint.h>

/* Message types. Replies carry the request's type, or XS_ERROR. */
enum xs_msg_type {
    XS_CONTROL              = 0,  /* daemon control command (was DEBUG) */
    XS_DIRECTORY            = 1,
    XS_READ                 = 2,
    XS_GET_PERMS            = 3,
    XS_WATCH                = 4,
    XS_UNWATCH              = 5,
    XS_TRANSACTION_START    = 6,
    XS_TRANSACTION_END      = 7,
    XS_INTRODUCE            = 8,
    XS_RELEASE              = 9,
    XS_GET_DOMAIN_PATH      = 10,
    XS_WRITE                = 11,
    XS_MKDIR                = 12,
    XS_RM                   = 13,
    XS_SET_PERMS            = 14,
    XS_WATCH_EVENT          = 15, /* daemon to client only */
    XS_ERROR                = 16, /* daemon to client only */
    XS_IS_DOMAIN_INTRODUCED = 17,
    XS_RESUME               = 18,
    XS_SET_TARGET           = 19,
    /* 20 was XS_RESTRICT: retired, never reuse. */
    XS_RESET_WATCHES        = 21,
    XS_DIRECTORY_PART       = 22,

    XS_TYPE_COUNT,                /* one past the last valid type */
    XS_INVALID              = 0xffff
};
#define XS_DEBUG XS_CONTROL

/* The fixed header in front of every message (host byte order). */
struct xsd_sockmsg {
    uint32_t type;   /* enum xs_msg_type */
    uint32_t req_id; /* chosen by the client, echoed in the reply */
    uint32_t tx_id;  /* transaction id, 0 outside a transaction */
    uint32_t len;    /* payload bytes that follow */
};
_Static_assert(sizeof(struct xsd_sockmsg) == 16, "xsd_sockmsg is 16 bytes");

/* Index of the path and the token in a watch event's strings. */
enum xs_watch_type {
    XS_WATCH_PATH  = 0,
    XS_WATCH_TOKEN = 1
};

/*
 * Errors travel as the errno's symbolic name ("ENOENT") in an XS_ERROR
 * reply. Clients map names back with this table; the errno values are
 * Linux's, which is what every client of this ABI uses.
 */
struct xs_error_name {
    int errnum;
    const char *name;
};
#define XS_ERROR_NAMES_INIT {                                        \
    { 22, "EINVAL" }, { 13, "EACCES" }, { 17, "EEXIST" },            \
    { 21, "EISDIR" }, { 2, "ENOENT" },  { 12, "ENOMEM" },            \
    { 28, "ENOSPC" }, { 5, "EIO" },     { 39, "ENOTEMPTY" },         \
    { 38, "ENOSYS" }, { 30, "EROFS" },  { 16, "EBUSY" },             \
    { 11, "EAGAIN" }, { 106, "EISCONN" }, { 7, "E2BIG" },            \
    { 1, "EPERM" } }
#define XS_ERROR_NAME_COUNT 16

/* Legacy modes for XS_WRITE's first string. */
#define XS_WRITE_NONE        "NONE"
#define XS_WRITE_CREATE      "CREATE"
#define XS_WRITE_CREATE_EXCL "CREATE|EXCL"

/* Limits. A payload past XENSTORE_PAYLOAD_MAX is a protocol violation. */
#define XENSTORE_PAYLOAD_MAX  4096
#define XENSTORE_ABS_PATH_MAX 3072  /* longer paths get EINVAL */
#define XENSTORE_REL_PATH_MAX 2048

/* Well-known paths. */
#define XS_PATH_INTRODUCE_DOMAIN "@introduceDomain"
#define XS_PATH_RELEASE_DOMAIN   "@releaseDomain"
#define XS_DOMAIN_PATH_PREFIX    "/local/domain/"

/* Permission letters in GET_PERMS / SET_PERMS strings ("r5", "n0"). */
#define XS_PERM_CHAR_NONE  'n'
#define XS_PERM_CHAR_READ  'r'
#define XS_PERM_CHAR_WRITE 'w'
#define XS_PERM_CHAR_BOTH  'b'

#endif /* PVABI_IO_XS_WIRE_H */
