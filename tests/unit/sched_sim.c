/* The discrete-event pCPU simulation described in sched_sim.h. */
#include "sched_sim.h"

#include <stdlib.h>
#include <string.h>
#include <tessera/heap.h>
#include "arch_stubs.h"

static struct sim *active;
void (*sim_kick_hook)(unsigned cpu);

/* The arch hook: the simulated pCPU picks again at this same instant. */
void arch_sched_kick_cpu(unsigned cpu)
{
    if (sim_kick_hook) {
        sim_kick_hook(cpu);
        return;
    }
    if (!active)
        return;
    if (cpu >= active->nr_cpus) {
        active->errors++;
        active->first_error = active->first_error ? active->first_error : "kick of a pCPU that does not exist";
        return;
    }
    if (!active->kicked[cpu])
        active->kick_at[cpu] = active->now + active->kick_delay_ns;
    active->kicked[cpu] = true;
    active->kicks++;
}

static void *pages_alloc(void *ctx, unsigned order)
{
    size_t bytes = (size_t)HEAP_PAGE_SIZE << order;

    (void)ctx;
    return aligned_alloc(bytes, bytes);
}

static void pages_free(void *ctx, void *va, unsigned order)
{
    (void)ctx;
    (void)order;
    free(va);
}

void sim_heap_init(void)
{
    static bool done;
    static const struct heap_page_source src = { pages_alloc, pages_free, NULL };

    if (!done)
        heap_init(&src);
    done = true;
}

static void error(struct sim *s, const char *what)
{
    s->errors++;
    if (!s->first_error)
        s->first_error = what;
}

void sim_init(struct sim *s, unsigned nr_cpus)
{
    sim_heap_init();
    memset(s, 0, sizeof(*s));
    s->nr_cpus = nr_cpus;
    stub_now_ns = 0;
    active = s;
    if (sched_init(nr_cpus) != 0)
        error(s, "sched_init failed");
}

int sim_add_domain(struct sim *s, unsigned nr_vcpus, unsigned weight, unsigned cap,
                   enum sim_load load, uint64_t burst_ns, uint64_t sleep_ns)
{
    int di = (int)s->nr_domains;
    struct domain *d;

    if (s->nr_domains >= SIM_MAX_DOMAINS || s->nr_vcpus + nr_vcpus > SIM_MAX_VCPUS ||
        nr_vcpus > MAX_VCPUS_PER_DOMAIN)
        return -1;
    d = &s->dom[s->nr_domains++];
    d->domain_id = (domid_t)di;
    d->max_vcpus = nr_vcpus;
    for (unsigned i = 0; i < nr_vcpus; i++) {
        struct sim_vcpu *sv = &s->vc[s->nr_vcpus++];
        sv->v.vcpu_id = i;
        sv->v.domain = d;
        sv->load = load;
        sv->burst_ns = sv->burst_left = burst_ns;
        sv->sleep_ns = sleep_ns;
        d->vcpus[i] = &sv->v;
        if (sched_vcpu_init(&sv->v, weight, cap) != 0 || sched_vcpu_up(&sv->v) != 0)
            error(s, "sched_vcpu_init or sched_vcpu_up failed");
    }
    return di;
}

struct sim_vcpu *sim_vcpu(struct sim *s, int d, unsigned i)
{
    return (struct sim_vcpu *)((char *)s->dom[d].vcpus[i] - offsetof(struct sim_vcpu, v));
}

static void pick(struct sim *s, unsigned cpu)
{
    uint64_t slice = 0;
    struct vcpu *v = sched_pick_next(cpu, s->now, &slice);
    struct sim_vcpu *n = v ? (struct sim_vcpu *)((char *)v - offsetof(struct sim_vcpu, v)) : NULL;

    s->picks++;
    s->kicked[cpu] = false;
    if (n) {
        for (unsigned c = 0; c < s->nr_cpus; c++)
            if (c != cpu && s->running[c] == n)
                error(s, "one vCPU picked by two pCPUs");
        n->cpus_run_on |= 1ull << cpu;
        struct sched_cpumask allowed;
        if (sched_get_affinity(v, &allowed) != 0 || !bitmap_test(allowed.bits, cpu))
            error(s, "a vCPU picked for a pCPU its affinity excludes");
        if (v->run_state != VCPU_RUNNABLE)
            error(s, "a blocked or offline vCPU picked");
        if (v->processor != cpu)
            error(s, "a picked vCPU's processor is not the pCPU running it");
    }
    if (n != s->running[cpu])
        s->switches++;
    if (n && n->woke_at && n->woke_at >= s->measure_from) {
        uint64_t lat = s->now - n->woke_at;
        n->wakes++;
        n->latency_sum += lat;
        if (lat > n->latency_max)
            n->latency_max = lat;
    }
    if (n)
        n->woke_at = 0;
    if (slice == 0)
        error(s, "a pick returned a zero slice");
    s->running[cpu] = n;
    s->slice_end[cpu] = slice == SCHED_SLICE_FOREVER ? UINT64_MAX : s->now + slice;
}

void sim_settle(struct sim *s)
{
    for (unsigned rounds = 0;; rounds++) {
        bool any = false;
        for (unsigned c = 0; c < s->nr_cpus; c++) {
            if ((s->kicked[c] && s->kick_at[c] <= s->now) || s->slice_end[c] <= s->now) {
                pick(s, c);
                any = true;
            }
        }
        if (!any)
            return;
        if (rounds > 1000) {
            error(s, "pCPUs keep kicking each other at one instant");
            return;
        }
    }
}

void sim_deliver_kicks(struct sim *s)
{
    for (unsigned c = 0; c < s->nr_cpus; c++)
        if (s->kicked[c])
            s->kick_at[c] = s->now;
    sim_settle(s);
}

static uint64_t next_event(struct sim *s, uint64_t until)
{
    uint64_t t = until;

    for (unsigned c = 0; c < s->nr_cpus; c++) {
        struct sim_vcpu *n = s->running[c];
        if (s->slice_end[c] < t)
            t = s->slice_end[c];
        if (s->kicked[c] && s->kick_at[c] < t)
            t = s->kick_at[c];
        if (n && n->load == LOAD_IO && s->now + n->burst_left < t)
            t = s->now + n->burst_left;
    }
    for (unsigned i = 0; i < s->nr_vcpus; i++)
        if (s->vc[i].workload_blocked && s->vc[i].wake_at < t)
            t = s->vc[i].wake_at;
    return t < s->now ? s->now : t;
}

/* What the workloads do at this instant: I/O bursts end, their timers fire. */
static void workload_events(struct sim *s)
{
    for (unsigned c = 0; c < s->nr_cpus; c++) {
        struct sim_vcpu *n = s->running[c];
        if (n && n->load == LOAD_IO && n->burst_left == 0) {
            n->burst_left = n->burst_ns;
            /* Already waiting for its timer (something else woke it early): keep waiting. */
            if (n->workload_blocked)
                continue;
            sched_vcpu_block(&n->v);
            n->workload_blocked = true;
            n->wake_at = s->now + n->sleep_ns;
        }
    }
    for (unsigned i = 0; i < s->nr_vcpus; i++) {
        struct sim_vcpu *n = &s->vc[i];
        if (n->workload_blocked && n->wake_at <= s->now) {
            n->workload_blocked = false;
            n->woke_at = s->now;
            sched_vcpu_wake(&n->v);
        }
    }
}

void sim_run_until(struct sim *s, uint64_t until)
{
    active = s;
    stub_now_ns = s->now;
    sim_settle(s);
    for (unsigned stuck = 0; s->now < until;) {
        uint64_t t = next_event(s, until);
        if (t == s->now && ++stuck > 1000) {
            error(s, "the simulation stopped advancing time");
            return;
        }
        if (t > s->now)
            stuck = 0;
        for (unsigned c = 0; c < s->nr_cpus; c++) {
            struct sim_vcpu *n = s->running[c];
            if (!n)
                continue;
            n->ran_ns += t - s->now;
            if (n->load == LOAD_IO)
                n->burst_left -= t - s->now;
        }
        s->now = t;
        stub_now_ns = t;
        workload_events(s);
        sim_settle(s);
    }
}

void sim_check(struct sim *s)
{
    const char *why = NULL;

    for (unsigned c = 0; c < s->nr_cpus; c++) {
        struct vcpu *cur = sched_current(c);
        if (cur != (s->running[c] ? &s->running[c]->v : NULL))
            error(s, "the scheduler and the simulation disagree on what a pCPU runs");
    }
    if (sched_check_invariants(&why) != 0)
        error(s, why);
}

void sim_teardown(struct sim *s)
{
    active = s;
    s->kick_delay_ns = 0;
    for (unsigned i = 0; i < s->nr_vcpus; i++)
        sched_vcpu_pause(&s->vc[i].v);
    sim_deliver_kicks(s);
    for (unsigned i = 0; i < s->nr_vcpus; i++) {
        if (sched_vcpu_running(&s->vc[i].v))
            error(s, "a paused vCPU still runs after its pCPU picked");
        else
            sched_vcpu_destroy(&s->vc[i].v);
    }
    s->nr_vcpus = 0;
}

uint64_t sim_domain_ran(struct sim *s, int d)
{
    uint64_t sum = 0;

    for (unsigned i = 0; i < s->dom[d].max_vcpus; i++)
        sum += sim_vcpu(s, d, i)->ran_ns;
    return sum;
}
