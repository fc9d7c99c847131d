/*
 * Hardware-assisted guests: choosing the backend and enabling it on every
 * CPU, and the vCPU run loop (docs/hvm.md).
 *
 * An HVM vCPU is scheduled as a PV one is (pv/run.c's switch hands it to
 * hvm_switch_in): it runs the loop below on a fresh stack until the
 * scheduler picks something else, which abandons that stack. All of the
 * vCPU's state between two trips into the guest is in its struct
 * hvm_vcpu and the backend's VMCB/VMCS, so nothing is lost with it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <asm/cpu.h>
#include <asm/cpufeatures.h>
#include <asm/hvm.h>
#include <asm/percpu.h>
#include <asm/pv.h>
#include <asm/softirq.h>
#include <asm/pv_hypercalls.h>
#include <pvabi/sched.h>
#include <pvabi/xen.h>
#include <tessera/domain.h>
#include <tessera/format.h>
#include <tessera/log.h>
#include "hvm_internal.h"

void hvm_call_on_stack(uintptr_t stack_top, void (*fn)(void *), void *arg)
    __attribute__((noreturn));

extern const struct hvm_ops svm_ops;
extern const struct hvm_ops vmx_ops;

const struct hvm_ops *hvm_ops;

void hvm_detect(void)
{
    static const struct hvm_ops *const backends[] = { &svm_ops, &vmx_ops };

    for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
        if (backends[i]->detect()) {
            hvm_ops = backends[i];
            return;
        }
    }
    log_info("hvm: none (no HVM or PVH guests)\n");
}

void hvm_cpu_init(void)
{
    if (!hvm_ops)
        return;
    int rc = hvm_ops->cpu_enable();
    if (rc < 0) {
        /* A CPU that cannot run HVM guests while its siblings can is not a
         * machine to schedule them on: turn HVM off for all. */
        log_err("hvm: %s not enabled on CPU %u (error %d); no HVM guests\n", hvm_ops->name,
                this_cpu()->index, rc);
        hvm_ops = NULL;
    }
}

void hvm_domain_crash(struct vcpu *v, const char *why)
{
    log_err("domain %u vCPU %u crashed: %s\n", v->domain->domain_id, v->vcpu_id, why);
    hvm_ops->dump(v);
    pv_domain_shutdown(v->domain, SHUTDOWN_crash);
}

static uint64_t read_xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

/*
 * XSETBV is intercepted, but QEMU's TCG runs a guest's XSETBV without the
 * exit, on the XCR0 the host shares with it (VMRUN does not switch XCR0).
 * A changed XCR0 after a run is that: put the vCPU's own back before the
 * host saves any FPU state with it, and end the guest as the intercepted
 * exit would have (XSETBV is not emulated yet).
 */
static void check_xcr0(struct vcpu *v)
{
    uint64_t now = read_xcr0();
    if (now == v->arch->xcr0)
        return;
    __asm__ volatile("xsetbv" :: "c"(0), "a"((uint32_t)v->arch->xcr0),
                     "d"((uint32_t)(v->arch->xcr0 >> 32)));
    char why[128];
    format(why, sizeof(why), "XSETBV ran without its intercepted exit (XCR0 %#lx, put back to "
           "%#lx): not handled", (unsigned long)now, (unsigned long)v->arch->xcr0);
    hvm_domain_crash(v, why);
}

bool hvm_upcall_pending(struct vcpu *v)
{
    struct vcpu_info *vi = __atomic_load_n(&v->vcpu_info, __ATOMIC_ACQUIRE);

    return __atomic_load_n(&v->domain->arch->hvm->callback_vector, __ATOMIC_ACQUIRE) && vi &&
           __atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST);
}

/*
 * Before every entry, one vector for the CPU to deliver when the guest's
 * RFLAGS.IF allows, if none is still waiting: the event upcall first, then
 * what the x2APIC's self-IPIs left pending. The upcall is level-triggered,
 * as Xen's callback vector is: while evtchn_upcall_pending is set (the
 * guest's handler clears it) it is asked for again; evtchn_upcall_mask is
 * not looked at, as on Xen for HVM guests. A second delivery for the same
 * events finds them handled.
 */
void hvm_interrupt_check(struct vcpu *v)
{
    if (hvm_ops->interrupt_requested(v))
        return;
    if (hvm_upcall_pending(v)) {
        hvm_ops->request_interrupt(v, v->domain->arch->hvm->callback_vector);
        return;
    }
    int vector = hvm_vlapic_take_pending(v);
    if (vector >= 0)
        hvm_ops->request_interrupt(v, (uint8_t)vector);
}

static void __attribute__((noreturn)) run_loop(void *arg)
{
    struct vcpu *v = arg;
    struct hvm_exit e;

    for (;;) {
        irq_disable();
        if (softirq_pending()) {
            irq_enable();
            softirq_run_pending();
            continue;
        }
        if (pv_resched_pending()) {
            pv_exit_schedule();         /* returns only if v goes on here */
            continue;
        }
        if (hvm_ops->request_interrupt)
            hvm_interrupt_check(v);
        hvm_ops->run(v, &v->arch->hvm->regs, &e);
        if (boot_cpu_features.xsave)
            check_xcr0(v);
        irq_enable();                   /* the interrupt that ended the run, if one did */
        hvm_handle_exit(v, &e);
    }
}

void hvm_switch_in(struct vcpu *v, uintptr_t stack_top)
{
    unsigned cpu = this_cpu()->index;

    pv_fpu_restore(v);
    /* Its timers (VCPUOP and set_timer_op, as a PV vCPU's) fire where it runs;
     * its pvclock is refreshed for this CPU's TSC. */
    if (!v->arch->vtimers_ready)
        pv_vtimer_init(v, cpu);
    else
        pv_vtimer_follow(v, cpu);
    pv_publish_time(v);
    pv_runstate_publish(v);             /* its registered area, if any (steal time) */
    hvm_call_on_stack(stack_top, run_loop, v);
}

void hvm_switch_out(struct vcpu *v)
{
    pv_fpu_save(v);
    pv_runstate_publish(v);             /* written through its own page tables (VMCB CR3) */
    if (hvm_ops->vcpu_switch_out)
        hvm_ops->vcpu_switch_out(v);
}
