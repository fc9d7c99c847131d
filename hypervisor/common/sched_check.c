/*
 * The scheduler's invariants, checked with every lock held (tests and the
 * fuzzer call this between operations; it is too slow for anything else).
 */
#include <pvabi/vcpu.h>
#include <tessera/arch.h>
#include <tessera/errno.h>
#include <tessera/sched.h>

#define FAIL(msg) do { *why = (msg); rc = -EINVAL; goto out; } while (0)

static int check_queues(const char **why, unsigned *nr_queued)
{
    int rc = 0;

    for (unsigned c = 0; c < sched_nr_online; c++) {
        struct sched_cpu *rq = &sched_cpus[c];
        for (int p = 0; p < NR_PRIOS; p++) {
            uint32_t n = 0;
            struct sched_vcpu *prev = NULL;
            for (struct sched_vcpu *sv = rq->cls[p].head; sv; prev = sv, sv = sv->rq_next) {
                if (++n > rq->cls[p].nr)
                    FAIL("a queue holds more vCPUs than its count");
                if (sv->rq_prev != prev)
                    FAIL("a queue's back link is wrong");
                if (sv->check_seen)
                    FAIL("a vCPU is queued twice");
                sv->check_seen = true;
                if (!sv->queued || sv->cpu != c || sv->prio != p)
                    FAIL("a queued vCPU does not know where it is queued");
                if (sv->running)
                    FAIL("a queued vCPU is also running");
                if (!sched_eligible(sv))
                    FAIL("a vCPU that may not run is queued");
                if (!sched_allowed(sv, c))
                    FAIL("a vCPU is queued on a pCPU its affinity excludes");
            }
            if (n != rq->cls[p].nr || rq->cls[p].tail != prev)
                FAIL("a queue's count or tail is wrong");
            *nr_queued += n;
        }
        struct sched_vcpu *curr = rq->curr;
        if (curr) {
            if (curr->check_seen)
                FAIL("a running vCPU is also queued, or runs on two pCPUs");
            curr->check_seen = true;
            if (!curr->running || curr->cpu != c || curr->queued)
                FAIL("a pCPU's current vCPU does not know it runs there");
        }
        /* A pCPU leaves the mask when kicked, before its pick runs. */
        if (bitmap_test_atomic(sched_idle_mask.bits, c) && curr)
            FAIL("a pCPU that runs a vCPU is in the idle mask");
    }
out:
    return rc;
}

static int check_vcpus(const char **why, unsigned nr_queued)
{
    unsigned parked = 0, queued = 0;
    int rc = 0;

    for (struct sched_domain *sd = sched_domains; sd; sd = sd->next) {
        unsigned n = 0;
        for (struct sched_vcpu *sv = sd->vcpus; sv; sv = sv->dom_next) {
            n++;
            if (sv->sd != sd)
                FAIL("a vCPU is listed under the wrong domain");
            if (sv->running != (sv->cpu < sched_nr_online && sched_cpus[sv->cpu].curr == sv))
                FAIL("a vCPU thinks it runs but its pCPU does not run it");
            if (sched_eligible(sv) && !sv->running && !sv->queued)
                FAIL("a runnable vCPU is on no queue");
            if (sv->queued != sv->check_seen && !sv->running)
                FAIL("a vCPU thinks it is queued but no queue holds it");
            if (sv->v->processor != sv->cpu)
                FAIL("vcpu->processor disagrees with the scheduler");
            if (sv->running != (sv->rs.state == RUNSTATE_running))
                FAIL("the run state says 'running' exactly when the vCPU is not");
            if (sv->queued && sv->rs.state != RUNSTATE_runnable)
                FAIL("a queued vCPU's run state is not 'runnable'");
            parked += sv->parked;
            queued += sv->queued;
            sv->check_seen = false;
        }
        if (n != sd->nr_vcpus)
            FAIL("a domain's vCPU count is wrong");
    }
    if (queued != nr_queued)
        FAIL("queued vCPUs exist that no domain lists");
    if (parked != sched_nr_parked)
        FAIL("the parked count is wrong");
out:
    return rc;
}

int sched_check_invariants(const char **why)
{
    unsigned long flags = arch_irq_save();
    unsigned nr_queued = 0;
    int rc;

    spin_lock(&sched_list_lock);
    for (unsigned c = 0; c < sched_nr_online; c++)
        spin_lock(&sched_cpus[c].lock);
    rc = check_queues(why, &nr_queued);
    if (rc == 0)
        rc = check_vcpus(why, nr_queued);
    /* Leave no marks behind, whatever failed. */
    for (struct sched_domain *sd = sched_domains; sd; sd = sd->next)
        for (struct sched_vcpu *sv = sd->vcpus; sv; sv = sv->dom_next)
            sv->check_seen = false;
    for (unsigned c = sched_nr_online; c-- > 0;)
        spin_unlock(&sched_cpus[c].lock);
    spin_unlock(&sched_list_lock);
    arch_irq_restore(flags);
    return rc;
}
