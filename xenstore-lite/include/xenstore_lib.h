/*
 * xenstore-lite client library: types and helpers shared with the daemon
 * side, source-compatible with libxenstore's <xenstore_lib.h>.
 */
#ifndef XENSTORE_LIB_H
#define XENSTORE_LIB_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pvabi/io/xs_wire.h>

/* One entry of a node's permission list; the first names the owner. */
struct xs_permissions {
    unsigned int id;      /* domain id */
    unsigned int perms;   /* XS_PERM_* bits */
#define XS_PERM_NONE      0x00
#define XS_PERM_READ      0x01
#define XS_PERM_WRITE     0x02
    /* Bits libxenstore reserves for internal use; never sent on the wire. */
#define XS_PERM_ENOENT_OK 0x04
#define XS_PERM_OWNER     0x08
#define XS_PERM_IGNORE    0x10
};

/* Characters needed to print an integer type in decimal, with the nul. */
#define MAX_STRLEN(x) ((sizeof(x) * CHAR_BIT + CHAR_BIT - 1) / 10 * 3 + 2)

/* Where the daemon lives; $XENSTORED_RUNDIR and $XENSTORED_PATH override. */
const char *xs_daemon_rundir(void);
const char *xs_daemon_socket(void);
const char *xs_daemon_socket_ro(void);

/* write(2) until all of data is written; false (errno set) on failure. */
bool xs_write_all(int fd, const void *data, unsigned int len);

/* Parses num nul-separated "<r|w|b|n><domid>" strings into perms. */
bool xs_strings_to_perms(struct xs_permissions *perms, unsigned int num,
                         const char *strings);

#endif
