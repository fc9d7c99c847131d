/*
 * Event channels: the EVTCHNOP_* hypercall and the calls the rest of the
 * hypervisor makes to raise events in guests (VIRQs, the builder's console
 * and xenstore ports, SCHEDOP_poll).
 *
 * A port is a per-domain number below EVTCHN_MAX_PORTS. Port 0 is never
 * handed out. Port storage grows in buckets of EVTCHN_BUCKET_PORTS, so a
 * port past the highest bucket a domain ever used is "invalid" (-EINVAL)
 * while a free port inside one reads back as EVTCHNSTAT_closed, as in Xen.
 * How a pending event reaches the guest (the 2-level bitmaps in
 * shared_info, or the FIFO queues of event_channel_fifo.c) sits behind struct
 * evtchn_port_ops in common/event_channel_priv.h.
 *
 * Locking rules
 *  - Each domain has one event-channel lock (in its struct evtchn_domain).
 *    It guards every port's state and binding, the domain's
 *    vcpu->virq_to_evtchn[] tables and the port allocator.
 *  - The lock is always taken with interrupts off (irqsave): VIRQs are
 *    raised from timer and softirq context.
 *  - An operation on two domains (bind_interdomain, closing either end of
 *    an interdomain channel) takes both locks, lower domain id first.
 *  - Sending on an interdomain channel holds only the sender's lock: the
 *    peer cannot close its end without the sender's lock too, so the
 *    peer's port stays bound while it is notified. The peer's notified
 *    vCPU is read atomically (bind_vcpu may change it concurrently).
 *  - Pending, mask and selector words are shared with the guest, which
 *    changes them concurrently: every access is an atomic bit operation.
 *    The hypervisor never writes a mask bit except for EVTCHNOP_unmask.
 *  - vcpu_kick() is called with event-channel locks held: it must not
 *    take them (it wakes or interrupts a vCPU, nothing more).
 *  - Lock order (domain.h): domain_list_lock > domain.lock > event-channel
 *    locks > per-CPU locks.
 *
 * Life cycle: evtchn_domain_init() when the domain is built,
 * evtchn_domain_destroy() when it dies (its vCPUs and timers stopped, while
 * it still holds a reference), evtchn_domain_free() from domain_free().
 */
#ifndef TESSERA_EVENT_CHANNEL_H
#define TESSERA_EVENT_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <pvabi/event_channel.h>
#include <tessera/domain.h>

#define EVTCHN_MAX_PORTS     EVTCHN_2L_NR_CHANNELS   /* 4096 on x86-64 */
#define EVTCHN_BUCKET_PORTS  64u

/*
 * The event_channel_op hypercall (number 32) for the calling vCPU:
 * cmd is EVTCHNOP_*, guest_arg the guest address of its argument. The
 * argument is copied in once, validated, acted on and (for the ops with
 * OUT fields) copied back whole. Returns 0 or a negative errno with Xen's
 * values; -ENOSYS for unknown ops. A domain starts on the
 * 2-level ABI; init_control switches it to FIFO, reset back.
 */
long do_event_channel_op(int cmd, uint64_t guest_arg);

/*
 * Hypercall 16, the older form taking one struct evtchn_op (command and
 * argument together); ops 0-9 only, as in Xen, else -ENOSYS.
 */
long do_event_channel_op_compat(uint64_t guest_arg);

/* "bind_virq" for EVTCHNOP_bind_virq; NULL for numbers that name no operation. */
const char *evtchn_op_name(int cmd);

/*
 * Sets up d's ports (port 0 reserved, the 2-level ABI). 0, -ENOMEM or
 * -EEXIST (already set up). On failure nothing is left allocated.
 */
int evtchn_domain_init(struct domain *d);

/*
 * Closes every port of d, including the far ends' view of interdomain
 * channels (the peers see their ports unbound, waiting for d's id), and
 * refuses any further allocation or binding to d. Idempotent. The caller
 * has stopped d's vCPUs and timers and still holds a reference to d.
 */
void evtchn_domain_destroy(struct domain *d);

/* Releases what evtchn_domain_init allocated; from domain_free(). */
void evtchn_domain_free(struct domain *d);

/*
 * For the domain builder: a port of d that domain 'remote' may bind to
 * (the console and xenstore channels). 0 with *port set, -ENOSPC,
 * -ENOMEM, -EINVAL (d dying or not set up, remote a reserved id).
 */
int evtchn_alloc_unbound_for(struct domain *d, domid_t remote, evtchn_port_t *port);

/* EVTCHNOP_send on d's port, as if d had made the hypercall. */
int evtchn_send(struct domain *d, evtchn_port_t port);

/*
 * A physical interrupt for d's PIRQ pirq, bound to port: set pending if
 * the port is still bound to that PIRQ (common/pirq.c's delivery).
 */
void evtchn_send_pirq(struct domain *d, evtchn_port_t port, uint32_t pirq);

/*
 * What a guest sees of one of its ports right now, for diagnostics (a
 * stalled vCPU's report). 'notified' is what makes the guest look: on
 * 2-level the port word's selector bit in the vCPU's vcpu_info, on FIFO
 * the port is LINKED and its queue's READY bit is set.
 */
struct evtchn_port_view {
    const char *abi;        /* "2-level" or "FIFO" */
    bool pending, masked, notified;
    uint32_t word;          /* FIFO: the event word; 2-level: 0 */
    uint32_t ready;         /* FIFO: the vCPU's control block READY bits */
    uint32_t head;          /* FIFO: the control block's head of the port's queue */
};

/* Fills *out for d's port notified to vcpu_id; -EINVAL for a port without storage. */
int evtchn_port_view(struct domain *d, uint32_t vcpu_id, evtchn_port_t port,
                     struct evtchn_port_view *out);

/* VIRQ_TIMER, VIRQ_DEBUG, VIRQ_XENOPROF and VIRQ_XENPMU are per-vCPU. */
bool evtchn_virq_is_global(unsigned int virq);

/*
 * Raise a per-vCPU VIRQ on v (nothing if v has not bound it, or virq is
 * global or out of range). Any context, including interrupts.
 */
void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq);

/*
 * Raise a global VIRQ of d, delivered to the vCPU its port is bound to
 * (bind_vcpu moves it). Nothing if unbound, per-vCPU or out of range.
 */
void send_guest_global_virq(struct domain *d, unsigned int virq);

/* Whether any of these ports of v's domain is pending (out-of-range ports are not). */
bool evtchn_any_pending(struct vcpu *v, const evtchn_port_t *ports, unsigned int n);

/*
 * SCHEDOP_poll, for the scheduler, with the port list already copied in
 * (the scheduler caps n). Marks v as polling these ports (v->polling,
 * v->poll_evtchn: the port when n == 1, -1 for "any"), then looks at them:
 *   1        one is already pending: v is not left polling, do not block;
 *   0        v is polling: block it until v->polling reads false or the
 *            timeout passes. An event on one of the ports (or, for "any",
 *            on any port of the domain) clears v->polling and calls
 *            vcpu_kick(v), once per poll;
 *   -EINVAL  a port is out of range; nothing changed.
 * After a 0, the scheduler calls evtchn_poll_end(v) whatever woke it.
 */
int evtchn_poll_begin(struct vcpu *v, const evtchn_port_t *ports, unsigned int n);
void evtchn_poll_end(struct vcpu *v);

/*
 * Checks every invariant of d's event channels (port states against the
 * allocator's bitmap, interdomain pairs pointing at each other, VIRQ
 * tables against VIRQ ports, notified vCPUs in range, the FIFO state). 0, or -EINVAL with
 * a reason in *why. Takes d's lock but reads interdomain peers' ports
 * without theirs: for tests and a quiescent system (debug keys).
 */
int evtchn_domain_check(struct domain *d, const char **why);

#endif
