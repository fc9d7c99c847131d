/*
 * A vCPU's FPU, SSE and AVX state, and XCR0, as Xen 4.17 gives them to a
 * PV guest. On a CPU with XSAVE the hypervisor keeps CR4.OSXSAVE on (so
 * CPUID shows OSXSAVE and xgetbv runs natively) and offers x87, SSE and
 * AVX (CPUID leaf 0xD); each vCPU has its own XCR0, x87|SSE at first,
 * loaded while it runs. Its kernel changes it with xsetbv, which faults
 * and is checked here as Xen checks it: #UD until the kernel has set
 * OSXSAVE in its own CR4 (pv/cr4.c), then #GP(0) for another XCR than
 * XCR0, a component not offered, no x87, or AVX without SSE. The state is
 * switched with xsave/xrstor of every component in the vCPU's XCR0.
 * Without XSAVE, fxsave/fxrstor as before, and XCR0 does not exist.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/cpufeatures.h>
#include <asm/pv.h>
#include <tessera/domain.h>
#include <tessera/string.h>
#include <tessera/heap.h>

#define FXSAVE_FCW_OFFSET   0
#define FXSAVE_MXCSR_OFFSET 24
#define XSAVE_HEADER_OFFSET 512       /* XSTATE_BV, then XCOMP_BV, in the standard form */
#define FCW_DEFAULT         0x037F    /* what fninit leaves */
#define MXCSR_DEFAULT       0x1F80    /* every SSE exception masked */
#define XSTATE_X87          (1ull << 0)
#define XSTATE_SSE          (1ull << 1)
#define XSTATE_AVX          (1ull << 2)

static void xsetbv(uint32_t index, uint64_t value)
{
    __asm__ volatile("xsetbv" : : "c"(index), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

/*
 * On every CPU, after cpu_features_detect: CR4.OSXSAVE on and XCR0 =
 * x87|SSE until a vCPU loads its own.
 */
void xstate_cpu_init(void)
{
    if (!boot_cpu_features.xsave)
        return;
    write_cr4(read_cr4() | X86_CR4_OSXSAVE);
    xsetbv(0, XSTATE_X87 | XSTATE_SSE);
}

/* The components offered: x87, SSE and AVX as the CPU has them; sizes for those alone. */
void xstate_detect(struct cpu_features *f)
{
    if (cpuid(0).eax < 0xD || !(cpuid(1).ecx & CPUID1_ECX_XSAVE))
        return;
    struct cpuid_regs d0 = cpuid_count(0xD, 0);
    uint64_t mask = d0.eax & (XSTATE_X87 | XSTATE_SSE | XSTATE_AVX);
    if ((mask & (XSTATE_X87 | XSTATE_SSE)) != (XSTATE_X87 | XSTATE_SSE))
        return;
    uint32_t size = 512 + 64;
    if (mask & XSTATE_AVX) {
        struct cpuid_regs d2 = cpuid_count(0xD, 2);
        size = d2.ebx + d2.eax;
    }
    f->xsave = true;
    f->xstate_mask = mask;
    f->xsave_size = size;
}

struct pv_fpu_area *pv_fpu_alloc(void)
{
    size_t size = boot_cpu_features.xsave ? boot_cpu_features.xsave_size : 512;
    struct pv_fpu_area *fpu = xmalloc_aligned(size, 64);
    if (!fpu)
        return NULL;
    memset(fpu, 0, size);
    uint16_t fcw = FCW_DEFAULT;
    uint32_t mxcsr = MXCSR_DEFAULT;
    memcpy(fpu->bytes + FXSAVE_FCW_OFFSET, &fcw, sizeof(fcw));
    memcpy(fpu->bytes + FXSAVE_MXCSR_OFFSET, &mxcsr, sizeof(mxcsr));
    if (boot_cpu_features.xsave) {
        uint64_t bv = XSTATE_X87 | XSTATE_SSE;      /* the legacy area above is the state */
        memcpy((uint8_t *)fpu + XSAVE_HEADER_OFFSET, &bv, sizeof(bv));
    }
    return fpu;
}

/* The state of the vCPU leaving this CPU (its XCR0 is the one loaded). */
void pv_fpu_save(struct vcpu *v)
{
    struct pv_fpu_area *f = v->arch->fpu;
    if (boot_cpu_features.xsave)
        __asm__ volatile("clts; xsave64 %0" : "=m"(*f) : "a"(~0u), "d"(~0u) : "memory");
    else
        __asm__ volatile("clts; fxsave64 %0" : "=m"(*f) : : "memory");
}

/*
 * xsave writes XSTATE_BV only for the components in XCR0 and leaves the
 * others as they were: a vCPU that saved AVX state, then turned AVX off
 * with xsetbv, has a stale AVX bit in its area, and xrstor of a component
 * XCR0 does not enable is #GP in the hypervisor. The state of a component
 * the guest turned off is not its to keep (hardware does not promise it
 * either): it comes back in its initial state if turned on again.
 */
void pv_fpu_restore(struct vcpu *v)
{
    struct pv_fpu_area *f = v->arch->fpu;
    if (boot_cpu_features.xsave) {
        uint64_t bv;
        memcpy(&bv, (uint8_t *)f + XSAVE_HEADER_OFFSET, sizeof(bv));
        bv &= v->arch->xcr0;
        memcpy((uint8_t *)f + XSAVE_HEADER_OFFSET, &bv, sizeof(bv));
        xsetbv(0, v->arch->xcr0);
        __asm__ volatile("clts; xrstor64 %0" : : "m"(*f), "a"(~0u), "d"(~0u) : "memory");
    } else {
        __asm__ volatile("clts; fxrstor64 %0" : : "m"(*f) : "memory");
    }
}

/*
 * xsetbv by the running vCPU in kernel mode, with the guest's CR4.OSXSAVE
 * set: the vector to inject (13), or 0 when XCR0 was written.
 */
unsigned pv_emulate_xsetbv(struct vcpu *v, uint32_t index, uint64_t value)
{
    if (index != 0 || (value & ~boot_cpu_features.xstate_mask) || !(value & XSTATE_X87) ||
        ((value & XSTATE_AVX) && !(value & XSTATE_SSE)))
        return 13;
    v->arch->xcr0 = value;
    xsetbv(0, value);
    return 0;
}
