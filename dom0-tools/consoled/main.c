/*
 * tessera-consoled: every domU's PV console in dom0, as xenconsoled does.
 *
 *   tessera-consoled [-l LOGDIR] [-L LOGMAX] [-b PTYBUF] [-p PIDFILE] [-q]
 *
 * Finds domains in xenstore (/local/domain/N, looked at again on every
 * @introduceDomain and @releaseDomain and every few seconds), maps each
 * console ring (grant ref 0, else a foreign map of console/ring-ref),
 * binds console/port, and moves bytes: the guest's output into
 * LOGDIR/NAME.log (default /var/log/tessera/console) and a pty whose name
 * goes to /local/domain/N/console/tty (what `tl console`/`xl console`
 * open), input typed into the pty onto the guest's ring. A domain that is
 * gone from xenstore or dying in the hypervisor is let go.
 *
 * One thread, poll(). A domain that floods its console never stalls the
 * others: each pass takes at most a few rings' worth from it, the log is
 * cut at LOGMAX bytes (NAME.log.old keeps the previous part) and at most
 * PTYBUF bytes wait for a pty nobody reads (older output is dropped).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xenstore.h>

#include "console.h"
#include "xen_domctl.h"
#include "xsd.h"

#define MAX_CONSOLES 256
#define RESCAN_MS 3000

static struct console_env env = {
    .evtchn_fd = -1, .gntdev_fd = -1, .privcmd_fd = -1,
    .log_dir = "/var/log/tessera/console",
    .log_max = 8 << 20,
    .pty_buffer = 64 << 10,
    .drain_max = 16 << 10,
};
static struct console *consoles[MAX_CONSOLES];
static unsigned nconsoles;
static struct xs_handle *xs;
static bool quiet;
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
    if (quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("tessera-consoled: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static struct console *find(unsigned domid)
{
    for (unsigned i = 0; i < nconsoles; i++)
        if (consoles[i]->domid == domid)
            return consoles[i];
    return NULL;
}

static char *read_node(unsigned domid, const char *rel)
{
    char path[128];
    unsigned len;
    snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, rel);
    return xs_read(xs, XBT_NULL, path, &len);
}

static bool parse_number(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    if (!s || !*s)
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

/* Whether the hypervisor still runs domid (true when it cannot be asked). */
static bool domain_alive(unsigned domid)
{
    uint32_t flags = 0;
    if (env.privcmd_fd < 0)
        return true;
    int err = xen_domain_flags(env.privcmd_fd, domid, &flags);   /* before flags is read */
    return xen_domain_state_of(err, flags) != XSD_DOMAIN_GONE;
}

static void drop(unsigned i, const char *why)
{
    struct console *c = consoles[i];
    logf_("domain %u (%s): console closed (%s), %llu bytes logged, %llu dropped for the pty, "
          "%llu lost on the ring", c->domid, c->name, why, c->logged, c->pending.dropped,
          c->lost_on_ring);
    console_close(c, &env);
    free(c);
    consoles[i] = consoles[--nconsoles];
}

static void attach(unsigned domid)
{
    char *ref_s = read_node(domid, "console/ring-ref");
    char *port_s = read_node(domid, "console/port");
    char *name = read_node(domid, "name");
    unsigned long long ref, port;
    char fallback[32];

    if (!parse_number(ref_s, UINT64_MAX, &ref) || !parse_number(port_s, 0xffffffffu, &port))
        goto out;   /* no console (yet): looked at again on the next scan */
    if (!name || !*name || strchr(name, '/') || name[0] == '.') {
        snprintf(fallback, sizeof(fallback), "dom%u", domid);
        free(name);
        name = strdup(fallback);
        if (!name)
            goto out;
    }
    if (nconsoles == MAX_CONSOLES || !domain_alive(domid))
        goto out;
    struct console *c = calloc(1, sizeof(*c));
    if (!c)
        goto out;
    int err = console_open(c, &env, domid, name, ref, (unsigned)port);
    if (err) {
        logf_("domain %u (%s): cannot open its console: %s", domid, name, strerror(-err));
        free(c);
        goto out;
    }
    char path[128];
    snprintf(path, sizeof(path), "/local/domain/%u/console/tty", domid);
    if (!xs_write(xs, XBT_NULL, path, c->tty, strlen(c->tty)))
        logf_("domain %u: cannot write %s: %s", domid, path, strerror(errno));
    consoles[nconsoles++] = c;
    logf_("domain %u (%s): console on %s, port %llu -> local %d, %s", domid, name, c->tty, port,
          c->port, c->page.gntdev_fd >= 0 ? "grant ref 0" : "foreign map");
    console_drain(c, &env);   /* what it wrote before we came */
out:
    free(ref_s);
    free(port_s);
    free(name);
}

/* Brings the set of consoles in line with the domains xenstore lists. */
static void scan(void)
{
    unsigned n = 0;
    char **dir = xs_directory(xs, XBT_NULL, "/local/domain", &n);
    if (!dir)
        n = 0;
    for (unsigned i = nconsoles; i-- > 0;) {
        bool listed = false;
        char id[16];
        snprintf(id, sizeof(id), "%u", consoles[i]->domid);
        for (unsigned j = 0; j < n && !listed; j++)
            listed = strcmp(dir[j], id) == 0;
        if (!listed)
            drop(i, "gone from xenstore");
        else if (!domain_alive(consoles[i]->domid))
            drop(i, "dying");
    }
    for (unsigned j = 0; j < n; j++) {
        unsigned long long domid;
        if (parse_number(dir[j], 0x7fef, &domid) && domid != 0 && !find((unsigned)domid))
            attach((unsigned)domid);
    }
    free(dir);
}

static void on_events(void)
{
    uint32_t ports[64];
    int n;
    while ((n = xen_evtchn_pending(env.evtchn_fd, ports, 64)) > 0)
        for (int i = 0; i < n; i++) {
            for (unsigned k = 0; k < nconsoles; k++)
                if (consoles[k]->port == (int)ports[i])
                    console_drain(consoles[k], &env);
            xen_evtchn_unmask(env.evtchn_fd, ports[i]);
        }
}

static int run(void)
{
    struct pollfd fds[2 + MAX_CONSOLES];

    scan();
    while (!stop_requested) {
        bool busy = false;
        fds[0] = (struct pollfd){ .fd = env.evtchn_fd, .events = POLLIN };
        fds[1] = (struct pollfd){ .fd = xs_fileno(xs), .events = POLLIN };
        for (unsigned i = 0; i < nconsoles; i++) {
            struct console *c = consoles[i];
            short ev = 0;
            if (console_wants_input(c))
                ev |= POLLIN;
            size_t len;
            if (outbuf_peek(&c->pending, &len))
                ev |= POLLOUT;
            fds[2 + i] = (struct pollfd){ .fd = c->master, .events = ev };
            busy |= c->more;
        }
        unsigned polled = nconsoles;
        int timeout = busy ? 0 : RESCAN_MS;
        int r = poll(fds, 2 + polled, timeout);
        if (r < 0 && errno != EINTR)
            return -errno;
        if (r <= 0 && !busy) {
            scan();   /* quiet for a while: look for missed changes */
            continue;
        }
        if (fds[0].revents)
            on_events();
        for (unsigned i = 0; i < polled && i < nconsoles; i++) {
            struct console *c = consoles[i];
            if (fds[2 + i].fd != c->master)
                continue;
            if (fds[2 + i].revents & POLLIN)
                console_take_input(c, &env);
            if (fds[2 + i].revents & POLLOUT)
                console_flush_pty(c);
            if (c->more)
                console_drain(c, &env);
        }
        if (fds[1].revents & POLLIN) {
            char **w;
            while ((w = xs_check_watch(xs)))
                free(w);
            scan();
        }
    }
    return 0;
}

/*
 * Started next to xenstored at boot: wait up to a minute for its socket.
 * The library falls back to /dev/xen/xenbus when the socket is not there
 * yet, which would take that device for good although the daemon is
 * about to listen (and a client of the device cannot be closed: the
 * library's reader thread sleeps in the device's read, which nothing
 * wakes). So the socket alone is tried first (XENSTORED_PATH set: no
 * fallback), and the device only once the wait is over, for a dom0 whose
 * xenstored lives elsewhere (a stub domain).
 */
static struct xs_handle *open_xenstore(void)
{
    struct xs_handle *h = NULL;
    char *saved = getenv("XENSTORED_PATH") ? strdup(getenv("XENSTORED_PATH")) : NULL;
    char *socket_path = strdup(xs_daemon_socket());

    if (socket_path && setenv("XENSTORED_PATH", socket_path, 1) == 0) {
        for (int tries = 0; !(h = xs_open(0)) && tries < 120 && !stop_requested; tries++)
            usleep(500 * 1000);
        if (saved)
            setenv("XENSTORED_PATH", saved, 1);
        else
            unsetenv("XENSTORED_PATH");
    }
    if (!h && !stop_requested)
        h = xs_open(0);
    free(saved);
    free(socket_path);
    return h;
}

static void usage(void)
{
    fprintf(stderr, "usage: tessera-consoled [-l LOGDIR] [-L LOGMAX] [-b PTYBUF] [-p PIDFILE] [-q]\n");
}

int main(int argc, char **argv)
{
    const char *pidfile = NULL;
    unsigned long long v;
    int opt;

    while ((opt = getopt(argc, argv, "l:L:b:p:qvh")) != -1) {
        switch (opt) {
        case 'l': env.log_dir = optarg; break;
        case 'L':
            if (!parse_number(optarg, 1ull << 40, &v)) { usage(); return 2; }
            env.log_max = (off_t)v;
            break;
        case 'b':
            if (!parse_number(optarg, 1u << 30, &v) || !v) { usage(); return 2; }
            env.pty_buffer = (size_t)v;
            break;
        case 'p': pidfile = optarg; break;
        case 'q': quiet = true; break;
        case 'v': quiet = false; break;
        default: usage(); return opt == 'h' ? 0 : 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    mkdir(env.log_dir, 0750);
    env.evtchn_fd = xen_dev_open("/dev/xen/evtchn");
    if (env.evtchn_fd < 0) {
        fprintf(stderr, "tessera-consoled: /dev/xen/evtchn: %s\n", strerror(-env.evtchn_fd));
        return 1;
    }
    env.gntdev_fd = xen_dev_open("/dev/xen/gntdev");
    env.privcmd_fd = xen_dev_open("/dev/xen/privcmd");
    xs = open_xenstore();
    if (!xs) {
        fprintf(stderr, "tessera-consoled: cannot reach xenstore: %s\n", strerror(errno));
        return 1;
    }
    if (!xs_watch(xs, "@introduceDomain", "introduce") || !xs_watch(xs, "@releaseDomain", "release")) {
        fprintf(stderr, "tessera-consoled: cannot watch domains: %s\n", strerror(errno));
        return 1;
    }
    if (pidfile) {
        FILE *f = fopen(pidfile, "w");
        if (f) {
            fprintf(f, "%d\n", (int)getpid());
            fclose(f);
        }
    }
    int err = run();
    while (nconsoles)
        drop(nconsoles - 1, "daemon stopping");
    /*
     * No xs_close: over /dev/xen/xenbus it waits for ever on its reader
     * thread (see open_xenstore), and exit releases the connection anyway.
     */
    if (pidfile)
        unlink(pidfile);
    if (err)
        fprintf(stderr, "tessera-consoled: %s\n", strerror(-err));
    return err ? 1 : 0;
}
