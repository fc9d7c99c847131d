#include "console_client.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

static const int caught_signals[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT };
#define NR_CAUGHT (sizeof(caught_signals) / sizeof(caught_signals[0]))

struct tty_state {
    int fd;
    bool saved;
    struct termios old;
};

static int make_raw(struct tty_state *t, int fd)
{
    struct termios raw;
    t->fd = fd;
    t->saved = false;
    if (!isatty(fd))
        return 0;
    if (tcgetattr(fd, &t->old) < 0)
        return -errno;
    raw = t->old;
    cfmakeraw(&raw);
    if (tcsetattr(fd, TCSANOW, &raw) < 0)
        return -errno;
    t->saved = true;
    return 0;
}

static void restore(struct tty_state *t)
{
    if (t->saved)
        tcsetattr(t->fd, TCSADRAIN, &t->old);
    t->saved = false;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR && !stop_signal)
                continue;
            return -errno;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int relay(int in_fd, int out_fd, int console_fd)
{
    char buf[4096];
    struct pollfd fds[2] = { { in_fd, POLLIN, 0 }, { console_fd, POLLIN, 0 } };

    for (;;) {
        if (stop_signal)
            return CONSOLE_END_SIGNAL;
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (fds[1].revents) {
            ssize_t n = read(console_fd, buf, sizeof(buf));
            if (n <= 0) {
                if (n < 0 && errno == EINTR)
                    continue;
                /* A pty whose other side closed reads EIO: that is a hangup. */
                return CONSOLE_END_HANGUP;
            }
            int rc = write_all(out_fd, buf, (size_t)n);
            if (rc)
                return rc;
        }
        if (fds[0].revents) {
            ssize_t n = read(in_fd, buf, sizeof(buf));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return CONSOLE_END_INPUT;
            char *esc = memchr(buf, CONSOLE_ESCAPE_CHAR, (size_t)n);
            int rc = write_all(console_fd, buf, esc ? (size_t)(esc - buf) : (size_t)n);
            if (rc)
                return rc;
            if (esc)
                return CONSOLE_END_ESCAPE;
        }
    }
}

int console_client_run(int in_fd, int out_fd, int console_fd)
{
    struct sigaction sa, old[NR_CAUGHT];
    struct tty_state user, console;
    int rc;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;      /* no SA_RESTART: poll must return */
    sigemptyset(&sa.sa_mask);
    stop_signal = 0;
    for (size_t i = 0; i < NR_CAUGHT; i++)
        sigaction(caught_signals[i], &sa, &old[i]);

    rc = make_raw(&user, in_fd);
    if (rc)
        goto out_signals;
    rc = make_raw(&console, console_fd);
    if (rc)
        goto out_user;

    rc = relay(in_fd, out_fd, console_fd);

    restore(&console);
out_user:
    restore(&user);
out_signals:
    for (size_t i = 0; i < NR_CAUGHT; i++)
        sigaction(caught_signals[i], &old[i], NULL);
    return rc;
}
