/*
 * The vCPU scheduler: credit-based proportional share (xl sched-credit
 * semantics) over one run queue per physical CPU.
 *
 * Policy in one paragraph. Every accounting period (30 ms) the CPU time
 * that passed on all pCPUs is handed out as credit (ns of CPU time) to
 * the active vCPUs in proportion to their domain's weight, limited by the
 * domain's cap. Running costs credit ns for ns. A vCPU with credit left is
 * UNDER, one without is OVER; a vCPU waking from a block with credit left
 * is BOOST until it has run once, so I/O-bound vCPUs run promptly.
 * Each pCPU runs its best queued vCPU (BOOST > UNDER > OVER, FIFO within
 * a class) until its credit, the time slice or its share of one period
 * ends (an OVER one until the next hand-out at most); a pCPU with nothing better than OVER steals an
 * UNDER or BOOST vCPU from another queue, and an idle one steals anything
 * its affinity allows. A newly queued vCPU kicks an idle pCPU it may use,
 * else preempts its own pCPU if it outranks what runs there. A capped
 * vCPU out of credit is parked (not eligible) until the next accounting
 * gives it some back.
 *
 * Cost: wake, block, yield, pause and the pick itself are O(1) in the
 * number of vCPUs, plus O(nr_cpus) for a steal (bounded scan of each
 * remote queue's first entries). Accounting is O(active vCPUs) once per
 * period, done by whichever pCPU first picks after the period ends.
 *
 * Locks (outer first): sched_list_lock (the vCPU/domain tables, params,
 * accounting) > run-queue locks (several only in pCPU index order, or by
 * trylock). A vCPU's scheduling state is guarded by the lock of the run
 * queue of the pCPU it is queued on or runs on (its 'cpu'), which
 * changes only with the old and the new queue's locks both held. Every lock is taken with
 * interrupts off: wake-ups come from timer and event interrupts.
 * The arch hooks below are called with run-queue locks held and must not
 * call back into the scheduler.
 *
 * Who calls what:
 *   domain builder   sched_vcpu_init / sched_vcpu_destroy, sched_vcpu_up
 *   VCPUOP_up/down   sched_vcpu_up / sched_vcpu_down
 *   SCHEDOP_block    sched_vcpu_block, then re-check pending events and
 *                    sched_vcpu_wake if any (closes the race with a sender)
 *   SCHEDOP_poll     sched_vcpu_poll, then the same re-check of the ports
 *   SCHEDOP_yield    sched_vcpu_yield
 *   event delivery   sched_vcpu_kick (what vcpu_kick in tessera/domain.h
 *                    should do once vCPUs share pCPUs)
 *   domain pause     sched_domain_pause / sched_domain_unpause, then wait
 *                    for sched_vcpu_running() to turn false if needed
 *   tick, block, IPI sched_pick_next on that pCPU; switch to its result
 */
#ifndef TESSERA_SCHED_H
#define TESSERA_SCHED_H

#include <stdbool.h>
#include <stdint.h>
#include <tessera/arch.h>
#include <tessera/bitmap.h>
#include <tessera/domain.h>
#include <tessera/spinlock.h>

#define SCHED_MAX_CPUS          64
#define SCHED_DEFAULT_WEIGHT    256
#define SCHED_MAX_WEIGHT        65535
#define SCHED_DEFAULT_TSLICE_NS 30000000ull    /* 30 ms, as xl's default */
#define SCHED_MIN_TSLICE_NS     1000000ull     /* xl sched-credit -t: 1 .. 1000 ms */
#define SCHED_MAX_TSLICE_NS     1000000000ull
#define SCHED_ACCT_PERIOD_NS    30000000ull
/* No slice is shorter: a vCPU nearly out of credit still gets real work done. */
#define SCHED_MIN_SLICE_NS      500000ull
/* Slice returned with an idle pick when nothing needs a timer: sleep until kicked. */
#define SCHED_SLICE_FOREVER     UINT64_MAX

struct sched_cpumask {
    DECLARE_BITMAP(bits, SCHED_MAX_CPUS);
};

/* Run-state times as VCPUOP_get_runstate_info reports them (RUNSTATE_*). */
struct sched_runstate {
    int state;                  /* RUNSTATE_running .. RUNSTATE_offline */
    uint64_t state_entry_time;  /* ns, arch_now_ns clock */
    uint64_t time[4];           /* ns spent in each state, the current one included */
};

/* The arch hook the scheduler calls (arch_sched_kick_cpu) is in tessera/arch.h. */

/* ---- set-up ------------------------------------------------------------ */

/*
 * Resets the scheduler to pCPUs 0 .. nr_cpus-1, no vCPUs, the default
 * time slice. Boot (and tests) only: no vCPU may exist. -EINVAL if nr_cpus
 * is 0 or above SCHED_MAX_CPUS.
 */
int sched_init(unsigned nr_cpus);
unsigned sched_nr_cpus(void);

/* xl sched-credit -t: 1 ms .. 1 s, else -EINVAL. */
int sched_set_timeslice(uint64_t ns);
uint64_t sched_get_timeslice(void);

/*
 * Gives v its scheduling state: offline, allowed on every pCPU. The first
 * vCPU of a domain sets the domain's weight and cap (weight 0: the default
 * 256); a later one with a non-zero weight sets them as sched_set_params
 * would. -EINVAL for a bad weight or cap, -EEXIST if v already has state,
 * -ENOMEM. Nothing is left behind on failure.
 */
int sched_vcpu_init(struct vcpu *v, unsigned weight, unsigned cap);

/* Frees v's state. v must be offline or paused and not running. */
void sched_vcpu_destroy(struct vcpu *v);

/*
 * Domain-wide weight (1 .. 65535; each active vCPU of the domain competes
 * with this weight) and cap (percent of one pCPU for the whole domain,
 * 0 = none, at most 100 per vCPU). -ESRCH if no vCPU of d has state.
 */
int sched_set_params(struct domain *d, unsigned weight, unsigned cap);
int sched_get_params(struct domain *d, unsigned *weight, unsigned *cap);

/*
 * vcpu-pin: the pCPUs v may run on. Bits past the last pCPU are ignored;
 * -EINVAL if none is left. A queued vCPU moves at once; a running one is
 * moved by its pCPU's next pick, which this asks for.
 */
int sched_set_affinity(struct vcpu *v, const struct sched_cpumask *mask);
int sched_get_affinity(struct vcpu *v, struct sched_cpumask *mask);

/* ---- state changes ---------------------------------------------------- */

/* VCPUOP_up: offline -> runnable (queued). -EINVAL unless offline. */
int sched_vcpu_up(struct vcpu *v);
/* VCPUOP_down: -> offline; its pCPU is asked to deschedule it. */
void sched_vcpu_down(struct vcpu *v);

/* Blocked (or polling) -> runnable, boosted if it has credit. No-op otherwise. */
void sched_vcpu_wake(struct vcpu *v);

/* Runnable -> blocked; its pCPU is asked to deschedule it. */
void sched_vcpu_block(struct vcpu *v);
/* The same with v->polling set (SCHEDOP_poll); a wake clears it. */
void sched_vcpu_poll(struct vcpu *v);

/* Asks v's pCPU to reschedule and puts v behind every other queued vCPU there once. */
void sched_vcpu_yield(struct vcpu *v);

/*
 * Pausing nests: v runs again only when every pause is undone. Pausing
 * asks v's pCPU to deschedule it but does not wait for that.
 */
void sched_vcpu_pause(struct vcpu *v);
void sched_vcpu_unpause(struct vcpu *v);
void sched_domain_pause(struct domain *d);
void sched_domain_unpause(struct domain *d);

/*
 * An event arrived for v: wake it if blocked or polling, else interrupt
 * the pCPU running it (unless that is this one) so it sees the event.
 */
void sched_vcpu_kick(struct vcpu *v);

/* Whether a pCPU still runs v (a pause or block takes effect at its next pick). */
bool sched_vcpu_running(struct vcpu *v);

/* ---- the decision ------------------------------------------------------ */

/*
 * Called by pCPU 'cpu' on every tick, block, yield and kick: charges the
 * vCPU it was running for the time since it was picked, puts that vCPU
 * back if it may still run, and returns the vCPU to run now (NULL: idle)
 * and how long it may run before the next call (*slice_ns; for idle,
 * SCHED_SLICE_FOREVER when only a kick can bring work). Returning the
 * same vCPU again means no switch is needed.
 */
struct vcpu *sched_pick_next(unsigned cpu, uint64_t now_ns, uint64_t *slice_ns);

/* The vCPU pCPU 'cpu' was last told to run, or NULL. */
struct vcpu *sched_current(unsigned cpu);

/*
 * Charges v ran_ns of CPU time against its credit. sched_pick_next does
 * this itself for the vCPU it deschedules; call it only for time it cannot
 * see (none, so far), never for the same time twice.
 */
void sched_account(struct vcpu *v, uint64_t ran_ns);

/* ---- information ------------------------------------------------------- */

/* VCPUOP_get_runstate_info. -ESRCH if v has no scheduling state. */
int sched_get_runstate(struct vcpu *v, struct sched_runstate *out);
/*
 * The same without the current state's time so far (it is only added when
 * the state ends): what the guest's registered runstate area shows, as on Xen.
 */
int sched_get_runstate_settled(struct vcpu *v, struct sched_runstate *out);

/* Credit left (ns; negative when OVER), for tests and the debug shell. */
int64_t sched_vcpu_credit(struct vcpu *v);

/* Where the scheduler holds a vCPU, for diagnostics (the stall watch). */
struct sched_vcpu_view {
    unsigned cpu;               /* the pCPU whose queue holds it, or that runs it */
    bool queued, running, parked;
    int prio;                   /* PRIO_* while queued or running */
    unsigned pause_count;
    int64_t credit;
    struct vcpu *cpu_curr;      /* what that pCPU was told to run, NULL: idle */
    bool cpu_idle;              /* that pCPU is in the idle mask (no kick pending) */
};
int sched_vcpu_view(struct vcpu *v, struct sched_vcpu_view *out);

/*
 * Checks the scheduler's invariants (tests, fuzzing): every eligible vCPU
 * queued on exactly one allowed pCPU or running on exactly one, nothing
 * else queued, queue counts right. 0, or -EINVAL with *why set.
 */
int sched_check_invariants(const char **why);

/* ---- internal to hypervisor/common/sched*.c ------------------------------
 * Shared by the scheduler's own files only; nothing else may touch these.
 * Tags: [L] sched_list_lock, [q] the run-queue lock of the vCPU's 'cpu',
 * [I] immutable, [a] atomic.
 */

enum sched_prio { PRIO_OVER, PRIO_UNDER, PRIO_BOOST, NR_PRIOS };

struct sched_domain {
    struct domain *d;                    /* [I] */
    unsigned weight, cap;                /* [L] written, [a] read */
    unsigned nr_vcpus;                   /* [L] */
    unsigned acct_active;                /* [L] accounting's count of active vCPUs */
    struct sched_vcpu *vcpus;            /* [L] */
    struct sched_domain *next;           /* [L] */
};

struct sched_vcpu {
    struct vcpu *v;                      /* [I] */
    struct sched_domain *sd;             /* [I] */
    struct sched_vcpu *hash_next;        /* [L] */
    struct sched_vcpu *dom_next;         /* [L] */
    unsigned cpu;                        /* [a] read; written holding [q] of old and new */
    struct sched_vcpu *rq_next, *rq_prev; /* [q] */
    int prio;                            /* [q] class while queued or running */
    bool queued, running;                /* [q] */
    bool parked;                         /* [q] capped and out of credit */
    bool yielded;                        /* [q] goes last at its next requeue */
    bool boost_pending;                  /* [q] woke from a block; BOOST until it runs */
    bool ran_since_acct;                 /* [q] */
    bool acct_active;                    /* [q] accounting scratch */
    bool check_seen;                     /* sched_check_invariants scratch */
    unsigned pause_count;                /* [q] */
    int64_t credit;                      /* [q] ns of CPU time */
    uint64_t share;                      /* [q] credit it got at the last hand-out */
    uint64_t run_start;                  /* [q] when it was last picked */
    struct sched_cpumask affinity;       /* [q] */
    struct sched_runstate rs;            /* [q] */
};

struct runq_class {
    struct sched_vcpu *head, *tail;      /* [q] */
    uint32_t nr;                         /* [q] written, [a] read by stealers */
};

struct sched_cpu {
    spinlock_t lock;
    struct runq_class cls[NR_PRIOS];     /* FIFO per class */
    struct sched_vcpu *curr;             /* [q] what the pCPU was told to run */
} __attribute__((aligned(64)));

extern struct sched_cpu sched_cpus[SCHED_MAX_CPUS];
extern unsigned sched_nr_online;
extern struct sched_cpumask sched_idle_mask;
extern uint32_t sched_nr_parked;
extern spinlock_t sched_list_lock;
extern struct sched_domain *sched_domains;

/* sched.c */
unsigned long sched_lock_vcpu(struct sched_vcpu *sv);
void sched_unlock_vcpu(struct sched_vcpu *sv, unsigned long flags);
bool sched_eligible(const struct sched_vcpu *sv);
bool sched_allowed(const struct sched_vcpu *sv, unsigned cpu);
void sched_enqueue(unsigned cpu, struct sched_vcpu *sv);
void sched_dequeue(struct sched_vcpu *sv);
bool sched_make_ready(struct sched_vcpu *sv);
void sched_place(struct sched_vcpu *sv);
void sched_runstate_sync(struct sched_vcpu *sv, uint64_t now);

/* sched_table.c */
void sched_table_reset(void);
struct sched_vcpu *sched_find(struct vcpu *v);
unsigned sched_domain_cap(const struct sched_vcpu *sv);

/* sched_acct.c */
void sched_acct_reset(uint64_t now);
void sched_acct_maybe(uint64_t now);
uint64_t sched_acct_next(void);
void sched_charge(struct sched_vcpu *sv, uint64_t ran_ns);

#endif
