#include "transport_unix.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "dump.h"
#include "loop.h"

struct unix_client {
    struct loop_fd lf;
    struct xsd_conn *conn;
    struct unix_client *dirty_next;
    bool dirty;
    bool reading;          /* EPOLLIN armed */
    bool writing;          /* EPOLLOUT armed */
    size_t in_off, in_len; /* bytes read but not yet taken by the connection */
    /* Room for a read plus what a live update may carry over. */
    char in[16384 + XENSTORE_PAYLOAD_MAX + sizeof(struct xsd_sockmsg)];
};

static struct xsd *the_xsd;
static struct loop_fd listener = { .fd = -1 };
static char *socket_path;
static struct unix_client *dirty_list;
/* Out of file descriptors: stop accepting until a client goes away. */
static bool accept_paused;

static void client_destroy(struct xsd_conn *conn)
{
    struct unix_client *c = conn->transport;
    loop_remove(&c->lf);
    close(c->lf.fd);
    if (accept_paused && listener.fd >= 0 && loop_modify(&listener, EPOLLIN) == 0)
        accept_paused = false;
    xsd_conn_free(conn);
    c->conn = NULL;
    /* A client on the dirty list is freed when the list is walked. */
    if (!c->dirty)
        free(c);
}

static void mark_dirty(struct xsd_conn *conn)
{
    struct unix_client *c = conn->transport;
    if (c->dirty)
        return;
    c->dirty = true;
    c->dirty_next = dirty_list;
    dirty_list = c;
}

static void client_stash(struct xsd_conn *conn, const void *data, size_t len)
{
    struct unix_client *c = conn->transport;
    size_t room = sizeof(c->in) - c->in_len;
    if (len > room)
        len = room;   /* cannot happen: a dump holds at most what fit before */
    memcpy(c->in + c->in_len, data, len);
    c->in_len += len;
    mark_dirty(conn);   /* the flush feeds it */
}

static const struct xsd_conn_ops unix_ops = {
    .output_ready = mark_dirty,
    .destroy = client_destroy,
    .stash_input = client_stash,
};

static void update_events(struct unix_client *c)
{
    bool want_in = xsd_conn_wants_input(c->conn);
    bool want_out = c->conn->out_head != NULL;
    if (want_in == c->reading && want_out == c->writing)
        return;
    c->reading = want_in;
    c->writing = want_out;
    loop_modify(&c->lf, (want_in ? EPOLLIN : 0) | (want_out ? EPOLLOUT : 0));
}

/* Returns false if the client is gone. */
static bool client_write(struct unix_client *c)
{
    struct xsd_conn *conn = c->conn;
    while (conn->out_head) {
        struct iovec iov[64];
        int n = 0;
        size_t len;
        const void *p = xsd_conn_output_peek(conn, &len);
        iov[n++] = (struct iovec){ (void *)p, len };
        for (struct outmsg *m = conn->out_head->next; m && n < 64; m = m->next)
            iov[n++] = (struct iovec){ m->data, m->len };
        ssize_t w = writev(c->lf.fd, iov, n);
        if (w < 0) {
            if (errno == EAGAIN || errno == EINTR)
                break;
            return false;
        }
        xsd_conn_output_consume(conn, (size_t)w);
    }
    return true;
}

/*
 * Sends the events a request just queued for other clients before the
 * requester's own reply: the watcher's wake-up then overlaps the writer's,
 * which is what watch latency is made of. Clients still holding input are
 * left to the full flush after the batch.
 */
static void flush_others(struct unix_client *self)
{
    struct unix_client **pp = &dirty_list;
    while (*pp) {
        struct unix_client *c = *pp;
        if (c == self || !c->conn || c->in_len) {
            pp = &c->dirty_next;
            continue;
        }
        *pp = c->dirty_next;
        c->dirty = false;
        if (!client_write(c)) {
            client_destroy(c->conn);
            continue;
        }
        update_events(c);
    }
}

/* Hands buffered input to the connection; returns false on a protocol error. */
static bool client_feed(struct unix_client *c)
{
    while (c->in_off < c->in_len && xsd_conn_wants_input(c->conn)) {
        long used = xsd_conn_input(c->conn, c->in + c->in_off, c->in_len - c->in_off);
        if (used < 0)
            return false;
        c->in_off += (size_t)used;
        if (dirty_list)
            flush_others(c);
        /* Replies go out while we still hold input, so back-pressure lifts. */
        if (c->conn->out_head && !client_write(c))
            return false;
        if (used == 0)
            break;
    }
    if (c->in_off == c->in_len)
        c->in_off = c->in_len = 0;
    return true;
}

static void client_ready(struct loop_fd *lf, uint32_t events)
{
    struct unix_client *c = (struct unix_client *)lf;
    bool ok = true;

    if (events & EPOLLOUT)
        ok = client_write(c) && client_feed(c);
    if (ok && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && c->in_len == 0) {
        ssize_t n = read(lf->fd, c->in, 16384);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            ok = false;
        else if (n > 0) {
            c->in_len = (size_t)n;
            ok = client_feed(c);
        }
    }
    if (ok)
        ok = client_write(c);
    if (!ok) {
        client_destroy(c->conn);
        return;
    }
    update_events(c);
}

static void accept_ready(struct loop_fd *lf, uint32_t events)
{
    (void)events;
    for (;;) {
        int fd = accept4(lf->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            /*
             * Without descriptors the pending connection stays pending and
             * epoll would wake us forever: wait for a client to leave.
             */
            if ((errno == EMFILE || errno == ENFILE) && loop_modify(lf, 0) == 0) {
                accept_paused = true;
                xsd_logf(the_xsd, "out of file descriptors: accepting paused");
            }
            return;
        }
        struct unix_client *c = calloc(1, sizeof(*c));
        if (!c) {
            close(fd);
            continue;
        }
        c->lf.fd = fd;
        c->lf.ready = client_ready;
        c->conn = xsd_conn_new(the_xsd, 0, true, &unix_ops, c);
        c->reading = true;
        if (!c->conn || loop_add(&c->lf, EPOLLIN)) {
            if (c->conn)
                xsd_conn_free(c->conn);
            close(fd);
            free(c);
        }
    }
}

void unix_transport_flush(void)
{
    while (dirty_list) {
        struct unix_client *c = dirty_list;
        dirty_list = c->dirty_next;
        c->dirty = false;
        if (!c->conn) {
            free(c);
            continue;
        }
        if (!client_write(c)) {
            client_destroy(c->conn);
            continue;
        }
        /* Draining output may let a throttled client's input through. */
        if (c->in_len && !client_feed(c)) {
            client_destroy(c->conn);
            continue;
        }
        update_events(c);
    }
}

int unix_transport_listen(struct xsd *xsd, const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd, err;

    if (strlen(path) >= sizeof(addr.sun_path))
        return -ENAMETOOLONG;
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    unlink(path);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 128)) {
        err = -errno;
        goto fail;
    }
    chmod(path, 0600);
    the_xsd = xsd;
    listener.fd = fd;
    listener.ready = accept_ready;
    if ((err = loop_add(&listener, EPOLLIN)))
        goto fail;
    socket_path = strdup(path);
    return 0;
fail:
    close(fd);
    return err;
}

/* All clients, for the live-update dump: they are the loop's fds. */
static struct unix_client *client_of(struct xsd_conn *conn)
{
    return conn->ops == &unix_ops ? conn->transport : NULL;
}

static void set_cloexec(int fd, bool on)
{
    int fl = fcntl(fd, F_GETFD);
    if (fl >= 0)
        fcntl(fd, F_SETFD, on ? (fl | FD_CLOEXEC) : (fl & ~FD_CLOEXEC));
}

int unix_transport_dump(struct xsd *xsd, FILE *out, struct xsd_conn *requester,
                        const struct xsd_sockmsg *req)
{
    int err = 0;
    fprintf(out, "L %d\n", listener.fd);
    for (struct xsd_conn *conn = xsd->conns; conn && !err; conn = conn->next) {
        struct unix_client *c = client_of(conn);
        if (!c)
            continue;
        /* The requester is mid-chunk: what it consumed so far is done. */
        size_t start = c->in_off + (conn->feeding ? conn->feeding_used : 0);
        err = xsd_dump_conn(out, conn, 'u', c->lf.fd, c->in + start, c->in_len - start,
                            conn == requester ? req : NULL);
    }
    return err;
}

void unix_transport_handover(bool on)
{
    if (listener.fd >= 0)
        set_cloexec(listener.fd, !on);
    for (struct xsd_conn *conn = the_xsd ? the_xsd->conns : NULL; conn; conn = conn->next) {
        struct unix_client *c = client_of(conn);
        if (c)
            set_cloexec(c->lf.fd, !on);
    }
}

int unix_transport_adopt_listener(struct xsd *xsd, int fd, const char *path)
{
    the_xsd = xsd;
    set_cloexec(fd, true);
    listener.fd = fd;
    listener.ready = accept_ready;
    int err = loop_add(&listener, EPOLLIN);
    if (!err)
        socket_path = strdup(path);
    return err;
}

struct xsd_conn *unix_transport_adopt_client(struct xsd *xsd, int fd, unsigned domid, bool privileged)
{
    struct unix_client *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    set_cloexec(fd, true);
    c->lf.fd = fd;
    c->lf.ready = client_ready;
    c->conn = xsd_conn_new(xsd, domid, privileged, &unix_ops, c);
    c->reading = true;
    if (!c->conn || loop_add(&c->lf, EPOLLIN)) {
        if (c->conn)
            xsd_conn_free(c->conn);
        free(c);
        return NULL;
    }
    return c->conn;
}

void unix_transport_close(void)
{
    if (listener.fd >= 0) {
        loop_remove(&listener);
        close(listener.fd);
        listener.fd = -1;
    }
    if (socket_path) {
        unlink(socket_path);
        free(socket_path);
        socket_path = NULL;
    }
}
