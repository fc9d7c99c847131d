/*
 * The list of domains and their reference counts. A domain is found by id
 * only while registered; the last domain_put() after unregistering frees it
 * through arch_domain_free(), so nothing frees a domain a hypercall holds.
 */
#include <stddef.h>
#include <tessera/domain.h>
#include <tessera/domain_ops.h>
#include <tessera/errno.h>
#include <tessera/spinlock.h>

static spinlock_t domain_list_lock = SPINLOCK_INIT;
static struct domain *domain_list;   /* [domain_list_lock] sorted by id */

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
            if (d->state != DOMAIN_DYING) {
                __atomic_fetch_add(&d->refcount, 1, __ATOMIC_ACQUIRE);
                found = d;
            }
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

void domain_put(struct domain *d)
{
    if (__atomic_sub_fetch(&d->refcount, 1, __ATOMIC_ACQ_REL) == 0)
        domain_free(d);
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

void domain_unregister(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&domain_list_lock);
    for (struct domain **link = &domain_list; *link; link = &(*link)->next) {
        if (*link == d) {
            *link = d->next;
            break;
        }
    }
    spin_unlock_irqrestore(&domain_list_lock, flags);
    domain_put(d);
}

void domain_for_each(void (*fn)(struct domain *d, void *ctx), void *ctx)
{
    unsigned long flags = spin_lock_irqsave(&domain_list_lock);
    for (struct domain *d = domain_list; d; d = d->next)
        fn(d, ctx);
    spin_unlock_irqrestore(&domain_list_lock, flags);
}
