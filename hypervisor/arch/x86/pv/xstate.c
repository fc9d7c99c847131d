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
#include <asm/extable.h>
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
#define XSAVE_HEADER_SIZE   64
#define FXSAVE_SIZE         512

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

static size_t fpu_area_size(void)
{
    return boot_cpu_features.xsave ? boot_cpu_features.xsave_size : FXSAVE_SIZE;
}

static uint32_t area_mxcsr(const struct pv_fpu_area *f)
{
    uint32_t mxcsr;
    memcpy(&mxcsr, f->bytes + FXSAVE_MXCSR_OFFSET, sizeof(mxcsr));
    return mxcsr;
}

static void set_area_mxcsr(struct pv_fpu_area *f, uint32_t mxcsr)
{
    memcpy(f->bytes + FXSAVE_MXCSR_OFFSET, &mxcsr, sizeof(mxcsr));
}

/* XSTATE_BV = bv, XCOMP_BV and the reserved header bytes 0 (the standard form). */
static void set_area_header(struct pv_fpu_area *f, uint64_t bv)
{
    uint8_t *header = (uint8_t *)f + XSAVE_HEADER_OFFSET;
    memset(header, 0, XSAVE_HEADER_SIZE);
    memcpy(header, &bv, sizeof(bv));
}

/* The reset state: what fninit and a reset MXCSR leave, SSE and AVX registers zero. */
static void fpu_area_reset(struct pv_fpu_area *fpu)
{
    memset(fpu, 0, fpu_area_size());
    uint16_t fcw = FCW_DEFAULT;
    memcpy(fpu->bytes + FXSAVE_FCW_OFFSET, &fcw, sizeof(fcw));
    set_area_mxcsr(fpu, MXCSR_DEFAULT);
    if (boot_cpu_features.xsave)
        set_area_header(fpu, XSTATE_X87 | XSTATE_SSE);  /* the legacy area above is the state */
}

struct pv_fpu_area *pv_fpu_alloc(void)
{
    struct pv_fpu_area *fpu = xmalloc_aligned(fpu_area_size(), 64);
    if (fpu)
        fpu_area_reset(fpu);
    return fpu;
}

/*
 * VCPUOP_initialise's FPU image, as Xen 4.17's vcpu_setup_fpu: with
 * VGCF_I387_VALID the context's 512-byte fxsave image becomes the x87 and
 * SSE state as it is (XSTATE_BV x87|SSE; AVX in its initial state), else
 * the reset state. Nothing in it is checked here, as in Xen: MXCSR bits
 * the CPU reserves fault only when it is restored, and pv_fpu_restore
 * recovers from that.
 */
void pv_fpu_image_set(struct vcpu *v, const void *fxsave)
{
    struct pv_fpu_area *f = v->arch->fpu;

    fpu_area_reset(f);
    if (!fxsave)
        return;
    memcpy(f->bytes, fxsave, FXSAVE_SIZE);
    if (boot_cpu_features.xsave)
        set_area_header(f, XSTATE_X87 | XSTATE_SSE);
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
static bool xrstor_safe(const struct pv_fpu_area *f)
{
    uint32_t ok = 1;
    __asm__ volatile("1: xrstor64 %1\n"
                     "2:\n"
                     ".pushsection .text.fixup, \"ax\"\n"
                     "3: xorl %0, %0\n"
                     "   jmp 2b\n"
                     ".popsection\n"
                     EXTABLE_ASM("1b", "3b")
                     : "+r"(ok) : "m"(*f), "a"(~0u), "d"(~0u) : "memory");
    return ok;
}

static bool fxrstor_safe(const struct pv_fpu_area *f)
{
    uint32_t ok = 1;
    __asm__ volatile("1: fxrstor64 %1\n"
                     "2:\n"
                     ".pushsection .text.fixup, \"ax\"\n"
                     "3: xorl %0, %0\n"
                     "   jmp 2b\n"
                     ".popsection\n"
                     EXTABLE_ASM("1b", "3b")
                     : "+r"(ok) : "m"(*f) : "memory");
    return ok;
}

/* The MXCSR bits this CPU accepts (fxsave's MXCSR_MASK; 0 there means 0xffbf). */
static uint32_t mxcsr_mask(void)
{
    static struct pv_fpu_area probe __attribute__((aligned(64)));
    uint32_t mask;
    __asm__ volatile("fxsave64 %0" : "=m"(probe) : : "memory");
    memcpy(&mask, probe.bytes + 28, sizeof(mask));
    return mask ? mask : 0xffbf;
}

/*
 * The image may come from the guest (VCPUOP_initialise), so the restore
 * may fault (reserved MXCSR bits); as Xen 4.17's xrstor, the hypervisor
 * then retries with the state adjusted, never faulting itself: first
 * every component in its initial state and MXCSR cut to the bits the CPU
 * accepts, then MXCSR's default too; a third refusal crashes the domain.
 * Without XSAVE, as Xen's fxrstor fixup: an all-zero image.
 */
void pv_fpu_restore(struct vcpu *v)
{
    struct pv_fpu_area *f = v->arch->fpu;

    __asm__ volatile("clts" ::: "memory");
    if (!boot_cpu_features.xsave) {
        if (!fxrstor_safe(f)) {
            memset(f, 0, FXSAVE_SIZE);
            if (!fxrstor_safe(f))
                v->arch->crash_reason = "an FPU image the CPU refused";
        }
        return;
    }
    uint64_t bv;
    memcpy(&bv, (uint8_t *)f + XSAVE_HEADER_OFFSET, sizeof(bv));
    set_area_header(f, bv & v->arch->xcr0);
    xsetbv(0, v->arch->xcr0);
    for (unsigned attempt = 0; !xrstor_safe(f); attempt++) {
        if (attempt == 0) {
            set_area_header(f, 0);
            set_area_mxcsr(f, area_mxcsr(f) & mxcsr_mask());
        } else if (attempt == 1) {
            set_area_header(f, 0);
            set_area_mxcsr(f, MXCSR_DEFAULT);
        } else {
            v->arch->crash_reason = "an FPU image the CPU refused";
            return;
        }
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
