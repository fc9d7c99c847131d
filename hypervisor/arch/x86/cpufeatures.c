/*
 * CPU features: detected once on the boot CPU, then enabled identically on
 * every CPU. SMEP and SMAP are on wherever the CPU has them: the hypervisor
 * never runs or touches user pages (PV guest kernel pages are user pages),
 * and guest-memory access will go through helpers that open SMAP briefly.
 */
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/cpufeatures.h>
#include <tessera/string.h>

struct cpu_features boot_cpu_features;

void cpu_features_detect(void)
{
    struct cpu_features *f = &boot_cpu_features;
    struct cpuid_regs r = cpuid(0);
    uint32_t max_leaf = r.eax;

    memcpy(f->vendor + 0, &r.ebx, 4);
    memcpy(f->vendor + 4, &r.edx, 4);
    memcpy(f->vendor + 8, &r.ecx, 4);
    f->vendor[12] = '\0';

    r = cpuid(1);
    f->x2apic = r.ecx & CPUID1_ECX_X2APIC;
    f->tsc_deadline = r.ecx & CPUID1_ECX_TSC_DEADLINE;
    if (max_leaf >= 7) {
        r = cpuid_count(7, 0);
        f->smep = r.ebx & CPUID7_EBX_SMEP;
        f->smap = r.ebx & CPUID7_EBX_SMAP;
        f->fsgsbase = r.ebx & CPUID7_EBX_FSGSBASE;
    }
    xstate_detect(f);
    uint32_t max_ext = cpuid(0x80000000).eax;
    if (max_ext >= 0x80000001) {
        r = cpuid(0x80000001);
        f->nx = r.edx & CPUID80000001_EDX_NX;
        f->page1g = r.edx & CPUID80000001_EDX_PAGE1G;
    }
    if (max_ext >= 0x80000004) {
        for (uint32_t i = 0; i < 3; i++) {
            r = cpuid(0x80000002 + i);
            memcpy(f->brand + 16 * i, &r, 16);
        }
        f->brand[48] = '\0';
    }
}

void cpu_features_init(void)
{
    uint64_t cr4 = read_cr4() | X86_CR4_PGE;

    if (boot_cpu_features.smep)
        cr4 |= X86_CR4_SMEP;
    if (boot_cpu_features.smap)
        cr4 |= X86_CR4_SMAP;
    write_cr4(cr4);
    xstate_cpu_init();
    /* The hypervisor is built without FPU/SSE; fault on any stray use. */
    write_cr0(read_cr0() | X86_CR0_TS | X86_CR0_MP | X86_CR0_NE);
}
