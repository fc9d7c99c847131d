/*
 * Timer wake-ups of vCPUs that block, move between physical CPUs and wake
 * each other: every vCPU of the domain (up to MAX_WORKERS) sleeps again
 * and again the way Linux's idle loop does (events masked, a singleshot
 * timer a few microseconds to a few hundred ahead, SCHEDOP_block unmasking
 * them), now and then polls its IPI port with a timeout, sends an IPI to
 * another vCPU or yields. With more vCPUs than physical CPUs they keep
 * changing CPUs, so timers are armed on one CPU while their vCPU last ran
 * on another.
 *
 * A lost wake-up leaves a vCPU blocked for good: vCPU 0 watches every
 * vCPU's progress and fails the test, naming what the stuck vCPU waits
 * for, when one has not moved for STUCK_NS (far above any host stall).
 *
 * Before that, vCPUs 0 and 1 play Linux's spinlock-against-IPI handshake
 * (handshake()): vCPU 1 waits for a "lock" by polling a masked kick port
 * with events enabled, vCPU 0 sends it an IPI and releases the lock only
 * once vCPU 1's upcall has taken the IPI. An IPI raised while vCPU 1 runs
 * and delivered only after it entered the poll must end that poll (Xen's
 * do_poll returns when an upcall is pending and unmasked); a hypervisor
 * that lets vCPU 1 sleep deadlocks the two, as it did Linux.
 *
 * Command line: seconds=N (default 8) of system time for the random part;
 * fifo=1 takes events through the FIFO ABI, consumed as Linux does
 * (lib/events_fifo.c), instead of 2-level.
 */
#include "guest.h"

const char test_title[] = "timer wake-ups of blocking vCPUs on several CPUs";

#define MAX_WORKERS  4
#define STACK_SIZE   16384
#define MAX_AHEAD_NS 300000ULL          /* timers up to 0.3 ms ahead */
#define STUCK_NS     20000000000ULL     /* no progress for 20 s: a lost wake-up */
#define STOP_WAIT_NS 20000000000ULL
/*
 * Woken past its deadline (by its timer, or by an IPI first), a vCPU waits
 * this long at most for its timer's event: an expired timer fires as soon
 * as the pCPU it is on takes its next interrupt, and a timer follows its
 * vCPU to the pCPU it is switched in on, so the event comes within
 * microseconds of the vCPU running again. One that never comes is a lost
 * timer, which the other vCPUs' IPIs would otherwise hide.
 */
#define LOST_WAIT_NS 1000000000ULL

enum phase { P_RUN, P_BLOCK, P_POLL, P_SEND, P_YIELD, P_DONE };
static const char *const phase_name[] = { "running", "blocked (singleshot)", "polling",
                                          "sending", "yielding", "done" };

struct worker {
    volatile unsigned long rounds, blocks, polls, sends, timer_events;
    volatile uint64_t last_progress_ns;   /* system time of its last round */
    volatile uint64_t deadline_ns;        /* the timer it waits for */
    volatile enum phase phase;
    volatile uint64_t worst_late_ns;      /* a timer wake-up's lateness */
    volatile unsigned long late[3];       /* wake-ups over 1, 10, 100 ms late */
    volatile unsigned long lost;          /* timers whose event never came (LOST_WAIT_NS) */
    evtchn_port_t timer_port, ipi_port;
    uint64_t rnd;
};

static struct worker workers[MAX_WORKERS];
static unsigned int nr_workers;
static char stacks[MAX_WORKERS][STACK_SIZE] __attribute__((aligned(16)));
static volatile bool stop_all, started[MAX_WORKERS];
static uint64_t run_ns;

#define HANDSHAKE_NS       3000000000ULL    /* rounds for this long */
#define HANDSHAKE_MAX      20000
#define HANDSHAKE_STUCK_NS 20000000000ULL
static evtchn_port_t call_port, kick_port;          /* both bound to vCPU 1 */
static volatile unsigned long call_acks;            /* vCPU 1's upcalls for call_port */
static volatile unsigned long released_round, handshake_rounds;
static volatile bool handshake_over;

static uint64_t next_rnd(struct worker *w)
{
    w->rnd ^= w->rnd << 13;
    w->rnd ^= w->rnd >> 7;
    w->rnd ^= w->rnd << 17;
    return w->rnd;
}

static void count_port(evtchn_port_t port)
{
    if (port == call_port && this_vcpu_id() == 1)
        call_acks++;
    for (unsigned int i = 0; i < nr_workers; i++)
        if (port == workers[i].timer_port)
            workers[i].timer_events++;
}

/* Sleep until the deadline as Linux's idle loop does: masked check, arm, block. */
static void sleep_until(struct worker *w, unsigned int me, uint64_t deadline, bool vcpu_op)
{
    unsigned long events_before = w->timer_events;
    bool armed = false;

    w->deadline_ns = deadline;
    for (;;) {
        events_disable();
        uint64_t now = system_time_ns();
        if (now >= deadline || stop_all) {
            uint64_t late = now >= deadline ? now - deadline : 0;
            if (late > w->worst_late_ns)
                w->worst_late_ns = late;
            for (unsigned int k = 0, ms = 1000000; k < 3; k++, ms *= 10)
                w->late[k] += late > ms;
            break;
        }
        if (vcpu_op) {
            struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = deadline };
            long rc = hyp_vcpu_op(VCPUOP_set_singleshot_timer, me, &t);
            if (rc)
                panic("vCPU %u: VCPUOP_set_singleshot_timer returned %ld", me, rc);
        } else {
            long rc = hyp_set_timer_op(deadline);
            if (rc)
                panic("vCPU %u: set_timer_op returned %ld", me, rc);
        }
        armed = true;
        w->phase = P_BLOCK;
        w->blocks++;
        hyp_sched_op(SCHEDOP_block, NULL);
        w->phase = P_RUN;
    }
    events_enable();
    if (!armed || stop_all)
        return;
    uint64_t t0 = system_time_ns();
    while (w->timer_events == events_before && system_time_ns() - t0 < LOST_WAIT_NS)
        __asm__ volatile("pause" ::: "memory");
    if (w->timer_events == events_before)
        w->lost++;
}

static void poll_ipi(struct worker *w, unsigned int me, uint64_t deadline)
{
    evtchn_port_t port = w->ipi_port;
    struct sched_poll p = { .nr_ports = 1, .timeout = deadline };
    set_xen_guest_handle(p.ports, &port);

    w->deadline_ns = deadline;
    w->phase = P_POLL;
    w->polls++;
    long rc = hyp_sched_op(SCHEDOP_poll, &p);
    w->phase = P_RUN;
    if (rc)
        panic("vCPU %u: SCHEDOP_poll returned %ld", me, rc);
}

static void work(unsigned int me)
{
    struct worker *w = &workers[me];
    uint64_t end = system_time_ns() + run_ns;

    /* Only the singleshot timer wakes us: no periodic tick. */
    long rc = hyp_vcpu_op(VCPUOP_stop_periodic_timer, me, NULL);
    if (rc)
        panic("vCPU %u: VCPUOP_stop_periodic_timer returned %ld", me, rc);
    started[me] = true;
    while (!stop_all && system_time_ns() < end) {
        uint64_t r = next_rnd(w);
        unsigned int what = (unsigned int)(r % 100);
        uint64_t ahead = (r >> 8) % MAX_AHEAD_NS;
        if (what < 70) {
            sleep_until(w, me, system_time_ns() + ahead, what & 1);
        } else if (what < 82) {
            poll_ipi(w, me, system_time_ns() + ahead);
        } else if (what < 95) {
            unsigned int to = (unsigned int)((r >> 32) % nr_workers);
            w->phase = P_SEND;
            w->sends++;
            evtchn_send_port(workers[to].ipi_port);
            w->phase = P_RUN;
        } else {
            w->phase = P_YIELD;
            hyp_sched_op(SCHEDOP_yield, NULL);
            w->phase = P_RUN;
        }
        w->rounds++;
        w->last_progress_ns = system_time_ns();
        if (me == 0) {
            /* vCPU 0 also watches the others. */
            uint64_t now = w->last_progress_ns;
            for (unsigned int i = 1; i < nr_workers; i++) {
                struct worker *o = &workers[i];
                uint64_t last = o->last_progress_ns;
                if (o->phase != P_DONE && now > last && now - last > STUCK_NS) {
                    test_fail("vCPU %u made no progress for %lu ms: %s, its deadline %ld us from "
                              "its last round (%lu rounds, %lu blocks, %lu timer events)",
                              i, (unsigned long)((now - last) / 1000000), phase_name[o->phase],
                              (long)((int64_t)(o->deadline_ns - last) / 1000), o->rounds,
                              o->blocks, o->timer_events);
                    stop_all = true;
                }
            }
        }
    }
    w->phase = P_DONE;
}

/* vCPU 1: the lock waiter, polling its kick port with events on until released. */
static void handshake_waiter(void)
{
    events_enable();        /* a secondary vCPU starts with them masked */
    for (unsigned long r = 1; !handshake_over; r++) {
        while (released_round < r && !handshake_over) {
            if (evtchn_test_and_clear_pending(kick_port))
                continue;
            if (released_round >= r || handshake_over)
                break;
            evtchn_port_t port = kick_port;
            struct sched_poll p = { .nr_ports = 1, .timeout = 0 };
            set_xen_guest_handle(p.ports, &port);
            long rc = hyp_sched_op(SCHEDOP_poll, &p);
            if (rc)
                panic("vCPU 1: SCHEDOP_poll returned %ld", rc);
        }
    }
}

/* vCPU 0: IPI, wait for vCPU 1 to take it, release and kick. */
static void handshake(void)
{
    uint64_t end = system_time_ns() + HANDSHAKE_NS;
    unsigned long r;

    for (r = 1; r <= HANDSHAKE_MAX && system_time_ns() < end; r++) {
        unsigned long acks = call_acks;
        evtchn_send_port(call_port);
        uint64_t t0 = system_time_ns();
        while (call_acks == acks && system_time_ns() - t0 < HANDSHAKE_STUCK_NS)
            __asm__ volatile("pause" ::: "memory");
        if (call_acks == acks) {
            test_fail("round %lu: vCPU 1 did not take an IPI for %lu s while it waited in "
                      "SCHEDOP_poll (its upcall pending: %u, masked: %u)", r,
                      (unsigned long)(HANDSHAKE_STUCK_NS / 1000000000ULL),
                      guest_shared_info->vcpu_info[1].evtchn_upcall_pending,
                      guest_shared_info->vcpu_info[1].evtchn_upcall_mask);
            break;
        }
        released_round = r;
        evtchn_send_port(kick_port);
    }
    handshake_rounds = r - 1;
    handshake_over = true;
    evtchn_send_port(kick_port);
}

static void worker_main(unsigned int vcpu)
{
    if (vcpu == 1)
        handshake_waiter();
    /*
     * The others stay out of the way (events masked) meanwhile: the
     * library's 2-level upcall takes every pending port of a word its
     * selector names, so theirs could take vCPU 1's IPI and lose its ack.
     */
    while (!handshake_over)
        hyp_sched_op(SCHEDOP_yield, NULL);
    work(vcpu);
}

void test_main(void)
{
    long rc;

    run_ns = (uint64_t)cmdline_number("seconds", 8) * 1000000000ULL;
    while (nr_workers < MAX_WORKERS && hyp_vcpu_op(VCPUOP_is_up, nr_workers, NULL) >= 0)
        nr_workers++;
    if (nr_workers < 2) {
        test_skip("this domain has %u vCPU; the test needs 2 or more", nr_workers);
        return;
    }
    if (cmdline_number("fifo", 0)) {
        rc = events_fifo_start(nr_workers);
        if (!CHECK_EQ(rc, 0, "switching to the FIFO event ABI"))
            return;
        printk("timer_wake: FIFO event channels, %u control blocks\n", nr_workers);
    }
    guest_port_hook = count_port;
    struct evtchn_bind_ipi call = { .vcpu = 1 }, kick = { .vcpu = 1 };
    if (!CHECK_EQ(hyp_event_channel_op(EVTCHNOP_bind_ipi, &call), 0, "binding the call port") ||
        !CHECK_EQ(hyp_event_channel_op(EVTCHNOP_bind_ipi, &kick), 0, "binding the kick port"))
        return;
    call_port = call.port;
    kick_port = kick.port;
    evtchn_mask_port(kick_port);      /* as Linux's spinlock kicker: polled, never delivered */
    for (unsigned int i = 0; i < nr_workers; i++) {
        struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = i };
        struct evtchn_bind_ipi bi = { .vcpu = i };
        rc = hyp_event_channel_op(EVTCHNOP_bind_virq, &bv);
        if (!CHECK_EQ(rc, 0, "binding VIRQ_TIMER"))
            return;
        rc = hyp_event_channel_op(EVTCHNOP_bind_ipi, &bi);
        if (!CHECK_EQ(rc, 0, "binding an IPI port"))
            return;
        workers[i].timer_port = bv.port;
        workers[i].ipi_port = bi.port;
        workers[i].rnd = 0x9e3779b97f4a7c15ULL * (i + 1) + system_time_ns();
        workers[i].last_progress_ns = system_time_ns();
    }
    for (unsigned int i = 1; i < nr_workers; i++) {
        rc = vcpu_start(i, worker_main, stacks[i] + STACK_SIZE);
        if (!CHECK_EQ(rc, 0, "starting a vCPU"))
            return;
    }
    /* No tick on vCPU 0 either, for the same reason (its upcall would scan word 0). */
    rc = hyp_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    if (!CHECK_EQ(rc, 0, "stopping vCPU 0's tick"))
        return;
    handshake();
    printk("timer_wake: %lu IPI-against-poll handshakes with vCPU 1\n", handshake_rounds);
    CHECK(handshake_rounds > 0, "no handshake completed");
    work(0);

    /* The others stop at their next round; an IPI ends a sleep early. */
    stop_all = true;
    uint64_t t0 = system_time_ns();
    for (unsigned int i = 1; i < nr_workers; i++) {
        while (workers[i].phase != P_DONE && system_time_ns() - t0 < STOP_WAIT_NS) {
            evtchn_send_port(workers[i].ipi_port);
            hyp_sched_op(SCHEDOP_yield, NULL);
        }
        CHECK(workers[i].phase == P_DONE, "vCPU %u did not stop: %s, %lu rounds", i,
              phase_name[workers[i].phase], workers[i].rounds);
    }
    for (unsigned int i = 0; i < nr_workers; i++) {
        struct worker *w = &workers[i];
        printk("timer_wake: vCPU %u: %lu rounds, %lu blocks, %lu polls, %lu IPIs sent, "
               "%lu timer events, latest wake %lu us after its deadline (over 1/10/100 ms: "
               "%lu/%lu/%lu), %lu timers lost\n", i, w->rounds, w->blocks, w->polls, w->sends,
               w->timer_events, (unsigned long)(w->worst_late_ns / 1000), w->late[0], w->late[1],
               w->late[2], w->lost);
        CHECK(started[i], "vCPU %u never ran", i);
        CHECK(w->blocks > 0 && w->timer_events > 0, "vCPU %u: %lu blocks, %lu timer events", i,
              w->blocks, w->timer_events);
        CHECK(w->lost == 0, "vCPU %u: %lu of its timers gave no event within %lu ms of its "
              "waking past their deadline", i, w->lost, (unsigned long)(LOST_WAIT_NS / 1000000));
    }
}
