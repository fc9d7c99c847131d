/*
 * The toolstack's view of a PV domain's vCPUs (domctl): its builder's
 * start context in (setvcpucontext) and a context out (getvcpucontext),
 * per-vCPU state and time (getvcpuinfo), hard and soft affinity. Answers
 * as Xen 4.17's.
 */
#define PVABI_TOOLSTACK 1
#include <stdbool.h>
#include <stdint.h>
#include <asm/percpu.h>
#include <asm/pv.h>
#include <asm/pv_domctl.h>
#include <asm/tlb_flush.h>
#include <pvabi/control/domctl.h>
#include <pvabi/vcpu.h>
#include <tessera/arch.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>
#include <tessera/heap.h>
#include <tessera/sched.h>
#include <tessera/string.h>

/* The vm_assist bits a 64-bit PV domain may ask for, as Xen's mask. */
#define PV_VM_ASSIST_VALID ((1ul << VMASST_TYPE_writable_pagetables) | \
                            (1ul << VMASST_TYPE_pae_extended_cr3) | \
                            (1ul << VMASST_TYPE_architectural_iopl) | \
                            (1ul << VMASST_TYPE_runstate_update_flag) | \
                            (1ul << VMASST_TYPE_m2p_strict))

/* Up to this long the caller waits for a paused vCPU to leave its CPU; then it is continued. */
#define OFF_CPU_SPIN_NS 1000000ull

static struct vcpu *domain_vcpu(struct domain *d, uint32_t id)
{
    return id < d->max_vcpus && id < MAX_VCPUS_PER_DOMAIN ? d->vcpus[id] : NULL;
}

/*
 * v is paused: wait (serving TLB flush requests, since hypercalls run with
 * interrupts off) until its pCPU has switched it out. False if that takes
 * longer than OFF_CPU_SPIN_NS.
 */
static bool wait_off_cpu(struct vcpu *v)
{
    uint64_t until = arch_now_ns() + OFF_CPU_SPIN_NS;

    while (sched_vcpu_running(v) || __atomic_load_n(&v->arch->state_on_cpu, __ATOMIC_ACQUIRE)) {
        if (arch_now_ns() > until)
            return false;
        tlb_flush_service();
        arch_cpu_relax();
    }
    return true;
}

long pv_domctl_setvcpucontext(struct domain *caller, struct domain *d,
                              const struct xen_domctl_vcpucontext *vc)
{
    struct vcpu *v = domain_vcpu(d, vc->vcpu);

    if (d == caller || !v)
        return -EINVAL;
    if (!vc->ctxt.p)
        return v->arch->initialised ? -EBUSY : 0;   /* a reset of a vCPU never set: nothing */
    struct vcpu_guest_context *c = xmalloc(sizeof(*c));
    if (!c)
        return -ENOMEM;
    long rc = copy_from_guest(c, (uint64_t)(uintptr_t)vc->ctxt.p, sizeof(*c));
    if (rc < 0)
        goto out;
    if (v->vcpu_id == 0 && (c->vm_assist & ~PV_VM_ASSIST_VALID)) {
        rc = -EINVAL;
        goto out;
    }
    spin_lock(&v->arch->ctl_lock);
    if (v->arch->initialised || v->run_state != VCPU_OFFLINE)
        rc = -EOPNOTSUPP;   /* set once, before the vCPU runs (Xen refuses most changes so) */
    else
        rc = pv_apply_context(v, c);
    if (rc == 0 && v->vcpu_id == 0)
        __atomic_store_n(&d->arch->vm_assist, c->vm_assist, __ATOMIC_RELAXED);
    /* As Xen: online in the flags brings it up (it runs once the domain is unpaused). */
    if (rc == 0 && (c->flags & VGCF_online))
        rc = pv_vcpu_start(v);
    spin_unlock(&v->arch->ctl_lock);
out:
    xfree(c);
    return rc;
}

static void regs_out(const struct cpu_regs *r, struct cpu_user_regs *u)
{
    u->r15 = r->r15; u->r14 = r->r14; u->r13 = r->r13; u->r12 = r->r12;
    u->rbp = r->rbp; u->rbx = r->rbx; u->r11 = r->r11; u->r10 = r->r10;
    u->r9 = r->r9;   u->r8 = r->r8;   u->rax = r->rax; u->rcx = r->rcx;
    u->rdx = r->rdx; u->rsi = r->rsi; u->rdi = r->rdi;
    u->rip = r->rip;
    u->cs = (uint16_t)r->cs;
    u->rflags = r->rflags;
    u->rsp = r->rsp;
    u->ss = (uint16_t)r->ss;
}

/* v is off its CPU: its context as Xen's arch_get_info_guest gives it. */
static void fill_context(struct vcpu *v, struct vcpu_guest_context *c)
{
    struct arch_vcpu *a = v->arch;

    memset(c, 0, sizeof(*c));
    if (a->fpu) {
        memcpy(&c->fpu_ctxt, a->fpu->bytes, sizeof(c->fpu_ctxt));
        c->flags |= VGCF_i387_valid;
    }
    if (a->kernel_mode)
        c->flags |= VGCF_in_kernel;
    if (a->failsafe_disables_events)
        c->flags |= VGCF_failsafe_disables_events;
    if (a->syscall_disables_events)
        c->flags |= VGCF_syscall_disables_events;
    if (v->run_state != VCPU_OFFLINE)
        c->flags |= VGCF_online;
    regs_out(a->start_fresh ? &a->initial_regs : &a->saved_regs, &c->user_regs);
    c->user_regs.rflags = (c->user_regs.rflags & ~0x3000ull) | ((uint64_t)a->iopl << 12);
    c->user_regs.ds = a->sel_ds;
    c->user_regs.es = a->sel_es;
    c->user_regs.fs = a->sel_fs;
    c->user_regs.gs = a->sel_gs;
    for (unsigned i = 0; i < 256; i++) {
        c->trap_ctxt[i].vector = (uint8_t)i;
        c->trap_ctxt[i].flags = a->traps[i].flags;
        c->trap_ctxt[i].cs = a->traps[i].cs;
        c->trap_ctxt[i].address = a->traps[i].address;
    }
    for (unsigned i = 0; i < FIRST_RESERVED_GDT_PAGE && i < 16; i++)
        c->gdt_frames[i] = a->gdt_mfn[i];
    c->gdt_ents = a->gdt_entries;
    c->kernel_ss = a->kernel_ss;
    c->kernel_sp = a->kernel_sp;
    c->ctrlreg[0] = PV_GUEST_CR0 | (a->virtual_ts ? 8 : 0);
    c->ctrlreg[1] = a->user_cr3;        /* machine addresses: xen_pfn_to_cr3(mfn) */
    c->ctrlreg[3] = a->guest_cr3;
    c->ctrlreg[4] = pv_guest_cr4(v);
    for (unsigned i = 0; i < 4; i++)
        c->debugreg[i] = a->dr[i];
    c->debugreg[6] = a->dr6;
    c->debugreg[7] = a->dr7;
    c->event_callback_eip = a->event_callback;
    c->failsafe_callback_eip = a->failsafe_callback;
    c->syscall_callback_eip = a->syscall_callback;
    c->vm_assist = __atomic_load_n(&v->domain->arch->vm_assist, __ATOMIC_RELAXED);
    c->fs_base = a->fs_base;
    c->gs_base_kernel = a->gs_base_kernel;
    c->gs_base_user = a->gs_base_user;
}

long pv_domctl_getvcpucontext(struct vcpu *current, struct domain *d,
                              const struct xen_domctl_vcpucontext *vc)
{
    struct vcpu *v = domain_vcpu(d, vc->vcpu);

    if (!v || v == current)
        return -EINVAL;
    if (!v->arch->initialised)
        return -ENODATA;
    struct vcpu_guest_context *c = xmalloc(sizeof(*c));
    if (!c)
        return -ENOMEM;
    long rc = 0;
    sched_vcpu_pause(v);
    if (wait_off_cpu(v))
        fill_context(v, c);
    else
        rc = -ERESTART;
    sched_vcpu_unpause(v);
    if (rc == 0 && copy_to_guest((uint64_t)(uintptr_t)vc->ctxt.p, c, sizeof(*c)) < 0)
        rc = -EFAULT;
    xfree(c);
    return rc;
}

long pv_domctl_getvcpuinfo(struct domain *d, struct xen_domctl_getvcpuinfo *info)
{
    if (info->vcpu >= d->max_vcpus)
        return -EINVAL;
    struct vcpu *v = domain_vcpu(d, info->vcpu);
    if (!v || !d->vcpus_allocated)
        return -ESRCH;
    struct sched_runstate rs;
    enum vcpu_run_state state = __atomic_load_n(&v->run_state, __ATOMIC_RELAXED);
    info->online = state != VCPU_OFFLINE;
    info->blocked = state == VCPU_BLOCKED;
    info->running = sched_vcpu_running(v);
    info->cpu_time = sched_get_runstate(v, &rs) == 0 ? rs.time[RUNSTATE_running] : 0;
    info->cpu = __atomic_load_n(&v->processor, __ATOMIC_RELAXED);
    return 0;
}

/* ---- xenctl_bitmap: the caller's bytes, at most 64 CPUs here ---- */

static int bitmap_in(const struct xenctl_bitmap *b, uint64_t *mask)
{
    uint8_t bytes[8] = { 0 };
    uint32_t n = (b->nr_bits + 7) / 8;

    if (n > sizeof(bytes))
        n = sizeof(bytes);
    if (n && copy_from_guest(bytes, (uint64_t)(uintptr_t)b->bitmap.p, n) < 0)
        return -EFAULT;
    *mask = 0;
    for (unsigned i = 0; i < n; i++)
        *mask |= (uint64_t)bytes[i] << (8 * i);
    if (b->nr_bits < 64)
        *mask &= (1ull << b->nr_bits) - 1;
    return 0;
}

/* Ours, then zeros for the rest of the caller's nr_bits (as Xen). */
static int bitmap_out(const struct xenctl_bitmap *b, uint64_t mask)
{
    uint32_t n = (b->nr_bits + 7) / 8;
    uint64_t base = (uint64_t)(uintptr_t)b->bitmap.p;

    if (b->nr_bits < 64)
        mask &= (1ull << b->nr_bits) - 1;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t byte = i < 8 ? (uint8_t)(mask >> (8 * i)) : 0;
        if (copy_to_guest(base + i, &byte, 1) < 0)
            return -EFAULT;
    }
    return 0;
}

static uint64_t online_cpus(void)
{
    unsigned n = sched_nr_cpus();
    return n >= 64 ? ~0ull : (1ull << n) - 1;
}

static uint64_t mask_of(const struct sched_cpumask *m)
{
    uint64_t out = 0;
    for (unsigned i = 0; i < 64 && i < SCHED_MAX_CPUS; i++)
        if (bitmap_test(m->bits, i))
            out |= 1ull << i;
    return out;
}

long pv_domctl_vcpuaffinity(struct domain *d, uint32_t cmd, struct xen_domctl_vcpuaffinity *va)
{
    const uint32_t hard = va->flags & XEN_VCPUAFFINITY_HARD, soft = va->flags & XEN_VCPUAFFINITY_SOFT;
    struct sched_cpumask m;
    uint64_t mask;
    int rc;

    if (va->vcpu >= d->max_vcpus)
        return -EINVAL;
    struct vcpu *v = domain_vcpu(d, va->vcpu);
    if (!v)
        return -ESRCH;
    if (!(hard | soft) || (hard && !va->cpumap_hard.bitmap.p) ||
        (soft && !va->cpumap_soft.bitmap.p))
        return -EINVAL;
    if (cmd == XEN_DOMCTL_getvcpuaffinity) {
        if (hard && ((rc = sched_get_affinity(v, &m)) < 0 ||
                     (rc = bitmap_out(&va->cpumap_hard, mask_of(&m))) < 0))
            return rc;
        if (soft && (rc = bitmap_out(&va->cpumap_soft, v->arch->soft_affinity & online_cpus())) < 0)
            return rc;
        return 0;
    }
    if (hard) {
        if ((rc = bitmap_in(&va->cpumap_hard, &mask)) < 0)
            return rc;
        memset(&m, 0, sizeof(m));
        for (unsigned i = 0; i < 64 && i < SCHED_MAX_CPUS; i++)
            if (mask & (1ull << i))
                bitmap_set(m.bits, i);
        if ((rc = sched_set_affinity(v, &m)) < 0)
            return rc;
        /* What the scheduler now uses: the mask and the CPUs online. */
        if ((rc = bitmap_out(&va->cpumap_hard, mask & online_cpus())) < 0)
            return rc;
    }
    if (soft) {
        if ((rc = bitmap_in(&va->cpumap_soft, &mask)) < 0)
            return rc;
        v->arch->soft_affinity = mask & online_cpus();   /* as Xen: the CPUs there are */
        if (sched_get_affinity(v, &m) == 0)
            mask &= mask_of(&m);
        if ((rc = bitmap_out(&va->cpumap_soft, mask & online_cpus())) < 0)
            return rc;
    }
    return 0;
}

long pv_domctl_nodeaffinity(struct domain *d, uint32_t cmd, struct xen_domctl_nodeaffinity *na)
{
    uint64_t mask;
    int rc;

    if (cmd == XEN_DOMCTL_getnodeaffinity)
        return bitmap_out(&na->nodemap, d->arch->node_affinity);
    if ((rc = bitmap_in(&na->nodemap, &mask)) < 0)
        return rc;
    /* One node: a mask without it names no online node (Xen: -EINVAL). */
    if (!(mask & 1))
        return -EINVAL;
    d->arch->node_affinity = 1;
    return 0;
}
