/*
 * The toolstack's PV domains from birth to death: createdomain leaves an
 * empty domain (shared_info, event channels, grant table, vCPUs offline,
 * no memory: the toolstack's builder populates it), destroydomain stops
 * and tears one down. Its frames go back to the allocator with its last
 * reference (domain_free), so a frame another domain still maps keeps the
 * whole domain as a zombie until that mapping goes, as on Xen.
 */
#define PVABI_TOOLSTACK 1
#include <stdbool.h>
#include <stdint.h>
#include <asm/paging.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <asm/pv_mm.h>
#include <asm/setup.h>
#include <pvabi/control/domctl.h>
#include <tessera/arch.h>
#include <tessera/domain.h>
#include <tessera/domain_ops.h>
#include <tessera/errno.h>
#include <tessera/event_channel.h>
#include <tessera/format.h>
#include <tessera/grant_table.h>
#include <tessera/log.h>
#include <tessera/page_alloc.h>
#include <tessera/sched.h>
#include <tessera/string.h>

int domain_shared_info_alloc(struct domain *d)
{
    uint64_t mfn;
    int rc = page_alloc_alloc(&frame_allocator, 0, d->domain_id, &mfn);

    if (rc < 0)
        return rc;
    d->shared_info_mfn = mfn;
    d->shared_info = phys_to_virt(mfn << PAGE_SHIFT);
    memset(d->shared_info, 0, PAGE_SIZE);
    for (unsigned i = 0; i < MAX_VCPUS_PER_DOMAIN; i++)
        d->shared_info->vcpu_info[i].evtchn_upcall_mask = 1;
    for (unsigned i = 0; i < d->max_vcpus; i++)
        d->vcpus[i]->vcpu_info = &d->shared_info->vcpu_info[i];
    return 0;
}

static int alloc_shared_info(struct domain *d)
{
    int rc = domain_shared_info_alloc(d);

    if (rc < 0)
        return rc;
    /* Never a page table or descriptor page: the hypervisor writes it. */
    return pv_frame_hold(d, d->shared_info_mfn);
}

static int sched_setup(struct domain *d)
{
    for (unsigned i = 0; i < d->max_vcpus; i++) {
        int rc = pv_vcpu_sched_init(d->vcpus[i], 0, 0);
        if (rc < 0) {
            while (i--)
                pv_vcpu_sched_destroy(d->vcpus[i]);
            return rc;
        }
    }
    return 0;
}

int arch_domain_create(uint16_t id, const struct xen_domctl_createdomain *cfg,
                       struct domain **out)
{
    char name[24];
    int rc;

    format(name, sizeof(name), "d%u", id);
    struct domain *d = pv_domain_alloc(id, name, cfg->max_vcpus, false);
    if (!d)
        return -ENOMEM;
    d->toolstack_created = true;
    d->vcpus_allocated = false;
    d->creation_finished = false;
    d->max_evtchn_port = cfg->max_evtchn_port;
    unsigned grant_frames = cfg->max_grant_frames < 0 ? 0 : (unsigned)cfg->max_grant_frames;
    unsigned grant_version = XEN_DOMCTL_GRANT_version(cfg->grant_opts);

    if ((rc = alloc_shared_info(d)) < 0)
        goto free;
    pv_publish_wallclock(d);
    if ((rc = evtchn_domain_init(d)) < 0)
        goto free;
    if ((rc = grant_table_domain_init(d, grant_frames)) < 0)
        goto evtchn;
    if (grant_version && (rc = grant_table_set_max_version(d, grant_version)) < 0)
        goto grants;
    if ((rc = sched_setup(d)) < 0)
        goto grants;
    /* Paused once by the toolstack: it runs after its first unpausedomain. */
    d->controller_pause_count = 1;
    sched_domain_pause(d);
    if ((rc = domain_register(d)) < 0)
        goto sched;
    log_info("domain %u created by the toolstack: %u vCPU%s\n", id, d->max_vcpus,
             d->max_vcpus == 1 ? "" : "s");
    *out = d;
    return 0;

sched:
    for (unsigned i = 0; i < d->max_vcpus; i++)
        pv_vcpu_sched_destroy(d->vcpus[i]);
grants:
    grant_table_domain_destroy(d);
evtchn:
    evtchn_domain_destroy(d);
free:
    domain_free(d);
    return rc;
}

void arch_domain_creation_finished(struct domain *d)
{
    log_info("domain %u: creation finished (first unpause)\n", d->domain_id);
}

static bool vcpus_off_cpu(struct domain *d)
{
    for (unsigned i = 0; i < d->max_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        if (v && (sched_vcpu_running(v) || __atomic_load_n(&v->arch->state_on_cpu,
                                                           __ATOMIC_ACQUIRE)))
            return false;
    }
    return true;
}

int arch_domain_destroy(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&d->lock);
    enum domain_state was = d->state;
    d->state = DOMAIN_DYING;
    spin_unlock_irqrestore(&d->lock, flags);

    if (d->arch->destroyed)
        return 0;                       /* already dead; maybe a zombie */
    if (was != DOMAIN_DYING && was != DOMAIN_SHUTDOWN) {
        /* Stopped here rather than by a shutdown: what the shutdown would have done. */
        sched_domain_pause(d);
        pv_console_ring_drain(d);
        pv_console_ring_remove(d);
        if (!d->toolstack_created)
            pv_domains_running_dec();   /* a boot domain: the machine no longer waits for it */
    }
    /* Its vCPUs leave their CPUs at their next pick; come back until they have. */
    if (!vcpus_off_cpu(d))
        return -ERESTART;

    d->arch->destroyed = true;
    for (unsigned i = 0; i < d->max_vcpus; i++) {
        pv_vtimer_stop_all(d->vcpus[i]);
        pv_vcpu_sched_destroy(d->vcpus[i]);
    }
    evtchn_domain_destroy(d);
    grant_table_domain_destroy(d);
    log_info("domain %u destroyed\n", d->domain_id);

    struct domain *control = domain_get(0);
    if (control) {
        if (control != d && control->is_privileged)
            send_guest_global_virq(control, VIRQ_DOM_EXC);
        domain_put(control);
    }
    domain_release(d);
    return 0;
}
