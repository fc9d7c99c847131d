/*
 * Credit: charging vCPUs for the time they ran, and handing out the time
 * that passed on all pCPUs once per accounting period, by weight and cap.
 *
 * Credit is kept in ns of CPU time and clamped to two periods either way:
 * a vCPU that idled cannot hoard more than a period's worth, and one that
 * ran alone on an idle machine is not punished for long once others wake.
 */
#include <tessera/arch.h>
#include <tessera/sched.h>

#define CREDIT_CLAMP ((int64_t)SCHED_ACCT_PERIOD_NS * 4)

static uint64_t next_acct;      /* [a] when the next hand-out is due */
static uint64_t last_acct;      /* [L] when the last one happened */

void sched_acct_reset(uint64_t now)
{
    last_acct = now;
    __atomic_store_n(&next_acct, now + SCHED_ACCT_PERIOD_NS, __ATOMIC_RELEASE);
}

uint64_t sched_acct_next(void)
{
    return __atomic_load_n(&next_acct, __ATOMIC_ACQUIRE);
}

static int64_t clamp_credit(int64_t c)
{
    if (c > CREDIT_CLAMP)
        return CREDIT_CLAMP;
    if (c < -CREDIT_CLAMP)
        return -CREDIT_CLAMP;
    return c;
}

/* Under sv's lock. A capped vCPU out of credit is parked until the next hand-out. */
void sched_charge(struct sched_vcpu *sv, uint64_t ran_ns)
{
    int64_t ran = ran_ns > (uint64_t)CREDIT_CLAMP * 2 ? CREDIT_CLAMP * 2 : (int64_t)ran_ns;

    sv->credit = clamp_credit(sv->credit - ran);
    if (sv->credit <= 0 && sched_domain_cap(sv) && !sv->parked) {
        sv->parked = true;
        __atomic_fetch_add(&sched_nr_parked, 1, __ATOMIC_RELEASE);
    }
}

void sched_account(struct vcpu *v, uint64_t ran_ns)
{
    struct sched_vcpu *sv = sched_find(v);
    unsigned long flags;

    if (!sv)
        return;
    flags = sched_lock_vcpu(sv);
    sched_charge(sv, ran_ns);
    if (sv->parked && sv->queued)
        sched_dequeue(sv);
    if (sv->parked && sv->running)
        arch_sched_kick_cpu(sv->cpu);
    sched_runstate_sync(sv, arch_now_ns());
    sched_unlock_vcpu(sv, flags);
}

/*
 * Under sched_list_lock: which vCPUs compete for this period (they want
 * to run, or ran during the last one), counted per domain.
 */
static uint64_t mark_active(void)
{
    uint64_t total_weight = 0;

    for (struct sched_domain *sd = sched_domains; sd; sd = sd->next) {
        sd->acct_active = 0;
        for (struct sched_vcpu *sv = sd->vcpus; sv; sv = sv->dom_next) {
            unsigned long flags = sched_lock_vcpu(sv);
            bool wants = sv->v->run_state == VCPU_RUNNABLE && sv->pause_count == 0;

            sv->acct_active = wants || sv->running || sv->ran_since_acct;
            sv->ran_since_acct = sv->running;
            sched_unlock_vcpu(sv, flags);
            sd->acct_active += sv->acct_active;
        }
        total_weight += (uint64_t)sd->weight * sd->acct_active;
    }
    return total_weight;
}

/* Under sched_list_lock and sv's lock: new credit may change sv's class. */
static bool give_credit(struct sched_vcpu *sv, int64_t amount)
{
    bool move = false;

    sv->credit = clamp_credit(sv->credit + amount);
    sv->share = (uint64_t)amount;
    if (sv->parked && (sv->credit > 0 || !sched_domain_cap(sv))) {
        sv->parked = false;
        __atomic_fetch_sub(&sched_nr_parked, 1, __ATOMIC_RELEASE);
        move = sched_make_ready(sv);
    } else if (sv->running && sv->prio != PRIO_BOOST) {
        sv->prio = sv->credit > 0 ? PRIO_UNDER : PRIO_OVER;
    }
    return move;
}

/*
 * Queued OVER vCPUs that have credit again move to the UNDER tail, each
 * queue walked in order so they keep the order they waited in (moving
 * them as the domain list meets them would favour some domains forever).
 */
static void refile_queues(void)
{
    for (unsigned c = 0; c < sched_nr_online; c++) {
        struct sched_cpu *rq = &sched_cpus[c];
        struct sched_vcpu *sv, *next;

        spin_lock(&rq->lock);
        for (sv = rq->cls[PRIO_OVER].head; sv; sv = next) {
            next = sv->rq_next;
            if (sv->credit > 0) {
                sched_dequeue(sv);
                sched_enqueue(c, sv);
            }
        }
        spin_unlock(&rq->lock);
    }
}

static void hand_out(uint64_t elapsed)
{
    uint64_t total_weight = mark_active();
    uint64_t total = elapsed * sched_nr_online;

    if (total_weight == 0)
        return;
    for (struct sched_domain *sd = sched_domains; sd; sd = sd->next) {
        if (!sd->acct_active)
            continue;
        uint64_t fair = total * sd->weight * sd->acct_active / total_weight;
        if (sd->cap) {
            uint64_t capped = elapsed * sd->cap / 100;
            if (capped < fair)
                fair = capped;
        }
        int64_t each = (int64_t)((fair + sd->acct_active - 1) / sd->acct_active);
        for (struct sched_vcpu *sv = sd->vcpus; sv; sv = sv->dom_next) {
            unsigned long flags = sched_lock_vcpu(sv);
            bool move = sv->acct_active && give_credit(sv, each);
            sched_runstate_sync(sv, arch_now_ns());
            sched_unlock_vcpu(sv, flags);
            if (move)
                sched_place(sv);
        }
    }
    refile_queues();
}

/*
 * Called first thing by every pick. One pCPU does the hand-out; the others
 * skip it rather than wait (their slices end at the period boundary, so
 * they look again soon).
 */
void sched_acct_maybe(uint64_t now)
{
    unsigned long flags;
    uint64_t elapsed;

    if (now < sched_acct_next())
        return;
    flags = arch_irq_save();
    if (!spin_trylock(&sched_list_lock)) {
        arch_irq_restore(flags);
        return;
    }
    if (now >= sched_acct_next()) {
        elapsed = now > last_acct ? now - last_acct : 0;
        if (elapsed > 2 * SCHED_ACCT_PERIOD_NS)
            elapsed = 2 * SCHED_ACCT_PERIOD_NS;   /* after a long idle, not a flood of credit */
        last_acct = now;
        __atomic_store_n(&next_acct, now + SCHED_ACCT_PERIOD_NS, __ATOMIC_RELEASE);
        hand_out(elapsed);
    }
    spin_unlock(&sched_list_lock);
    arch_irq_restore(flags);
}
