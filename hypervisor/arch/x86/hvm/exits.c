/*
 * What an HVM vCPU's exits do: CPUID through the HVM policy, port I/O
 * (0xe9 is the guest's console), MSRs, HLT, hypercalls, control-register
 * writes, nested page faults and triple faults. A handler returns to the run loop to re-enter the
 * guest, or ends the domain (noreturn). Instructions the CPU did not
 * measure for us (no NRIP save) are decoded to step over them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/cpufeatures.h>
#include <asm/hvm.h>
#include <asm/hvm_insn.h>
#include <asm/pv.h>
#include <asm/x86-defs.h>
#include <pvabi/sched.h>
#include <tessera/domain.h>
#include <tessera/format.h>
#include <tessera/log.h>
#include <tessera/sched.h>
#include <tessera/string.h>
#include "hvm_internal.h"

#define XEN_CPUID_BASE   0x40000000u
#define MSR_PAT          0x277u
#define MSR_XEN_HYPERCALL 0x40000000u   /* CPUID 0x40000002 EBX: writes fill a hypercall page */
#define EFER_LMA         (1ull << 10)
#define EFER_GUEST_BITS  (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)
#define VECTOR_GP        13
#define VECTOR_UD        6
#define CS_ATTR_L        (1u << 9)

bool hvm_long_mode(struct vcpu *v)
{
    return (hvm_ops->ctl_read(v, HVM_CTL_EFER) & EFER_LMA) &&
           (hvm_ops->ctl_read(v, HVM_CTL_CS_ATTR) & CS_ATTR_L);
}

/* Step RIP over the instruction that exited, or end the domain if it is not there. */
void hvm_skip_insn(struct vcpu *v, enum hvm_insn insn, uint64_t next_rip)
{
    struct hvm_regs *r = &v->arch->hvm->regs;
    uint8_t bytes[HVM_INSN_MAX];
    unsigned n = 0;

    if (next_rip) {
        /* Outside long mode EIP wraps at 4 GiB (the CPU's next RIP may not). */
        r->rip = hvm_long_mode(v) ? next_rip : next_rip & 0xFFFFFFFFull;
        return;
    }
    uint64_t at = hvm_ops->ctl_read(v, HVM_CTL_CS_BASE) + r->rip;
    while (n < sizeof(bytes) && hvm_copy_from_guest_virt(v, &bytes[n], at + n, 1) == 0)
        n++;
    unsigned len = hvm_insn_length(bytes, n, hvm_long_mode(v), insn);
    if (!len) {
        char why[96];
        format(why, sizeof(why), "the instruction at %#lx is not the one that exited",
               (unsigned long)at);
        hvm_domain_crash(v, why);
    }
    r->rip += len;
    if (!hvm_long_mode(v))
        r->rip &= 0xFFFFFFFFull;
}

/* ---- CPUID -------------------------------------------------------------- */

/*
 * The host's leaves through a policy: Xen's leaves at 0x40000000 (up to
 * 0x40000004, whose x2APIC and vCPU-id flags Linux reads), the APIC as an
 * x2APIC (hvm/vlapic.c; its ids are the vCPU's), and nothing this slice
 * does not virtualise (SVM/VMX, MONITOR, XSAVE, which needs XSETBV, the
 * TSC deadline, MTRRs, machine checks and TSC_AUX). Xen gives a PVH guest
 * MTRRs and virtual machine-check MSRs; a guest told there are none here
 * takes the paths that need neither.
 */
#define CPUID_ECX_X2APIC (1u << 21)
#define XEN_HVM_CPUID_X2APIC_VIRT     (1u << 1)
#define XEN_HVM_CPUID_VCPU_ID_PRESENT (1u << 3)
#define CPUID_EDX_APIC (1u << 9)
#define CPUID_EDX_MTRR (1u << 12)
#define CPUID_EDX_MCE  (1u << 7)        /* machine checks: no MCG/MCi MSRs here */
#define CPUID_EDX_MCA  (1u << 14)
/* RDTSCP and RDPID read TSC_AUX, which the VMCB does not switch: the
 * guest would see the host's (Xen emulates the MSR; not done here yet). */
#define CPUID_EXT_EDX_RDTSCP (1u << 27)
#define CPUID_7_ECX_RDPID    (1u << 22)
/* INVPCID is #UD in a VT-x guest unless a secondary control enables it
 * (not set); Linux then flushes by CR4 instead. */
#define CPUID_7_EBX_INVPCID  (1u << 10)
struct cpuid_regs hvm_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs c = { 0, 0, 0, 0 };

    if (leaf == XEN_CPUID_BASE) {
        c.eax = XEN_CPUID_BASE + 4;
        memcpy(&c.ebx, "XenV", 4);
        memcpy(&c.ecx, "MMXe", 4);
        memcpy(&c.edx, "nVMM", 4);
        return c;
    }
    if (leaf == XEN_CPUID_BASE + 1) {
        c.eax = (4u << 16) | 17;           /* the interface version xen_version says too */
        return c;
    }
    if (leaf == XEN_CPUID_BASE + 2) {
        c.eax = 1;                         /* hypercall pages */
        c.ebx = MSR_XEN_HYPERCALL;
        return c;
    }
    if (leaf == XEN_CPUID_BASE + 4) {
        /* The x2APIC may be used (Linux keeps the one it finds on), and the
         * vCPU's id for its hypercalls is in EBX. */
        c.eax = XEN_HVM_CPUID_X2APIC_VIRT | XEN_HVM_CPUID_VCPU_ID_PRESENT;
        c.ebx = v->vcpu_id;
        return c;
    }
    if ((leaf & 0xF0000000u) == XEN_CPUID_BASE)
        return c;
    if (leaf == 5 || leaf == 0xD || leaf == 0x8000000A)
        return c;
    c = cpuid_count(leaf, subleaf);
    if (leaf == 1) {
        c.ecx &= ~((1u << 3) | (1u << 5) | (1u << 24) | (1u << 26) | (1u << 27));
        c.ecx |= CPUID_ECX_X2APIC;
        c.edx &= ~(CPUID_EDX_MTRR | CPUID_EDX_MCE | CPUID_EDX_MCA);
        c.edx |= CPUID_EDX_APIC;
        c.ecx |= 1u << 31;                                          /* hypervisor */
        c.ebx = (c.ebx & 0x00FFFFFFu) | (v->vcpu_id << 24);         /* initial APIC id */
    } else if (leaf == 7 && subleaf == 0) {
        c.ecx &= ~((1u << 3) | (1u << 4) | CPUID_7_ECX_RDPID);      /* PKU OSPKE, RDPID */
        c.ebx &= ~CPUID_7_EBX_INVPCID;
    } else if (leaf == 0x80000001) {
        c.ecx &= ~(1u << 2);                                        /* SVM */
        c.edx &= ~(CPUID_EDX_MTRR | CPUID_EDX_MCE | CPUID_EDX_MCA |
                   CPUID_EXT_EDX_RDTSCP);                           /* AMD's copies, RDTSCP */
    } else if (leaf == 0xB || leaf == 0x1F) {
        c.edx = v->vcpu_id;                                         /* x2APIC id */
    } else if (leaf == 0x8000001E) {
        c.eax = v->vcpu_id;                                         /* extended APIC id */
    }
    return c;
}

static void exit_cpuid(struct vcpu *v, uint64_t next_rip)
{
    struct hvm_regs *r = &v->arch->hvm->regs;
    struct cpuid_regs c = hvm_cpuid(v, (uint32_t)r->rax, (uint32_t)r->rcx);
    r->rax = c.eax;
    r->rbx = c.ebx;
    r->rcx = c.ecx;
    r->rdx = c.edx;
    hvm_skip_insn(v, HVM_INSN_CPUID, next_rip);
}

/* ---- port I/O ----------------------------------------------------------- */

#define PORT_DEBUG_CONSOLE 0xE9

/* Say once per port that a guest touched a port nothing is behind. */
static void port_unclaimed(struct vcpu *v, uint16_t port, bool in, unsigned size)
{
    struct hvm_domain *h = v->domain->arch->hvm;

    if (h->ports_logged[port / 64] & (1ull << (port % 64)))
        return;
    h->ports_logged[port / 64] |= 1ull << (port % 64);
    log_info("domain %u: port %#x %s, %u byte%s: nothing there (reads all ones, "
             "writes ignored; said once per port)\n", v->domain->domain_id, port,
             in ? "read" : "written", size, size == 1 ? "" : "s");
}

void hvm_port_write_elements(struct vcpu *v, uint16_t port, unsigned size, const uint8_t *data,
                             uint64_t count)
{
    if (port != PORT_DEBUG_CONSOLE) {
        port_unclaimed(v, port, false, size);
        return;
    }
    /* The console takes a byte per write, the low one of a wider element. */
    char line[64];
    unsigned n = 0;
    for (uint64_t i = 0; i < count; i++) {
        line[n++] = (char)data[i * size];
        if (n == sizeof(line) || i + 1 == count) {
            pv_console_write(v->domain->domain_id, line, n);
            n = 0;
        }
    }
}

static void exit_io(struct vcpu *v, const struct hvm_exit *e)
{
    struct hvm_regs *r = &v->arch->hvm->regs;

    if (e->size != 1 && e->size != 2 && e->size != 4)
        hvm_domain_crash(v, "port I/O of an unknown size");
    if (e->string) {
        hvm_io_string(v, e);
        return;
    }
    if (!e->in) {
        uint32_t value = (uint32_t)r->rax;
        hvm_port_write_elements(v, e->port, e->size, (const uint8_t *)&value, 1);
    } else {
        port_unclaimed(v, e->port, true, e->size);
        if (e->size == 4)
            r->rax = 0xFFFFFFFFull;     /* a 32-bit write clears the upper half */
        else
            r->rax |= e->size == 2 ? 0xFFFF : 0xFF;
    }
    hvm_skip_insn(v, HVM_INSN_IO, e->next_rip);
}

/* ---- MSRs --------------------------------------------------------------- */

static bool pat_valid(uint64_t pat)
{
    for (unsigned i = 0; i < 8; i++) {
        uint8_t t = (uint8_t)(pat >> (i * 8));
        if (t == 2 || t == 3 || t > 7)
            return false;
    }
    return true;
}

/*
 * IA32_MISC_ENABLE, Intel's only (AMD has none: #GP): a fixed value of the
 * bits Xen 4.17 shows an HVM guest, fast strings on, no performance
 * monitoring, MONITOR/MWAIT, BTS or PEBS, xTPR messages off, XD (NX) not
 * disabled. Linux's entry code reads it on Intel to clear XD_DISABLE. A
 * write must leave it as it reads. The host's own is never read: an
 * emulated CPU may not have it (Bochs's Haswell model #GPs).
 */
#define MSR_MISC_ENABLE          0x1A0u
#define MISC_ENABLE_FAST_STRINGS (1ull << 0)
#define MISC_ENABLE_BTS_UNAVAIL  (1ull << 11)
#define MISC_ENABLE_PEBS_UNAVAIL (1ull << 12)
#define MISC_ENABLE_XTPR_DISABLE (1ull << 23)

static bool misc_enable(uint64_t *val)
{
    if (strcmp(boot_cpu_features.vendor, "GenuineIntel") != 0)
        return false;
    *val = MISC_ENABLE_FAST_STRINGS | MISC_ENABLE_BTS_UNAVAIL | MISC_ENABLE_PEBS_UNAVAIL |
           MISC_ENABLE_XTPR_DISABLE;
    return true;
}

/* IA32_APIC_BASE and the x2APIC's range. */
static bool is_apic_msr(uint32_t msr)
{
    return msr == 0x1B || (msr >= 0x800 && msr <= 0x8FF);
}

/* 0, or -1 for a #GP. */
static int msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    switch (msr) {
    case MSR_EFER:
        *val = hvm_ops->ctl_read(v, HVM_CTL_EFER);
        return 0;
    case MSR_PAT:
        *val = hvm_ops->ctl_read(v, HVM_CTL_PAT);
        return 0;
    case MSR_XEN_HYPERCALL:
        *val = 0;           /* write-only in effect; Xen 4.17 reads it as 0, no #GP */
        return 0;
    case MSR_MISC_ENABLE:
        return misc_enable(val) ? 0 : -1;
    default:
        if (is_apic_msr(msr))
            return hvm_vlapic_msr_read(v, msr, val);
        if (hvm_ops->guest_msr_read) {
            int rc = hvm_ops->guest_msr_read(v, msr, val);
            if (rc != -2)
                return rc;
        }
        return -1;
    }
}

static int msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    switch (msr) {
    case MSR_EFER: {
        uint64_t old = hvm_ops->ctl_read(v, HVM_CTL_EFER);
        uint64_t allowed = EFER_GUEST_BITS & (boot_cpu_features.nx ? ~0ull : ~(uint64_t)EFER_NXE);
        if (val & ~allowed)
            return -1;
        /* LME may not change under paging; LMA is the CPU's to set. */
        if ((hvm_ops->ctl_read(v, HVM_CTL_CR0) & X86_CR0_PG) && ((val ^ old) & EFER_LME))
            return -1;
        hvm_ops->ctl_write(v, HVM_CTL_EFER, (val & ~EFER_LMA) | (old & EFER_LMA));
        return 0;
    }
    case MSR_PAT:
        if (!pat_valid(val))
            return -1;
        hvm_ops->ctl_write(v, HVM_CTL_PAT, val);
        return 0;
    case MSR_XEN_HYPERCALL:
        return hvm_hypercall_page_msr(v, val);
    case MSR_MISC_ENABLE: {
        uint64_t now;
        return misc_enable(&now) && val == now ? 0 : -1;
    }
    default:
        if (is_apic_msr(msr))
            return hvm_vlapic_msr_write(v, msr, val);
        if (hvm_ops->guest_msr_write) {
            int rc = hvm_ops->guest_msr_write(v, msr, val);
            if (rc != -2)
                return rc;
        }
        return -1;
    }
}

static void exit_msr(struct vcpu *v, bool write, uint64_t next_rip)
{
    struct hvm_regs *r = &v->arch->hvm->regs;
    uint32_t msr = (uint32_t)r->rcx;
    uint64_t val = 0;
    int rc = write ? msr_write(v, msr, (r->rdx << 32) | (uint32_t)r->rax) : msr_read(v, msr, &val);

    if (rc < 0) {
        hvm_ops->inject_exception(v, VECTOR_GP, true, 0);
        return;
    }
    if (!write) {
        r->rax = (uint32_t)val;
        r->rdx = val >> 32;
    }
    hvm_skip_insn(v, write ? HVM_INSN_WRMSR : HVM_INSN_RDMSR, next_rip);
}

/* ---- control registers --------------------------------------------------- */

#define X86_CR0_NW (1ull << 29)
#define X86_CR0_CD (1ull << 30)
#define X86_CR4_PAE_BIT (1ull << 5)
#define X86_CR4_VMXE_BIT (1ull << 13)

/*
 * A mov to CR0 or CR4 that the CPU handed over instead of doing (VT-x: the
 * guest changed a bit VMX operation fixes, such as CR0.NE): checked as the
 * CPU checks it, with the paging-mode change it makes (EFER.LMA follows
 * CR0.PG while EFER.LME is on). 0, or -1 for a #GP.
 */
static int cr_write(struct vcpu *v, unsigned cr, uint64_t val)
{
    uint64_t efer = hvm_ops->ctl_read(v, HVM_CTL_EFER);

    if (val >> 32)
        return -1;
    if (cr == 0) {
        uint64_t old = hvm_ops->ctl_read(v, HVM_CTL_CR0);
        if (((val & X86_CR0_PG) && !(val & X86_CR0_PE)) ||
            ((val & X86_CR0_NW) && !(val & X86_CR0_CD)))
            return -1;
        if ((val & ~old & X86_CR0_PG) && (efer & EFER_LME)) {
            if (!(hvm_ops->ctl_read(v, HVM_CTL_CR4) & X86_CR4_PAE_BIT))
                return -1;
            hvm_ops->ctl_write(v, HVM_CTL_EFER, efer | EFER_LMA);
        } else if ((old & ~val & X86_CR0_PG) && (efer & EFER_LMA)) {
            hvm_ops->ctl_write(v, HVM_CTL_EFER, efer & ~EFER_LMA);
        }
        hvm_ops->ctl_write(v, HVM_CTL_CR0, val);
        return 0;
    }
    /* CR4: VMX is hidden from the guest; PAE stays on in long mode. */
    if ((val & X86_CR4_VMXE_BIT) || ((efer & EFER_LMA) && !(val & X86_CR4_PAE_BIT)))
        return -1;
    hvm_ops->ctl_write(v, HVM_CTL_CR4, val);
    return 0;
}

static void exit_cr_write(struct vcpu *v, const struct hvm_exit *e)
{
    if (e->cr != 0 && e->cr != 4) {
        char why[64];
        format(why, sizeof(why), "mov to CR%u exited (not intercepted)", e->cr);
        hvm_domain_crash(v, why);
    }
    if (!e->next_rip)
        hvm_domain_crash(v, "mov to a control register exited without its length");
    if (cr_write(v, e->cr, e->value) < 0) {
        hvm_ops->inject_exception(v, VECTOR_GP, true, 0);
        return;
    }
    struct hvm_regs *r = &v->arch->hvm->regs;
    r->rip = hvm_long_mode(v) ? e->next_rip : e->next_rip & 0xFFFFFFFFull;
}

/* ---- the rest ----------------------------------------------------------- */

/*
 * HLT with interrupts off can never end (no NMI source either): as on Xen,
 * the vCPU goes down, and with it the domain, powered off. With interrupts
 * on the vCPU blocks until its event upcall is pending (an event channel,
 * its VCPUOP or set_timer_op timer) or its x2APIC has a vector to deliver: blocked first, then the look, so an
 * event between the two finds it blocked and wakes it (vcpu_kick).
 */
static void exit_hlt(struct vcpu *v, uint64_t next_rip)
{
    struct hvm_regs *r = &v->arch->hvm->regs;

    hvm_skip_insn(v, HVM_INSN_HLT, next_rip);
    if (!(r->rflags & (1u << 9))) {
        log_info("domain %u vCPU %u: halted with interrupts off\n", v->domain->domain_id,
                 v->vcpu_id);
        pv_domain_shutdown(v->domain, SHUTDOWN_poweroff);
    }
    if (hvm_upcall_pending(v) || hvm_vlapic_has_pending(v))
        return;
    sched_vcpu_block(v);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (hvm_upcall_pending(v) || hvm_vlapic_has_pending(v))
        sched_vcpu_wake(v);
}

static void exit_npf(struct vcpu *v, const struct hvm_exit *e)
{
    char why[128];

    if (hvm_vlapic_mmio(v, e->gpa))
        return;
    format(why, sizeof(why), "nested page fault at guest-physical %#lx (%s, error %#lx): "
           "outside its %lu MiB", (unsigned long)e->gpa, e->error & 2 ? "write" : "read",
           (unsigned long)e->error, (unsigned long)(v->domain->arch->hvm->nr_pages >> 8));
    hvm_domain_crash(v, why);
}

void hvm_handle_exit(struct vcpu *v, const struct hvm_exit *e)
{
    char why[96];

    switch (e->reason) {
    case HVM_EXIT_NONE:
        return;
    case HVM_EXIT_CPUID:
        exit_cpuid(v, e->next_rip);
        return;
    case HVM_EXIT_IO:
        exit_io(v, e);
        return;
    case HVM_EXIT_HLT:
        exit_hlt(v, e->next_rip);
        return;
    case HVM_EXIT_HYPERCALL:
        hvm_hypercall(v, e->next_rip);
        return;
    case HVM_EXIT_MSR_READ:
    case HVM_EXIT_MSR_WRITE:
        exit_msr(v, e->reason == HVM_EXIT_MSR_WRITE, e->next_rip);
        return;
    case HVM_EXIT_NPF:
        exit_npf(v, e);
        return;
    case HVM_EXIT_SHUTDOWN:
        hvm_domain_crash(v, "triple fault");
    case HVM_EXIT_CR_WRITE:
        exit_cr_write(v, e);
        return;
    case HVM_EXIT_OTHER:
        break;
    }
    format(why, sizeof(why), "exit %#lx (%s) not handled", (unsigned long)e->code, e->name);
    hvm_domain_crash(v, why);
}
