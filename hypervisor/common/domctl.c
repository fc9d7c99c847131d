/*
 * domctl (hypercall 36): the toolstack's operations on one domain, with
 * Xen 4.17's structure and answers. This file checks and dispatches, and
 * carries out what needs no machine state: the domain's life cycle in the
 * list (create, destroy, pause counts), its limits, its information. The
 * PV specifics (building an empty domain, tearing one down, vCPU contexts)
 * are arch hooks (tessera/arch.h), and every operation Tessera does not
 * implement answers -ENOSYS.
 *
 * One domctl runs at a time (Xen's domctl lock); a caller that finds it
 * taken, or an operation that must wait for another CPU, is continued:
 * the hypercall is issued again when the caller next runs.
 */
#include "control_priv.h"
#include <pvabi/sched.h>
#include <tessera/arch.h>
#include <tessera/control.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>
#include <tessera/sched.h>
#include <tessera/spinlock.h>
#include <tessera/string.h>

static spinlock_t domctl_lock = SPINLOCK_INIT;

/* The last id handed out: ids are given in rising order, wrapping to 1, as Xen's rover. */
static domid_t domid_rover;   /* [domctl_lock] */

/* A wanted id must be free; 0 or a reserved one asks for the next free id. */
static int pick_domid(domid_t wanted, domid_t *out)
{
    if (wanted > 0 && wanted < DOMID_FIRST_RESERVED) {
        if (!domain_id_is_free(wanted))
            return -EEXIST;
        *out = wanted;
        return 0;
    }
    domid_t id = domid_rover;
    for (unsigned tries = 1; tries < DOMID_FIRST_RESERVED; tries++) {
        id = (unsigned)id + 1 >= DOMID_FIRST_RESERVED ? 1 : (domid_t)(id + 1);
        if (domain_id_is_free(id)) {
            domid_rover = id;
            *out = id;
            return 0;
        }
    }
    return -ENOMEM;
}

/* Xen's sanitise_domain_config for what a PV domain on Tessera can be. */
static int check_create_config(const struct xen_domctl_createdomain *c)
{
    const uint32_t known = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap |
                           XEN_DOMCTL_CDF_s3_integrity | XEN_DOMCTL_CDF_oos_off |
                           XEN_DOMCTL_CDF_xs_domain | XEN_DOMCTL_CDF_iommu |
                           XEN_DOMCTL_CDF_nested_virt | XEN_DOMCTL_CDF_vpmu;

    if (c->flags & ~known)
        return -EINVAL;
    if (c->grant_opts & ~XEN_DOMCTL_GRANT_version_mask)
        return -EINVAL;
    if (c->max_vcpus < 1 || c->max_vcpus > MAX_VCPUS_PER_DOMAIN)
        return -EINVAL;
    /* No HVM, HAP, IOMMU, vmtrace, vPMU or S3 integrity here: Xen's answer without them. */
    if (c->flags & (XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap | XEN_DOMCTL_CDF_iommu |
                    XEN_DOMCTL_CDF_vpmu | XEN_DOMCTL_CDF_s3_integrity |
                    XEN_DOMCTL_CDF_nested_virt))
        return -EINVAL;
    if (c->iommu_opts || c->vmtrace_size)
        return -EINVAL;
    if (c->arch.misc_flags & ~XEN_X86_MSR_RELAXED)
        return -EINVAL;
    /* A PV domain emulates no devices (Xen allows the PIT bit alone). */
    if (c->arch.emulation_flags & ~XEN_X86_EMU_PIT)
        return -EINVAL;
    if (c->cpupool_id != 0)
        return -ENOENT;
    /* Xen's grant_table_init: version 1 or 2, at least one frame, maptrack at most 1024. */
    unsigned version = XEN_DOMCTL_GRANT_version(c->grant_opts);
    if (version < 1 || version > 2)
        return -EINVAL;
    if (c->max_grant_frames == 0 || c->max_maptrack_frames > 1024)
        return -EINVAL;
    return 0;
}

static long op_createdomain(struct xen_domctl *op)
{
    domid_t id;
    struct domain *d;
    int rc;

    if ((rc = check_create_config(&op->u.createdomain)) < 0)
        return rc;
    if ((rc = pick_domid(op->domain, &id)) < 0)
        return rc;
    if ((rc = arch_domain_create(id, &op->u.createdomain, &d)) < 0)
        return rc;
    memcpy(d->handle, op->u.createdomain.handle, sizeof(d->handle));
    op->domain = id;
    return 0;
}

/*
 * Xen's toolstack pause count: createdomain leaves it at 1, each pause adds
 * one (at most 255), each unpause takes one away (never below 0); the
 * vCPUs run only at 0. The first time it reaches 0 creation is finished.
 */
static long op_pause(struct domain *caller, struct domain *d)
{
    if (d == caller)
        return -EINVAL;
    if (d->controller_pause_count >= 255)
        return -EOVERFLOW;
    d->controller_pause_count++;
    sched_domain_pause(d);
    return 0;
}

static long op_unpause(struct domain *d)
{
    if (d->controller_pause_count == 0)
        return -EINVAL;
    d->controller_pause_count--;
    if (d->controller_pause_count == 0 && !d->creation_finished) {
        d->creation_finished = true;
        arch_domain_creation_finished(d);
    }
    sched_domain_unpause(d);
    return 0;
}

static long op_max_vcpus(struct domain *caller, struct domain *d, uint32_t max)
{
    /* As Xen 4.17: the vCPUs were sized at createdomain; this must agree. */
    if (d == caller || max != d->max_vcpus)
        return -EINVAL;
    d->vcpus_allocated = true;
    return 0;
}

static long op_max_mem(struct domain *d, uint64_t max_kb)
{
    uint64_t pages = max_kb >> (12 - 10);

    /* Xen keeps the limit in 32 bits; a lower limit than in use blocks new allocations. */
    if (pages > UINT32_MAX)
        pages = UINT32_MAX;
    unsigned long flags = spin_lock_irqsave(&d->lock);
    d->max_pages = pages;
    spin_unlock_irqrestore(&d->lock, flags);
    return 0;
}

/* getdomaininfo: the domain with the lowest id >= the one asked. */
static long op_getdomaininfo(struct xen_domctl *op)
{
    if (op->domain >= DOMID_FIRST_RESERVED)
        return -EINVAL;
    struct domain *d = domain_get_from(op->domain);
    if (!d)
        return -ESRCH;
    domain_fill_info(d, &op->u.getdomaininfo);
    op->domain = d->domain_id;
    domain_put(d);
    return 0;
}

/* All but createdomain (no domain yet) and getdomaininfo (the next one up) name an existing domain. */
static bool needs_domain(uint32_t cmd)
{
    return cmd != XEN_DOMCTL_createdomain && cmd != XEN_DOMCTL_getdomaininfo;
}

/* -ERESTART: the operation must wait for another CPU; it is issued again. */
static long dispatch(struct domain *caller, struct domain *d, struct xen_domctl *op,
                     bool *copyback)
{
    switch (op->cmd) {
    case XEN_DOMCTL_createdomain:
        *copyback = true;
        return op_createdomain(op);
    case XEN_DOMCTL_getdomaininfo:
        *copyback = true;
        return op_getdomaininfo(op);
    case XEN_DOMCTL_destroydomain:
        if (d == caller)
            return -EINVAL;
        return arch_domain_destroy(d);
    case XEN_DOMCTL_pausedomain:
        return op_pause(caller, d);
    case XEN_DOMCTL_unpausedomain:
        return op_unpause(d);
    case XEN_DOMCTL_max_vcpus:
        return op_max_vcpus(caller, d, op->u.max_vcpus.max);
    case XEN_DOMCTL_max_mem:
        return op_max_mem(d, op->u.max_mem.max_memkb);
    case XEN_DOMCTL_setdomainhandle:
        memcpy(d->handle, op->u.setdomainhandle.handle, sizeof(d->handle));
        return 0;
    default:
        return arch_do_domctl(caller, d, op, copyback);
    }
}

long do_domctl(uint64_t guest_arg)
{
    struct xen_domctl op;
    struct vcpu *v = current_vcpu();
    struct domain *caller = v->domain, *d = NULL;
    bool copyback = false;
    long rc;

    if (copy_from_guest(&op, guest_arg, sizeof(op)) < 0)
        return -EFAULT;
    if (op.interface_version != XEN_DOMCTL_INTERFACE_VERSION)
        return -EACCES;
    /* As Xen: the target is looked up before the caller's rights are checked. */
    if (needs_domain(op.cmd)) {
        d = domain_get_any(op.domain);
        if (!d)
            return -ESRCH;
    }
    if (!control_privileged(caller)) {
        rc = -EPERM;
        goto out;
    }
    if (spin_trylock(&domctl_lock)) {
        rc = dispatch(caller, d, &op, &copyback);
        spin_unlock(&domctl_lock);
    } else {
        rc = -ERESTART;
    }
    if (rc == -ERESTART)
        rc = arch_hypercall_create_continuation(__HYPERVISOR_domctl, 1, &guest_arg);
    else if ((rc >= 0 || op.cmd == XEN_DOMCTL_set_cpu_policy) && copyback &&
             copy_to_guest(guest_arg, &op, sizeof(op)) < 0)
        rc = -EFAULT;   /* set_cpu_policy: Xen copies back what it refused (err_*) on failure */
out:
    if (d)
        domain_put(d);
    return rc;
}
