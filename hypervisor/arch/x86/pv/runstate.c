/*
 * Runstate for PV vCPUs (VCPUOP_get_runstate_info and the guest's
 * registered copy): nanoseconds spent running, runnable, blocked and
 * offline, on the hypervisor's clock, as the scheduler accounts them. The
 * registered copy is refreshed whenever the vCPU is switched in or out.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/pv.h>
#include <pvabi/vcpu.h>
#include <tessera/arch.h>
#include <tessera/domain.h>
#include <tessera/guest_access.h>
#include <tessera/sched.h>
#include <tessera/string.h>

/*
 * The scheduler keeps the times; a vCPU it does not know reads as offline
 * since boot. 'settled': without the current state's time so far.
 */
static void snapshot(struct vcpu *v, struct vcpu_runstate_info *out, bool settled)
{
    struct sched_runstate rs;

    memset(out, 0, sizeof(*out));
    if ((settled ? sched_get_runstate_settled(v, &rs) : sched_get_runstate(v, &rs)) < 0) {
        out->state = RUNSTATE_offline;
        out->time[RUNSTATE_offline] = arch_now_ns();
        return;
    }
    out->state = rs.state;
    out->state_entry_time = rs.state_entry_time;
    for (unsigned i = 0; i < 4; i++)
        out->time[i] = rs.time[i];
}

void pv_runstate_snapshot(struct vcpu *v, struct vcpu_runstate_info *out)
{
    snapshot(v, out, false);
}

/*
 * Refresh the guest's registered copy (times as of the current state's
 * start, as Xen writes it); written through the current address space,
 * which for another vCPU of the same domain maps the same kernel.
 */
void pv_runstate_publish(struct vcpu *v)
{
    if (!v->arch->runstate_area)
        return;
    struct vcpu_runstate_info info;
    snapshot(v, &info, true);
    if (copy_to_guest(v->arch->runstate_area, &info, sizeof(info)) < 0)
        v->arch->runstate_area = 0;   /* unmapped: stop writing there */
}
