/*
 * Tessera guest ABI: event channels, event_channel_op(cmd, arg).
 *
 * A port is a per-domain number; the 2-level ABI (pending/mask bitmaps in
 * shared_info) allows EVTCHN_2L_NR_CHANNELS = 4096 ports on x86-64. A domain
 * starts on it and switches to the FIFO ABI with EVTCHNOP_init_control (one
 * control block per vCPU, event words in pages added by expand_array).
 */
#ifndef PVABI_EVENT_CHANNEL_H
#define PVABI_EVENT_CHANNEL_H

#include <pvabi/xen.h>

#define EVTCHNOP_bind_interdomain  0
#define EVTCHNOP_bind_virq         1
#define EVTCHNOP_bind_pirq         2
#define EVTCHNOP_close             3
#define EVTCHNOP_send              4
#define EVTCHNOP_status            5
#define EVTCHNOP_alloc_unbound     6
#define EVTCHNOP_bind_ipi          7
#define EVTCHNOP_bind_vcpu         8
#define EVTCHNOP_unmask            9
#define EVTCHNOP_reset            10
#define EVTCHNOP_init_control     11   /* FIFO ABI */
#define EVTCHNOP_expand_array     12   /* FIFO ABI */
#define EVTCHNOP_set_priority     13   /* FIFO ABI */
/* 14 is internal to Xen; never used here */

/* evtchn_status.status */
#define EVTCHNSTAT_closed       0
#define EVTCHNSTAT_unbound      1
#define EVTCHNSTAT_interdomain  2
#define EVTCHNSTAT_pirq         3
#define EVTCHNSTAT_virq         4
#define EVTCHNSTAT_ipi          5

#define BIND_PIRQ__WILL_SHARE   1

/* FIFO ABI constants. */
#define EVTCHN_FIFO_PRIORITY_MAX     0
#define EVTCHN_FIFO_PRIORITY_DEFAULT 7
#define EVTCHN_FIFO_PRIORITY_MIN     15
#define EVTCHN_FIFO_MAX_QUEUES       (EVTCHN_FIFO_PRIORITY_MIN + 1)
#define EVTCHN_FIFO_PENDING          31
#define EVTCHN_FIFO_MASKED           30
#define EVTCHN_FIFO_LINKED           29
#define EVTCHN_FIFO_BUSY             28
#define EVTCHN_FIFO_LINK_BITS        17
#define EVTCHN_FIFO_LINK_MASK        ((1 << EVTCHN_FIFO_LINK_BITS) - 1)
#define EVTCHN_FIFO_NR_CHANNELS      (1 << EVTCHN_FIFO_LINK_BITS)
/*
 * An event array page holds 1024 event words; enough pages for every
 * FIFO port is the limit on expand_array (-ENOSPC past it). Xen keeps
 * these two private; their values follow from the public ones above.
 */
#define EVTCHN_FIFO_EVENT_WORDS_PER_PAGE   (4096 / 4)   /* 4 KiB / sizeof(event_word_t) */
#define EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES  (EVTCHN_FIFO_NR_CHANNELS / EVTCHN_FIFO_EVENT_WORDS_PER_PAGE)

#ifndef __ASSEMBLY__

typedef uint32_t evtchn_port_t;
DEFINE_XEN_GUEST_HANDLE(evtchn_port_t);

/* Allocate a port in dom that remote_dom may later bind to. */
struct evtchn_alloc_unbound {
    domid_t dom;            /* IN: DOMID_SELF, or another domain if privileged */
    domid_t remote_dom;     /* IN */
    evtchn_port_t port;     /* OUT */
};
typedef struct evtchn_alloc_unbound evtchn_alloc_unbound_t;

/* Connect a new local port to remote_dom's unbound remote_port. */
struct evtchn_bind_interdomain {
    domid_t remote_dom;         /* IN */
    evtchn_port_t remote_port;  /* IN */
    evtchn_port_t local_port;   /* OUT */
};
typedef struct evtchn_bind_interdomain evtchn_bind_interdomain_t;

/* Bind a VIRQ_* to a new port delivered on vcpu. */
struct evtchn_bind_virq {
    uint32_t virq;          /* IN */
    uint32_t vcpu;          /* IN */
    evtchn_port_t port;     /* OUT */
};
typedef struct evtchn_bind_virq evtchn_bind_virq_t;

/* Bind a physical IRQ (privileged). */
struct evtchn_bind_pirq {
    uint32_t pirq;          /* IN */
    uint32_t flags;         /* IN: BIND_PIRQ__* */
    evtchn_port_t port;     /* OUT */
};
typedef struct evtchn_bind_pirq evtchn_bind_pirq_t;

/* A port that notifies vcpu of this same domain when sent. */
struct evtchn_bind_ipi {
    uint32_t vcpu;          /* IN */
    evtchn_port_t port;     /* OUT */
};
typedef struct evtchn_bind_ipi evtchn_bind_ipi_t;

struct evtchn_close {
    evtchn_port_t port;     /* IN */
};
typedef struct evtchn_close evtchn_close_t;

struct evtchn_send {
    evtchn_port_t port;     /* IN */
};
typedef struct evtchn_send evtchn_send_t;

struct evtchn_status {
    domid_t dom;            /* IN */
    evtchn_port_t port;     /* IN */
    uint32_t status;        /* OUT: EVTCHNSTAT_* */
    uint32_t vcpu;          /* OUT: vCPU notified */
    union {                 /* OUT, by status */
        struct {
            domid_t dom;
        } unbound;
        struct {
            domid_t dom;
            evtchn_port_t port;
        } interdomain;
        uint32_t pirq;
        uint32_t virq;
    } u;
};
typedef struct evtchn_status evtchn_status_t;

/* Change the vCPU a port notifies (not for per-vCPU VIRQs or IPIs). */
struct evtchn_bind_vcpu {
    evtchn_port_t port;     /* IN */
    uint32_t vcpu;          /* IN */
};
typedef struct evtchn_bind_vcpu evtchn_bind_vcpu_t;

/* Clear the mask bit and re-deliver if the port is pending. */
struct evtchn_unmask {
    evtchn_port_t port;     /* IN */
};
typedef struct evtchn_unmask evtchn_unmask_t;

/* Close every port of dom. */
struct evtchn_reset {
    domid_t dom;            /* IN */
};
typedef struct evtchn_reset evtchn_reset_t;

/*
 * FIFO ABI: register vCPU 'vcpu''s control block at 'offset' (8-byte
 * aligned, the whole block within the page) in frame control_gfn. The
 * first call switches the domain from 2-level to FIFO.
 */
struct evtchn_init_control {
    uint64_t control_gfn;   /* IN */
    uint32_t offset;        /* IN */
    uint32_t vcpu;          /* IN */
    uint8_t link_bits;      /* OUT: EVTCHN_FIFO_LINK_BITS */
    uint8_t _pad[7];
};
typedef struct evtchn_init_control evtchn_init_control_t;

/* FIFO ABI: the domain's next event array page (ports 1024 * n and up). */
struct evtchn_expand_array {
    uint64_t array_gfn;     /* IN */
};
typedef struct evtchn_expand_array evtchn_expand_array_t;

/* FIFO ABI: the queue (0 highest .. 15 lowest) a port's next events join. */
struct evtchn_set_priority {
    evtchn_port_t port;     /* IN */
    uint32_t priority;      /* IN */
};
typedef struct evtchn_set_priority evtchn_set_priority_t;

/* The compat form (hypercall 16): a command and its argument in one record. */
struct evtchn_op {
    uint32_t cmd;
    union {
        evtchn_alloc_unbound_t alloc_unbound;
        evtchn_bind_interdomain_t bind_interdomain;
        evtchn_bind_virq_t bind_virq;
        evtchn_bind_pirq_t bind_pirq;
        evtchn_bind_ipi_t bind_ipi;
        evtchn_close_t close;
        evtchn_send_t send;
        evtchn_status_t status;
        evtchn_bind_vcpu_t bind_vcpu;
        evtchn_unmask_t unmask;
    } u;
};
typedef struct evtchn_op evtchn_op_t;
DEFINE_XEN_GUEST_HANDLE(evtchn_op_t);

/*
 * One event word per port: PENDING, MASKED, LINKED and BUSY flags (bit
 * numbers above) and, while LINKED, the next port of its queue in the low
 * EVTCHN_FIFO_LINK_BITS bits (0 ends the queue). Guest and hypervisor
 * change it concurrently, each with atomic operations.
 */
typedef uint32_t event_word_t;

/*
 * Per vCPU: a READY bit per priority with a non-empty queue, and the port
 * at the head of each queue (the hypervisor keeps the tails).
 */
struct evtchn_fifo_control_block {
    uint32_t ready;
    uint32_t _rsvd;
    uint32_t head[EVTCHN_FIFO_MAX_QUEUES];
};
typedef struct evtchn_fifo_control_block evtchn_fifo_control_block_t;

_Static_assert(sizeof(struct evtchn_alloc_unbound) == 8, "evtchn_alloc_unbound");
_Static_assert(offsetof(struct evtchn_alloc_unbound, port) == 4, "alloc_unbound.port");
_Static_assert(sizeof(struct evtchn_bind_interdomain) == 12, "evtchn_bind_interdomain");
_Static_assert(offsetof(struct evtchn_bind_interdomain, remote_port) == 4, "bind_interdomain.remote_port");
_Static_assert(sizeof(struct evtchn_bind_virq) == 12, "evtchn_bind_virq");
_Static_assert(sizeof(struct evtchn_bind_pirq) == 12, "evtchn_bind_pirq");
_Static_assert(sizeof(struct evtchn_bind_ipi) == 8, "evtchn_bind_ipi");
_Static_assert(sizeof(struct evtchn_status) == 24, "evtchn_status");
_Static_assert(offsetof(struct evtchn_status, status) == 8, "evtchn_status.status");
_Static_assert(offsetof(struct evtchn_status, u) == 16, "evtchn_status.u");
_Static_assert(offsetof(struct evtchn_status, u.interdomain.port) == 20, "evtchn_status.u.port");
_Static_assert(sizeof(struct evtchn_bind_vcpu) == 8, "evtchn_bind_vcpu");
_Static_assert(sizeof(struct evtchn_reset) == 2, "evtchn_reset");
_Static_assert(sizeof(struct evtchn_init_control) == 24, "evtchn_init_control");
_Static_assert(offsetof(struct evtchn_init_control, offset) == 8, "init_control.offset");
_Static_assert(offsetof(struct evtchn_init_control, vcpu) == 12, "init_control.vcpu");
_Static_assert(offsetof(struct evtchn_init_control, link_bits) == 16, "init_control.link_bits");
_Static_assert(sizeof(struct evtchn_expand_array) == 8, "evtchn_expand_array");
_Static_assert(sizeof(struct evtchn_set_priority) == 8, "evtchn_set_priority");
_Static_assert(offsetof(struct evtchn_set_priority, priority) == 4, "set_priority.priority");
_Static_assert(sizeof(event_word_t) == 4, "event_word_t");
_Static_assert(EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES == 128, "event array pages");
_Static_assert(sizeof(struct evtchn_op) == 28, "evtchn_op");
_Static_assert(sizeof(struct evtchn_fifo_control_block) == 72, "evtchn_fifo_control_block");
_Static_assert(offsetof(struct evtchn_fifo_control_block, head) == 8, "control_block.head");

#endif /* !__ASSEMBLY__ */
#endif /* PVABI_EVENT_CHANNEL_H */
