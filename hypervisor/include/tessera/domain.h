/*
 * Domains and virtual CPUs: the objects every guest-facing subsystem
 * (event channels, grant tables, timers, the scheduler) works on.
 *
 * Lock order (outer first): domain_list_lock > domain.lock >
 * grant-table locks > evtchn locks (for either: two domains, lower domain
 * id first) > heap and frame allocator locks > per-CPU locks.
 * Fields are tagged: [I] immutable after creation, [d] domain.lock,
 * [a] atomic, [e] owned by event_channel.c, [g] owned by grant_table.c.
 */
#ifndef TESSERA_DOMAIN_H
#define TESSERA_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <pvabi/xen.h>
#include <tessera/spinlock.h>

#define MAX_VCPUS_PER_DOMAIN XEN_LEGACY_MAX_VCPUS   /* vcpu_info slots in shared_info */
#define DOMAIN_NAME_MAX      64

struct domain;
struct arch_vcpu;
struct arch_domain;
struct evtchn_domain;
struct grant_table;

enum vcpu_run_state {
    VCPU_OFFLINE,    /* not initialised, or VCPUOP_down */
    VCPU_RUNNABLE,
    VCPU_BLOCKED,    /* SCHEDOP_block / poll: waits for an event or timeout */
};

struct vcpu {
    unsigned int vcpu_id;                 /* [I] */
    struct domain *domain;                /* [I] */
    struct vcpu_info *vcpu_info;          /* [d] hypervisor view; in shared_info or registered */
    enum vcpu_run_state run_state;        /* [a] */
    unsigned int processor;               /* [a] physical CPU it runs or last ran on */
    uint32_t virq_to_evtchn[NR_VIRQS];    /* [e] per-vCPU VIRQs bound here */
    int poll_evtchn;                      /* [e] port polled, -1 for several, 0 none */
    bool polling;                         /* [a] blocked in SCHEDOP_poll */
    struct arch_vcpu *arch;               /* [I] */
};

enum domain_state {
    DOMAIN_BUILDING,
    DOMAIN_RUNNING,
    DOMAIN_PAUSED,
    DOMAIN_SHUTDOWN,     /* shutdown_reason says why */
    DOMAIN_DYING,
};

struct domain {
    domid_t domain_id;                    /* [I] */
    char name[DOMAIN_NAME_MAX];           /* [d] */
    bool is_privileged;                   /* [I] the control domain */
    spinlock_t lock;
    enum domain_state state;              /* [d] */
    unsigned int shutdown_reason;         /* [d] SHUTDOWN_* when state is SHUTDOWN */
    uint32_t refcount;                    /* [a] domain_get/domain_put */

    struct shared_info *shared_info;      /* [I] hypervisor mapping */
    uint64_t shared_info_mfn;             /* [I] */
    unsigned int max_vcpus;               /* [I] */
    struct vcpu *vcpus[MAX_VCPUS_PER_DOMAIN]; /* [I] created with the domain */

    uint64_t tot_pages;                   /* [d] frames owned */
    uint64_t max_pages;                   /* [d] limit */

    /* What the toolstack sees and sets (common/domctl.c). */
    uint8_t handle[16];                   /* [domctl] the toolstack's UUID */
    bool toolstack_created;               /* [I] by createdomain, not at boot */
    bool vcpus_allocated;                 /* [domctl] max_vcpus done (or built at boot) */
    bool creation_finished;               /* [domctl] its first unpause happened */
    unsigned int controller_pause_count;  /* [domctl] pausedomain minus unpausedomain */
    uint32_t max_evtchn_port;             /* [I] from createdomain (boot: unlimited) */

    struct evtchn_domain *evtchn;         /* [e] */
    struct grant_table *grant_table;      /* [g] */
    struct arch_domain *arch;             /* [I] */
    struct domain *next;                  /* [domain_list_lock] */
};

/*
 * The domain with this id, with a reference taken (drop it with
 * domain_put), or NULL if there is none or it is dying. DOMID_SELF is
 * resolved against the calling vCPU's domain.
 */
struct domain *domain_get(domid_t id);
void domain_put(struct domain *d);
/* Another reference on a domain the caller already holds one on. */
void domain_hold(struct domain *d);

/*
 * The domain with this id even if it is dying (a zombie still waiting for
 * its last reference), with a reference taken; NULL if there is none. For
 * the toolstack, which sees dying domains as Xen shows them.
 */
struct domain *domain_get_any(domid_t id);
/* The listed domain with the lowest id >= id (dying ones too), referenced, or NULL. */
struct domain *domain_get_from(domid_t id);
/* Whether no domain, not even a dying one, has this id. */
bool domain_id_is_free(domid_t id);

/* Add a fully built domain to the list that domain_get searches. */
int domain_register(struct domain *d);
/*
 * The domain is dead (d->state is DOMAIN_DYING): drop the list's own
 * reference. It stays listed, a zombie that domain_get no longer finds,
 * until the last reference goes; then it leaves the list and is freed.
 */
void domain_release(struct domain *d);

/* The vCPU whose hypercall or trap is being handled on this CPU (arch hook). */
struct vcpu *current_vcpu(void);

/*
 * Make v notice new events: wake it if it is blocked or polling, or
 * interrupt the physical CPU running it (scheduler hook).
 */
void vcpu_kick(struct vcpu *v);

#endif
