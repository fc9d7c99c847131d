/*
 * A local APIC for HVM/PVH guests: its registers as x2APIC MSRs
 * (0x800-0x8FF), and the few accesses to its xAPIC page a guest makes
 * before it turns x2APIC mode on (vlapic_mmio.c). Linux's PVH boot
 * needs an APIC to be there at all: without one it keeps the 8259 mode,
 * never reaches the per-CPU clockevent setup, and Xen's VCPUOP timer is
 * never installed (its sleeps never end). The vCPU starts in xAPIC mode,
 * as on Xen; Linux turns x2APIC on since CPUID 0x40000004 says it is
 * available (the only mode change emulated).
 *
 * What this APIC does: its ID (the vCPU id), version, TPR/PPR, SVR, LDR,
 * ESR, the LVT registers (kept), and fixed-mode IPIs to itself (ICR with
 * the self or all-including-self shorthand or its own ID, and SELF_IPI),
 * which become pending vectors delivered as the event upcall is
 * (hvm_interrupt_check). Not done yet: the APIC timer (arming it with an
 * unmasked LVT crashes the domain with a clear line), IPIs to other vCPUs
 * (one vCPU), in-service tracking (EOI is accepted and does nothing:
 * a vector is delivered once per request), xAPIC mode beyond the MOVs
 * vlapic_mmio.c decodes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/hvm.h>
#include <asm/pv.h>
#include <asm/x86-defs.h>
#include <tessera/domain.h>
#include <tessera/format.h>
#include <tessera/log.h>
#include "hvm_internal.h"

#define APIC_BASE_EXTD      (1ull << 10)    /* x2APIC mode */
#define APIC_DEFAULT_BASE   0xFEE00000ull
#define APIC_VERSION        0x00050014u     /* version 0x14, 6 LVT entries, as Xen's vlapic */

/* x2APIC registers: MSR 0x800 + (xAPIC offset >> 4). */
#define X2APIC_ID       0x802u
#define X2APIC_VERSION  0x803u
#define X2APIC_TPR      0x808u
#define X2APIC_PPR      0x80Au
#define X2APIC_EOI      0x80Bu
#define X2APIC_LDR      0x80Du
#define X2APIC_SVR      0x80Fu
#define X2APIC_ISR0     0x810u
#define X2APIC_IRR7     0x827u
#define X2APIC_ESR      0x828u
#define X2APIC_LVT_CMCI 0x82Fu
#define X2APIC_ICR      0x830u
#define X2APIC_LVT_TIMER 0x832u
#define X2APIC_LVT_ERROR 0x837u
#define X2APIC_TMICT    0x838u
#define X2APIC_TMCCT    0x839u
#define X2APIC_TDCR     0x83Eu
#define X2APIC_SELF_IPI 0x83Fu

#define LVT_MASKED      (1u << 16)
#define ICR_SHORTHAND(x) (((x) >> 18) & 3)
#define ICR_MODE(x)      (((x) >> 8) & 7)

void hvm_vlapic_init(struct vcpu *v)
{
    struct hvm_vlapic *a = &v->arch->hvm->vlapic;

    a->base = APIC_DEFAULT_BASE | (uint64_t)APIC_BASE_ENABLE | (v->vcpu_id ? 0 : APIC_BASE_BSP);
    a->xapic_dfr = 0xFFFFFFFFu;
    a->svr = 0xFF;
    for (unsigned i = 0; i < HVM_VLAPIC_NR_LVT; i++)
        a->lvt[i] = LVT_MASKED;
}

static void set_pending(struct vcpu *v, uint8_t vector)
{
    struct hvm_vlapic *a = &v->arch->hvm->vlapic;
    __atomic_fetch_or(&a->irr[vector / 64], 1ull << (vector % 64), __ATOMIC_SEQ_CST);
}

int hvm_vlapic_take_pending(struct vcpu *v)
{
    struct hvm_vlapic *a = &v->arch->hvm->vlapic;

    for (int w = 3; w >= 0; w--) {
        uint64_t bits = __atomic_load_n(&a->irr[w], __ATOMIC_SEQ_CST);
        if (bits) {
            int bit = 63 - __builtin_clzll(bits);
            __atomic_fetch_and(&a->irr[w], ~(1ull << bit), __ATOMIC_SEQ_CST);
            return w * 64 + bit;
        }
    }
    return -1;
}

bool hvm_vlapic_has_pending(struct vcpu *v)
{
    const struct hvm_vlapic *a = &v->arch->hvm->vlapic;
    for (unsigned w = 0; w < 4; w++)
        if (__atomic_load_n(&a->irr[w], __ATOMIC_SEQ_CST))
            return true;
    return false;
}

static int icr_write(struct vcpu *v, uint64_t icr)
{
    uint8_t vector = (uint8_t)icr;
    unsigned shorthand = ICR_SHORTHAND(icr);
    bool to_self = shorthand == 1 || shorthand == 2 ||
                   (shorthand == 0 && (uint32_t)(icr >> 32) == v->vcpu_id);

    v->arch->hvm->vlapic.icr = icr & ~(1ull << 12);     /* delivery status: idle */
    if (!to_self)
        return 0;                       /* no other vCPU to reach */
    if (ICR_MODE(icr) != 0) {
        char why[96];
        format(why, sizeof(why), "x2APIC ICR %#lx: a self-IPI in delivery mode %u is not "
               "emulated yet", (unsigned long)icr, (unsigned)ICR_MODE(icr));
        hvm_domain_crash(v, why);
    }
    if (vector < 16)
        return 0;                       /* an illegal vector is dropped (the ESR would say so) */
    set_pending(v, vector);
    return 0;
}

bool hvm_vlapic_xapic_mode(struct vcpu *v)
{
    uint64_t base = v->arch->hvm->vlapic.base;
    return (base & APIC_BASE_ENABLE) && !(base & APIC_BASE_EXTD);
}

int hvm_vlapic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    const struct hvm_vlapic *a = &v->arch->hvm->vlapic;

    if (msr == MSR_APIC_BASE) {
        *val = a->base;
        return 0;
    }
    if (!(a->base & APIC_BASE_EXTD))
        return -1;                      /* x2APIC registers outside x2APIC mode: #GP */
    return hvm_vlapic_reg_read(v, msr, val);
}

int hvm_vlapic_reg_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    const struct hvm_vlapic *a = &v->arch->hvm->vlapic;

    switch (msr) {
    case X2APIC_ID:      *val = v->vcpu_id; return 0;
    case X2APIC_VERSION: *val = APIC_VERSION; return 0;
    case X2APIC_TPR:
    case X2APIC_PPR:     *val = a->tpr; return 0;
    case X2APIC_LDR:     *val = ((v->vcpu_id >> 4) << 16) | (1u << (v->vcpu_id & 15)); return 0;
    case X2APIC_SVR:     *val = a->svr; return 0;
    case X2APIC_ESR:     *val = 0; return 0;
    case X2APIC_ICR:     *val = a->icr; return 0;
    case X2APIC_TMICT:   *val = a->tmict; return 0;
    case X2APIC_TMCCT:   *val = 0; return 0;
    case X2APIC_TDCR:    *val = a->tdcr; return 0;
    }
    if (msr >= X2APIC_ISR0 && msr <= X2APIC_IRR7) {
        *val = 0;                       /* ISR, TMR, IRR: nothing in service or latched */
        return 0;
    }
    if (msr == X2APIC_LVT_CMCI || (msr >= X2APIC_LVT_TIMER && msr <= X2APIC_LVT_ERROR)) {
        *val = a->lvt[msr == X2APIC_LVT_CMCI ? 0 : msr - X2APIC_LVT_TIMER + 1];
        return 0;
    }
    return -1;                          /* EOI and SELF_IPI are write-only; the rest reserved */
}

int hvm_vlapic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    struct hvm_vlapic *a = &v->arch->hvm->vlapic;

    if (msr == MSR_APIC_BASE) {
        /* xAPIC to x2APIC is the one change emulated (Linux's switch). */
        if (val == a->base || val == (a->base | APIC_BASE_EXTD)) {
            a->base = val;
            return 0;
        }
        char why[96];
        format(why, sizeof(why), "IA32_APIC_BASE %#lx: only x2APIC mode at %#lx is emulated",
               (unsigned long)val, (unsigned long)APIC_DEFAULT_BASE);
        hvm_domain_crash(v, why);
    }
    if (!(a->base & APIC_BASE_EXTD))
        return -1;                      /* x2APIC registers outside x2APIC mode: #GP */
    return hvm_vlapic_reg_write(v, msr, val);
}

int hvm_vlapic_reg_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    struct hvm_vlapic *a = &v->arch->hvm->vlapic;

    if (msr != X2APIC_ICR && (val >> 32))
        return -1;                      /* 32-bit registers but the ICR */
    switch (msr) {
    case X2APIC_TPR:  a->tpr = (uint32_t)val & 0xFF; return 0;
    case X2APIC_EOI:  return val ? -1 : 0;
    case X2APIC_SVR:  a->svr = (uint32_t)val & 0x11FF; return 0;
    case X2APIC_ESR:  return val ? -1 : 0;
    case X2APIC_ICR:  return icr_write(v, val);
    case X2APIC_TDCR: a->tdcr = (uint32_t)val & 0xB; return 0;
    case X2APIC_SELF_IPI:
        return val > 0xFF ? -1 : icr_write(v, (uint64_t)val | (1ull << 18));
    case X2APIC_TMICT:
        a->tmict = (uint32_t)val;
        if (val && !(a->lvt[1] & LVT_MASKED))
            hvm_domain_crash(v, "the x2APIC timer was armed: not emulated yet (Xen's VCPUOP "
                             "timer is)");
        return 0;
    }
    if (msr == X2APIC_LVT_CMCI || (msr >= X2APIC_LVT_TIMER && msr <= X2APIC_LVT_ERROR)) {
        a->lvt[msr == X2APIC_LVT_CMCI ? 0 : msr - X2APIC_LVT_TIMER + 1] = (uint32_t)val;
        return 0;
    }
    return -1;
}
