/*
 * The list of domains and their reference counts. The list holds one
 * reference; domain_release() drops it when the domain is destroyed, and
 * the last domain_put() then takes the domain off the list and frees it
 * (domain_free), so nothing frees a domain a hypercall or a mapping holds.
 * Until then it stays listed as a zombie: its id is not reused and the
 * toolstack sees it dying, as on Xen. A reference is only ever taken from
 * a count above zero, so a domain whose count reached zero is gone for
 * good even before it leaves the list.
 */
#include <stddef.h>
#include <tessera/domain.h>
#include <tessera/domain_ops.h>
#include <tessera/errno.h>
#include <tessera/spinlock.h>

static spinlock_t domain_list_lock = SPINLOCK_INIT;
static struct domain *domain_list;   /* [domain_list_lock] sorted by id */

/* A reference, unless the count already reached zero (the domain is going). */
static bool try_hold(struct domain *d)
{
    uint32_t old = __atomic_load_n(&d->refcount, __ATOMIC_RELAXED);

    while (old != 0)
        if (__atomic_compare_exchange_n(&d->refcount, &old, old + 1, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            return true;
    return false;
}

struct domain *domain_get(domid_t id)
{
    struct domain *found = NULL;

    if (id == DOMID_SELF) {
        struct vcpu *v = current_vcpu();
        if (!v)
            return NULL;
        id = v->domain->domain_id;
    }
    unsigned long flags = spin_lock_irqsave(&domain_list_lock);
    for (struct domain *d = domain_list; d; d = d->next) {
        if (d->domain_id == id) {
            if (d->state != DOMAIN_DYING && try_hold(d))
                found = d;
            break;
        }
    }
    spin_unlock_irqrestore(&domain_list_lock, flags);
    return found;
}

void domain_hold(struct domain *d)
{
    __atomic_fetch_add(&d->refcount, 1, __ATOMIC_ACQUIRE);
}

struct domain *domain_get_any(domid_t id)
{
    struct domain *found = NULL;
    unsigned long flags = spin_lock_irqsave(&domain_list_lock);

    for (struct domain *d = domain_list; d && d->domain_id <= id; d = d->next)
        if (d->domain_id == id && try_hold(d))
            found = d;
    spin_unlock_irqrestore(&domain_list_lock, flags);
    return found;
}

struct domain *domain_get_from(domid_t id)
{
    struct domain *found = NULL;
    unsigned long flags = spin_lock_irqsave(&domain_list_lock);

    for (struct domain *d = domain_list; d && !found; d = d->next)
        if (d->domain_id >= id && try_hold(d))
            found = d;
    spin_unlock_irqrestore(&domain_list_lock, flags);
    return found;
}

bool domain_id_is_free(domid_t id)
{
    bool taken = false;
    unsigned long flags = spin_lock_irqsave(&domain_list_lock);

    for (struct domain *d = domain_list; d; d = d->next)
        taken |= d->domain_id == id;
    spin_unlock_irqrestore(&domain_list_lock, flags);
    return !taken;
}

static void unlink(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&domain_list_lock);

    for (struct domain **link = &domain_list; *link; link = &(*link)->next) {
        if (*link == d) {
            *link = d->next;
            break;
        }
    }
    spin_unlock_irqrestore(&domain_list_lock, flags);
}

void domain_put(struct domain *d)
{
    if (__atomic_sub_fetch(&d->refcount, 1, __ATOMIC_ACQ_REL) == 0) {
        unlink(d);      /* a no-op for one that was never listed */
        domain_free(d);
    }
}

int domain_register(struct domain *d)
{
    int rc = 0;
    unsigned long flags = spin_lock_irqsave(&domain_list_lock);
    struct domain **link = &domain_list;

    while (*link && (*link)->domain_id < d->domain_id)
        link = &(*link)->next;
    if (*link && (*link)->domain_id == d->domain_id) {
        rc = -EEXIST;
    } else {
        d->refcount = 1;    /* the list's own reference */
        d->next = *link;
        *link = d;
    }
    spin_unlock_irqrestore(&domain_list_lock, flags);
    return rc;
}

void domain_release(struct domain *d)
{
    domain_put(d);
}

void domain_for_each(void (*fn)(struct domain *d, void *ctx), void *ctx)
{
    unsigned long flags = spin_lock_irqsave(&domain_list_lock);
    for (struct domain *d = domain_list; d; d = d->next)
        fn(d, ctx);
    spin_unlock_irqrestore(&domain_list_lock, flags);
}
