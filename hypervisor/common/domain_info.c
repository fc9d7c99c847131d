/*
 * getdomaininfo: one domain's state as the toolstack sees it (xl list,
 * xenstored, xenconsoled), filled as Xen 4.17 fills it.
 */
#include "control_priv.h"
#include <pvabi/sched.h>
#include <pvabi/vcpu.h>
#include <tessera/arch.h>
#include <tessera/sched.h>
#include <tessera/string.h>

/* Xen keeps ~0 as "no code yet": its low 16 bits land in flags 16-31. */
#define SHUTDOWN_CODE_NONE 0xffffu

void domain_fill_info(struct domain *d, struct xen_domctl_getdomaininfo *info)
{
    uint32_t flags = XEN_DOMINF_blocked;
    uint64_t cpu_time = 0;

    memset(info, 0, sizeof(*info));
    info->domain = d->domain_id;
    info->max_vcpu_id = XEN_INVALID_MAX_VCPU_ID;

    /* Blocked only if every online vCPU is; running if any is on a CPU now. */
    for (unsigned i = 0; d->vcpus_allocated && i < d->max_vcpus && i < MAX_VCPUS_PER_DOMAIN; i++) {
        struct vcpu *v = d->vcpus[i];
        struct sched_runstate rs;
        if (!v)
            continue;
        if (sched_get_runstate(v, &rs) == 0)
            cpu_time += rs.time[RUNSTATE_running];
        info->max_vcpu_id = v->vcpu_id;
        enum vcpu_run_state state = __atomic_load_n(&v->run_state, __ATOMIC_RELAXED);
        if (state == VCPU_OFFLINE)
            continue;
        if (state != VCPU_BLOCKED)
            flags &= ~XEN_DOMINF_blocked;
        if (sched_vcpu_running(v))
            flags |= XEN_DOMINF_running;
        info->nr_online_vcpus++;
    }
    info->cpu_time = cpu_time;

    enum domain_state state = __atomic_load_n(&d->state, __ATOMIC_RELAXED);
    uint32_t code = state == DOMAIN_SHUTDOWN || d->shutdown_reason <= SHUTDOWN_MAX
                        ? d->shutdown_reason : SHUTDOWN_CODE_NONE;
    info->flags = (info->nr_online_vcpus ? flags : 0) |
                  (state == DOMAIN_DYING ? XEN_DOMINF_dying : 0) |
                  (state == DOMAIN_SHUTDOWN ? XEN_DOMINF_shutdown : 0) |
                  (d->controller_pause_count ? XEN_DOMINF_paused : 0) |
                  code << XEN_DOMINF_shutdownshift;

    unsigned long lock_flags = spin_lock_irqsave(&d->lock);
    info->tot_pages = d->tot_pages;
    info->max_pages = d->max_pages;
    spin_unlock_irqrestore(&d->lock, lock_flags);
    info->shared_info_frame = d->shared_info_mfn;
    info->cpupool = 0;
    memcpy(info->handle, d->handle, sizeof(info->handle));
    info->gpaddr_bits = (uint8_t)arch_guest_paddr_bits();
}
