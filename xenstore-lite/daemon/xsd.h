/*
 * The daemon's state and the objects it is made of: the store, domains,
 * connections, watches, transactions and quotas. The daemon is single
 * threaded: one event loop owns all of it, so no field needs a lock.
 *
 * Transports (unix socket, shared ring) only move bytes: they feed what a
 * client sent to xsd_conn_input() and drain what xsd_conn_output_*() hands
 * them. Everything protocol-related lives behind this header.
 */
#ifndef XSD_XSD_H
#define XSD_XSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pvabi/io/xs_wire.h>

#include "node.h"

#define XSD_MAX_DOMID 0x7ff0u  /* DOMID_FIRST_RESERVED: ids at or above are not domains */

/* Per-domain limits, applied to unprivileged domains only (as Xen does). */
struct xsd_quota {
    unsigned nodes;               /* nodes a domain may own */
    unsigned watches;             /* watches per domain */
    unsigned transactions;        /* open transactions per connection */
    unsigned outstanding;         /* unanswered requests per connection */
    unsigned transaction_nodes;   /* nodes one transaction may touch */
    unsigned long memory;         /* bytes of store a domain may own (hard) */
    unsigned long memory_soft;    /* bytes before a warning is logged */
    unsigned node_size;           /* value bytes per node */
    unsigned path_max;            /* path length */
    unsigned permissions;         /* entries in a node's permission list */
};

/* Default quota values, the same as Xen 4.17's C daemon. */
void xsd_quota_defaults(struct xsd_quota *q);

struct xsd;
struct xsd_conn;

struct domain {
    unsigned domid;
    bool introduced;
    bool has_target;
    unsigned target;          /* SET_TARGET: this domain may act for target */
    bool shutdown;            /* @releaseDomain already fired for its shutdown */
    unsigned long mfn;        /* the ring page frame given by INTRODUCE */
    unsigned port;            /* its event channel */
    struct xsd_conn *conn;    /* ring connection, if the transport made one */
    long nodes;               /* nodes owned (perms[0].domid) */
    long memory;              /* bytes owned, see node_memory() */
    unsigned watches;
};

struct watch {
    struct watch *conn_next;  /* in conn->watches */
    struct watch *all_next;   /* in xsd->watches (all connections) */
    struct watch **all_pprev;
    struct watch *hash_next;  /* in xsd->watch_index[hash of path] */
    struct watch **hash_pprev;
    struct xsd_conn *conn;
    char *path;               /* absolute, or an "@..." special name */
    char *token;
    uint64_t seq;             /* registration order: events go out in it */
    uint32_t hash;            /* node_hash(path) */
    bool relative;            /* registered relative: events are relative */
};

/* Buckets of the watch index (by exact path). */
#define XSD_WATCH_BUCKETS 4096

/* A change to announce to watchers once it is visible in the store. */
struct pending_event {
    char *path;
    bool recurse;             /* removal: watches below path fire too */
    uint32_t nperms;
    struct xsd_perm *perms;   /* the node's permissions at the time */
};

struct txn {
    struct txn *next;
    uint32_t id;
    struct node_table nodes;  /* struct tnode by path */
    unsigned accessed;
    struct pending_event *events;
    unsigned nevents, events_cap;
    unsigned changes;         /* copies changed so far */
    int poisoned;             /* an operation failed half way: commit fails with it */
};

struct outmsg {
    struct outmsg *next;
    bool is_event;
    uint32_t len;             /* header + payload */
    char data[];
};

/* How a transport hears that output is waiting, and how it is told to go. */
struct xsd_conn_ops {
    void (*output_ready)(struct xsd_conn *conn);
    void (*destroy)(struct xsd_conn *conn);
    /* Optional: keep input to feed later (live update); else fed at once. */
    void (*stash_input)(struct xsd_conn *conn, const void *data, size_t len);
};

struct xsd_conn {
    struct xsd *xsd;
    struct xsd_conn *next, **pprev;     /* in xsd->conns */
    unsigned domid;
    bool privileged;                    /* may do everything (dom0 socket) */
    bool broken;                        /* protocol violation: close it */
    const struct xsd_conn_ops *ops;
    void *transport;

    /* input: one message at a time */
    bool feeding;                       /* inside xsd_conn_input() */
    size_t feeding_used;                /* ...bytes of its chunk taken so far */
    struct xsd_sockmsg hdr;
    uint32_t hdr_got, body_got;
    char body[XENSTORE_PAYLOAD_MAX + 1];

    /* output queue */
    struct outmsg *out_head, *out_tail;
    uint32_t out_off;                   /* bytes of out_head already sent */
    unsigned out_replies, out_events;
    size_t out_bytes;
    unsigned long events_dropped;

    struct watch *watches;
    unsigned nwatches;
    struct txn *txns;
    unsigned ntxns;
    uint32_t next_txid;
};

/* What the hypervisor says of a domain (xsd_check_domains). */
enum xsd_domain_state {
    XSD_DOMAIN_RUNNING,       /* alive (paused or not) */
    XSD_DOMAIN_SHUTDOWN,      /* shut down, not yet destroyed */
    XSD_DOMAIN_GONE,          /* dying or no longer there */
};

/* A transport's hook for INTRODUCE/RELEASE: connects a domain's ring. */
struct xsd_domain_backend {
    int (*introduce)(struct xsd *xsd, struct domain *d);
    void (*release)(struct xsd *xsd, struct domain *d);
    /* An xsd_domain_state, or -errno when it cannot be told (then nothing changes). */
    int (*domain_state)(struct xsd *xsd, unsigned domid);
    void *opaque;
};

struct xsd {
    struct node_table store;
    uint64_t gen;                       /* bumped on every committed change */
    struct xsd_quota quota;
    struct domain *domains[XSD_MAX_DOMID];
    struct xsd_conn *conns;
    struct watch *watches;              /* all watches, oldest first: events go out in that order */
    struct watch *watches_tail;
    /*
     * The same watches by path: a change of /a/b/c looks up "/", "/a",
     * "/a/b" and "/a/b/c" instead of testing every watch of every client.
     */
    struct watch *watch_index[XSD_WATCH_BUCKETS];
    uint64_t watch_seq;
    unsigned long nwatches;
    struct xsd_domain_backend backend;
    /* Permissions of @introduceDomain and @releaseDomain: who hears them. */
    struct xsd_perm special_perms[2][8];
    uint32_t special_nperms[2];
    /*
     * CONTROL live-update: replaces the daemon by the given binary, handing
     * over the store and the connections. Does not return on success. Set
     * by the daemon's main; NULL (ENOSYS) in tests.
     */
    int (*live_update)(struct xsd *xsd, struct xsd_conn *conn,
                       const struct xsd_sockmsg *req, const char *binary);
    bool log_enabled;
    void (*log)(const char *msg);
    unsigned long requests;             /* statistics for CONTROL */
};

/* Lifecycle of the whole daemon state. */
int xsd_init(struct xsd *xsd);
void xsd_destroy(struct xsd *xsd);

/* Connections. A new connection belongs to domid; privileged for dom0's. */
struct xsd_conn *xsd_conn_new(struct xsd *xsd, unsigned domid, bool privileged,
                              const struct xsd_conn_ops *ops, void *transport);
void xsd_conn_free(struct xsd_conn *conn);

/*
 * Feeds bytes the client sent. Returns how many were consumed (it stops
 * early once the connection should not take more input), or a negative
 * errno when the client broke the protocol and must be disconnected.
 */
long xsd_conn_input(struct xsd_conn *conn, const void *data, size_t len);
/* Whether the connection may take more requests now (back-pressure). */
bool xsd_conn_wants_input(const struct xsd_conn *conn);
/* The next bytes to send (NULL when nothing waits), and marking them sent. */
const void *xsd_conn_output_peek(const struct xsd_conn *conn, size_t *len);
void xsd_conn_output_consume(struct xsd_conn *conn, size_t len);

/* Handles one complete message (used by the input path and the fuzzer). */
void xsd_handle_message(struct xsd_conn *conn, const struct xsd_sockmsg *hdr,
                        char *body);

/* Domains. */
struct domain *domain_get(struct xsd *xsd, unsigned domid);   /* NULL if unknown */
struct domain *domain_get_or_create(struct xsd *xsd, unsigned domid);
void domain_account(struct xsd *xsd, const struct node *n, int sign);
/*
 * An introduced domain is no more: its ring goes, it is no longer
 * introduced, and @releaseDomain fires (RELEASE, or a death noticed).
 */
void xsd_domain_release(struct xsd *xsd, struct domain *d);
/*
 * Something happened to some domain (VIRQ_DOM_EXC): asks backend.domain_state
 * about every introduced domain but dom0. A domain that shut down fires
 * @releaseDomain once (toolstacks watch it to carry out on_poweroff and
 * friends); one that is dying or gone is released.
 */
void xsd_check_domains(struct xsd *xsd);

/* Index of a special watch name in special_perms, or -1. */
int xsd_special_index(const char *name);

/* Logging through xsd->log when enabled. */
void xsd_logf(struct xsd *xsd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
