/*
 * The scheduler's tables: which vCPUs have scheduling state (a hash keyed
 * by the vCPU pointer, because struct vcpu has no field of ours), their
 * domains' weight and cap, and the life cycle of that state.
 */
#include <pvabi/vcpu.h>
#include <tessera/arch.h>
#include <tessera/errno.h>
#include <tessera/heap.h>
#include <tessera/panic.h>
#include <tessera/sched.h>

#define SCHED_HASH_BUCKETS 256

spinlock_t sched_list_lock = SPINLOCK_INIT;
struct sched_domain *sched_domains;                        /* [L] */
static struct sched_vcpu *vcpu_hash[SCHED_HASH_BUCKETS];   /* [L] */
static uint32_t next_home;                                 /* [a] spreads first placement */

static unsigned bucket_of(const struct vcpu *v)
{
    uintptr_t p = (uintptr_t)v;

    return (unsigned)((p >> 4) ^ (p >> 12) ^ (p >> 20)) % SCHED_HASH_BUCKETS;
}

void sched_table_reset(void)
{
    unsigned long flags = spin_lock_irqsave(&sched_list_lock);

    for (unsigned b = 0; b < SCHED_HASH_BUCKETS; b++)
        vcpu_hash[b] = NULL;
    sched_domains = NULL;
    next_home = 0;
    spin_unlock_irqrestore(&sched_list_lock, flags);
}

static struct sched_vcpu *find_locked(const struct vcpu *v)
{
    for (struct sched_vcpu *sv = vcpu_hash[bucket_of(v)]; sv; sv = sv->hash_next)
        if (sv->v == v)
            return sv;
    return NULL;
}

static struct sched_domain *find_domain_locked(const struct domain *d)
{
    for (struct sched_domain *sd = sched_domains; sd; sd = sd->next)
        if (sd->d == d)
            return sd;
    return NULL;
}

struct sched_vcpu *sched_find(struct vcpu *v)
{
    unsigned long flags = spin_lock_irqsave(&sched_list_lock);
    struct sched_vcpu *sv = find_locked(v);

    spin_unlock_irqrestore(&sched_list_lock, flags);
    return sv;
}

unsigned sched_domain_cap(const struct sched_vcpu *sv)
{
    return __atomic_load_n(&sv->sd->cap, __ATOMIC_RELAXED);
}

/* xl's limits: weight 1 .. 65535, cap at most one full pCPU per vCPU. */
static int check_params(const struct domain *d, unsigned weight, unsigned cap)
{
    unsigned nr = d->max_vcpus ? d->max_vcpus : 1;

    if (weight > SCHED_MAX_WEIGHT)
        return -EINVAL;
    if (cap > 100u * nr)
        return -EINVAL;
    return 0;
}

/* Under sched_list_lock. Lifting a cap releases every vCPU it parked. */
static void set_params_locked(struct sched_domain *sd, unsigned weight, unsigned cap)
{
    __atomic_store_n(&sd->weight, weight, __ATOMIC_RELAXED);
    __atomic_store_n(&sd->cap, cap, __ATOMIC_RELAXED);
    if (cap)
        return;
    for (struct sched_vcpu *sv = sd->vcpus; sv; sv = sv->dom_next) {
        unsigned long flags = sched_lock_vcpu(sv);
        bool move = false;

        if (sv->parked) {
            sv->parked = false;
            __atomic_fetch_sub(&sched_nr_parked, 1, __ATOMIC_RELEASE);
            move = sched_make_ready(sv);
            sched_runstate_sync(sv, arch_now_ns());
        }
        sched_unlock_vcpu(sv, flags);
        if (move)
            sched_place(sv);
    }
}

int sched_vcpu_init(struct vcpu *v, unsigned weight, unsigned cap)
{
    struct sched_vcpu *sv;
    struct sched_domain *sd, *spare;
    unsigned long flags;
    int rc;

    rc = check_params(v->domain, weight, cap);
    if (rc)
        return rc;
    /* Allocate before locking: the heap is not to be called with interrupts off. */
    sv = xzalloc(sizeof(*sv));
    spare = xzalloc(sizeof(*spare));
    if (!sv || !spare) {
        rc = -ENOMEM;
        goto out_free;
    }

    flags = spin_lock_irqsave(&sched_list_lock);
    if (find_locked(v)) {
        spin_unlock_irqrestore(&sched_list_lock, flags);
        rc = -EEXIST;
        goto out_free;
    }
    sd = find_domain_locked(v->domain);
    if (!sd) {
        sd = spare;
        spare = NULL;
        sd->d = v->domain;
        sd->weight = weight ? weight : SCHED_DEFAULT_WEIGHT;
        sd->cap = cap;
        sd->next = sched_domains;
        sched_domains = sd;
    } else if (weight) {
        set_params_locked(sd, weight, cap);
    }

    sv->v = v;
    sv->sd = sd;
    sv->cpu = __atomic_fetch_add(&next_home, 1, __ATOMIC_RELAXED) % sched_nr_online;
    bitmap_fill(sv->affinity.bits, sched_nr_online);
    sv->rs.state = RUNSTATE_offline;
    sv->rs.state_entry_time = arch_now_ns();
    v->run_state = VCPU_OFFLINE;
    v->polling = false;
    v->processor = sv->cpu;

    sv->dom_next = sd->vcpus;
    sd->vcpus = sv;
    sd->nr_vcpus++;
    sv->hash_next = vcpu_hash[bucket_of(v)];
    vcpu_hash[bucket_of(v)] = sv;
    spin_unlock_irqrestore(&sched_list_lock, flags);
    xfree(spare);
    return 0;

out_free:
    xfree(spare);
    xfree(sv);
    return rc;
}

void sched_vcpu_destroy(struct vcpu *v)
{
    struct sched_vcpu *sv, **link;
    struct sched_domain *sd, *gone = NULL;
    unsigned long flags;

    /* Unlink first, so accounting can no longer reach it and requeue it. */
    flags = spin_lock_irqsave(&sched_list_lock);
    sv = find_locked(v);
    if (!sv) {
        spin_unlock_irqrestore(&sched_list_lock, flags);
        return;
    }
    for (link = &vcpu_hash[bucket_of(v)]; *link != sv; link = &(*link)->hash_next)
        ;
    *link = sv->hash_next;
    sd = sv->sd;
    for (link = &sd->vcpus; *link != sv; link = &(*link)->dom_next)
        ;
    *link = sv->dom_next;
    if (--sd->nr_vcpus == 0) {
        struct sched_domain **dl = &sched_domains;
        while (*dl != sd)
            dl = &(*dl)->next;
        *dl = sd->next;
        gone = sd;
    }
    spin_unlock_irqrestore(&sched_list_lock, flags);

    flags = sched_lock_vcpu(sv);
    BUG_ON(sv->running);
    if (sv->queued)
        sched_dequeue(sv);
    if (sv->parked)
        __atomic_fetch_sub(&sched_nr_parked, 1, __ATOMIC_RELEASE);
    sched_unlock_vcpu(sv, flags);
    xfree(sv);
    xfree(gone);
}

int sched_set_params(struct domain *d, unsigned weight, unsigned cap)
{
    struct sched_domain *sd;
    unsigned long flags;
    int rc;

    if (weight == 0)
        return -EINVAL;
    rc = check_params(d, weight, cap);
    if (rc)
        return rc;
    flags = spin_lock_irqsave(&sched_list_lock);
    sd = find_domain_locked(d);
    if (sd)
        set_params_locked(sd, weight, cap);
    spin_unlock_irqrestore(&sched_list_lock, flags);
    return sd ? 0 : -ESRCH;
}

int sched_get_params(struct domain *d, unsigned *weight, unsigned *cap)
{
    struct sched_domain *sd;
    unsigned long flags = spin_lock_irqsave(&sched_list_lock);

    sd = find_domain_locked(d);
    if (sd) {
        *weight = sd->weight;
        *cap = sd->cap;
    }
    spin_unlock_irqrestore(&sched_list_lock, flags);
    return sd ? 0 : -ESRCH;
}
