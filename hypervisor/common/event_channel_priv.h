/*
 * Event channel internals shared by event_channel*.c: the port table, the
 * per-domain state and the port-ABI operations table. Private to common/.
 * Tags: [L] the domain's event-channel lock, [D] its delivery lock,
 * [L+D] written holding both, read holding either, [a] atomic,
 * [I] immutable.
 */
#ifndef TESSERA_EVENT_CHANNEL_PRIV_H
#define TESSERA_EVENT_CHANNEL_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <tessera/bitmap.h>
#include <tessera/domain.h>
#include <tessera/event_channel.h>
#include <tessera/spinlock.h>

enum evtchn_state {
    ECS_FREE = 0,       /* must be 0: buckets come zeroed */
    ECS_RESERVED,       /* port 0 */
    ECS_UNBOUND,        /* waiting for u.unbound_remote to bind */
    ECS_INTERDOMAIN,
    ECS_VIRQ,
    ECS_IPI,
    ECS_PIRQ,           /* a physical interrupt (common/pirq.c) */
};

struct evtchn {
    uint8_t state;              /* [L] enum evtchn_state */
    uint8_t priority;           /* [L+D] FIFO queue of its next event */
    /* FIFO: the queue it was last linked into (whose tail it may be). [D] */
    uint8_t last_priority;
    uint8_t last_vcpu;
    bool fifo_pending;          /* [D] FIFO event raised while it had no event word */
    uint32_t notify_vcpu;       /* [L] written, [a] read by a peer's sender */
    union {                     /* [L] */
        domid_t unbound_remote;
        struct {
            struct domain *dom;
            evtchn_port_t port;
        } interdomain;
        unsigned int virq;
        uint32_t pirq;
    } u;
};

#define EVTCHN_NR_BUCKETS (EVTCHN_MAX_PORTS / EVTCHN_BUCKET_PORTS)

/*
 * How pending events reach the guest: the 2-level bitmaps
 * (event_channel_2l.c) or the FIFO queues (event_channel_fifo.c). A domain
 * starts on 2-level; EVTCHNOP_init_control switches it to FIFO and
 * EVTCHNOP_reset back. Every call is made holding the domain's delivery
 * lock [D] (through the evtchn_port_* helpers of event_channel_send.c),
 * so the table cannot change under a caller. Ports passed in have storage
 * (struct evtchn), except for is_pending, which takes any port below
 * max_ports.
 */
struct evtchn_port_ops {
    const char *name;
    /* Ports this ABI can name (SCHEDOP_poll's range); allocation also stops at EVTCHN_MAX_PORTS. */
    unsigned int max_ports;
    /* Marks port pending, notifying v (may be NULL); true if newly pending. */
    bool (*set_pending)(struct domain *d, struct vcpu *v, evtchn_port_t port);
    void (*clear_pending)(struct domain *d, evtchn_port_t port);
    /* EVTCHNOP_unmask: clears the mask and notifies v if the port is pending. */
    void (*unmask)(struct domain *d, struct vcpu *v, evtchn_port_t port);
    bool (*is_pending)(const struct domain *d, evtchn_port_t port);
    /* A free port the guest still has on a queue is not handed out. NULL: never. */
    bool (*is_busy)(const struct domain *d, evtchn_port_t port);
    /* EVTCHNOP_set_priority on a bound port: 0 or -EINVAL. NULL: -ENOSYS for any port. */
    int (*set_priority)(struct domain *d, evtchn_port_t port, unsigned int priority);
    /* Fills in what the guest sees of port, notified to v (may be NULL); diagnostics. */
    void (*view)(const struct domain *d, const struct vcpu *v, evtchn_port_t port,
                 struct evtchn_port_view *out);
};

extern const struct evtchn_port_ops evtchn_port_ops_2l;
extern const struct evtchn_port_ops evtchn_port_ops_fifo;

struct evtchn_fifo;     /* event_channel_fifo.c */

struct evtchn_domain {
    spinlock_t lock;
    /*
     * Taken inside the event-channel locks (of this domain or a sender's)
     * around every port-ABI call: a peer delivers holding only its own
     * lock, and the FIFO queues and the ABI switch need one owner.
     */
    spinlock_t deliver_lock;
    bool dying;                                 /* [L] no new ports or bindings */
    const struct evtchn_port_ops *ops;          /* [L+D] */
    struct evtchn_fifo *fifo;                   /* [L+D] FIFO state, NULL on 2-level */
    unsigned int valid_ports;                   /* [L] written, [a] read: ports with storage */
    unsigned int nr_in_use;                     /* [L] ports not ECS_FREE (port 0 included) */
    unsigned long poll_mask;                    /* [a] vCPUs polling, by vcpu_id */
    DECLARE_BITMAP(in_use, EVTCHN_MAX_PORTS);   /* [L] port not ECS_FREE */
    struct evtchn *bucket[EVTCHN_NR_BUCKETS];   /* [L] written; stable while a port in it is used */
};

/* --- event_channel.c: ports, locks, life cycle ------------------------------ */

unsigned long evtchn_lock(struct domain *d);
void evtchn_unlock(struct domain *d, unsigned long flags);
/* Both domains' locks (one if a == b), lower domain id first. */
unsigned long evtchn_lock_pair(struct domain *a, struct domain *b);
void evtchn_unlock_pair(struct domain *a, struct domain *b, unsigned long flags);

static inline bool evtchn_port_valid(const struct evtchn_domain *ed, evtchn_port_t port)
{
    return port < __atomic_load_n(&ed->valid_ports, __ATOMIC_ACQUIRE);
}

static inline struct evtchn *evtchn_from_port(const struct evtchn_domain *ed, evtchn_port_t port)
{
    return &ed->bucket[port / EVTCHN_BUCKET_PORTS][port % EVTCHN_BUCKET_PORTS];
}

/* A free port (storage allocated, state still ECS_FREE) or -errno. [L] */
int evtchn_get_free_port(struct domain *d);
/* Marks a port from evtchn_get_free_port used in 'state'. [L] */
struct evtchn *evtchn_claim_port(struct domain *d, evtchn_port_t port, enum evtchn_state state);

/* Closes d's port, taking the locks it needs (none may be held). 0 or -EINVAL. */
int evtchn_close_port(struct domain *d, evtchn_port_t port);

/* Takes a reference on a domain known to hold one already (a bound peer). */
void evtchn_domain_hold(struct domain *d);

/* The vCPU with this id, or NULL. */
static inline struct vcpu *evtchn_vcpu(const struct domain *d, uint32_t vcpu_id)
{
    if (vcpu_id >= d->max_vcpus || vcpu_id >= MAX_VCPUS_PER_DOMAIN)
        return NULL;
    return d->vcpus[vcpu_id];
}

/* The most ports d may have with its current ABI. [L] or [D] */
static inline unsigned int evtchn_port_limit(const struct evtchn_domain *ed)
{
    return ed->ops->max_ports < EVTCHN_MAX_PORTS ? ed->ops->max_ports : EVTCHN_MAX_PORTS;
}

/* --- event_channel_send.c: delivery ----------------------------------------- */

/*
 * The port-ABI calls, each under d's delivery lock. set_pending: marks
 * d's port pending for vCPU vcpu_id and wakes pollers ([L] of d, or the
 * sender's); the others [L] of d.
 */
void evtchn_port_set_pending(struct domain *d, uint32_t vcpu_id, evtchn_port_t port);
void evtchn_port_clear_pending(struct domain *d, evtchn_port_t port);
void evtchn_port_unmask(struct domain *d, uint32_t vcpu_id, evtchn_port_t port);
/* -ENOSYS without priorities (2-level), -EACCES for a port not usable (closed, reserved). */
int evtchn_port_set_priority(struct domain *d, evtchn_port_t port, unsigned int priority,
                             bool usable);
/* Ends the polls waiting for this port of d (after it became pending). */
void evtchn_wake_pollers(struct domain *d, evtchn_port_t port);

unsigned long evtchn_deliver_lock(struct domain *d);
void evtchn_deliver_unlock(struct domain *d, unsigned long flags);

/* --- event_channel_fifo.c: the FIFO ABI's hypercalls and life cycle ----------- */

/* EVTCHNOP_init_control for d (the caller's domain): 0 or -errno as Xen. */
int evtchn_fifo_init_control(struct domain *d, uint32_t vcpu_id, uint64_t gfn, uint32_t offset);
/* EVTCHNOP_expand_array: 0, -EOPNOTSUPP (2-level), -ENOSPC (full), -EINVAL (bad frame). */
int evtchn_fifo_expand_array(struct domain *d, uint64_t gfn);
/* Back to 2-level: releases the control blocks and event array. [L] of d */
void evtchn_fifo_teardown(struct domain *d);
/* evtchn_domain_check's part for the FIFO state: 0 or -EINVAL with *why. [L] of d */
int evtchn_fifo_check(struct domain *d, const char **why);

#endif
