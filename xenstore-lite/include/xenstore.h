/*
 * xenstore-lite client library, API-compatible with libxenstore (the same
 * functions, types and ABI version, so programs built against Debian's
 * libxenstore run on libxenstore.so.4 from here). All functions set errno
 * on failure. Returned arrays and strings are one malloc'ed block: free()
 * them once.
 */
#ifndef XENSTORE_H
#define XENSTORE_H

#include <xenstore_lib.h>

#define XBT_NULL 0

/* xs_open() flags. READONLY and SOCKETONLY are accepted and ignored. */
#define XS_OPEN_READONLY   (1UL << 0)
#define XS_OPEN_SOCKETONLY (1UL << 1)
/*
 * After xs_unwatch() returns, drop events already queued for that watch
 * (matched by token and path), instead of possibly still delivering them.
 */
#define XS_UNWATCH_FILTER  (1UL << 2)

struct xs_handle;
typedef uint32_t xs_transaction_t;

/* Connects to the daemon's socket (or /dev/xen/xenbus in a guest). */
struct xs_handle *xs_open(unsigned long flags);
void xs_close(struct xs_handle *xsh);   /* NULL is fine */

/* Old names of xs_open(0) / xs_close(). */
struct xs_handle *xs_daemon_open(void);
struct xs_handle *xs_domain_open(void);
struct xs_handle *xs_daemon_open_readonly(void);
void xs_daemon_close(struct xs_handle *xsh);
/* In a forked child: forget the parent's connection without touching it. */
void xs_daemon_destroy_postfork(struct xs_handle *xsh);

/* Children of path; *num is set to their count. */
char **xs_directory(struct xs_handle *h, xs_transaction_t t,
                    const char *path, unsigned int *num);
/* Value of path, nul-terminated for convenience; *len excludes the nul. */
void *xs_read(struct xs_handle *h, xs_transaction_t t,
              const char *path, unsigned int *len);
bool xs_write(struct xs_handle *h, xs_transaction_t t,
              const char *path, const void *data, unsigned int len);
/* Succeeds too if path already exists. */
bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path);
/* Removes path and everything below it. */
bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path);
/* Kept for the ABI: always fails. */
bool xs_restrict(struct xs_handle *h, unsigned domid);

/* Permission list of path: [0] is the owner and everyone else's access. */
struct xs_permissions *xs_get_permissions(struct xs_handle *h, xs_transaction_t t,
                                          const char *path, unsigned int *num);
bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t,
                        const char *path, struct xs_permissions *perms,
                        unsigned int num_perms);

/*
 * Watches: the daemon reports each change at or below path with the token.
 * A new watch fires once at once.
 */
bool xs_watch(struct xs_handle *h, const char *path, const char *token);
/* A descriptor that polls readable while watch events wait. */
int xs_fileno(struct xs_handle *h);
/* Next event without blocking: {path, token}, or NULL with errno EAGAIN. */
char **xs_check_watch(struct xs_handle *h);
/* Next event, blocking; *num is set to 2 (path and token). */
char **xs_read_watch(struct xs_handle *h, unsigned int *num);
bool xs_unwatch(struct xs_handle *h, const char *path, const char *token);

/* Transactions; an end that fails with EAGAIN must be retried from start. */
xs_transaction_t xs_transaction_start(struct xs_handle *h);
bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort);

/* Domain management (privileged). */
bool xs_introduce_domain(struct xs_handle *h, unsigned int domid,
                         unsigned long mfn, unsigned int eventchn);
bool xs_set_target(struct xs_handle *h, unsigned int domid, unsigned int target);
bool xs_resume_domain(struct xs_handle *h, unsigned int domid);
bool xs_release_domain(struct xs_handle *h, unsigned int domid);
char *xs_get_domain_path(struct xs_handle *h, unsigned int domid);
bool xs_is_domain_introduced(struct xs_handle *h, unsigned int domid);

/* True if child is parent or below it (plain string comparison). */
bool xs_path_is_subpath(const char *parent, const char *child);

/* Sends a CONTROL command with data; returns the daemon's answer. */
char *xs_control_command(struct xs_handle *h, const char *cmd,
                         void *data, unsigned int len);
char *xs_debug_command(struct xs_handle *h, const char *cmd,
                       void *data, unsigned int len);

/* Event channel a domain advertises for suspend, or -1. */
int xs_suspend_evtchn_port(int domid);

#endif
