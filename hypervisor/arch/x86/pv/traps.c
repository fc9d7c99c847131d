/*
 * Exceptions and events for PV guests: bouncing a fault to the guest's
 * virtual IDT, delivering event upcalls, HYPERCALL_iret, and switching a
 * vCPU between guest kernel and guest user mode.
 *
 * A bounce frame is what a guest built for Xen expects on its kernel
 * stack, lowest address first: RCX, R11, [error code], RIP, CS (with the
 * saved event mask in bits 32-39), RFLAGS, RSP, SS. The failsafe
 * callback's frame has DS, ES, FS, GS where the error code would be. CS carries RPL 0 when
 * the guest was in its kernel and 3 when in user mode; RFLAGS.IF mirrors
 * the guest's virtual interrupt flag (!evtchn_upcall_mask).
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/layout.h>
#include <asm/percpu.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <asm/pv_perf.h>
#include <asm/softirq.h>
#include <pvabi/callback.h>
#include <pvabi/sched.h>
#include <pvabi/xen.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/format.h>
#include <tessera/guest_access.h>
#include <tessera/log.h>

#define RFLAGS_IF   (1ull << 9)
#define RFLAGS_TF   (1ull << 8)
#define RFLAGS_DF   (1ull << 10)
#define RFLAGS_NT   (1ull << 14)
#define RFLAGS_RF   (1ull << 16)
#define RFLAGS_VM   (1ull << 17)
#define RFLAGS_AC   (1ull << 18)
#define RFLAGS_IOPL (3ull << 12)
#define PFEC_PRESENT (1u << 0)
#define PFEC_WRITE   (1u << 1)
#define PFEC_USER    (1u << 2)

/* VMASST_TYPE_architectural_iopl: frames and HYPERVISOR_iret carry the virtual IOPL. */
static bool architectural_iopl(const struct vcpu *v)
{
    return __atomic_load_n(&v->domain->arch->vm_assist, __ATOMIC_RELAXED) &
           (1ul << VMASST_TYPE_architectural_iopl);
}

struct vcpu *current_vcpu(void)
{
    return this_cpu()->current;
}

void pv_toggle_mode(struct vcpu *v)
{
    struct arch_vcpu *a = v->arch;

    pv_sync_segment_bases(v);       /* the mode left keeps the GS base it had */
    a->kernel_mode = !a->kernel_mode;
    pv_write_base_msr(v, MSR_GS_BASE, a->kernel_mode ? a->gs_base_kernel : a->gs_base_user);
    write_cr3(a->kernel_mode || !a->user_cr3 ? a->guest_cr3 : a->user_cr3);
}

/*
 * FS/GS bases are checked canonical wherever a guest sets them, so the CPU
 * never refuses one; should it all the same, the base is loaded as 0 and
 * the domain crashes on its way back to the guest, not the hypervisor.
 */
void pv_write_base_msr(struct vcpu *v, uint32_t msr, uint64_t val)
{
    if (wrmsr_safe(msr, val))
        return;
    wrmsr(msr, 0);
    v->arch->crash_reason = "a segment base the CPU refused";
}

/*
 * Push a bounce frame and point the vCPU at handler. Returns false if the
 * guest stack cannot take it (the caller then crashes the domain).
 */
static bool bounce(struct vcpu *v, uint64_t handler, const uint64_t *words, unsigned nr_words,
                   bool mask_events)
{
    struct cpu_regs *r = v->arch->frame;
    struct vcpu_info *vi = v->vcpu_info;
    bool was_kernel = v->arch->kernel_mode;
    uint8_t saved_mask = vi->evtchn_upcall_mask;
    uint64_t frame[12];
    unsigned n = 0;
    uint64_t rsp;

    if (!handler || nr_words > 4)
        return false;
    frame[n++] = r->rcx;
    frame[n++] = r->r11;
    for (unsigned i = 0; i < nr_words; i++)
        frame[n++] = words[i];      /* an error code, or the failsafe's selectors */
    frame[n++] = r->rip;
    frame[n++] = (was_kernel ? (r->cs & ~3ull) : r->cs) | ((uint64_t)saved_mask << 32);
    frame[n++] = (r->rflags & ~(RFLAGS_IF | RFLAGS_IOPL)) | (saved_mask ? 0 : RFLAGS_IF) |
                 (architectural_iopl(v) ? (uint64_t)v->arch->iopl << 12 : 0);
    frame[n++] = r->rsp;
    frame[n++] = r->ss;

    if (!was_kernel) {
        pv_toggle_mode(v);
        rsp = v->arch->kernel_sp;
    } else {
        rsp = r->rsp;
    }
    rsp = (rsp & ~15ull) - n * sizeof(uint64_t);
    if (copy_to_guest(rsp, frame, n * sizeof(uint64_t)) < 0)
        return false;

    r->rip = handler;
    r->cs = GUEST_CS64;
    r->ss = GUEST_DS;
    r->rsp = rsp;
    r->rflags = (r->rflags & ~(RFLAGS_TF | RFLAGS_NT | RFLAGS_RF | RFLAGS_VM | RFLAGS_AC |
                               RFLAGS_IOPL)) | RFLAGS_IF;
    if (mask_events)
        vi->evtchn_upcall_mask = 1;
    return true;
}

bool pv_inject_trap(struct vcpu *v, unsigned vector, bool has_error, uint32_t error,
                    uint64_t cr2)
{
    const struct pv_trap_entry *t = &v->arch->traps[vector & 255];

    if (vector == 14)
        v->vcpu_info->arch.cr2 = cr2;
    uint64_t word = error;
    return bounce(v, t->address, &word, has_error ? 1 : 0, t->flags & TI_MASK_EVTS);
}

static const char *const vector_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#MF(old)", "#TS", "#NP",
    "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

void pv_domain_crash(struct vcpu *v, const char *why)
{
    struct cpu_regs *r = v->arch->frame;
    log_err("domain %u vCPU %u crashed: %s (rip %#lx rsp %#lx, %s mode)\n",
            v->domain->domain_id, v->vcpu_id, why, (unsigned long)(r ? r->rip : 0),
            (unsigned long)(r ? r->rsp : 0), v->arch->kernel_mode ? "kernel" : "user");
    pv_domain_shutdown(v->domain, SHUTDOWN_crash);
}

/* Error codes the CPU pushes for these vectors. */
static bool vector_has_error(unsigned v)
{
    return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21;
}

/* The guest's handler for vec, or the end of the domain if it has none. */
static void deliver_or_crash(struct vcpu *v, unsigned vec, uint32_t error, uint64_t cr2)
{
    if (pv_inject_trap(v, vec, vector_has_error(vec), error, cr2))
        return;
    char why[112];
    format(why, sizeof(why), "%s (error %#x, cr2 %#lx) with no handler, or no room for its "
           "frame on the guest's stack", vec < 22 ? vector_names[vec] : "exception", error,
           (unsigned long)cr2);
    pv_domain_crash(v, why);
}

void pv_handle_guest_trap(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();
    unsigned vec = (unsigned)regs->vector;
    uint32_t error = (uint32_t)regs->error_code;
    uint64_t cr2 = 0;

    uint64_t perf = pv_perf_start();
    v->arch->frame = regs;
    if (vec == 14) {
        cr2 = read_cr2();
        /* The guest kernel thinks it runs in ring 0: hide the user bit. */
        if (v->arch->kernel_mode)
            error &= ~PFEC_USER;
    }
    if (vec == 1)
        pv_debugreg_trap(v);
    if (((vec == 13 || vec == 6) && pv_emulate(v, regs, vec)) ||
        (vec == 14 && (error & (PFEC_PRESENT | PFEC_WRITE)) == (PFEC_PRESENT | PFEC_WRITE) &&
         (pv_emulate_pt_write(v, regs, cr2) || pv_emulate_mmio_ro_write(v, regs, cr2)))) {
        pv_perf_end(PERF_EMULATED, vec, perf);
        pv_exit_to_guest(regs);
        return;
    }
    deliver_or_crash(v, vec, error, cr2);
    pv_perf_end(PERF_BOUNCED, vec, perf);
    pv_exit_to_guest(regs);
}

/*
 * The CPU refused the frame of an iretq back to the guest (a non-canonical
 * RIP, a selector it will not load): as Xen does, the guest takes that
 * fault itself, at the frame it asked for. pv/entry.S rebuilt the frame
 * from the guest's registers; the fault is the one the recovery noted.
 */
void pv_guest_iret_faulted(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();
    struct percpu *cpu = this_cpu();

    v->arch->frame = regs;
    regs->vector = cpu->fixup_vector;
    regs->error_code = cpu->fixup_error;
    deliver_or_crash(v, cpu->fixup_vector, cpu->fixup_error, 0);
    pv_exit_to_guest(regs);
}

/*
 * Bounce a guest `syscall` to the guest kernel, as Xen 4.17's
 * switch_to_kernel: from 32-bit code (CS = GUEST_CS32, pv/entry.S) to the
 * syscall32 callback, otherwise (user mode) to the syscall callback, with
 * no fallback from one to the other. Events are masked by the 64-bit
 * callback's flag in both cases (Xen keeps the syscall32 flag but a 64-bit
 * domain's entry never reads it), and the callback runs with DF clear (the
 * PV ABI's fixed syscall mask). With no callback registered the `syscall`
 * itself takes #UD: RIP back over its 2 bytes, the guest's #UD handler,
 * DF as it was; with no #UD handler either, the domain crashes.
 */
void pv_bounce_syscall(struct vcpu *v, struct cpu_regs *regs)
{
    bool compat = regs->cs == GUEST_CS32;
    uint64_t callback = compat ? v->arch->syscall32_callback : v->arch->syscall_callback;

    v->arch->frame = regs;
    if (!callback) {
        regs->rip -= 2;
        deliver_or_crash(v, 6, 0, 0);
        return;
    }
    if (!bounce(v, callback, NULL, 0, v->arch->syscall_disables_events)) {
        pv_domain_crash(v, "no room for the syscall frame on the guest's stack");
        return;
    }
    regs->rflags &= ~RFLAGS_DF;
}

/*
 * An NMI sent with VCPUOP_send_nmi goes first, to the NMI callback
 * (traps[2], as Xen keeps it), with events masked; no further NMI until
 * the guest's HYPERVISOR_iret. With no callback it is dropped, as in Xen.
 */
static bool deliver_nmi(struct vcpu *v)
{
    if (v->arch->nmi_masked || !__atomic_exchange_n(&v->arch->nmi_pending, false, __ATOMIC_ACQ_REL))
        return false;
    if (!v->arch->traps[PV_NMI_VECTOR].address)
        return false;
    if (!pv_inject_trap(v, PV_NMI_VECTOR, false, 0, 0)) {
        pv_domain_crash(v, "cannot push the NMI callback frame");
        return false;
    }
    v->arch->nmi_masked = true;
    return true;
}

/*
 * A data selector of the vCPU's did not load when it was switched in (its
 * descriptor changed while it was away): as Xen, that register is null
 * and the guest's failsafe callback runs with the selectors it had.
 */
static void deliver_failsafe(struct vcpu *v)
{
    const struct arch_vcpu *a = v->arch;
    const uint64_t sels[4] = { a->sel_ds, a->sel_es, a->sel_fs, a->sel_gs };

    if (!bounce(v, a->failsafe_callback, sels, 4, a->failsafe_disables_events))
        pv_domain_crash(v, "a selector failed to load and no failsafe callback");
}

static void deliver_events(struct vcpu *v)
{
    struct vcpu_info *vi = v->vcpu_info;

    if (deliver_nmi(v))
        return;

    if (!vi || !vi->evtchn_upcall_pending || vi->evtchn_upcall_mask || !v->arch->event_callback)
        return;
    if (!bounce(v, v->arch->event_callback, NULL, 0, true))
        pv_domain_crash(v, "cannot push the event callback frame");
}

/*
 * Softirqs first (timers may wake vCPUs and end slices), then the pick
 * the scheduler asked for, which may switch to another vCPU for good;
 * whatever runs next gets its pending events.
 */
void pv_exit_to_guest(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();

    v->arch->frame = regs;
    for (;;) {
        irq_disable();
        if (softirq_pending()) {
            irq_enable();
            softirq_run_pending();
            continue;
        }
        if (!pv_resched_pending())
            break;
        pv_exit_schedule();
    }
    if (v->arch->crash_reason)
        pv_domain_crash(v, v->arch->crash_reason);
    if (v->arch->failsafe_pending) {
        v->arch->failsafe_pending = false;
        deliver_failsafe(v);
    }
    pv_poll_finish(v);
    deliver_events(v);
}

/*
 * HYPERCALL_iret: the stub pushed RAX, R11, RCX above a bounce frame; pop
 * it all, restore the virtual IF, and return to kernel or user mode as the
 * frame's CS says. CS and SS are the guest's, RPL 3 forced (as Xen): a
 * selector or RIP the CPU refuses faults in the iretq, and that fault is
 * the guest's (pv_guest_iret_faulted).
 */
long pv_do_iret(struct vcpu *v, struct cpu_regs *r)
{
    struct iret_context c;

    if (copy_from_guest(&c, r->rsp, sizeof(c)) < 0)
        pv_domain_crash(v, "HYPERCALL_iret with an unreadable stack");
    if (!v->arch->kernel_mode)
        pv_domain_crash(v, "HYPERCALL_iret from user mode");
    if ((c.cs & 3) == 3)
        pv_toggle_mode(v);          /* back to user mode */
    r->rax = c.rax;
    if (!(c.flags & VGCF_in_syscall)) {
        r->r11 = c.r11;
        r->rcx = c.rcx;
    }
    r->rip = c.rip;
    r->cs = (uint16_t)c.cs | 3;
    r->rflags = (c.rflags & ~(RFLAGS_IOPL | RFLAGS_VM | RFLAGS_NT)) | RFLAGS_IF;
    r->rsp = c.rsp;
    r->ss = (uint16_t)c.ss | 3;
    v->vcpu_info->evtchn_upcall_mask = !(c.rflags & RFLAGS_IF);
    if (architectural_iopl(v))
        v->arch->iopl = (unsigned)(c.rflags >> 12) & 3;
    v->arch->nmi_masked = false;
    return (long)r->rax;
}

long pv_set_trap_table(struct vcpu *v, uint64_t table)
{
    struct trap_info t;

    if (table == 0) {
        for (unsigned i = 0; i < 256; i++)
            v->arch->traps[i] = (struct pv_trap_entry){ 0 };
        return 0;
    }
    for (unsigned i = 0; i < 256; i++) {
        if (copy_from_guest(&t, table + i * sizeof(t), sizeof(t)) < 0)
            return -EFAULT;
        if (t.address == 0)
            break;
        if (!pv_canonical(t.address))
            return -EINVAL;     /* as Xen: the handler is iret'd to */
        if (t.address >= HYPERVISOR_VIRT_START && t.address < HYPERVISOR_VIRT_END)
            return -EPERM;
        v->arch->traps[t.vector] = (struct pv_trap_entry){ t.address, t.cs, t.flags };
    }
    return 0;
}

long pv_register_callback(struct vcpu *v, const struct callback_register *cb)
{
    if (!pv_guest_addr_ok(cb->address))
        return -EINVAL;
    switch (cb->type) {
    case CALLBACKTYPE_event:
        v->arch->event_callback = cb->address;
        return 0;
    case CALLBACKTYPE_failsafe:
        v->arch->failsafe_callback = cb->address;
        v->arch->failsafe_disables_events = cb->flags & CALLBACKF_mask_events;
        return 0;
    case CALLBACKTYPE_syscall:
        v->arch->syscall_callback = cb->address;
        v->arch->syscall_disables_events = cb->flags & CALLBACKF_mask_events;
        return 0;
    case CALLBACKTYPE_nmi:
        /* Xen keeps it as the virtual IDT's NMI entry, with events masked on entry. */
        v->arch->traps[PV_NMI_VECTOR] = (struct pv_trap_entry){ cb->address, GUEST_CS64,
                                                                TI_MASK_EVTS };
        return 0;
    case CALLBACKTYPE_syscall32:
        v->arch->syscall32_callback = cb->address;
        return 0;    /* its CALLBACKF_mask_events is unused for a 64-bit domain, as in Xen */
    case CALLBACKTYPE_sysenter:
        return 0;    /* accepted as Xen; never entered (docs/pv-guests.md) */
    default:
        return -ENOSYS;
    }
}
