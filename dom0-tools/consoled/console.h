/*
 * One domain's console as tessera-consoled serves it: its ring page (grant
 * ref 0, or a foreign map of console/ring-ref), its event channel, a pty
 * whose slave is the domain's tty (console/tty) and a log file.
 */
#ifndef CONSOLED_CONSOLE_H
#define CONSOLED_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "outbuf.h"
#include "xen_dev.h"

/* What every console shares: the devices and the limits. */
struct console_env {
    int evtchn_fd, gntdev_fd, privcmd_fd;
    const char *log_dir;      /* NAME.log lives here */
    off_t log_max;            /* bytes before NAME.log becomes NAME.log.old */
    size_t pty_buffer;        /* output kept for a pty nobody reads */
    size_t drain_max;         /* bytes taken from one ring per pass */
};

struct console {
    unsigned domid;
    char name[64];
    struct xen_page page;
    int port;                 /* local port, -1 if unbound */
    int master, slave;        /* the pty; we keep the slave open */
    char tty[64];
    int log_fd;
    off_t log_size;
    struct outbuf pending;    /* for the pty */
    bool more;                /* the last pass left bytes on the ring */
    unsigned long long logged, lost_on_ring;
};

/*
 * Maps the ring, binds remote_port of domid, opens the pty and the log.
 * Returns 0 or -errno, with nothing left open on failure.
 */
int console_open(struct console *c, const struct console_env *env, unsigned domid,
                 const char *name, uint64_t ring_ref, unsigned remote_port);
void console_close(struct console *c, const struct console_env *env);

/*
 * Takes what the guest wrote (at most env->drain_max bytes) into the log
 * and the pty queue, then tells the guest there is room again.
 */
void console_drain(struct console *c, const struct console_env *env);
/* Sends queued output to the pty as far as it takes it. */
void console_flush_pty(struct console *c);
/* Moves what was typed into the pty onto the guest's input ring. */
void console_take_input(struct console *c, const struct console_env *env);
/* Whether the guest has room for input (so the pty is worth reading). */
bool console_wants_input(struct console *c);

/* Appends to the log, starting NAME.log afresh (old one kept) past log_max. */
void console_log(struct console *c, const struct console_env *env, const char *data, size_t len);

#endif
