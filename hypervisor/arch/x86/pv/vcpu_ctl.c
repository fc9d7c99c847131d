/*
 * Secondary vCPUs of a PV domain: VCPUOP_initialise (a full register and
 * virtual-CPU context from the guest), VCPUOP_up (the scheduler queues
 * it on whichever pCPU it picks) and VCPUOP_down.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/cpufeatures.h>
#include <asm/paging.h>
#include <asm/percpu.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <asm/pv_hypercalls.h>
#include <asm/smp.h>
#include <pvabi/sched.h>
#include <pvabi/vcpu.h>
#include <pvabi/xen.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>
#include <tessera/heap.h>
#include <tessera/page_alloc.h>
#include <tessera/sched.h>
#include <tessera/string.h>

int pv_apply_context(struct vcpu *v, const struct vcpu_guest_context *c)
{
    struct arch_vcpu *a = v->arch;
    uint64_t cr3_mfn = c->ctrlreg[3] >> PAGE_SHIFT;

    if (!(c->flags & VGCF_in_kernel) || !cr3_mfn)
        return -EINVAL;
    if (!pv_guest_addr_ok(c->user_regs.rip) || !pv_guest_addr_ok(c->event_callback_eip) ||
        !pv_guest_addr_ok(c->failsafe_callback_eip) || !pv_guest_addr_ok(c->syscall_callback_eip))
        return -EINVAL;
    /* As Xen: the bases reach wrmsr and the stacks iretq, where non-canonical values fault. */
    if (!pv_canonical(c->fs_base) || !pv_canonical(c->gs_base_kernel) ||
        !pv_canonical(c->gs_base_user) || !pv_canonical(c->user_regs.rsp) ||
        !pv_canonical(c->kernel_sp))
        return -EINVAL;
    /* The LDT (not offered yet beyond none) as Xen checks it: a guest address, page-aligned. */
    if ((c->ldt_base & (PAGE_SIZE - 1)) || c->ldt_ents > 8192 ||
        !(c->ldt_base < 0x0000800000000000ull || c->ldt_base >= HYPERVISOR_VIRT_END))
        return -EINVAL;
    for (unsigned i = 0; i < 256; i++)
        if (c->trap_ctxt[i].address && !pv_guest_addr_ok(c->trap_ctxt[i].address))
            return -EINVAL;
    if (c->gdt_ents > FIRST_RESERVED_GDT_ENTRY)
        return -EINVAL;
    /* The last checks: the GDT pages and the new base pointer take their references. */
    uint64_t old_gdt[FIRST_RESERVED_GDT_PAGE];
    unsigned old_entries = a->gdt_entries;
    memcpy(old_gdt, a->gdt_mfn, sizeof(old_gdt));
    if (pv_install_gdt(v, (const uint64_t *)c->gdt_frames, (unsigned)c->gdt_ents) < 0)
        return -EINVAL;
    if (pv_set_base(v, cr3_mfn, false) < 0) {
        pv_install_gdt(v, old_gdt, old_entries);   /* had validated before: takes them back */
        return -EINVAL;
    }

    memset(&a->initial_regs, 0, sizeof(a->initial_regs));
    struct cpu_regs *r = &a->initial_regs;
    const struct cpu_user_regs *u = &c->user_regs;
    r->r15 = u->r15; r->r14 = u->r14; r->r13 = u->r13; r->r12 = u->r12;
    r->rbp = u->rbp; r->rbx = u->rbx; r->r11 = u->r11; r->r10 = u->r10;
    r->r9 = u->r9;   r->r8 = u->r8;   r->rax = u->rax; r->rcx = u->rcx;
    r->rdx = u->rdx; r->rsi = u->rsi; r->rdi = u->rdi;
    r->rip = u->rip;
    r->rsp = u->rsp;
    r->cs = GUEST_CS64;
    r->ss = GUEST_DS;
    r->rflags = (u->rflags & 0xCD5) | 0x202;    /* arithmetic flags, IF on, IOPL 0 */
    a->iopl = (unsigned)(u->rflags >> 12) & 3;  /* the guest's IOPL is virtual (pv/ioport.c) */

    for (unsigned i = 0; i < 256; i++)
        a->traps[i] = (struct pv_trap_entry){ c->trap_ctxt[i].address, c->trap_ctxt[i].cs,
                                              c->trap_ctxt[i].flags };
    a->event_callback = c->event_callback_eip;
    a->failsafe_callback = c->failsafe_callback_eip;
    a->failsafe_disables_events = c->flags & VGCF_failsafe_disables_events;
    a->syscall_callback = c->syscall_callback_eip;
    a->kernel_sp = c->kernel_sp;
    a->kernel_ss = c->kernel_ss;
    a->fs_base = c->fs_base;
    a->gs_base_kernel = c->gs_base_kernel;
    a->gs_base_user = c->gs_base_user;
    /* Of the context's CR4, only FSGSBASE is the guest's (pv/cr4.c); loaded when it runs. */
    a->cr4_fsgsbase = boot_cpu_features.fsgsbase && (c->ctrlreg[4] & X86_CR4_FSGSBASE);
    /*
     * As Xen: the FPU image if the context says it is valid (taken as it is;
     * pv_fpu_restore copes with one the CPU refuses), else the reset state;
     * the debug registers through set_debugreg, refusals ignored.
     */
    pv_fpu_image_set(v, (c->flags & VGCF_I387_VALID) ? c->fpu_ctxt.x : NULL);
    pv_debugreg_reset(v);
    for (unsigned i = 0; i < 8; i++)
        if (i != 4 && i != 5)
            pv_set_debugreg(v, i, c->debugreg[i]);
    a->kernel_mode = true;
    a->initialised = true;
    a->start_fresh = true;
    return 0;
}

/* The context is read before the lock is taken; the check and the change happen under it. */
static long vcpu_initialise(struct vcpu *target, uint64_t arg)
{
    struct vcpu_guest_context *c = xmalloc(sizeof(*c));
    if (!c)
        return -ENOMEM;
    long rc = copy_from_guest(c, arg, sizeof(*c));
    if (rc == 0) {
        spin_lock(&target->arch->ctl_lock);
        if (target->arch->initialised || target->run_state != VCPU_OFFLINE)
            rc = -EEXIST;
        else
            rc = pv_apply_context(target, c);
        spin_unlock(&target->arch->ctl_lock);
    }
    xfree(c);
    return rc;
}

/*
 * Queued where it stopped, or at the context VCPUOP_initialise gave it if
 * it never ran since; any pCPU may take it.
 */
static long vcpu_up(struct vcpu *target)
{
    if (!target->arch->initialised)
        return -EINVAL;
    if (target->run_state != VCPU_OFFLINE)
        return 0;
    if (sched_vcpu_running(target))
        return -EBUSY;   /* still leaving its pCPU after VCPUOP_down */
    return pv_vcpu_start(target);
}

/*
 * VCPUOP_down keeps the vCPU's context, as Xen does: a later VCPUOP_up
 * resumes it after its own VCPUOP_down (with 0 returned) or wherever it
 * was stopped. Its timers keep running; their events wait for it.
 */
static void __attribute__((noreturn)) vcpu_down_self(struct vcpu *v)
{
    v->arch->frame->rax = 0;
    sched_vcpu_down(v);
    pv_schedule_away();
}

/* Whether a vCPU of v's domain other than v is up (Xen: has no _VPF_down). */
static bool another_vcpu_up(const struct vcpu *v)
{
    const struct domain *d = v->domain;

    for (unsigned i = 0; i < d->max_vcpus && i < MAX_VCPUS_PER_DOMAIN; i++) {
        const struct vcpu *o = d->vcpus[i];
        if (o && o != v && __atomic_load_n(&o->run_state, __ATOMIC_ACQUIRE) != VCPU_OFFLINE)
            return true;
    }
    return false;
}

/* Each under the target's ctl_lock (asm/pv.h), except stopping oneself, which never returns. */
long pv_vcpu_control(struct vcpu *v, struct vcpu *target, int cmd, uint64_t arg)
{
    long rc;

    if (cmd == VCPUOP_initialise)
        return vcpu_initialise(target, arg);
    if (cmd == VCPUOP_down && target == v) {
        /* The last vCPU up going down: as Xen, the domain powers off rather than stay
         * with none that could ever run (only a vCPU of its own could bring one up). */
        if (!another_vcpu_up(v))
            pv_domain_shutdown(v->domain, SHUTDOWN_poweroff);
        vcpu_down_self(v);
    }
    if (cmd != VCPUOP_up && cmd != VCPUOP_down)
        return -ENOSYS;
    spin_lock(&target->arch->ctl_lock);
    if (cmd == VCPUOP_up) {
        rc = vcpu_up(target);
    } else {
        sched_vcpu_down(target);    /* its pCPU saves its frame at its next pick */
        rc = 0;
    }
    spin_unlock(&target->arch->ctl_lock);
    return rc;
}
