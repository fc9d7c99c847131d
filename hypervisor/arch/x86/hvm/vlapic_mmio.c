/*
 * The local APIC's xAPIC page (0xFEE00000): Linux reads its APIC's ID and
 * version through it before it switches to x2APIC mode (which it does once
 * CPUID 0x40000004 says x2APIC is available), so its accesses there, which
 * reach the hypervisor as nested page faults, are emulated. Only what
 * Linux's native_apic_mem_read/write compile to is decoded: a 32-bit MOV
 * between a general register and memory (8B /r, 89 /r, with a REX prefix
 * for r8-r15 in 64-bit code). Any other instruction on that page crashes
 * the domain with its bytes in the log.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/hvm.h>
#include <asm/hvm_insn.h>
#include <asm/pv.h>
#include <tessera/domain.h>
#include <tessera/format.h>
#include "hvm_internal.h"

#define APIC_PAGE       0xFEE00000ull
#define XAPIC_ID        0x020u
#define XAPIC_LDR       0x0D0u
#define XAPIC_DFR       0x0E0u
#define XAPIC_ICR_LOW   0x300u
#define XAPIC_ICR_HIGH  0x310u

static uint64_t *gpr(struct hvm_regs *r, unsigned reg)
{
    uint64_t *const by_encoding[16] = {
        &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi,
        &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15,
    };
    return by_encoding[reg];
}

/* A register of the xAPIC page, through the x2APIC's MSR handlers where they agree. */
static uint32_t xapic_read(struct vcpu *v, unsigned offset)
{
    struct hvm_vlapic *a = &v->arch->hvm->vlapic;
    uint64_t val = 0;

    switch (offset) {
    case XAPIC_ID:       return v->vcpu_id << 24;
    case XAPIC_LDR:      return a->xapic_ldr;
    case XAPIC_DFR:      return a->xapic_dfr;
    case XAPIC_ICR_LOW:  return (uint32_t)a->icr;
    case XAPIC_ICR_HIGH: return a->xapic_icr_high;
    }
    if (hvm_vlapic_reg_read(v, 0x800 + (offset >> 4), &val) < 0)
        return 0;                       /* write-only or reserved: reads as 0 */
    return (uint32_t)val;
}

static void xapic_write(struct vcpu *v, unsigned offset, uint32_t val)
{
    struct hvm_vlapic *a = &v->arch->hvm->vlapic;

    switch (offset) {
    case XAPIC_ID:       return;        /* read-only here */
    case XAPIC_LDR:      a->xapic_ldr = val & 0xFF000000u; return;
    case XAPIC_DFR:      a->xapic_dfr = val | 0x0FFFFFFFu; return;
    case XAPIC_ICR_HIGH: a->xapic_icr_high = val & 0xFF000000u; return;
    case XAPIC_ICR_LOW:
        /* The x2APIC's ICR takes the destination in bits 63:32. */
        hvm_vlapic_reg_write(v, 0x830, ((uint64_t)(a->xapic_icr_high >> 24) << 32) | val);
        return;
    }
    hvm_vlapic_reg_write(v, 0x800 + (offset >> 4), val);   /* a refused write is dropped */
}

bool hvm_vlapic_mmio(struct vcpu *v, uint64_t gpa)
{
    struct hvm_regs *r = &v->arch->hvm->regs;
    uint8_t bytes[HVM_INSN_MAX];
    unsigned n = 0;
    struct hvm_mov32 m;
    char why[128];

    if ((gpa & ~0xFFFull) != APIC_PAGE || !hvm_vlapic_xapic_mode(v))
        return false;
    uint64_t at = hvm_ops->ctl_read(v, HVM_CTL_CS_BASE) + r->rip;
    while (n < sizeof(bytes) && hvm_copy_from_guest_virt(v, &bytes[n], at + n, 1) == 0)
        n++;
    if ((gpa & 0xF) || hvm_decode_mov32(bytes, n, hvm_long_mode(v), &m) < 0) {
        format(why, sizeof(why), "local APIC access at %#lx by an instruction not emulated "
               "(%02x %02x %02x %02x at %#lx)", (unsigned long)gpa, bytes[0], bytes[1],
               bytes[2], bytes[3], (unsigned long)at);
        hvm_domain_crash(v, why);
    }
    unsigned offset = gpa & 0xFF0;
    if (m.load)
        *gpr(r, m.reg) = xapic_read(v, offset);         /* a 32-bit load zero-extends */
    else
        xapic_write(v, offset, (uint32_t)*gpr(r, m.reg));
    r->rip += m.length;
    if (!hvm_long_mode(v))
        r->rip &= 0xFFFFFFFFull;
    return true;
}
