/*
 * Benchmark: the cost of a hypercall round trip, an event-channel round
 * trip to ourselves, a 4 KiB GNTTABOP_copy through a grant to ourselves,
 * and an event ping-pong between vCPU 0 and vCPU 1, in TSC cycles per
 * iteration (and ns through the pvclock; the copy also in MB/s).
 * Prints "bench: <name> <cycles> cycles/iter <ns> ns/iter" lines; make
 * bench runs it on each hypervisor and compares.
 */
#include "guest.h"

const char test_title[] = "benchmark: hypercall and event round trips";

#define ITERS 20000

static void report(const char *name, uint64_t cycles, uint64_t ns, unsigned long iters)
{
    printk("bench: %s %lu cycles/iter %lu ns/iter (%lu iterations)\n", name,
           (unsigned long)(cycles / iters), (unsigned long)(ns / iters), iters);
}

static void measure(const char *name, long (*fn)(void), long want)
{
    uint64_t best_cycles = ~0ULL, best_ns = 0;
    /* Best of five runs: the emulator's own noise only ever adds time. */
    for (int run = 0; run < 5; run++) {
        uint64_t t0 = system_time_ns(), c0 = rdtsc_ordered();
        for (int i = 0; i < ITERS; i++) {
            long rc = fn();
            if (rc != want) {
                test_fail("%s returned %ld, want %ld", name, rc, want);
                return;
            }
        }
        uint64_t cycles = rdtsc_ordered() - c0, ns = system_time_ns() - t0;
        if (cycles < best_cycles) {
            best_cycles = cycles;
            best_ns = ns;
        }
    }
    report(name, best_cycles, best_ns, ITERS);
}

static long null_hypercall(void) { return hypercall1(60, 0); }      /* -ENOSYS at once */
static long version_hypercall(void) { return hyp_xen_version(XENVER_version, NULL) > 0; }

static evtchn_port_t port_a, port_b;
static long event_round_trip(void)
{
    /* Send to ourselves and take the upcall: a full delivery each time. */
    unsigned long before = guest_port_hits[port_a];
    long rc = evtchn_send_port(port_b);
    return rc == 0 && guest_port_hits[port_a] == before + 1;
}

static char gnttab_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char src_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char dst_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct gnttab_copy copy_op;

static long grant_copy(void)
{
    struct gnttab_copy c = copy_op;
    long rc = hyp_grant_table_op(GNTTABOP_copy, &c, 1);
    return rc == 0 && c.status == GNTST_okay;
}

static bool setup_grant_copy(void)
{
    xen_pfn_t frame = 0;
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
    set_xen_guest_handle(st.frame_list, &frame);
    if (hyp_grant_table_op(GNTTABOP_setup_table, &st, 1) || st.status != GNTST_okay ||
        map_machine_page(gnttab_page, frame, PTE_KERNEL_RW))
        return false;
    grant_entry_v1_t *gt = (grant_entry_v1_t *)gnttab_page;
    gt[10].domid = guest_domid;
    gt[10].frame = (uint32_t)virt_to_mfn(src_page);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    gt[10].flags = GTF_permit_access | GTF_readonly;
    copy_op = (struct gnttab_copy){
        .source = { .u.ref = 10, .domid = guest_domid },
        .dest = { .u.gmfn = virt_to_mfn(dst_page), .domid = DOMID_SELF },
        .len = PAGE_SIZE, .flags = GNTCOPY_source_gref,
    };
    return true;
}

static void bench_grant_copy(void)
{
    if (!setup_grant_copy()) {
        test_error("cannot set up a grant to ourselves");
        return;
    }
    measure("grant_copy_4k", grant_copy, 1);
    /* Throughput of the best run, from the same loop. */
    uint64_t start = system_time_ns();
    for (int i = 0; i < ITERS; i++)
        grant_copy();
    uint64_t ns = system_time_ns() - start;
    printk("bench: grant_copy_throughput %lu MB/s\n",
           (unsigned long)((uint64_t)ITERS * PAGE_SIZE * 1000 / (ns ? ns : 1)));
}

/*
 * Event-channel ping-pong between vCPU 0 and vCPU 1 of this domain, over
 * an IPI port bound to each (EVTCHNOP_bind_ipi). Each vCPU answers in its
 * upcall handler, as Linux handles an IPI. Two ways of waiting are timed:
 *
 * evtchn_round_trip_2vcpu: both vCPUs wait in SCHEDOP_block, events masked
 * until the block unmasks them: Linux's idle loop (xen_safe_halt), so the
 * realistic path for an event to a vCPU with nothing else to do. A round
 * trip is two sends, two wake-ups of a blocked vCPU on another pCPU and
 * two upcalls. (SCHEDOP_poll is Linux's path only for PV spinlock kicks.)
 *
 * evtchn_round_trip_2vcpu_busy: both vCPUs spin with events unmasked, as a
 * busy Linux vCPU would be: the hypervisor must interrupt a running vCPU
 * to deliver the upcall, and no scheduler work is involved. It runs first:
 * it is the simpler path, and its row survives a failure of the other.
 */
#define RTT_WARMUP          20
#define RTT_CALIBRATE       20             /* round trips per calibration run */
#define RTT_CALIBRATE_RUNS  3
#define RTT_RUN_BUDGET_NS   200000000ULL   /* size each timed run to ~0.2 s */
#define RTT_MIN_ITERS       50
#define RTT_MAX_ITERS       5000
/* A busy host can slow a run many times over: it then stops early after
 * RTT_RUN_CAP_NS. A round trip still unanswered RTT_WATCHDOG_NS after its
 * run began has waited at least their difference: that event is lost. */
#define RTT_RUN_CAP_NS      2000000000ULL
#define RTT_WATCHDOG_NS     10000000000ULL
#define RTT_LOST_AFTER_S    ((RTT_WATCHDOG_NS - RTT_RUN_CAP_NS) / 1000000000ULL)
#define VCPU_START_LIMIT_NS 5000000000ULL

static char ap_stack[16384] __attribute__((aligned(16)));
static volatile bool ap_entered_wait_loop, ap_stop;
static volatile bool busy_wait;                 /* both vCPUs spin instead of blocking */
static volatile evtchn_port_t ping_port;        /* bound to vCPU 1 */
static volatile evtchn_port_t pong_port;        /* bound to vCPU 0 */
static volatile unsigned long pongs_seen;       /* written by vCPU 0's upcall only */
static volatile unsigned long ap_send_errors;   /* written by vCPU 1's upcall only */
static volatile long ap_last_send_error;
/* Which vCPU's upcall took each port ([vcpu][0] pings, [vcpu][1] answers).
 * Each should be taken by the vCPU it is bound to, but the library's
 * handler takes every pending port of a word its selector names. */
static volatile unsigned long taken_by[2][2];
static uint64_t rtt_watchdog_at;                /* vCPU 0 only: pvclock ns */

static inline void cpu_relax(void)
{
    __asm__ volatile("pause" ::: "memory");
}

/* The port hook: runs in the upcall of the vCPU that took the port. */
static void answer_ipi(evtchn_port_t port)
{
    unsigned int me = this_vcpu_id() ? 1 : 0;
    if (port == ping_port || port == pong_port)
        taken_by[me][port == pong_port]++;
    if (port == ping_port) {
        long rc = evtchn_send_port(pong_port);
        if (rc) {
            ap_last_send_error = rc;
            ap_send_errors++;
        }
    } else if (port == pong_port) {
        pongs_seen++;
    }
}

/* vCPU 1: waits for its upcalls, blocked or spinning as vCPU 0 asks. */
static void ap_wait_loop(unsigned int vcpu)
{
    (void)vcpu;
    ap_entered_wait_loop = true;
    for (;;) {
        events_disable();   /* check, then block: a wake-up in between is not lost */
        if (ap_stop)
            break;
        if (busy_wait) {
            events_enable();
            while (busy_wait && !ap_stop)
                cpu_relax();
            continue;
        }
        hyp_sched_op(SCHEDOP_block, NULL);
    }
}

/*
 * One round trip from vCPU 0, with events masked on entry and exit.
 * Returns 0, the send's error, or -XEN_ETIMEDOUT once the run's watchdog
 * time has passed without an answer.
 */
static long ping_pong_once(void)
{
    unsigned long before = pongs_seen;
    long rc = evtchn_send_port(ping_port);
    if (busy_wait) {
        events_enable();
        while (rc == 0 && pongs_seen == before)
            if (system_time_ns() >= rtt_watchdog_at)
                rc = -XEN_ETIMEDOUT;
        events_disable();
        return rc;
    }
    while (rc == 0 && pongs_seen == before) {
        hyp_sched_op(SCHEDOP_block, NULL);  /* unmasks events while asleep */
        events_disable();
        /* Only a wake-up without the answer (the watchdog) reads the clock. */
        if (pongs_seen == before && system_time_ns() >= rtt_watchdog_at)
            rc = -XEN_ETIMEDOUT;
    }
    return rc;
}

struct rtt_run {
    unsigned long done;         /* round trips completed */
    uint64_t cycles, ns;        /* for all of them */
};

/*
 * Up to `iters` round trips, fewer if the run passes RTT_RUN_CAP_NS. A
 * one-shot timer (VIRQ_TIMER) at the watchdog time wakes a blocked vCPU 0
 * if an event is lost, so a broken hypervisor fails the run instead of
 * hanging it. Timing covers the loop only (with one clock read per round
 * trip, for the cap).
 */
static long round_trips(unsigned long iters, struct rtt_run *r)
{
    long rc = 0;
    events_disable();
    uint64_t t0 = system_time_ns();
    rtt_watchdog_at = t0 + RTT_WATCHDOG_NS;
    hyp_set_timer_op(rtt_watchdog_at);
    uint64_t c0 = rdtsc_ordered();
    r->done = 0;
    while (r->done < iters) {
        rc = ping_pong_once();
        if (rc)
            break;
        r->done++;
        if (system_time_ns() - t0 > RTT_RUN_CAP_NS)
            break;
    }
    r->cycles = rdtsc_ordered() - c0;
    r->ns = system_time_ns() - t0;
    hyp_set_timer_op(0);
    events_enable();
    return rc;
}

/* Where a lost event stopped: is it pending, masked, flagged in the
 * vCPU's selector, and is the vCPU's upcall pending or masked? */
static void print_port_state(const char *role, evtchn_port_t port, unsigned int vcpu)
{
    const shared_info_t *s = guest_shared_info;
    const vcpu_info_t *vi = &s->vcpu_info[vcpu];
    unsigned int word = port / 64, bit = port % 64;
    printk("  %s port %u (vCPU %u): pending %lu masked %lu selector %lu; "
           "vCPU %u upcall pending %u mask %u\n", role, port, vcpu,
           (s->evtchn_pending[word] >> bit) & 1, (s->evtchn_mask[word] >> bit) & 1,
           (vi->evtchn_pending_sel >> word) & 1, vcpu, vi->evtchn_upcall_pending,
           vi->evtchn_upcall_mask);
}

static void report_lost_answer(const char *name, long rc)
{
    if (rc != -XEN_ETIMEDOUT) {
        test_fail("%s: EVTCHNOP_send to vCPU 1 returned %ld", name, rc);
        return;
    }
    test_fail("%s: a round trip unanswered for over %lu s (%lu answers in all, "
              "%lu failed sends on vCPU 1, last %ld)", name,
              (unsigned long)RTT_LOST_AFTER_S, pongs_seen, ap_send_errors, ap_last_send_error);
    print_port_state("ping", ping_port, 1);
    print_port_state("answer", pong_port, 0);
    printk("  pings taken by vCPU 0 %lu, vCPU 1 %lu; answers taken by vCPU 0 %lu, vCPU 1 %lu\n",
           taken_by[0][0], taken_by[1][0], taken_by[0][1], taken_by[1][1]);
}

/*
 * Best of five runs, by cycles per round trip. A warm-up first (vCPU 1's
 * first wake-up and cold emulator translations are slow), then the fastest
 * of a few short calibration runs (one may be stalled by a busy host)
 * sizes the timed ones to about RTT_RUN_BUDGET_NS each: a slow path gets
 * fewer iterations, so the kernel still ends well inside bench.sh's
 * timeout under TCG. Returns false if an answer was lost.
 */
static bool measure_ping_pong(const char *name, bool busy)
{
    struct rtt_run r, best = { 0 };
    uint64_t calibration_ns = ~0ULL;
    busy_wait = busy;
    long rc = round_trips(RTT_WARMUP, &r);
    for (int run = 0; run < RTT_CALIBRATE_RUNS && rc == 0; run++) {
        rc = round_trips(RTT_CALIBRATE, &r);
        if (r.done && r.ns / r.done < calibration_ns)
            calibration_ns = r.ns / r.done;
    }
    if (rc) {
        report_lost_answer(name, rc);
        return false;
    }
    uint64_t iters = RTT_RUN_BUDGET_NS / (calibration_ns ? calibration_ns : 1);
    iters = iters < RTT_MIN_ITERS ? RTT_MIN_ITERS : iters > RTT_MAX_ITERS ? RTT_MAX_ITERS : iters;

    for (int run = 0; run < 5; run++) {
        rc = round_trips((unsigned long)iters, &r);
        if (rc) {
            report_lost_answer(name, rc);
            return false;
        }
        if (!best.done || r.cycles / r.done < best.cycles / best.done)
            best = r;
    }
    report(name, best.cycles, best.ns, best.done);
    return true;
}

/* Ask vCPU 1 to leave its wait loop (it then takes itself down) and wait. */
static void stop_ap(void)
{
    ap_stop = true;
    evtchn_send_port(ping_port);
    uint64_t t0 = system_time_ns();
    while (hyp_vcpu_op(VCPUOP_is_up, 1, NULL) != 0) {
        if (system_time_ns() - t0 > VCPU_START_LIMIT_NS) {
            test_error("vCPU 1 did not go down when asked");
            return;
        }
        hyp_sched_op(SCHEDOP_yield, NULL);
    }
}

static void bench_two_vcpu_round_trips(void)
{
    long rc = hyp_vcpu_op(VCPUOP_is_up, 1, NULL);
    if (rc < 0) {
        test_error("evtchn_round_trip_2vcpu needs a second vCPU: VCPUOP_is_up(1) returned %ld "
                   "(give QEMU -smp 2 and the domain 2 vCPUs)", rc);
        return;
    }
    if (rc != 0) {
        test_error("evtchn_round_trip_2vcpu: vCPU 1 is already up");
        return;
    }
    /* The watchdog needs VIRQ_TIMER bound on vCPU 0 (a short sleep binds
     * it); the default periodic tick would then wake vCPU 0 needlessly. */
    guest_sleep_ns(1000);
    rc = hyp_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    if (rc) {
        test_error("evtchn_round_trip_2vcpu: VCPUOP_stop_periodic_timer returned %ld", rc);
        return;
    }
    struct evtchn_bind_ipi to_ap = { .vcpu = 1 }, to_bsp = { .vcpu = 0 };
    rc = hyp_event_channel_op(EVTCHNOP_bind_ipi, &to_ap);
    if (rc) {
        test_error("evtchn_round_trip_2vcpu: EVTCHNOP_bind_ipi to vCPU 1 returned %ld", rc);
        return;
    }
    rc = hyp_event_channel_op(EVTCHNOP_bind_ipi, &to_bsp);
    if (rc) {
        test_error("evtchn_round_trip_2vcpu: EVTCHNOP_bind_ipi to vCPU 0 returned %ld", rc);
        goto close_ping;
    }
    ping_port = to_ap.port;
    pong_port = to_bsp.port;
    guest_port_hook = answer_ipi;

    rc = vcpu_start(1, ap_wait_loop, ap_stack + sizeof(ap_stack));
    if (rc) {
        test_error("evtchn_round_trip_2vcpu: cannot bring vCPU 1 up "
                   "(VCPUOP_initialise/VCPUOP_up returned %ld)", rc);
        goto close_pong;
    }
    uint64_t t0 = system_time_ns();
    while (!ap_entered_wait_loop) {
        if (system_time_ns() - t0 > VCPU_START_LIMIT_NS) {
            /* It may still run some day: leave its ports and hook in place. */
            test_error("evtchn_round_trip_2vcpu: vCPU 1 is up but did not run within %lu s",
                       (unsigned long)(VCPU_START_LIMIT_NS / 1000000000ULL));
            return;
        }
        cpu_relax();
    }
    if (measure_ping_pong("evtchn_round_trip_2vcpu_busy", true))
        measure_ping_pong("evtchn_round_trip_2vcpu", false);
    stop_ap();

close_pong:
    guest_port_hook = NULL;
    evtchn_close_port(to_bsp.port);
close_ping:
    evtchn_close_port(to_ap.port);
}

void test_main(void)
{
    measure("null_hypercall", null_hypercall, -XEN_ENOSYS);
    measure("xen_version", version_hypercall, 1);

    struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF, .remote_dom = guest_domid };
    hyp_event_channel_op(EVTCHNOP_alloc_unbound, &alloc);
    struct evtchn_bind_interdomain bind = { .remote_dom = DOMID_SELF, .remote_port = alloc.port };
    if (hyp_event_channel_op(EVTCHNOP_bind_interdomain, &bind)) {
        test_error("cannot bind an event channel to ourselves");
        return;
    }
    port_a = alloc.port;
    port_b = bind.local_port;
    events_enable();
    measure("event_send_upcall", event_round_trip, 1);
    events_disable();

    bench_grant_copy();
    /* Last: on a hypervisor that loses a vCPU's state across pCPUs, this
     * is what ends the kernel, and every other row is in by then. */
    bench_two_vcpu_round_trips();
}
