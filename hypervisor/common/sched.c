/*
 * The vCPU scheduler's policy (see tessera/sched.h for the algorithm, the
 * costs and the lock rules). This file holds the per-vCPU state machine
 * and the pick; sched_acct.c hands out credit and sched_table.c finds a
 * vCPU's state and keeps the parameters.
 */
#include <pvabi/vcpu.h>
#include <tessera/arch.h>
#include <tessera/errno.h>
#include <tessera/panic.h>
#include <tessera/sched.h>

struct sched_cpu sched_cpus[SCHED_MAX_CPUS];
unsigned sched_nr_online;                 /* [I] after sched_init */
struct sched_cpumask sched_idle_mask;     /* [a] pCPUs idle and not yet kicked */
uint32_t sched_nr_parked;                 /* [a] capped vCPUs waiting for credit */
static uint64_t tslice_ns = SCHED_DEFAULT_TSLICE_NS;  /* [a] */

/* Entries of a remote queue class a stealer looks at before giving up. */
#define STEAL_SCAN_MAX 8

int sched_init(unsigned nr_cpus)
{
    if (nr_cpus == 0 || nr_cpus > SCHED_MAX_CPUS)
        return -EINVAL;
    for (unsigned c = 0; c < SCHED_MAX_CPUS; c++) {
        struct sched_cpu *rq = &sched_cpus[c];
        spin_lock_init(&rq->lock);
        for (int p = 0; p < NR_PRIOS; p++)
            rq->cls[p] = (struct runq_class){ NULL, NULL, 0 };
        rq->curr = NULL;
    }
    sched_nr_online = nr_cpus;
    bitmap_zero(sched_idle_mask.bits, SCHED_MAX_CPUS);
    for (unsigned c = 0; c < nr_cpus; c++)
        bitmap_set(sched_idle_mask.bits, c);
    sched_nr_parked = 0;
    tslice_ns = SCHED_DEFAULT_TSLICE_NS;
    sched_table_reset();
    sched_acct_reset(arch_now_ns());
    return 0;
}

unsigned sched_nr_cpus(void)
{
    return sched_nr_online;
}

int sched_set_timeslice(uint64_t ns)
{
    if (ns < SCHED_MIN_TSLICE_NS || ns > SCHED_MAX_TSLICE_NS)
        return -EINVAL;
    __atomic_store_n(&tslice_ns, ns, __ATOMIC_RELAXED);
    return 0;
}

uint64_t sched_get_timeslice(void)
{
    return __atomic_load_n(&tslice_ns, __ATOMIC_RELAXED);
}

/* ---- locking ------------------------------------------------------------ */

unsigned long sched_lock_vcpu(struct sched_vcpu *sv)
{
    unsigned long flags = arch_irq_save();

    for (;;) {
        unsigned c = __atomic_load_n(&sv->cpu, __ATOMIC_ACQUIRE);
        spin_lock(&sched_cpus[c].lock);
        if (c == __atomic_load_n(&sv->cpu, __ATOMIC_RELAXED))
            return flags;
        spin_unlock(&sched_cpus[c].lock);
    }
}

void sched_unlock_vcpu(struct sched_vcpu *sv, unsigned long flags)
{
    spin_unlock(&sched_cpus[sv->cpu].lock);
    arch_irq_restore(flags);
}

/* Both queues' locks, lower index first (one lock when a == b). */
static void lock_two(unsigned a, unsigned b)
{
    unsigned lo = a < b ? a : b, hi = a < b ? b : a;

    spin_lock(&sched_cpus[lo].lock);
    if (hi != lo)
        spin_lock(&sched_cpus[hi].lock);
}

static void unlock_two(unsigned a, unsigned b)
{
    spin_unlock(&sched_cpus[a].lock);
    if (a != b)
        spin_unlock(&sched_cpus[b].lock);
}

/* ---- queues ------------------------------------------------------------- */

bool sched_eligible(const struct sched_vcpu *sv)
{
    return sv->v->run_state == VCPU_RUNNABLE && sv->pause_count == 0 && !sv->parked;
}

bool sched_allowed(const struct sched_vcpu *sv, unsigned cpu)
{
    return cpu < sched_nr_online && bitmap_test(sv->affinity.bits, cpu);
}

/* The class a vCPU joins when it is queued now. */
static int queue_prio(struct sched_vcpu *sv)
{
    if (sv->yielded)
        return PRIO_OVER;
    if (sv->credit <= 0)
        return PRIO_OVER;
    return sv->boost_pending ? PRIO_BOOST : PRIO_UNDER;
}

static void set_cpu(struct sched_vcpu *sv, unsigned cpu)
{
    __atomic_store_n(&sv->cpu, cpu, __ATOMIC_RELEASE);
    __atomic_store_n(&sv->v->processor, cpu, __ATOMIC_RELAXED);
}

void sched_enqueue(unsigned cpu, struct sched_vcpu *sv)
{
    struct runq_class *cls;

    sv->prio = queue_prio(sv);
    sv->yielded = false;
    cls = &sched_cpus[cpu].cls[sv->prio];
    sv->rq_next = NULL;
    sv->rq_prev = cls->tail;
    if (cls->tail)
        cls->tail->rq_next = sv;
    else
        cls->head = sv;
    cls->tail = sv;
    __atomic_store_n(&cls->nr, cls->nr + 1, __ATOMIC_RELAXED);
    sv->queued = true;
}

void sched_dequeue(struct sched_vcpu *sv)
{
    struct runq_class *cls = &sched_cpus[sv->cpu].cls[sv->prio];

    if (sv->rq_prev)
        sv->rq_prev->rq_next = sv->rq_next;
    else
        cls->head = sv->rq_next;
    if (sv->rq_next)
        sv->rq_next->rq_prev = sv->rq_prev;
    else
        cls->tail = sv->rq_prev;
    sv->rq_next = sv->rq_prev = NULL;
    __atomic_store_n(&cls->nr, cls->nr - 1, __ATOMIC_RELAXED);
    sv->queued = false;
}

/* ---- run-state times ---------------------------------------------------- */

void sched_runstate_sync(struct sched_vcpu *sv, uint64_t now)
{
    int want;

    if (sv->running)
        want = RUNSTATE_running;
    else if (sv->v->run_state == VCPU_BLOCKED)
        want = RUNSTATE_blocked;
    else if (sched_eligible(sv))
        want = RUNSTATE_runnable;
    else
        want = RUNSTATE_offline;      /* down, paused or parked, as Xen reports them */
    if (want == sv->rs.state)
        return;
    if (now > sv->rs.state_entry_time) {
        sv->rs.time[sv->rs.state] += now - sv->rs.state_entry_time;
        sv->rs.state_entry_time = now;
    }
    sv->rs.state = want;
}

/* ---- getting a vCPU onto a pCPU ----------------------------------------- */

/*
 * Kicks one idle pCPU that sv may run on, other than 'except', and takes it
 * out of the idle mask so the next wake-up kicks a different one (its pick
 * puts it back if it finds nothing). Returns whether it kicked one.
 */
static bool kick_idle(const struct sched_vcpu *sv, unsigned except)
{
    for (unsigned w = 0; w < BITS_TO_LONGS(SCHED_MAX_CPUS); w++) {
        unsigned long idle = __atomic_load_n(&sched_idle_mask.bits[w], __ATOMIC_ACQUIRE) &
                             sv->affinity.bits[w];
        while (idle) {
            unsigned c = w * BITS_PER_LONG + (unsigned)__builtin_ctzl(idle);
            idle &= idle - 1;
            if (c == except || c >= sched_nr_online)
                continue;
            if (bitmap_test_and_clear_atomic(sched_idle_mask.bits, c)) {
                arch_sched_kick_cpu(c);
                return true;
            }
        }
    }
    return false;
}

/*
 * Under the lock of the queue just given sv: make some pCPU look at it.
 * An idle one first (its own, else any it may use, which will steal it):
 * that costs nobody anything. Else its own, if sv outranks what runs there.
 */
static void tickle(unsigned cpu, struct sched_vcpu *sv)
{
    struct sched_vcpu *curr = sched_cpus[cpu].curr;

    if (!curr) {
        bitmap_clear_atomic(sched_idle_mask.bits, cpu);
        arch_sched_kick_cpu(cpu);
        return;
    }
    if (kick_idle(sv, cpu))
        return;
    if (sv->prio > curr->prio)
        arch_sched_kick_cpu(cpu);
}

/*
 * Under sv's lock: queue an eligible vCPU that is neither queued nor
 * running, if its pCPU is allowed. Returns true if it must go elsewhere
 * (sched_place, after unlocking).
 */
bool sched_make_ready(struct sched_vcpu *sv)
{
    if (!sched_eligible(sv) || sv->running || sv->queued)
        return false;
    if (!sched_allowed(sv, sv->cpu))
        return true;
    sched_enqueue(sv->cpu, sv);
    tickle(sv->cpu, sv);
    return false;
}

static unsigned choose_target(const struct sched_vcpu *sv, unsigned from)
{
    struct sched_cpumask m = sv->affinity;       /* a racy copy: re-checked under the lock */
    size_t first = SCHED_MAX_CPUS;

    if (sched_allowed(sv, from))
        return from;
    for (unsigned w = 0; w < BITS_TO_LONGS(SCHED_MAX_CPUS); w++) {
        unsigned long idle = __atomic_load_n(&sched_idle_mask.bits[w], __ATOMIC_ACQUIRE);
        if (m.bits[w] & idle)
            return w * BITS_PER_LONG + (unsigned)__builtin_ctzl(m.bits[w] & idle);
    }
    first = bitmap_find_first_set(m.bits, sched_nr_online);
    return first < sched_nr_online ? (unsigned)first : from;
}

/*
 * Without locks held: if sv may run but is neither running nor queued on
 * an allowed pCPU, queue it on one (moving it between queues under both
 * locks).
 */
void sched_place(struct sched_vcpu *sv)
{
    for (;;) {
        unsigned from = __atomic_load_n(&sv->cpu, __ATOMIC_ACQUIRE);
        unsigned to = choose_target(sv, from);
        unsigned long flags = arch_irq_save();

        lock_two(from, to);
        if (sv->cpu != from || !sched_allowed(sv, to)) {
            unlock_two(from, to);
            arch_irq_restore(flags);
            continue;                 /* it moved, or its affinity changed: look again */
        }
        if (sched_eligible(sv) && !sv->running && !(sv->queued && sched_allowed(sv, from))) {
            if (sv->queued)
                sched_dequeue(sv);
            set_cpu(sv, to);
            sched_enqueue(to, sv);
            tickle(to, sv);
            sched_runstate_sync(sv, arch_now_ns());
        }
        unlock_two(from, to);
        arch_irq_restore(flags);
        return;
    }
}

/* ---- state changes ------------------------------------------------------ */

/* Under sv's lock: a running vCPU that may not go on is taken off at the next pick. */
static void deschedule_locked(struct sched_vcpu *sv)
{
    if (sv->queued)
        sched_dequeue(sv);
    if (sv->running)
        arch_sched_kick_cpu(sv->cpu);
}

int sched_vcpu_up(struct vcpu *v)
{
    struct sched_vcpu *sv = sched_find(v);
    bool move;
    unsigned long flags;

    if (!sv)
        return -ESRCH;
    flags = sched_lock_vcpu(sv);
    if (v->run_state != VCPU_OFFLINE) {
        sched_unlock_vcpu(sv, flags);
        return -EINVAL;
    }
    __atomic_store_n(&v->run_state, VCPU_RUNNABLE, __ATOMIC_RELEASE);
    move = sched_make_ready(sv);
    sched_runstate_sync(sv, arch_now_ns());
    sched_unlock_vcpu(sv, flags);
    if (move)
        sched_place(sv);
    return 0;
}

void sched_vcpu_down(struct vcpu *v)
{
    struct sched_vcpu *sv = sched_find(v);
    unsigned long flags;

    if (!sv)
        return;
    flags = sched_lock_vcpu(sv);
    __atomic_store_n(&v->run_state, VCPU_OFFLINE, __ATOMIC_RELEASE);
    __atomic_store_n(&v->polling, false, __ATOMIC_RELEASE);
    deschedule_locked(sv);
    sched_runstate_sync(sv, arch_now_ns());
    sched_unlock_vcpu(sv, flags);
}

void sched_vcpu_wake(struct vcpu *v)
{
    struct sched_vcpu *sv = sched_find(v);
    bool move;
    unsigned long flags;

    if (!sv)
        return;
    flags = sched_lock_vcpu(sv);
    if (v->run_state != VCPU_BLOCKED) {
        sched_unlock_vcpu(sv, flags);
        return;
    }
    __atomic_store_n(&v->run_state, VCPU_RUNNABLE, __ATOMIC_RELEASE);
    __atomic_store_n(&v->polling, false, __ATOMIC_RELEASE);
    /* Only a vCPU with credit left is boosted: waking often is no way to more CPU. */
    sv->boost_pending = sv->credit > 0;
    move = sched_make_ready(sv);
    sched_runstate_sync(sv, arch_now_ns());
    sched_unlock_vcpu(sv, flags);
    if (move)
        sched_place(sv);
}

static void block(struct vcpu *v, bool poll)
{
    struct sched_vcpu *sv = sched_find(v);
    unsigned long flags;

    if (!sv)
        return;
    flags = sched_lock_vcpu(sv);
    if (v->run_state == VCPU_RUNNABLE) {
        if (poll)
            __atomic_store_n(&v->polling, true, __ATOMIC_RELEASE);
        __atomic_store_n(&v->run_state, VCPU_BLOCKED, __ATOMIC_RELEASE);
        deschedule_locked(sv);
        sched_runstate_sync(sv, arch_now_ns());
    }
    sched_unlock_vcpu(sv, flags);
}

void sched_vcpu_block(struct vcpu *v)
{
    block(v, false);
}

void sched_vcpu_poll(struct vcpu *v)
{
    block(v, true);
}

void sched_vcpu_yield(struct vcpu *v)
{
    struct sched_vcpu *sv = sched_find(v);
    unsigned long flags;

    if (!sv)
        return;
    flags = sched_lock_vcpu(sv);
    if (sv->running) {
        sv->yielded = true;
        arch_sched_kick_cpu(sv->cpu);
    }
    sched_unlock_vcpu(sv, flags);
}

void sched_vcpu_pause(struct vcpu *v)
{
    struct sched_vcpu *sv = sched_find(v);
    unsigned long flags;

    if (!sv)
        return;
    flags = sched_lock_vcpu(sv);
    BUG_ON(sv->pause_count == UINT32_MAX);
    sv->pause_count++;
    deschedule_locked(sv);
    sched_runstate_sync(sv, arch_now_ns());
    sched_unlock_vcpu(sv, flags);
}

void sched_vcpu_unpause(struct vcpu *v)
{
    struct sched_vcpu *sv = sched_find(v);
    bool move = false;
    unsigned long flags;

    if (!sv)
        return;
    flags = sched_lock_vcpu(sv);
    BUG_ON(sv->pause_count == 0);
    if (--sv->pause_count == 0) {
        move = sched_make_ready(sv);
        sched_runstate_sync(sv, arch_now_ns());
    }
    sched_unlock_vcpu(sv, flags);
    if (move)
        sched_place(sv);
}

void sched_domain_pause(struct domain *d)
{
    for (unsigned i = 0; i < d->max_vcpus && i < MAX_VCPUS_PER_DOMAIN; i++)
        if (d->vcpus[i])
            sched_vcpu_pause(d->vcpus[i]);
}

void sched_domain_unpause(struct domain *d)
{
    for (unsigned i = 0; i < d->max_vcpus && i < MAX_VCPUS_PER_DOMAIN; i++)
        if (d->vcpus[i])
            sched_vcpu_unpause(d->vcpus[i]);
}

bool sched_vcpu_running(struct vcpu *v)
{
    struct sched_vcpu *sv = sched_find(v);
    bool running;
    unsigned long flags;

    if (!sv)
        return false;
    flags = sched_lock_vcpu(sv);
    running = sv->running;
    sched_unlock_vcpu(sv, flags);
    return running;
}

void sched_vcpu_kick(struct vcpu *v)
{
    struct sched_vcpu *sv = sched_find(v);
    unsigned long flags;

    if (!sv)
        return;
    if (__atomic_load_n(&v->run_state, __ATOMIC_ACQUIRE) == VCPU_BLOCKED) {
        sched_vcpu_wake(v);
        return;
    }
    /* Running elsewhere: interrupt it so it sees the event on its way back in. */
    flags = sched_lock_vcpu(sv);
    if (sv->running && sv->cpu != arch_cpu_id())
        arch_sched_kick_cpu(sv->cpu);
    sched_unlock_vcpu(sv, flags);
}

int sched_set_affinity(struct vcpu *v, const struct sched_cpumask *mask)
{
    struct sched_vcpu *sv = sched_find(v);
    struct sched_cpumask m;
    unsigned long flags;

    if (!sv)
        return -ESRCH;
    bitmap_zero(m.bits, SCHED_MAX_CPUS);
    for (unsigned c = 0; c < sched_nr_online; c++)
        if (bitmap_test(mask->bits, c))
            bitmap_set(m.bits, c);
    if (bitmap_find_first_set(m.bits, SCHED_MAX_CPUS) == SCHED_MAX_CPUS)
        return -EINVAL;
    flags = sched_lock_vcpu(sv);
    sv->affinity = m;
    if (sv->running && !sched_allowed(sv, sv->cpu))
        arch_sched_kick_cpu(sv->cpu);
    /* A wider mask may let an idle pCPU take it now. */
    if (sv->queued && sched_allowed(sv, sv->cpu))
        tickle(sv->cpu, sv);
    sched_unlock_vcpu(sv, flags);
    sched_place(sv);
    return 0;
}

int sched_get_affinity(struct vcpu *v, struct sched_cpumask *mask)
{
    struct sched_vcpu *sv = sched_find(v);
    unsigned long flags;

    if (!sv)
        return -ESRCH;
    flags = sched_lock_vcpu(sv);
    *mask = sv->affinity;
    sched_unlock_vcpu(sv, flags);
    return 0;
}

/* ---- the pick ------------------------------------------------------------ */

static struct sched_vcpu *best_queued(struct sched_cpu *rq)
{
    for (int p = NR_PRIOS - 1; p >= 0; p--)
        if (rq->cls[p].head)
            return rq->cls[p].head;
    return NULL;
}

static bool has_work_at_least(struct sched_cpu *rq, int min_prio)
{
    for (int p = NR_PRIOS - 1; p >= min_prio; p--)
        if (__atomic_load_n(&rq->cls[p].nr, __ATOMIC_RELAXED))
            return true;
    return false;
}

/*
 * With our own queue locked: take a vCPU of at least min_prio that may run
 * here from another pCPU's queue. Remote queues are only trylocked (we
 * already hold ours); *missed says whether one was busy.
 */
static struct sched_vcpu *steal(unsigned cpu, int min_prio, bool *missed)
{
    for (unsigned i = 1; i < sched_nr_online; i++) {
        unsigned other = (cpu + i) % sched_nr_online;
        struct sched_cpu *rq = &sched_cpus[other];

        if (!has_work_at_least(rq, min_prio))
            continue;
        if (!spin_trylock(&rq->lock)) {
            *missed = true;
            continue;
        }
        for (int p = NR_PRIOS - 1; p >= min_prio; p--) {
            unsigned scanned = 0;
            for (struct sched_vcpu *sv = rq->cls[p].head; sv && scanned < STEAL_SCAN_MAX;
                 sv = sv->rq_next, scanned++) {
                if (!sched_allowed(sv, cpu))
                    continue;
                sched_dequeue(sv);
                set_cpu(sv, cpu);
                spin_unlock(&rq->lock);
                return sv;
            }
        }
        spin_unlock(&rq->lock);
    }
    return NULL;
}

static uint64_t slice_for(const struct sched_vcpu *sv, uint64_t now)
{
    uint64_t slice = sched_get_timeslice();
    uint64_t next = sched_acct_next();

    if (sv->credit > 0) {
        /* Its turn lasts as long as its credit (within the slice): look again then. */
        if ((uint64_t)sv->credit < slice)
            slice = (uint64_t)sv->credit;
        /*
         * And no longer than one period's share: when vCPUs hold more credit
         * than they can spend (pinned together), turns in proportion to
         * weight still divide the pCPU by weight.
         */
        if (sv->share && sv->share < slice)
            slice = sv->share;
    } else if (next > now && next - now < slice) {
        /* OVER: look again once credit is handed out, so UNDER vCPUs get their turn. */
        slice = next - now;
    }
    return slice < SCHED_MIN_SLICE_NS ? SCHED_MIN_SLICE_NS : slice;
}

struct vcpu *sched_pick_next(unsigned cpu, uint64_t now_ns, uint64_t *slice_ns)
{
    struct sched_cpu *rq;
    struct sched_vcpu *prev, *best, *move = NULL;
    bool missed = false;
    unsigned long flags;

    BUG_ON(cpu >= sched_nr_online);
    sched_acct_maybe(now_ns);
    rq = &sched_cpus[cpu];
    flags = arch_irq_save();
    spin_lock(&rq->lock);

    prev = rq->curr;
    if (prev) {
        sched_charge(prev, now_ns > prev->run_start ? now_ns - prev->run_start : 0);
        prev->running = false;
        rq->curr = NULL;
        if (sched_eligible(prev)) {
            if (sched_allowed(prev, cpu))
                sched_enqueue(cpu, prev);
            else
                move = prev;
        }
        sched_runstate_sync(prev, now_ns);
    }

    best = best_queued(rq);
    if (!best || best->prio < PRIO_UNDER) {
        struct sched_vcpu *stolen = steal(cpu, best ? best->prio + 1 : PRIO_OVER, &missed);
        if (stolen)
            best = stolen;
        else if (best)
            sched_dequeue(best);
    } else {
        sched_dequeue(best);
    }

    if (best) {
        best->running = true;
        best->boost_pending = false;
        best->ran_since_acct = true;
        best->run_start = now_ns;
        rq->curr = best;
        sched_runstate_sync(best, now_ns);
        *slice_ns = slice_for(best, now_ns);
        bitmap_clear_atomic(sched_idle_mask.bits, cpu);
    } else {
        uint64_t next = sched_acct_next();
        bitmap_set_atomic(sched_idle_mask.bits, cpu);
        if (missed)
            *slice_ns = SCHED_MIN_SLICE_NS;           /* a busy queue may hold work for us */
        else if (__atomic_load_n(&sched_nr_parked, __ATOMIC_ACQUIRE))
            *slice_ns = next > now_ns ? next - now_ns : SCHED_MIN_SLICE_NS; /* to unpark them */
        else
            *slice_ns = SCHED_SLICE_FOREVER;
    }
    spin_unlock(&rq->lock);
    arch_irq_restore(flags);
    if (move)
        sched_place(move);
    return best ? best->v : NULL;
}

struct vcpu *sched_current(unsigned cpu)
{
    struct sched_vcpu *curr;
    unsigned long flags;

    if (cpu >= sched_nr_online)
        return NULL;
    flags = spin_lock_irqsave(&sched_cpus[cpu].lock);
    curr = sched_cpus[cpu].curr;
    spin_unlock_irqrestore(&sched_cpus[cpu].lock, flags);
    return curr ? curr->v : NULL;
}

/* ---- information --------------------------------------------------------- */

int sched_vcpu_view(struct vcpu *v, struct sched_vcpu_view *out)
{
    struct sched_vcpu *sv = sched_find(v);

    if (!sv)
        return -ESRCH;
    unsigned long flags = sched_lock_vcpu(sv);
    *out = (struct sched_vcpu_view){
        .cpu = sv->cpu, .queued = sv->queued, .running = sv->running, .parked = sv->parked,
        .prio = sv->prio, .pause_count = sv->pause_count, .credit = sv->credit,
        .cpu_curr = sched_cpus[sv->cpu].curr ? sched_cpus[sv->cpu].curr->v : NULL,
        .cpu_idle = bitmap_test(sched_idle_mask.bits, sv->cpu),
    };
    sched_unlock_vcpu(sv, flags);
    return 0;
}

int sched_get_runstate_settled(struct vcpu *v, struct sched_runstate *out)
{
    struct sched_vcpu *sv = sched_find(v);

    if (!sv)
        return -ESRCH;
    unsigned long flags = sched_lock_vcpu(sv);
    *out = sv->rs;
    sched_unlock_vcpu(sv, flags);
    return 0;
}

int sched_get_runstate(struct vcpu *v, struct sched_runstate *out)
{
    struct sched_vcpu *sv = sched_find(v);
    uint64_t now = arch_now_ns();
    unsigned long flags;

    if (!sv)
        return -ESRCH;
    flags = sched_lock_vcpu(sv);
    *out = sv->rs;
    if (now > out->state_entry_time)
        out->time[out->state] += now - out->state_entry_time;
    sched_unlock_vcpu(sv, flags);
    return 0;
}

int64_t sched_vcpu_credit(struct vcpu *v)
{
    struct sched_vcpu *sv = sched_find(v);
    int64_t credit;
    unsigned long flags;

    if (!sv)
        return 0;
    flags = sched_lock_vcpu(sv);
    credit = sv->credit;
    sched_unlock_vcpu(sv, flags);
    return credit;
}
