/*
 * xenstore-lite daemon: holds the store and serves local clients on a unix
 * socket and guests on shared rings.
 *
 *   xenstored-lite [-s SOCKET] [-p PIDFILE] [-r RINGDIR | -N] [-R DUMP] [-v]
 *
 * -R restores the state a predecessor saved with CONTROL "dump FILE" (a
 * restart without losing the store or the introduced domains).
 * CONTROL "live-update BINARY" goes further: the daemon saves its state,
 * store and connections, next to the socket and execs BINARY with
 * -U STATE, which takes over the very same descriptors.
 * The socket defaults to $XENSTORED_PATH, else $XENSTORED_RUNDIR/socket,
 * else /var/run/xenstored/socket. RINGDIR enables the host stand-in for
 * guest rings (see transport_ring.h). Without it, in a Linux dom0 (where
 * /dev/xen/evtchn exists) the real rings are served: dom0's own and every
 * introduced domain's; -N turns that off (socket clients only).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dump.h"
#include "loop.h"
#include "transport_ring.h"
#include "transport_unix.h"
#include "xsd.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void log_stderr(const char *msg)
{
    fprintf(stderr, "xenstored-lite: %s\n", msg);
}

static time_t seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

static bool use_xen;
#define XEN_TICK_MS 5000   /* domain states asked again this often (see xen_transport_tick) */

static void close_rings(void)
{
    if (use_xen)
        xen_transport_close();
    else
        ring_transport_close();
}

static void flush_all(void)
{
    unix_transport_flush();
    ring_transport_flush();
}

static void usage(void)
{
    fprintf(stderr, "usage: xenstored-lite [-s SOCKET] [-p PIDFILE] [-r RINGDIR | -N] [-R DUMP] [-v]\n");
}

static const char *default_socket(char *buf, size_t len)
{
    const char *p = getenv("XENSTORED_PATH");
    if (p)
        return p;
    p = getenv("XENSTORED_RUNDIR");
    snprintf(buf, len, "%s/socket", p ? p : "/var/run/xenstored");
    return buf;
}

/* The options, kept to start the successor of a live update alike. */
static struct options {
    const char *sock, *pidfile, *ringdir;
    bool verbose, no_xen;
} opts;

static struct xsd_conn *adopt(struct xsd *xsd, char kind, long id, unsigned domid, bool privileged)
{
    if (kind == 'u')
        return unix_transport_adopt_client(xsd, (int)id, domid, privileged);
    struct domain *d = kind == 'r' ? domain_get(xsd, (unsigned)id) : NULL;
    return d ? d->conn : NULL;
}

static int live_update(struct xsd *xsd, struct xsd_conn *conn,
                       const struct xsd_sockmsg *req, const char *binary)
{
    char state[4096];
    int err = 0;

    if (access(binary, X_OK))
        return -ENOENT;
    if (snprintf(state, sizeof(state), "%s.live-update", opts.sock) >= (int)sizeof(state))
        return -ENAMETOOLONG;
    FILE *f = fopen(state, "w");
    if (!f)
        return -errno;
    err = xsd_dump(xsd, f);
    if (!err && fputs("CONNS\n", f) < 0)
        err = -EIO;
    if (!err)
        err = unix_transport_dump(xsd, f, conn, req);
    if (!err)
        err = ring_transport_dump(xsd, f, conn, req);
    if (fclose(f) && !err)
        err = -EIO;
    if (err) {
        unlink(state);
        return err;
    }
    const char *argv[16];
    int n = 0;
    argv[n++] = binary;
    argv[n++] = "-s";
    argv[n++] = opts.sock;
    if (opts.ringdir) {
        argv[n++] = "-r";
        argv[n++] = opts.ringdir;
    }
    if (opts.pidfile) {
        argv[n++] = "-p";
        argv[n++] = opts.pidfile;
    }
    if (opts.verbose)
        argv[n++] = "-v";
    if (opts.no_xen)
        argv[n++] = "-N";
    argv[n++] = "-U";
    argv[n++] = state;
    argv[n] = NULL;
    xsd_logf(xsd, "live update to %s", binary);
    unix_transport_handover(true);
    execv(binary, (char *const *)argv);
    err = -errno;
    unix_transport_handover(false);
    unlink(state);
    return err;
}

/* The successor's side: the store, then the listener and the connections. */
static int take_over(struct xsd *xsd, const char *state)
{
    FILE *f = fopen(state, "r");
    if (!f)
        return -errno;
    char line[64];
    int fd, err = xsd_restore(xsd, f);
    if (!err && (!fgets(line, sizeof(line), f) || sscanf(line, "L %d", &fd) != 1))
        err = -EINVAL;
    if (!err)
        err = unix_transport_adopt_listener(xsd, fd, opts.sock);
    if (!err)
        err = xsd_restore_conns(xsd, f, adopt);
    fclose(f);
    /* On failure the store is not lost: -R accepts this file too. */
    if (err)
        fprintf(stderr, "xenstored-lite: state kept in %s: restart with -R %s\n", state, state);
    else
        unlink(state);
    return err;
}

int main(int argc, char **argv)
{
    static struct xsd xsd;
    char sockbuf[256];
    const char *sock = NULL, *pidfile = NULL, *ringdir = NULL, *restore = NULL, *takeover = NULL;
    bool verbose = false, no_xen = false;
    int opt, err;

    while ((opt = getopt(argc, argv, "s:p:r:R:U:Nvh")) != -1) {
        switch (opt) {
        case 's': sock = optarg; break;
        case 'p': pidfile = optarg; break;
        case 'r': ringdir = optarg; break;
        case 'R': restore = optarg; break;
        case 'U': takeover = optarg; break;
        case 'v': verbose = true; break;
        case 'N': no_xen = true; break;
        default: usage(); return opt == 'h' ? 0 : 2;
        }
    }
    if (!sock)
        sock = default_socket(sockbuf, sizeof(sockbuf));
    opts = (struct options){ sock, pidfile, ringdir, verbose, no_xen };
    use_xen = !ringdir && !no_xen && xen_transport_available();

    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    if ((err = xsd_init(&xsd))) {
        fprintf(stderr, "xenstored-lite: init: %s\n", strerror(-err));
        return 1;
    }
    xsd.log = log_stderr;
    xsd.log_enabled = verbose;
    xsd.live_update = live_update;
    if ((err = loop_init()) || (!takeover && (err = unix_transport_listen(&xsd, sock)))) {
        fprintf(stderr, "xenstored-lite: %s: %s\n", sock, strerror(-err));
        xsd_destroy(&xsd);
        return 1;
    }
    if (ringdir && (err = ring_transport_init(&xsd, ringdir))) {
        fprintf(stderr, "xenstored-lite: ring dir %s: %s\n", ringdir, strerror(-err));
        unix_transport_close();
        xsd_destroy(&xsd);
        return 1;
    }
    if (use_xen && (err = xen_transport_init(&xsd))) {
        fprintf(stderr, "xenstored-lite: /dev/xen/evtchn: %s\n", strerror(-err));
        xen_transport_close();
        unix_transport_close();
        xsd_destroy(&xsd);
        return 1;
    }
    if (takeover && (err = take_over(&xsd, takeover))) {
        fprintf(stderr, "xenstored-lite: live update from %s: %s\n", takeover, strerror(-err));
        unix_transport_close();
        close_rings();
        xsd_destroy(&xsd);
        return 1;
    }
    if (restore) {
        FILE *f = fopen(restore, "r");
        err = f ? xsd_restore(&xsd, f) : -errno;
        if (f)
            fclose(f);
        if (err) {
            fprintf(stderr, "xenstored-lite: restore from %s: %s\n", restore, strerror(-err));
            unix_transport_close();
            close_rings();
            xsd_destroy(&xsd);
            return 1;
        }
    }
    if (pidfile) {
        FILE *f = fopen(pidfile, "w");
        if (f) {
            fprintf(f, "%d\n", (int)getpid());
            fclose(f);
        }
    }
    time_t last_tick = seconds_now();
    loop_set_idle_hook(flush_all);
    flush_all();   /* what a predecessor left queued goes out now */
    while (!stop_requested) {
        if ((err = loop_run_once(use_xen ? XEN_TICK_MS : -1)) < 0) {
            fprintf(stderr, "xenstored-lite: event loop: %s\n", strerror(-err));
            break;
        }
        if (use_xen && seconds_now() - last_tick >= XEN_TICK_MS / 1000) {
            last_tick = seconds_now();
            xen_transport_tick();
        }
    }
    unix_transport_close();
    close_rings();
    xsd_destroy(&xsd);
    if (pidfile)
        unlink(pidfile);
    return err < 0 ? 1 : 0;
}
