/* One domain's console (see console.h). */
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "console_ring.h"

#define GNTTAB_RESERVED_CONSOLE 0

static struct xencons_interface *ring(struct console *c)
{
    return c->page.addr;
}

static int open_log(struct console *c, const struct console_env *env)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s.log", env->log_dir, c->name);
    c->log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (c->log_fd < 0)
        return -errno;
    c->log_size = lseek(c->log_fd, 0, SEEK_END);
    if (c->log_size < 0)
        c->log_size = 0;
    return 0;
}

/* A pty in raw mode: bytes pass unchanged both ways, nothing echoed. */
static int open_pty(struct console *c)
{
    c->master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (c->master < 0)
        return -errno;
    if (grantpt(c->master) || unlockpt(c->master) ||
        ptsname_r(c->master, c->tty, sizeof(c->tty)))
        return -errno;
    /*
     * Holding the slave open ourselves keeps the master usable while no
     * client is attached (else reads fail with EIO once one leaves).
     */
    c->slave = open(c->tty, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (c->slave < 0)
        return -errno;
    struct termios t;
    if (tcgetattr(c->slave, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(c->slave, TCSANOW, &t);
    }
    return 0;
}

int console_open(struct console *c, const struct console_env *env, unsigned domid,
                 const char *name, uint64_t ring_ref, unsigned remote_port)
{
    int err = -ENODEV;
    *c = (struct console){ .domid = domid, .port = -1, .master = -1, .slave = -1, .log_fd = -1 };
    c->page.gntdev_fd = -1;
    snprintf(c->name, sizeof(c->name), "%s", name);
    if (outbuf_init(&c->pending, env->pty_buffer))
        return -ENOMEM;
    if (env->gntdev_fd >= 0)
        err = xen_page_map_grant(&c->page, env->gntdev_fd, domid, GNTTAB_RESERVED_CONSOLE);
    if (err && env->privcmd_fd >= 0)
        err = xen_page_map_foreign(&c->page, env->privcmd_fd, domid, ring_ref);
    if (err)
        goto fail;
    if ((c->port = xen_evtchn_bind_interdomain(env->evtchn_fd, domid, remote_port)) < 0) {
        err = c->port;
        goto fail;
    }
    if ((err = open_pty(c)) || (err = open_log(c, env)))
        goto fail;
    return 0;
fail:
    console_close(c, env);
    return err;
}

void console_close(struct console *c, const struct console_env *env)
{
    if (c->port >= 0)
        xen_evtchn_unbind(env->evtchn_fd, (unsigned)c->port);
    xen_page_unmap(&c->page);
    if (c->master >= 0)
        close(c->master);
    if (c->slave >= 0)
        close(c->slave);
    if (c->log_fd >= 0)
        close(c->log_fd);
    outbuf_free(&c->pending);
    c->port = c->master = c->slave = c->log_fd = -1;
}

void console_log(struct console *c, const struct console_env *env, const char *data, size_t len)
{
    if (c->log_fd >= 0 && env->log_max > 0 && c->log_size + (off_t)len > env->log_max) {
        char path[4096], old[4200];
        snprintf(path, sizeof(path), "%s/%s.log", env->log_dir, c->name);
        snprintf(old, sizeof(old), "%s.old", path);
        close(c->log_fd);
        rename(path, old);
        open_log(c, env);
    }
    if (c->log_fd < 0)
        return;
    while (len) {
        ssize_t n = write(c->log_fd, data, len);
        if (n <= 0)
            return;   /* a full disk loses log lines, never the console */
        c->log_size += n;
        c->logged += (unsigned long long)n;
        data += n;
        len -= (size_t)n;
    }
}

void console_drain(struct console *c, const struct console_env *env)
{
    char buf[sizeof(ring(c)->out)];
    size_t total = 0, lost;

    if (!ring(c))
        return;
    c->more = false;
    for (;;) {
        size_t n = console_ring_read(ring(c), buf, sizeof(buf), &lost);
        c->lost_on_ring += lost;
        if (!n)
            break;
        console_log(c, env, buf, n);
        outbuf_append(&c->pending, buf, n);
        total += n;
        if (total >= env->drain_max) {
            c->more = true;   /* come back after the others had their turn */
            break;
        }
    }
    if (total)
        xen_evtchn_notify(env->evtchn_fd, (unsigned)c->port);
    console_flush_pty(c);
}

void console_flush_pty(struct console *c)
{
    size_t len;
    const char *p;
    while ((p = outbuf_peek(&c->pending, &len))) {
        ssize_t n = write(c->master, p, len);
        if (n <= 0)
            return;   /* EAGAIN: the reader is behind; poll for POLLOUT */
        outbuf_consume(&c->pending, (size_t)n);
    }
}

bool console_wants_input(struct console *c)
{
    return ring(c) && console_ring_space(ring(c)) > 0;
}

void console_take_input(struct console *c, const struct console_env *env)
{
    char buf[sizeof(ring(c)->in)];
    size_t space = console_wants_input(c) ? console_ring_space(ring(c)) : 0;
    if (!space)
        return;
    ssize_t n = read(c->master, buf, space < sizeof(buf) ? space : sizeof(buf));
    if (n <= 0)
        return;
    console_ring_write(ring(c), buf, (size_t)n);
    xen_evtchn_notify(env->evtchn_fd, (unsigned)c->port);
}
