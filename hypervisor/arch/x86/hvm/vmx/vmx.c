/*
 * Intel VT-x backend: detection on the boot CPU (CPUID, the firmware's
 * IA32_FEATURE_CONTROL, the capability MSRs) and VMXON on every CPU.
 * Guests need EPT and unrestricted guest (PVH starts with paging off, and
 * hvm_realmode goes to real mode): Tessera has no shadow paging and no
 * real-mode emulator. docs/hvm.md.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/paging.h>
#include <asm/percpu.h>
#include <asm/x86-defs.h>
#include <tessera/errno.h>
#include <tessera/heap.h>
#include <tessera/log.h>
#include <tessera/string.h>
#include "vmx.h"

struct vmx_caps vmx_caps;
struct vmx_cpu vmx_cpus[MAX_CPUS];

/* One control field's value, or false (and the log says which bits the CPU lacks). */
static bool control(uint32_t plain_msr, uint32_t want, const char *what, uint32_t *out)
{
    uint32_t missing;
    *out = vmx_ctl_value(rdmsr(vmx_ctl_msr(vmx_caps.basic, plain_msr)), want, &missing);
    if (missing)
        log_info("hvm: VMX without %s controls %#x: not used\n", what, missing);
    return !missing;
}

/* The firmware's lock: VMX outside SMX must be on, or turned on here while unlocked. */
static bool feature_control_allows_vmx(void)
{
    uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
    if (fc & FEATURE_CONTROL_LOCK)
        return fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX;
    wrmsr(MSR_IA32_FEATURE_CONTROL, fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
    return true;
}

bool vmx_detect(void)
{
    if (!(cpuid(1).ecx & CPUID1_ECX_VMX))
        return false;
    if (!feature_control_allows_vmx()) {
        log_info("hvm: VMX turned off by the firmware (IA32_FEATURE_CONTROL locked)\n");
        return false;
    }
    struct vmx_caps *c = &vmx_caps;
    c->basic = rdmsr(MSR_IA32_VMX_BASIC);
    c->revision = VMX_BASIC_REVISION(c->basic);
    c->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
    c->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
    c->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
    c->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);

    /* Every port and MSR access exits (no bitmaps); so do HLT, MONITOR, MWAIT. */
    if (!control(MSR_IA32_VMX_PINBASED_CTLS, PIN_EXTERNAL_INTERRUPT | PIN_NMI_EXITING,
                 "pin-based", &c->pin) ||
        !control(MSR_IA32_VMX_PROCBASED_CTLS, PROC_HLT_EXITING | PROC_MWAIT_EXITING |
                 PROC_UNCOND_IO_EXITING | PROC_MONITOR_EXITING | PROC_SECONDARY,
                 "processor-based", &c->proc) ||
        !control(MSR_IA32_VMX_EXIT_CTLS, EXIT_HOST_64BIT | EXIT_SAVE_PAT | EXIT_LOAD_PAT |
                 EXIT_SAVE_EFER | EXIT_LOAD_EFER, "VM-exit", &c->exit) ||
        !control(MSR_IA32_VMX_ENTRY_CTLS, ENTRY_LOAD_PAT | ENTRY_LOAD_EFER, "VM-entry",
                 &c->entry))
        return false;
    uint32_t missing;
    uint64_t cap2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
    c->proc2 = vmx_ctl_value(cap2, PROC2_EPT | PROC2_UNRESTRICTED, &missing);
    if (missing) {
        log_info("hvm: VMX without %s: not used\n",
                 missing & PROC2_EPT ? "EPT" : "unrestricted guest");
        return false;
    }
    uint64_t ept_cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
    c->vpid = (cap2 >> 32) & PROC2_VPID && !vmx_ept_vpid_missing(ept_cap, true);
    if (c->vpid)
        c->proc2 |= PROC2_VPID;
    const char *lacks = vmx_ept_vpid_missing(ept_cap, c->vpid);
    if (lacks) {
        log_info("hvm: VMX without %s: not used\n", lacks);
        return false;
    }
    log_info("hvm: VMX with EPT and unrestricted guest (revision %#x, %s)\n", c->revision,
             c->vpid ? "VPID" : "no VPID");
    return true;
}

int vmx_cpu_enable(void)
{
    struct vmx_cpu *c = &vmx_cpus[this_cpu()->index];

    if (!(cpuid(1).ecx & CPUID1_ECX_VMX) || !feature_control_allows_vmx())
        return -ENODEV;
    if (!c->vmxon_pa) {
        uint32_t *region = xmalloc_aligned(PAGE_SIZE, PAGE_SIZE);
        if (!region)
            return -ENOMEM;
        memset(region, 0, PAGE_SIZE);
        region[0] = vmx_caps.revision;
        c->vmxon_pa = virt_to_phys(region);
    }
    /* CR0 and CR4 as VMX operation fixes them (CR4.VMXE among them). */
    uint64_t cr0 = read_cr0(), cr4 = read_cr4() | X86_CR4_VMXE;
    if (vmx_cr_fix(cr0, vmx_caps.cr0_fixed0, vmx_caps.cr0_fixed1, 0) != cr0 ||
        vmx_cr_fix(cr4, vmx_caps.cr4_fixed0, vmx_caps.cr4_fixed1, 0) != cr4)
        return -EINVAL;
    write_cr4(cr4);
    bool failed;
    __asm__ volatile("vmxon %1; setbe %0" : "=qm"(failed) : "m"(c->vmxon_pa) : "cc", "memory");
    if (failed) {
        write_cr4(cr4 & ~X86_CR4_VMXE);
        return -EIO;
    }
    c->current_vmcs = 0;
    return 0;
}
