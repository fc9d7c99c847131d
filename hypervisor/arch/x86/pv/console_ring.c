/*
 * Until a console daemon in the control domain takes them over, the
 * hypervisor itself prints what unprivileged domains write to their
 * console rings: a timer on the boot CPU drains every ring every 10 ms,
 * and a domain's ring is drained once more when it shuts down.
 *
 * The ring indices are guest-controlled: they are read once per drain and
 * a producer index that claims more than the ring holds resets the ring
 * rather than make the hypervisor read past it.
 */
#include <stdint.h>
#include <asm/pv.h>
#include <asm/timers.h>
#include <tessera/arch.h>
#include <tessera/compiler.h>
#include <tessera/domain.h>
#include <tessera/log.h>
#include <tessera/spinlock.h>

#define DRAIN_PERIOD_NS 10000000ull
#define MAX_RINGS       16

static spinlock_t rings_lock = SPINLOCK_INIT;
static struct domain *rings[MAX_RINGS];      /* [rings_lock] */
static struct timer drain_timer;
static bool timer_started;

static void drain_locked(struct domain *d)
{
    struct xencons_interface *r = d->arch->console_ring;
    XENCONS_RING_IDX cons = __atomic_load_n(&r->out_cons, __ATOMIC_RELAXED);
    XENCONS_RING_IDX prod = __atomic_load_n(&r->out_prod, __ATOMIC_ACQUIRE);
    char buf[sizeof(r->out)];
    unsigned n = 0;

    if (prod - cons > sizeof(r->out)) {
        log_warn("domain %u: console ring indices corrupt (cons %u prod %u); ring reset\n",
                 d->domain_id, cons, prod);
        __atomic_store_n(&r->out_cons, prod, __ATOMIC_RELEASE);
        return;
    }
    while (cons != prod)
        buf[n++] = r->out[MASK_XENCONS_IDX(cons++, r->out)];
    __atomic_store_n(&r->out_cons, cons, __ATOMIC_RELEASE);
    if (n)
        pv_console_write(d->domain_id, buf, n);
}

static void drain_all(void *data)
{
    (void)data;
    unsigned long flags = spin_lock_irqsave(&rings_lock);
    for (unsigned i = 0; i < MAX_RINGS; i++)
        if (rings[i])
            drain_locked(rings[i]);
    spin_unlock_irqrestore(&rings_lock, flags);
    timer_set(&drain_timer, arch_now_ns() + DRAIN_PERIOD_NS);
}

/* Call on the boot CPU: the drain timer lives there. */
void pv_console_ring_add(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&rings_lock);
    for (unsigned i = 0; i < MAX_RINGS; i++) {
        if (!rings[i]) {
            rings[i] = d;
            break;
        }
    }
    spin_unlock_irqrestore(&rings_lock, flags);
    if (!timer_started) {
        timer_started = true;
        timer_init(&drain_timer, drain_all, NULL, 0);
        timer_set(&drain_timer, arch_now_ns() + DRAIN_PERIOD_NS);
    }
}

void pv_console_ring_drain(struct domain *d)
{
    if (!d->arch->console_ring)
        return;
    unsigned long flags = spin_lock_irqsave(&rings_lock);
    drain_locked(d);
    spin_unlock_irqrestore(&rings_lock, flags);
}

void pv_console_ring_remove(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&rings_lock);
    for (unsigned i = 0; i < MAX_RINGS; i++)
        if (rings[i] == d)
            rings[i] = NULL;
    spin_unlock_irqrestore(&rings_lock, flags);
}
