/*
 * The stall watch: a wake-up the hypervisor owes and has not given shows
 * up in its own log, with the state that explains it, instead of as an
 * RCU stall inside a guest. Every WATCH_PERIOD_NS each CPU looks at the
 * other CPUs' timer queues (an earliest deadline long past: an APIC timer
 * left unprogrammed, a softirq that never ran, a broken heap), and CPU 0
 * at every PV vCPU blocked for longer than the threshold (an upcall it
 * could take and was not woken for, a singleshot or poll timer long past
 * its deadline, a timer event pending that its guest was never told of)
 * or runnable that long without being picked (to a guest, the same: a
 * CPU that stopped).
 *
 * The work runs from a softirq, not the timer callback: a callback holds
 * its CPU's timer lock, and the domain list's lock comes before that.
 * One report per stall (per blocked spell of a vCPU, per overdue deadline
 * of a CPU). "stall_watch=SECONDS" sets the threshold, 0 turns it off; a
 * deadline counts as lost once it is that far past, too: a hypercall runs
 * with interrupts off (docs/scheduler.md), and under a loaded emulator a
 * long one during dom0's boot has held a CPU's timers back for 5 s.
 */
#include <stdint.h>
#include <asm/percpu.h>
#include <asm/pv.h>
#include <asm/softirq.h>
#include <asm/timers.h>
#include <pvabi/vcpu.h>
#include <pvabi/xen.h>
#include <tessera/arch.h>
#include <tessera/domain.h>
#include <tessera/domain_ops.h>
#include <tessera/event_channel.h>
#include <tessera/format.h>
#include <tessera/log.h>
#include <tessera/sched.h>

#define WATCH_PERIOD_NS 2000000000ull
#define NS_PER_S        1000000000ull

uint64_t pv_stall_watch_s = 10;

static struct timer watch_timers[MAX_CPUS];
/* [a] Per CPU: the overdue deadline seen at the last look, and the last one reported. */
static uint64_t queue_suspect[MAX_CPUS], queue_reported[MAX_CPUS];
/* [a] Per CPU: the hypercalls begun there at the last look (the same count: still the same one). */
static uint64_t queue_begun[MAX_CPUS];

static void watch_tick(void *data)
{
    struct timer *t = data;

    softirq_raise(SOFTIRQ_STALL_WATCH);
    timer_set(t, arch_now_ns() + WATCH_PERIOD_NS);
}

/* How long a vCPU may wait, and a deadline may lie past, before it counts as a stall. */
static uint64_t threshold_ns(void)
{
    return pv_stall_watch_s * NS_PER_S;
}

static void watch_queues(uint64_t now)
{
    unsigned me = this_cpu()->index;

    for (unsigned c = 0; c < MAX_CPUS; c++) {
        struct timer_queue_view q;
        if (c == me || !timer_queue_peek(c, &q))
            continue;
        bool overdue = q.next_ns != UINT64_MAX && now > q.next_ns + threshold_ns();
        if (!overdue && q.consistent)
            continue;
        /* Seen twice, a period apart: a host that starved that CPU for a while is not a stall. */
        uint64_t begun_before = __atomic_exchange_n(&queue_begun[c], q.hypercalls_begun,
                                                    __ATOMIC_SEQ_CST);
        if (__atomic_exchange_n(&queue_suspect[c], q.next_ns, __ATOMIC_SEQ_CST) != q.next_ns ||
            __atomic_exchange_n(&queue_reported[c], q.next_ns, __ATOMIC_SEQ_CST) == q.next_ns)
            continue;
        char in[64] = "";
        if (q.hypercall_nr != UINT32_MAX)
            format(in, sizeof(in), ", in hypercall %u%s", q.hypercall_nr,
                   begun_before == q.hypercalls_begun ? " (the same one as at the last look)" : "");
        log_warn("stall-watch: CPU %u's timers (hypervisor): %u armed, the earliest %ld ms ago, "
                 "its APIC timer set for %ld ms ago%s%s%s\n", c, q.nr,
                 (long)((int64_t)(now - q.next_ns) / 1000000),
                 q.lapic_deadline_ns ? (long)((int64_t)(now - q.lapic_deadline_ns) / 1000000) : 0L,
                 q.lapic_deadline_ns ? "" : " (none)",
                 q.softirq_pending ? ", its TIMER softirq raised and not run" : "",
                 q.consistent ? in : ", its heap broken");
    }
}

struct timer_state {
    bool armed;
    uint64_t expires;
};

static struct timer_state peek(struct timer *t)
{
    struct timer_state st;

    st.armed = timer_peek(t, &st.expires);
    return st;
}

/* "+12 ms", "-3000 ms" (past) or "none". */
static void describe_timer(struct timer_state st, uint64_t now, char *buf, size_t size)
{
    if (!st.armed)
        format(buf, size, "none");
    else
        format(buf, size, "%+ld ms", (long)((int64_t)(st.expires - now) / 1000000));
}

static bool long_past(struct timer_state st, uint64_t now)
{
    return st.armed && now > st.expires + threshold_ns();
}

/* Why v still sleeps; *owed: the hypervisor should have woken it by now. */
static const char *verdict(const struct vcpu *v, bool deliverable, bool shot_overdue,
                           bool poll_overdue, const struct evtchn_port_view *p, bool shot_armed,
                           bool *owed)
{
    *owed = true;
    if (deliverable && !v->polling)
        return "a deliverable upcall did not wake it (hypervisor)";
    if (shot_overdue)
        return "its singleshot timer is long past and did not fire (hypervisor)";
    if (poll_overdue)
        return "its poll timeout is long past and did not fire (hypervisor)";
    if (p->pending && !p->masked && !p->notified)
        return "its timer event is pending but the guest was not told (hypervisor)";
    *owed = false;
    if (p->pending && !p->masked)
        return "its timer event is pending and notified, the upcall masked";
    if (!shot_armed)
        return "no timer armed, no timer event pending: the guest waits for another event";
    return "its timer is armed for later";
}

/* Runnable for the whole threshold and never picked: a slice is milliseconds. */
static void watch_runnable(struct vcpu *v, const struct sched_runstate *rs, uint64_t now)
{
    struct arch_vcpu *a = v->arch;
    struct sched_vcpu_view sv;

    if (sched_vcpu_view(v, &sv) < 0)
        return;
    if (__atomic_exchange_n(&a->stall_suspect, rs->state_entry_time, __ATOMIC_RELAXED) !=
        rs->state_entry_time)
        return;
    __atomic_store_n(&a->stall_reported, rs->state_entry_time, __ATOMIC_RELAXED);
    char curr[24] = "nothing";
    if (sv.cpu_curr)
        format(curr, sizeof(curr), "d%uv%u", sv.cpu_curr->domain->domain_id, sv.cpu_curr->vcpu_id);
    log_warn("stall-watch: d%uv%u runnable %lu s and not picked (hypervisor): on CPU %u, "
             "queued %d running %d prio %d credit %ld ms pause count %u; that CPU runs %s%s\n",
             v->domain->domain_id, v->vcpu_id,
             (unsigned long)((now - rs->state_entry_time) / NS_PER_S), sv.cpu, sv.queued,
             sv.running, sv.prio, (long)(sv.credit / 1000000), sv.pause_count, curr,
             sv.cpu_idle ? " and is marked idle" : "");
}

static void watch_vcpu(struct vcpu *v, uint64_t now)
{
    struct arch_vcpu *a = v->arch;
    struct sched_runstate rs;

    if (a->hvm || !a->vtimers_ready || sched_get_runstate_settled(v, &rs) < 0)
        return;
    if (now < rs.state_entry_time + threshold_ns() ||
        __atomic_load_n(&a->stall_reported, __ATOMIC_RELAXED) == rs.state_entry_time)
        return;
    if (rs.state == RUNSTATE_runnable) {
        watch_runnable(v, &rs, now);
        return;
    }
    if (rs.state != RUNSTATE_blocked)
        return;

    const struct vcpu_info *vi = __atomic_load_n(&v->vcpu_info, __ATOMIC_ACQUIRE);
    uint8_t upcall = vi ? __atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST) : 0;
    uint8_t mask = vi ? __atomic_load_n(&vi->evtchn_upcall_mask, __ATOMIC_SEQ_CST) : 1;
    struct timer_state shot = peek(&a->singleshot_timer), periodic = peek(&a->periodic_timer),
                       poll = peek(&a->poll_timer);
    evtchn_port_t port = v->virq_to_evtchn[VIRQ_TIMER];
    struct evtchn_port_view p = { .abi = "-" };
    if (port)
        evtchn_port_view(v->domain, v->vcpu_id, port, &p);
    bool owed;
    const char *why = verdict(v, upcall && !mask, long_past(shot, now), long_past(poll, now), &p,
                              shot.armed, &owed);
    /* A wake-up owed must still be owed a period later: one may be on its way as we look. */
    if (owed && __atomic_exchange_n(&a->stall_suspect, rs.state_entry_time, __ATOMIC_RELAXED) !=
                    rs.state_entry_time)
        return;
    __atomic_store_n(&a->stall_reported, rs.state_entry_time, __ATOMIC_RELAXED);

    char shot_s[24], periodic_s[24], poll_s[24];
    describe_timer(shot, now, shot_s, sizeof(shot_s));
    describe_timer(periodic, now, periodic_s, sizeof(periodic_s));
    describe_timer(poll, now, poll_s, sizeof(poll_s));
    log_printf(owed ? LOG_WARN : LOG_INFO,
               "stall-watch: d%uv%u blocked %lu s%s on CPU %u: %s; upcall pending %u masked %u; "
               "timers: singleshot %s, periodic %s, poll %s; VIRQ_TIMER port %u (%s): pending %d "
               "masked %d notified %d word %#x ready %#x head %u\n",
               v->domain->domain_id, v->vcpu_id,
               (unsigned long)((now - rs.state_entry_time) / NS_PER_S),
               v->polling ? " polling" : "", v->processor, why, upcall, mask, shot_s, periodic_s,
               poll_s, port, p.abi, p.pending, p.masked, p.notified, p.word, p.ready, p.head);
}

static void watch_domain(struct domain *d, void *ctx)
{
    uint64_t now = *(uint64_t *)ctx;

    if (d->state != DOMAIN_RUNNING)
        return;
    for (unsigned i = 0; i < d->max_vcpus && i < MAX_VCPUS_PER_DOMAIN; i++)
        if (d->vcpus[i])
            watch_vcpu(d->vcpus[i], now);
}

static void watch_softirq(void)
{
    uint64_t now = arch_now_ns();

    watch_queues(now);
    if (this_cpu()->index == 0)
        domain_for_each(watch_domain, &now);
}

void pv_stall_watch_start(void)
{
    if (!pv_stall_watch_s)
        return;
    softirq_register(SOFTIRQ_STALL_WATCH, watch_softirq);
    uint64_t first = arch_now_ns() + WATCH_PERIOD_NS;
    for (unsigned c = 0; c < MAX_CPUS; c++) {
        if (!percpu_table[c] || !percpu_table[c]->online)
            continue;
        timer_init(&watch_timers[c], watch_tick, &watch_timers[c], c);
        timer_set(&watch_timers[c], first);
    }
}
