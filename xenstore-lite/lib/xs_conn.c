/* Connecting, sending requests, and reading replies and watch events. */
#include "xs_internal.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Largest reply accepted; past it the connection is given up. */
#define XS_REPLY_MAX (1u << 20)

static const struct xs_error_name error_names[XS_ERROR_NAME_COUNT] = XS_ERROR_NAMES_INIT;

int xs_errno_from_name(const char *name)
{
    for (unsigned i = 0; i < XS_ERROR_NAME_COUNT; i++)
        if (strcmp(error_names[i].name, name) == 0)
            return error_names[i].errnum;
    return EINVAL;
}

static int connect_socket(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(addr.sun_path)) {
        errno = EINVAL;
        return -1;
    }
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

struct xs_handle *xs_open(unsigned long flags)
{
    struct xs_handle *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->fd = connect_socket(xs_daemon_socket());
    if (h->fd < 0 && !getenv("XENSTORED_PATH")) {
        /* Inside a guest the same protocol runs over the xenbus device. */
        int e = errno;
        h->fd = open("/dev/xen/xenbus", O_RDWR | O_CLOEXEC);
        if (h->fd < 0)
            errno = e;
    }
    if (h->fd < 0)
        goto fail;
    if (pipe2(h->event_pipe, O_CLOEXEC | O_NONBLOCK))
        goto fail_fd;
    h->flags = flags;
    h->next_req_id = 1;
    h->events_tail = &h->events;
    pthread_mutex_init(&h->request_lock, NULL);
    pthread_mutex_init(&h->state_lock, NULL);
    pthread_cond_init(&h->reply_cond, NULL);
    pthread_cond_init(&h->watch_cond, NULL);
    return h;
fail_fd:
    close(h->fd);
fail:
    {
        int e = errno;
        free(h);
        errno = e;
    }
    return NULL;
}

struct xs_handle *xs_daemon_open(void) { return xs_open(0); }
struct xs_handle *xs_domain_open(void) { return xs_open(0); }
struct xs_handle *xs_daemon_open_readonly(void) { return xs_open(XS_OPEN_READONLY); }

static void free_msgs(struct xs_msg *m)
{
    while (m) {
        struct xs_msg *next = m->next;
        free(m);
        m = next;
    }
}

static void release(struct xs_handle *h, bool join)
{
    if (h->reader_running) {
        if (join) {
            shutdown(h->fd, SHUT_RDWR);
            pthread_join(h->reader, NULL);
        }
    }
    close(h->fd);
    close(h->event_pipe[0]);
    close(h->event_pipe[1]);
    free(h->reply);
    free_msgs(h->events);
    if (join) {
        pthread_mutex_destroy(&h->request_lock);
        pthread_mutex_destroy(&h->state_lock);
        pthread_cond_destroy(&h->reply_cond);
        pthread_cond_destroy(&h->watch_cond);
    }
    free(h);
}

void xs_close(struct xs_handle *h)
{
    if (h)
        release(h, true);
}

void xs_daemon_close(struct xs_handle *h)
{
    xs_close(h);
}

void xs_daemon_destroy_postfork(struct xs_handle *h)
{
    /* The reader thread does not exist in the child: nothing to join. */
    if (h)
        release(h, false);
}

/* Reads at least want more bytes into the buffer (which must have room). */
static bool fill(struct xs_handle *h, size_t want)
{
    if (h->rbuf_off && h->rbuf_len + want > sizeof(h->rbuf)) {
        memmove(h->rbuf, h->rbuf + h->rbuf_off, h->rbuf_len);
        h->rbuf_off = 0;
    }
    while (want) {
        char *at = h->rbuf + h->rbuf_off + h->rbuf_len;
        size_t room = sizeof(h->rbuf) - h->rbuf_off - h->rbuf_len;
        ssize_t n = read(h->fd, at, room);
        if (n == 0) {
            errno = ECONNRESET;
            return false;
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        h->rbuf_len += (uint32_t)n;
        want = (size_t)n >= want ? 0 : want - (size_t)n;
    }
    return true;
}

/* Copies len buffered-or-read bytes to out. */
static bool take(struct xs_handle *h, void *out, size_t len)
{
    char *o = out;
    while (len) {
        if (!h->rbuf_len) {
            h->rbuf_off = 0;
            if (!fill(h, 1))
                return false;
        }
        size_t n = len < h->rbuf_len ? len : h->rbuf_len;
        memcpy(o, h->rbuf + h->rbuf_off, n);
        o += n;
        len -= n;
        h->rbuf_off += (uint32_t)n;
        h->rbuf_len -= (uint32_t)n;
    }
    if (!h->rbuf_len)
        h->rbuf_off = 0;
    return true;
}

/* One whole message; a single read() usually brings header and body. */
static struct xs_msg *read_msg(struct xs_handle *h)
{
    struct xsd_sockmsg hdr;
    if (!take(h, &hdr, sizeof(hdr)))
        return NULL;
    /*
     * The protocol caps payloads at 4096 bytes, but oxenstored sends bigger
     * DIRECTORY replies. Accept them (up to a sanity limit) rather than lose
     * track of the stream.
     */
    if (hdr.len > XS_REPLY_MAX) {
        errno = E2BIG;
        return NULL;
    }
    struct xs_msg *m = malloc(sizeof(*m) + hdr.len + 1);
    if (!m)
        return NULL;
    m->next = NULL;
    m->hdr = hdr;
    if (!take(h, m->body, hdr.len)) {
        free(m);
        return NULL;
    }
    m->body[hdr.len] = '\0';
    return m;
}

/* Queues a watch event; the pipe turns readable when the queue fills. [state_lock] */
static void queue_event(struct xs_handle *h, struct xs_msg *m)
{
    bool was_empty = !h->events;
    *h->events_tail = m;
    h->events_tail = &m->next;
    if (was_empty) {
        char c = 0;
        if (write(h->event_pipe[1], &c, 1) < 0) {
            /* Already readable: nothing to add. */
        }
    }
    pthread_cond_broadcast(&h->watch_cond);
}

static void *reader_main(void *arg)
{
    struct xs_handle *h = arg;
    for (;;) {
        struct xs_msg *m = read_msg(h);
        pthread_mutex_lock(&h->state_lock);
        if (!m) {
            h->broken = true;
            pthread_cond_broadcast(&h->reply_cond);
            pthread_cond_broadcast(&h->watch_cond);
            pthread_mutex_unlock(&h->state_lock);
            return NULL;
        }
        if (m->hdr.type == XS_WATCH_EVENT) {
            queue_event(h, m);
        } else {
            free(h->reply);   /* an unsolicited reply is dropped */
            h->reply = m;
            pthread_cond_broadcast(&h->reply_cond);
        }
        pthread_mutex_unlock(&h->state_lock);
    }
}

int xs_start_reader(struct xs_handle *h)
{
    int rc = 0;
    /* Holding request_lock: nobody is reading the socket synchronously. */
    pthread_mutex_lock(&h->request_lock);
    pthread_mutex_lock(&h->state_lock);
    if (!h->reader_running) {
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        rc = pthread_create(&h->reader, NULL, reader_main, h);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        h->reader_running = rc == 0;
    }
    pthread_mutex_unlock(&h->state_lock);
    pthread_mutex_unlock(&h->request_lock);
    if (rc)
        errno = rc;
    return rc ? -1 : 0;
}

/* Waits for the reply to the request just sent. [request_lock] */
static struct xs_msg *wait_reply(struct xs_handle *h)
{
    struct xs_msg *m = NULL;

    pthread_mutex_lock(&h->state_lock);
    if (h->reader_running) {
        while (!h->reply && !h->broken)
            pthread_cond_wait(&h->reply_cond, &h->state_lock);
        m = h->reply;
        h->reply = NULL;
        if (!m)
            errno = EIO;
        pthread_mutex_unlock(&h->state_lock);
        return m;
    }
    pthread_mutex_unlock(&h->state_lock);
    for (;;) {
        m = read_msg(h);
        if (!m)
            return NULL;
        if (m->hdr.type != XS_WATCH_EVENT)
            return m;
        pthread_mutex_lock(&h->state_lock);
        queue_event(h, m);
        pthread_mutex_unlock(&h->state_lock);
    }
}

void *xs_talkv(struct xs_handle *h, xs_transaction_t t, uint32_t type,
               const struct iovec *iov, unsigned num, unsigned *len)
{
    struct iovec vec[16];
    struct xsd_sockmsg hdr = { .type = type, .tx_id = t };
    int saved_errno;

    if (num + 1 > sizeof(vec) / sizeof(vec[0])) {
        errno = E2BIG;
        return NULL;
    }
    for (unsigned i = 0; i < num; i++) {
        hdr.len += (uint32_t)iov[i].iov_len;
        vec[i + 1] = iov[i];
    }
    /*
     * The protocol caps payloads at 4096 bytes, but oxenstored sends bigger
     * DIRECTORY replies. Accept them (up to a sanity limit) rather than lose
     * track of the stream.
     */
    if (hdr.len > XS_REPLY_MAX) {
        errno = E2BIG;
        return NULL;
    }
    vec[0] = (struct iovec){ &hdr, sizeof(hdr) };

    pthread_mutex_lock(&h->request_lock);
    hdr.req_id = h->next_req_id++;
    /* writev may write part: finish it by hand. */
    size_t total = sizeof(hdr) + hdr.len, done = 0;
    struct iovec *v = vec;
    unsigned nv = num + 1;
    while (done < total) {
        ssize_t w = writev(h->fd, v, (int)nv);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            goto fail;
        }
        done += (size_t)w;
        while (nv && (size_t)w >= v->iov_len) {
            w -= (ssize_t)v->iov_len;
            v++;
            nv--;
        }
        if (nv) {
            v->iov_base = (char *)v->iov_base + w;
            v->iov_len -= (size_t)w;
        }
    }
    struct xs_msg *m = wait_reply(h);
    pthread_mutex_unlock(&h->request_lock);
    if (!m)
        return NULL;
    if (m->hdr.type == XS_ERROR) {
        saved_errno = xs_errno_from_name(m->body);
        free(m);
        errno = saved_errno;
        return NULL;
    }
    if (m->hdr.type != type) {
        free(m);
        errno = EBADF;
        return NULL;
    }
    /* Hand out the body alone: move it to the front of the block. */
    unsigned blen = m->hdr.len;
    memmove(m, m->body, blen + 1);
    if (len)
        *len = blen;
    /* libxenstore leaves errno 0 after a success, and callers rely on it. */
    errno = 0;
    return m;
fail:
    saved_errno = errno;
    pthread_mutex_unlock(&h->request_lock);
    errno = saved_errno;
    return NULL;
}

void *xs_single(struct xs_handle *h, xs_transaction_t t, uint32_t type,
                const char *s, unsigned *len)
{
    struct iovec iov = { (void *)s, strlen(s) + 1 };
    return xs_talkv(h, t, type, &iov, 1, len);
}

bool xs_bool(char *reply)
{
    if (!reply)
        return false;
    bool ok = strcmp(reply, "OK") == 0;
    free(reply);
    if (!ok)
        errno = EINVAL;
    return ok;
}
