/*
 * Inside the client library: the handle and the request/reply machinery.
 *
 * One request is on the wire at a time per handle (request_lock). Until the
 * first watch, the requesting thread reads its own reply; after that a
 * reader thread owns the socket and sorts what arrives into the reply slot
 * and the watch queue. Lock order: request_lock, then state_lock.
 */
#ifndef XS_INTERNAL_H
#define XS_INTERNAL_H

#include <pthread.h>
#include <sys/uio.h>

#include <xenstore.h>

struct xs_msg {
    struct xs_msg *next;
    struct xsd_sockmsg hdr;
    char body[];          /* hdr.len bytes plus a nul */
};

struct xs_handle {
    int fd;
    unsigned long flags;
    uint32_t next_req_id;

    pthread_mutex_t request_lock;   /* one request on the wire */
    pthread_mutex_t state_lock;     /* everything below */
    pthread_cond_t reply_cond;
    pthread_cond_t watch_cond;
    struct xs_msg *reply;           /* [state_lock] reply for the waiter */
    struct xs_msg *events, **events_tail;   /* [state_lock] */
    int event_pipe[2];              /* readable while events wait */
    bool reader_running;            /* [state_lock] */
    bool broken;                    /* [state_lock] connection lost */
    pthread_t reader;

    /* Bytes read from the socket but not yet parsed. Only the one thread
     * that reads at a time uses them: the requester until the reader
     * thread starts, then the reader thread. */
    uint32_t rbuf_off, rbuf_len;
    char rbuf[XENSTORE_PAYLOAD_MAX + sizeof(struct xsd_sockmsg)];
};

/*
 * Sends a request built from iov and waits for its reply. Returns the reply
 * body (nul-terminated, free() it) and its length, or NULL with errno set
 * (from an XS_ERROR reply, or EIO when the connection failed).
 */
void *xs_talkv(struct xs_handle *h, xs_transaction_t t, uint32_t type,
               const struct iovec *iov, unsigned num, unsigned *len);
/* The same with one nul-terminated string as the payload. */
void *xs_single(struct xs_handle *h, xs_transaction_t t, uint32_t type,
                const char *s, unsigned *len);
/* True if the reply was "OK" (frees it). */
bool xs_bool(char *reply);

/* Starts the reader thread if it is not running yet. */
int xs_start_reader(struct xs_handle *h);
/* Maps an error name from the daemon to errno. */
int xs_errno_from_name(const char *name);

#endif
