/*
 * The CR4 a PV guest sees, and the one hardware bit that follows it:
 * FSGSBASE. As in Xen 4.17, the PV view is Xen's own PAE, MCE, OSFXSR and
 * OSXMMEXCPT (0x660) plus FSGSBASE and OSXSAVE once the guest kernel sets
 * them (with an emulated mov to CR4) on a CPU that has them; CPUID offers
 * them before that. While a vCPU with the bit runs, hardware CR4.FSGSBASE is
 * on, so its kernel and user code change their FS and GS bases with
 * wrfsbase/wrgsbase without trapping: the copies in arch_vcpu are then
 * only current after pv_sync_segment_bases, which the paths that read or
 * replace the live bases call first (switching the vCPU out, switching
 * between its kernel and user mode, the emulated MSR reads, loading a
 * user GS selector).
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/cpufeatures.h>
#include <asm/pv.h>
#include <tessera/domain.h>

#define X86_CR4_MCE_BIT   (1u << 6)
#define PV_GUEST_CR4      (X86_CR4_PAE | X86_CR4_MCE_BIT | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT)

uint64_t pv_guest_cr4(const struct vcpu *v)
{
    return PV_GUEST_CR4 | (v->arch->cr4_fsgsbase ? X86_CR4_FSGSBASE : 0) |
           (v->arch->cr4_osxsave ? X86_CR4_OSXSAVE : 0);
}

void pv_load_cr4(const struct vcpu *v)
{
    if (!boot_cpu_features.fsgsbase)
        return;
    uint64_t cr4 = read_cr4();
    uint64_t want = v->arch->cr4_fsgsbase ? cr4 | X86_CR4_FSGSBASE : cr4 & ~(uint64_t)X86_CR4_FSGSBASE;
    if (want != cr4)
        write_cr4(want);
}

/*
 * mov to CR4 by the running vCPU: only FSGSBASE and OSXSAVE are the
 * guest's to choose; the rest is ignored. OSXSAVE only opens its xsetbv
 * (pv/xstate.c): the hardware bit stays on.
 */
void pv_set_guest_cr4(struct vcpu *v, uint64_t val)
{
    v->arch->cr4_osxsave = boot_cpu_features.xsave && (val & X86_CR4_OSXSAVE);
    bool on = boot_cpu_features.fsgsbase && (val & X86_CR4_FSGSBASE);

    if (on == v->arch->cr4_fsgsbase)
        return;
    pv_sync_segment_bases(v);
    v->arch->cr4_fsgsbase = on;
    pv_load_cr4(v);
}

/* The running vCPU's live FS base and active GS base into its arch_vcpu copies. */
void pv_sync_segment_bases(struct vcpu *v)
{
    struct arch_vcpu *a = v->arch;
    uint64_t fs, gs;

    if (!a->cr4_fsgsbase)
        return;         /* every change went through the hypervisor: the copies are current */
    __asm__ volatile("rdfsbase %0; rdgsbase %1" : "=r"(fs), "=r"(gs));
    a->fs_base = fs;
    if (a->kernel_mode)
        a->gs_base_kernel = gs;
    else
        a->gs_base_user = gs;
}
