/*
 * xenstore-lite daemon: holds the store and serves local clients on a unix
 * socket and guests on shared rings.
 *
 *   xenstored-lite [-s SOCKET] [-p PIDFILE] [-r RINGDIR] [-R DUMP] [-v]
 *
 * -R restores the state a predecessor saved with CONTROL "dump FILE" (a
 * restart without losing the store or the introduced domains).
 * The socket defaults to $XENSTORED_PATH, else $XENSTORED_RUNDIR/socket,
 * else /var/run/xenstored/socket. RINGDIR enables the host stand-in for
 * guest rings (see transport_ring.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static void flush_all(void)
{
    unix_transport_flush();
    ring_transport_flush();
}

static void usage(void)
{
    fprintf(stderr, "usage: xenstored-lite [-s SOCKET] [-p PIDFILE] [-r RINGDIR] [-R DUMP] [-v]\n");
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

int main(int argc, char **argv)
{
    static struct xsd xsd;
    char sockbuf[256];
    const char *sock = NULL, *pidfile = NULL, *ringdir = NULL, *restore = NULL;
    bool verbose = false;
    int opt, err;

    while ((opt = getopt(argc, argv, "s:p:r:R:vh")) != -1) {
        switch (opt) {
        case 's': sock = optarg; break;
        case 'p': pidfile = optarg; break;
        case 'r': ringdir = optarg; break;
        case 'R': restore = optarg; break;
        case 'v': verbose = true; break;
        default: usage(); return opt == 'h' ? 0 : 2;
        }
    }
    if (!sock)
        sock = default_socket(sockbuf, sizeof(sockbuf));

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
    if ((err = loop_init()) || (err = unix_transport_listen(&xsd, sock))) {
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
    if (restore) {
        FILE *f = fopen(restore, "r");
        err = f ? xsd_restore(&xsd, f) : -errno;
        if (f)
            fclose(f);
        if (err) {
            fprintf(stderr, "xenstored-lite: restore from %s: %s\n", restore, strerror(-err));
            unix_transport_close();
            ring_transport_close();
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
    loop_set_idle_hook(flush_all);
    while (!stop_requested)
        if ((err = loop_run_once(-1)) < 0) {
            fprintf(stderr, "xenstored-lite: event loop: %s\n", strerror(-err));
            break;
        }
    unix_transport_close();
    ring_transport_close();
    xsd_destroy(&xsd);
    if (pidfile)
        unlink(pidfile);
    return err < 0 ? 1 : 0;
}
