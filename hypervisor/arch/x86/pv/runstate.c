/*
 * Runstate accounting for PV vCPUs (VCPUOP_get_runstate_info and the
 * guest's registered copy): nanoseconds spent running, runnable, blocked
 * and offline, on the hypervisor's clock.
 */
#include <stdint.h>
#include <asm/pv.h>
#include <pvabi/vcpu.h>
#include <tessera/arch.h>
#include <tessera/domain.h>
#include <tessera/guest_access.h>
#include <tessera/string.h>

void pv_runstate_snapshot(struct vcpu *v, struct vcpu_runstate_info *out)
{
    struct arch_vcpu *a = v->arch;
    uint64_t now = arch_now_ns();

    memset(out, 0, sizeof(*out));
    out->state = a->runstate;
    out->state_entry_time = a->runstate_entry;
    for (unsigned i = 0; i < 4; i++)
        out->time[i] = a->runstate_time[i];
    out->time[a->runstate] += now - a->runstate_entry;   /* the current stretch so far */
}

/* Refresh the guest's registered copy; only valid in the guest's address space. */
void pv_runstate_publish(struct vcpu *v)
{
    if (!v->arch->runstate_area)
        return;
    struct vcpu_runstate_info info;
    pv_runstate_snapshot(v, &info);
    if (copy_to_guest(v->arch->runstate_area, &info, sizeof(info)) < 0)
        v->arch->runstate_area = 0;   /* unmapped: stop writing there */
}

void pv_runstate_change(struct vcpu *v, int state)
{
    struct arch_vcpu *a = v->arch;
    uint64_t now = arch_now_ns();

    if (a->runstate_entry)
        a->runstate_time[a->runstate] += now - a->runstate_entry;
    a->runstate = state;
    a->runstate_entry = now;
    pv_runstate_publish(v);
}
