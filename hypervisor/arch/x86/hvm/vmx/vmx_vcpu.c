/*
 * VT-x vCPUs: a VMCS each, set up from the controls vmx_detect chose and
 * started as PVH says (32-bit protected mode, paging off, flat segments,
 * which unrestricted guest allows without emulation), and the trip through
 * VMLAUNCH/VMRESUME that turns the VMCS's exit into struct hvm_exit.
 *
 * Every port and MSR access exits (no I/O or MSR bitmaps), as do CPUID,
 * HLT, VMCALL, the VMX instructions, XSETBV, INVD, GETSEC, MONITOR/MWAIT,
 * task switches, triple faults, INIT/SIPI, external interrupts and NMIs.
 * The guest owns CR0 and CR4 except the bits VMX operation fixes (NE,
 * VMXE) and CR0.CD/NW, which VM entry does not load: those read as the
 * guest wrote them (the read shadows) and a write that changes them exits.
 *
 * A VMCS is current on one CPU at a time: it is loaded (VMPTRLD) at the
 * vCPU's first run on a CPU and cleared (VMCLEAR) when the scheduler takes
 * the vCPU off that CPU, so it can be launched afresh anywhere next. A
 * load also flushes this CPU's EPT and VPID translations: every vCPU has
 * VPID 1, as every SVM guest has ASID 1, and what an earlier guest left in
 * the TLB goes with that flush.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/layout.h>
#include <asm/paging.h>
#include <asm/percpu.h>
#include <asm/pv.h>
#include <asm/x86-defs.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/format.h>
#include <tessera/heap.h>
#include <tessera/log.h>
#include <tessera/string.h>
#include "vmx.h"

/* 0 after a VM exit; 1 VMfailValid (VM_INSTRUCTION_ERROR says why), 2 VMfailInvalid. */
int vmx_enter(struct hvm_regs *regs, uint64_t launched);

#define X86_CR0_ET (1u << 4)
#define X86_CR0_NW (1u << 29)
#define X86_CR0_CD (1u << 30)
/* Xen 4.17's first PAT for a PVH vCPU, as the SVM backend gives (svm_vcpu.c). */
#define PAT_START 0x0000050100070406ull
#define EFER_LMA  (1ull << 10)
#define RFLAGS_IF (1u << 9)
#define NO_CPU    (~0u)

struct vmx_vcpu {
    void *vmcs;
    uint64_t vmcs_pa;
    unsigned cpu;               /* where the VMCS is current (loaded), NO_CPU: cleared */
    bool launched;              /* VMLAUNCH done since the last VMCLEAR */
    uint64_t cr2;               /* not in the VMCS: switched by hand around each run */
    uint64_t kernel_gs_base;    /* neither (SWAPGS reaches it) */
    uint64_t star, lstar, cstar, sfmask;    /* nor the SYSCALL MSRs: switched the same way */
    uint64_t exit_rip;          /* RIP at the last exit, to see whether it was stepped */
    uint64_t cr0_mask, cr4_mask;
    int pending_vector;         /* an external interrupt to inject when the guest allows, or -1 */
    char failure[96];           /* a refused VM entry, named for the crash report */
};

static struct vmx_vcpu *vmx_of(struct vcpu *v)
{
    return v->arch->hvm->backend;
}

/* SVM's packed attribute form (common code's) from VMX access rights and back. */
static uint64_t ar_to_packed(uint64_t ar)
{
    return (ar & 0xFF) | ((ar >> 4) & 0xF00);
}

static void guest_segment(unsigned n, uint16_t sel, uint32_t limit, uint32_t ar)
{
    vmwrite(GUEST_SEG_SELECTOR(n), sel);
    vmwrite(GUEST_SEG_BASE(n), 0);
    vmwrite(GUEST_SEG_LIMIT(n), limit);
    vmwrite(GUEST_SEG_AR(n), ar);
}

static uint64_t guest_cr0(uint64_t value)
{
    return vmx_cr_fix(value, vmx_caps.cr0_fixed0, vmx_caps.cr0_fixed1,
                      X86_CR0_PE | X86_CR0_PG);
}

static uint64_t guest_cr4(uint64_t value)
{
    return vmx_cr_fix(value, vmx_caps.cr4_fixed0, vmx_caps.cr4_fixed1, 0);
}

/* The VMCS (current on this CPU) as PVH starts a vCPU; false if a write was refused. */
static bool vmcs_init(struct vmx_vcpu *x, uint64_t npt_root)
{
    bool ok = true;

    ok &= vmwrite(PIN_BASED_CONTROLS, vmx_caps.pin);
    ok &= vmwrite(PROC_BASED_CONTROLS, vmx_caps.proc);
    ok &= vmwrite(PROC_BASED_CONTROLS2, vmx_caps.proc2);
    ok &= vmwrite(EXIT_CONTROLS, vmx_caps.exit);
    ok &= vmwrite(ENTRY_CONTROLS, vmx_caps.entry);
    ok &= vmwrite(EXCEPTION_BITMAP, 0);
    ok &= vmwrite(CR3_TARGET_COUNT, 0);
    ok &= vmwrite(EXIT_MSR_STORE_COUNT, 0);
    ok &= vmwrite(EXIT_MSR_LOAD_COUNT, 0);
    ok &= vmwrite(ENTRY_MSR_LOAD_COUNT, 0);
    ok &= vmwrite(ENTRY_INTR_INFO, 0);
    ok &= vmwrite(EPT_POINTER, npt_root | EPTP_WB_WALK4);
    if (vmx_caps.vpid)
        ok &= vmwrite(VPID, 1);
    ok &= vmwrite(VMCS_LINK_POINTER, ~0ull);

    /*
     * CD and NW too: VM entry leaves them as the CPU has them (the host's;
     * under Bochs the firmware leaves both set), so the guest reads its own
     * from the shadow instead, and a change of them exits.
     */
    x->cr0_mask = vmx_cr_host_owned(vmx_caps.cr0_fixed0, vmx_caps.cr0_fixed1,
                                    X86_CR0_PE | X86_CR0_PG) | X86_CR0_CD | X86_CR0_NW;
    x->cr4_mask = vmx_cr_host_owned(vmx_caps.cr4_fixed0, vmx_caps.cr4_fixed1, 0);
    ok &= vmwrite(CR0_GUEST_HOST_MASK, x->cr0_mask);
    ok &= vmwrite(CR4_GUEST_HOST_MASK, x->cr4_mask);
    ok &= vmwrite(CR0_READ_SHADOW, X86_CR0_PE | X86_CR0_ET);
    ok &= vmwrite(CR4_READ_SHADOW, 0);
    ok &= vmwrite(GUEST_CR0, guest_cr0(X86_CR0_PE | X86_CR0_ET));
    ok &= vmwrite(GUEST_CR3, 0);
    ok &= vmwrite(GUEST_CR4, guest_cr4(0));

    /* Flat 32-bit code (0x08) and data (0x10), 4 KiB granules; a busy TSS; no LDT. */
    guest_segment(SEG_CS, 0x08, 0xFFFFFFFF, 0xC09B);
    guest_segment(SEG_ES, 0x10, 0xFFFFFFFF, 0xC093);
    guest_segment(SEG_SS, 0x10, 0xFFFFFFFF, 0xC093);
    guest_segment(SEG_DS, 0x10, 0xFFFFFFFF, 0xC093);
    guest_segment(SEG_FS, 0x10, 0xFFFFFFFF, 0xC093);
    guest_segment(SEG_GS, 0x10, 0xFFFFFFFF, 0xC093);
    guest_segment(SEG_TR, 0, 0x67, 0x8B);
    guest_segment(SEG_LDTR, 0, 0xFFFF, VMX_AR_UNUSABLE);
    ok &= vmwrite(GUEST_GDTR_BASE, 0);
    ok &= vmwrite(GUEST_GDTR_LIMIT, 0xFFFF);
    ok &= vmwrite(GUEST_IDTR_BASE, 0);
    ok &= vmwrite(GUEST_IDTR_LIMIT, 0xFFFF);
    ok &= vmwrite(GUEST_DR7, 0x400);
    ok &= vmwrite(GUEST_IA32_DEBUGCTL, 0);
    ok &= vmwrite(GUEST_IA32_PAT, PAT_START);
    ok &= vmwrite(GUEST_IA32_EFER, 0);
    ok &= vmwrite(GUEST_SYSENTER_CS, 0);
    ok &= vmwrite(GUEST_SYSENTER_ESP, 0);
    ok &= vmwrite(GUEST_SYSENTER_EIP, 0);
    ok &= vmwrite(GUEST_INTERRUPTIBILITY, 0);
    ok &= vmwrite(GUEST_ACTIVITY_STATE, 0);
    ok &= vmwrite(GUEST_PENDING_DBG, 0);
    ok &= vmwrite(GUEST_RFLAGS, 0x2);

    /* The host state that never changes; the rest is written before each entry. */
    ok &= vmwrite(HOST_CS_SELECTOR, HV_CS);
    ok &= vmwrite(HOST_SS_SELECTOR, HV_DS);
    ok &= vmwrite(HOST_DS_SELECTOR, 0);
    ok &= vmwrite(HOST_ES_SELECTOR, 0);
    ok &= vmwrite(HOST_FS_SELECTOR, 0);
    ok &= vmwrite(HOST_GS_SELECTOR, 0);
    ok &= vmwrite(HOST_TR_SELECTOR, HV_TSS);
    return ok;
}

/* Make x's VMCS current here: loaded if it was cleared, the translations flushed. */
static bool vmcs_load(struct vmx_vcpu *x)
{
    unsigned cpu = this_cpu()->index;
    struct vmx_cpu *c = &vmx_cpus[cpu];

    if (x->cpu == cpu && c->current_vmcs == x->vmcs_pa)
        return true;
    if (!vmptrld(x->vmcs_pa))
        return false;
    if (x->cpu != cpu)
        vmx_flush_all_contexts(vmx_caps.vpid);
    x->cpu = cpu;
    c->current_vmcs = x->vmcs_pa;
    return true;
}

static void vmcs_clear(struct vmx_vcpu *x)
{
    if (x->cpu == NO_CPU)
        return;
    vmclear(x->vmcs_pa);
    if (vmx_cpus[x->cpu].current_vmcs == x->vmcs_pa)
        vmx_cpus[x->cpu].current_vmcs = 0;
    x->cpu = NO_CPU;
    x->launched = false;
}

static int vmx_vcpu_create(struct vcpu *v, uint64_t npt_root)
{
    struct vmx_vcpu *x = xzalloc(sizeof(*x));
    uint32_t *vmcs = xmalloc_aligned(PAGE_SIZE, PAGE_SIZE);
    if (!x || !vmcs) {
        xfree(x);
        xfree(vmcs);
        return -ENOMEM;
    }
    memset(vmcs, 0, PAGE_SIZE);
    vmcs[0] = vmx_caps.revision;
    x->vmcs = vmcs;
    x->pending_vector = -1;
    x->vmcs_pa = virt_to_phys(vmcs);
    x->cpu = NO_CPU;

    /* Set up here and cleared again: the vCPU may first run on another CPU. */
    uint64_t flags = read_rflags();
    irq_disable();
    uint64_t before = vmx_cpus[this_cpu()->index].current_vmcs;
    bool ok = vmclear(x->vmcs_pa) && vmptrld(x->vmcs_pa) && vmcs_init(x, npt_root);
    vmclear(x->vmcs_pa);
    if (before)
        vmptrld(before);        /* what this CPU was running keeps its VMCS current */
    if (flags & RFLAGS_IF)
        irq_enable();
    if (!ok) {
        xfree(vmcs);
        xfree(x);
        return -EIO;
    }
    v->arch->hvm->backend = x;
    v->arch->hvm->backend_pa = x->vmcs_pa;
    return 0;
}

static void vmx_vcpu_destroy(struct vcpu *v)
{
    struct vmx_vcpu *x = vmx_of(v);
    if (!x)
        return;
    /* Off every CPU by now (the scheduler switched it out), so never current anywhere. */
    if (x->cpu == this_cpu()->index)
        vmcs_clear(x);
    xfree(x->vmcs);
    xfree(x);
    v->arch->hvm->backend = NULL;
}

static void vmx_vcpu_switch_out(struct vcpu *v)
{
    vmcs_clear(vmx_of(v));
}

/* Host state that may differ between CPUs and between runs. */
static void host_state(void)
{
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdtr, idtr;
    __asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
    vmwrite(HOST_CR0, read_cr0());
    vmwrite(HOST_CR3, read_cr3());
    vmwrite(HOST_CR4, read_cr4());
    vmwrite(HOST_FS_BASE, rdmsr(MSR_FS_BASE));
    vmwrite(HOST_GS_BASE, rdmsr(MSR_GS_BASE));
    vmwrite(HOST_TR_BASE, (uint64_t)(uintptr_t)&this_cpu()->tss);
    vmwrite(HOST_GDTR_BASE, gdtr.base);
    vmwrite(HOST_IDTR_BASE, idtr.base);
    vmwrite(HOST_SYSENTER_CS, rdmsr(MSR_IA32_SYSENTER_CS));
    vmwrite(HOST_SYSENTER_ESP, rdmsr(MSR_IA32_SYSENTER_ESP));
    vmwrite(HOST_SYSENTER_EIP, rdmsr(MSR_IA32_SYSENTER_EIP));
    vmwrite(HOST_IA32_EFER, rdmsr(MSR_EFER));
    vmwrite(HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
}

static const char *exit_name(uint32_t reason)
{
    static const char *const names[] = {
        [VMX_EXIT_EXCEPTION_NMI] = "exception or NMI",
        [VMX_EXIT_EXTERNAL_INTERRUPT] = "external interrupt",
        [VMX_EXIT_TRIPLE_FAULT] = "triple fault", [VMX_EXIT_INIT] = "INIT",
        [VMX_EXIT_SIPI] = "SIPI", [VMX_EXIT_INTERRUPT_WINDOW] = "interrupt window",
        [VMX_EXIT_NMI_WINDOW] = "NMI window", [VMX_EXIT_TASK_SWITCH] = "task switch",
        [VMX_EXIT_CPUID] = "CPUID", [VMX_EXIT_GETSEC] = "GETSEC", [VMX_EXIT_HLT] = "HLT",
        [VMX_EXIT_INVD] = "INVD", [VMX_EXIT_INVLPG] = "INVLPG", [VMX_EXIT_RDPMC] = "RDPMC",
        [VMX_EXIT_RDTSC] = "RDTSC", [VMX_EXIT_RSM] = "RSM", [VMX_EXIT_VMCALL] = "VMCALL",
        [VMX_EXIT_VMCLEAR] = "VMCLEAR", [VMX_EXIT_VMLAUNCH] = "VMLAUNCH",
        [VMX_EXIT_VMPTRLD] = "VMPTRLD", [VMX_EXIT_VMPTRST] = "VMPTRST",
        [VMX_EXIT_VMREAD] = "VMREAD", [VMX_EXIT_VMRESUME] = "VMRESUME",
        [VMX_EXIT_VMWRITE] = "VMWRITE", [VMX_EXIT_VMXOFF] = "VMXOFF",
        [VMX_EXIT_VMXON] = "VMXON", [VMX_EXIT_CR_ACCESS] = "control-register access",
        [VMX_EXIT_DR_ACCESS] = "debug-register access", [VMX_EXIT_IO] = "I/O",
        [VMX_EXIT_RDMSR] = "RDMSR", [VMX_EXIT_WRMSR] = "WRMSR",
        [VMX_EXIT_BAD_GUEST_STATE] = "VM entry refused: invalid guest state",
        [VMX_EXIT_MSR_LOADING] = "VM entry refused: MSR loading",
        [VMX_EXIT_MWAIT] = "MWAIT", [VMX_EXIT_MTF] = "monitor trap flag",
        [VMX_EXIT_MONITOR] = "MONITOR", [VMX_EXIT_PAUSE] = "PAUSE",
        [VMX_EXIT_MACHINE_CHECK] = "VM entry refused: machine check",
        [VMX_EXIT_EPT_VIOLATION] = "EPT violation",
        [VMX_EXIT_EPT_MISCONFIG] = "EPT misconfiguration", [VMX_EXIT_INVEPT] = "INVEPT",
        [VMX_EXIT_RDTSCP] = "RDTSCP", [VMX_EXIT_PREEMPTION_TIMER] = "preemption timer",
        [VMX_EXIT_INVVPID] = "INVVPID", [VMX_EXIT_WBINVD] = "WBINVD",
        [VMX_EXIT_XSETBV] = "XSETBV", [VMX_EXIT_RDRAND] = "RDRAND",
        [VMX_EXIT_INVPCID] = "INVPCID", [VMX_EXIT_VMFUNC] = "VMFUNC",
        [VMX_EXIT_RDSEED] = "RDSEED",
    };
    if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
        return names[reason];
    return "unnamed";
}

/* The SDM's VM-instruction error numbers a VMLAUNCH/VMRESUME can end with. */
static const char *instruction_error_name(uint64_t error)
{
    switch (error) {
    case 4: return "VMLAUNCH with a VMCS not clear";
    case 5: return "VMRESUME with a VMCS not launched";
    case 7: return "invalid control fields";
    case 8: return "invalid host-state fields";
    case 26: return "events blocked by MOV SS";
    default: return "other";
    }
}

/* A general register by its number in instruction encodings (RAX, RCX, RDX, RBX, RSP, ...). */
static uint64_t gpr(const struct hvm_regs *r, unsigned n)
{
    const uint64_t by_number[16] = { r->rax, r->rcx, r->rdx, r->rbx, r->rsp, r->rbp, r->rsi,
                                     r->rdi, r->r8, r->r9, r->r10, r->r11, r->r12, r->r13,
                                     r->r14, r->r15 };
    return by_number[n & 15];
}

static void decode_exit(const struct hvm_regs *r, struct hvm_exit *e)
{
    uint32_t reason = (uint32_t)vmread(EXIT_REASON);
    uint32_t basic = reason & 0xFFFF;
    uint64_t next_rip = r->rip + vmread(EXIT_INSTRUCTION_LEN);

    *e = (struct hvm_exit){ .code = reason, .name = exit_name(basic) };
    if (reason & VMX_EXIT_ENTRY_FAILED) {
        e->reason = HVM_EXIT_OTHER;
        return;
    }
    switch (basic) {
    case VMX_EXIT_EXCEPTION_NMI:
        /* Only NMIs exit here (no exception is intercepted): the host's, given back to it. */
        if (((vmread(EXIT_INTR_INFO) >> INTR_TYPE_SHIFT) & 7) == INTR_TYPE_NMI) {
            __asm__ volatile("int $2");
            e->reason = HVM_EXIT_NONE;
        } else {
            e->reason = HVM_EXIT_OTHER;
        }
        break;
    case VMX_EXIT_EXTERNAL_INTERRUPT:
        e->reason = HVM_EXIT_NONE;      /* still pending at the host's APIC: taken on STI */
        break;
    case VMX_EXIT_INTERRUPT_WINDOW:
        e->reason = HVM_EXIT_NONE;      /* the next entry injects the pending interrupt */
        break;
    case VMX_EXIT_CPUID:
        e->reason = HVM_EXIT_CPUID;
        e->next_rip = next_rip;
        break;
    case VMX_EXIT_HLT:
        e->reason = HVM_EXIT_HLT;
        e->next_rip = next_rip;
        break;
    case VMX_EXIT_VMCALL:
        e->reason = HVM_EXIT_HYPERCALL;
        e->next_rip = next_rip;
        break;
    case VMX_EXIT_RDMSR:
    case VMX_EXIT_WRMSR:
        e->reason = basic == VMX_EXIT_WRMSR ? HVM_EXIT_MSR_WRITE : HVM_EXIT_MSR_READ;
        e->next_rip = next_rip;
        break;
    case VMX_EXIT_IO: {
        uint64_t q = vmread(EXIT_QUALIFICATION);
        e->reason = HVM_EXIT_IO;
        e->port = (uint16_t)(q >> IO_QUAL_PORT_SHIFT);
        e->in = q & IO_QUAL_IN;
        e->string = q & IO_QUAL_STRING;
        e->rep = q & IO_QUAL_REP;
        e->size = (uint8_t)((q & IO_QUAL_SIZE_MASK) + 1);
        e->next_rip = next_rip;
        break;
    }
    case VMX_EXIT_EPT_VIOLATION:
        e->reason = HVM_EXIT_NPF;
        e->error = vmread(EXIT_QUALIFICATION);     /* bit 1: a write, as NPF's error code */
        e->gpa = vmread(GUEST_PHYSICAL_ADDRESS);
        break;
    case VMX_EXIT_TRIPLE_FAULT:
        e->reason = HVM_EXIT_SHUTDOWN;
        break;
    case VMX_EXIT_CR_ACCESS: {
        /* Only a mov to CR0/CR4 changing a host-owned bit exits (no CR3 or CR8 exiting). */
        uint64_t q = vmread(EXIT_QUALIFICATION);
        if (CR_QUAL_TYPE(q) != 0) {
            e->reason = HVM_EXIT_OTHER;
            break;
        }
        e->reason = HVM_EXIT_CR_WRITE;
        e->cr = (uint8_t)CR_QUAL_NUMBER(q);
        e->value = gpr(r, CR_QUAL_GPR(q));
        e->next_rip = next_rip;
        break;
    }
    default:
        e->reason = HVM_EXIT_OTHER;
        break;
    }
}

/* An event the exit interrupted (delivery hit an EPT violation, say) goes in again. */
static void requeue_interrupted_event(void)
{
    uint32_t info = (uint32_t)vmread(IDT_VECTORING_INFO);
    if (!(info & INTR_INFO_VALID)) {
        vmwrite(ENTRY_INTR_INFO, 0);
        return;
    }
    vmwrite(ENTRY_INTR_INFO, info & ~(1u << 12));      /* bit 12 is undefined on entry */
    if (info & INTR_INFO_ERROR_VALID)
        vmwrite(ENTRY_EXCEPTION_ERROR_CODE, vmread(IDT_VECTORING_ERROR_CODE));
    uint32_t type = (info >> INTR_TYPE_SHIFT) & 7;
    if (type == INTR_TYPE_SW_INTERRUPT || type == INTR_TYPE_SW_EXCEPTION || type == 5)
        vmwrite(ENTRY_INSTRUCTION_LEN, vmread(EXIT_INSTRUCTION_LEN));
}

static void entry_refused(struct vmx_vcpu *x, int rc, struct hvm_exit *e)
{
    uint64_t error = rc == 1 ? vmread(VM_INSTRUCTION_ERROR) : 0;
    if (rc == 1)
        format(x->failure, sizeof(x->failure), "%s refused, VM-instruction error %lu (%s)",
               x->launched ? "VMRESUME" : "VMLAUNCH", (unsigned long)error,
               instruction_error_name(error));
    else
        format(x->failure, sizeof(x->failure), "%s refused: no current VMCS",
               x->launched ? "VMRESUME" : "VMLAUNCH");
    *e = (struct hvm_exit){ .reason = HVM_EXIT_OTHER, .code = error, .name = x->failure };
}

#define MSR_STAR   0xC0000081u
#define MSR_LSTAR  0xC0000082u
#define MSR_CSTAR  0xC0000083u
#define MSR_SFMASK 0xC0000084u
static const uint32_t syscall_msrs[4] = { MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK };

static bool canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/*
 * The MSRs SVM leaves to the guest's VMCB, intercepted here (no MSR
 * bitmap): the segment bases and SYSENTER in the VMCS, KernelGSBase and
 * the SYSCALL set in struct vmx_vcpu, put on the CPU around each entry.
 * Addresses must be canonical and SFMASK's upper half is reserved: #GP, as
 * the CPU's own WRMSR checks (and VM entry would refuse a bad base).
 */
static int vmx_guest_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    struct vmx_vcpu *x = vmx_of(v);
    switch (msr) {
    case MSR_FS_BASE:           *val = vmread(GUEST_FS_BASE); return 0;
    case MSR_GS_BASE:           *val = vmread(GUEST_GS_BASE); return 0;
    case MSR_KERNEL_GS_BASE:    *val = x->kernel_gs_base; return 0;
    case MSR_STAR:              *val = x->star; return 0;
    case MSR_LSTAR:             *val = x->lstar; return 0;
    case MSR_CSTAR:             *val = x->cstar; return 0;
    case MSR_SFMASK:            *val = x->sfmask; return 0;
    case MSR_IA32_SYSENTER_CS:  *val = vmread(GUEST_SYSENTER_CS); return 0;
    case MSR_IA32_SYSENTER_ESP: *val = vmread(GUEST_SYSENTER_ESP); return 0;
    case MSR_IA32_SYSENTER_EIP: *val = vmread(GUEST_SYSENTER_EIP); return 0;
    }
    return -2;
}

static int vmx_guest_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    struct vmx_vcpu *x = vmx_of(v);
    switch (msr) {
    case MSR_STAR:
        x->star = val;
        return 0;
    case MSR_SFMASK:
        if (val >> 32)
            return -1;
        x->sfmask = val;
        return 0;
    case MSR_IA32_SYSENTER_CS:
        vmwrite(GUEST_SYSENTER_CS, val & 0xFFFFFFFFull);
        return 0;
    case MSR_FS_BASE: case MSR_GS_BASE: case MSR_KERNEL_GS_BASE:
    case MSR_LSTAR: case MSR_CSTAR: case MSR_IA32_SYSENTER_ESP: case MSR_IA32_SYSENTER_EIP:
        break;
    default:
        return -2;
    }
    if (!canonical(val))
        return -1;
    switch (msr) {
    case MSR_FS_BASE:           vmwrite(GUEST_FS_BASE, val); break;
    case MSR_GS_BASE:           vmwrite(GUEST_GS_BASE, val); break;
    case MSR_KERNEL_GS_BASE:    x->kernel_gs_base = val; break;
    case MSR_LSTAR:             x->lstar = val; break;
    case MSR_CSTAR:             x->cstar = val; break;
    case MSR_IA32_SYSENTER_ESP: vmwrite(GUEST_SYSENTER_ESP, val); break;
    default:                    vmwrite(GUEST_SYSENTER_EIP, val); break;
    }
    return 0;
}

/*
 * The interrupt common code asked for: injected by this entry if the guest
 * can take it now (RFLAGS.IF, no STI or MOV SS blocking, no other event
 * being delivered), else the entry asks for an exit as soon as it can
 * (interrupt-window exiting), and the next entry injects it.
 */
static void inject_pending_interrupt(struct vmx_vcpu *x, const struct hvm_regs *r)
{
    uint32_t proc = (uint32_t)vmread(PROC_BASED_CONTROLS);
    bool window = false;

    if (x->pending_vector >= 0) {
        bool blocked = !(r->rflags & (1u << 9)) ||
                       (vmread(GUEST_INTERRUPTIBILITY) &
                        (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) ||
                       (vmread(ENTRY_INTR_INFO) & INTR_INFO_VALID);
        if (blocked) {
            window = true;
        } else {
            vmwrite(ENTRY_INTR_INFO, (uint32_t)x->pending_vector | INTR_INFO_VALID);  /* type 0 */
            x->pending_vector = -1;
        }
    }
    if (window != !!(proc & PROC_INTR_WINDOW_EXITING))
        vmwrite(PROC_BASED_CONTROLS, window ? proc | PROC_INTR_WINDOW_EXITING
                                            : proc & ~PROC_INTR_WINDOW_EXITING);
}

static void vmx_run(struct vcpu *v, struct hvm_regs *r, struct hvm_exit *e)
{
    struct vmx_vcpu *x = vmx_of(v);
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdtr, idtr;

    if (!vmcs_load(x)) {
        format(x->failure, sizeof(x->failure), "VMPTRLD refused the VMCS");
        *e = (struct hvm_exit){ .reason = HVM_EXIT_OTHER, .name = x->failure };
        return;
    }
    host_state();
    if (r->rip != x->exit_rip) {
        /* Stepped over the instruction that exited: an STI or MOV SS before it is past. */
        uint64_t i = vmread(GUEST_INTERRUPTIBILITY);
        if (i & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
            vmwrite(GUEST_INTERRUPTIBILITY, i & ~(uint64_t)(INTERRUPTIBILITY_STI |
                                                         INTERRUPTIBILITY_MOV_SS));
    }
    vmwrite(GUEST_RSP, r->rsp);
    vmwrite(GUEST_RIP, r->rip);
    vmwrite(GUEST_RFLAGS, r->rflags);
    inject_pending_interrupt(x, r);

    /*
     * What VM entry and exit leave alone: CR2 and KernelGSBase are switched
     * here; the exit sets the GDT and IDT limits to 0xFFFF, so they are
     * loaded again (a PV guest's selector past the GDT must still fault).
     */
    __asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
    uint64_t host_kgs = rdmsr(MSR_KERNEL_GS_BASE);
    uint64_t host_syscall[4];
    for (unsigned i = 0; i < 4; i++)
        host_syscall[i] = rdmsr(syscall_msrs[i]);
    wrmsr(MSR_KERNEL_GS_BASE, x->kernel_gs_base);
    wrmsr(MSR_STAR, x->star);
    wrmsr(MSR_LSTAR, x->lstar);
    wrmsr(MSR_CSTAR, x->cstar);
    wrmsr(MSR_SFMASK, x->sfmask);
    write_cr2(x->cr2);
    int rc = vmx_enter(r, x->launched);
    x->cr2 = read_cr2();
    x->kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE);
    wrmsr(MSR_KERNEL_GS_BASE, host_kgs);
    for (unsigned i = 0; i < 4; i++)
        wrmsr(syscall_msrs[i], host_syscall[i]);    /* the guest's never change without an exit */
    __asm__ volatile("lgdt %0; lidt %1" :: "m"(gdtr), "m"(idtr));

    if (rc) {
        entry_refused(x, rc, e);
        return;
    }
    x->launched = true;
    r->rsp = vmread(GUEST_RSP);
    r->rip = x->exit_rip = vmread(GUEST_RIP);
    r->rflags = vmread(GUEST_RFLAGS);
    decode_exit(r, e);
    requeue_interrupted_event();
}

/* CR0/CR4 as the guest sees them: its own bits, and the read shadow's where the host owns them. */
static uint64_t shadowed(enum vmcs_field cr, enum vmcs_field shadow, uint64_t mask)
{
    return (vmread(cr) & ~mask) | (vmread(shadow) & mask);
}

static uint64_t vmx_ctl_read(struct vcpu *v, enum hvm_ctl what)
{
    struct vmx_vcpu *x = vmx_of(v);
    switch (what) {
    case HVM_CTL_CR0: return shadowed(GUEST_CR0, CR0_READ_SHADOW, x->cr0_mask);
    case HVM_CTL_CR2: return x->cr2;
    case HVM_CTL_CR3: return vmread(GUEST_CR3);
    case HVM_CTL_CR4: return shadowed(GUEST_CR4, CR4_READ_SHADOW, x->cr4_mask);
    case HVM_CTL_EFER: return vmread(GUEST_IA32_EFER);
    case HVM_CTL_PAT: return vmread(GUEST_IA32_PAT);
    case HVM_CTL_CPL: return (vmread(GUEST_SS_AR) >> 5) & 3;
    case HVM_CTL_CS_BASE: return vmread(GUEST_CS_BASE);
    case HVM_CTL_CS_ATTR: return ar_to_packed(vmread(GUEST_CS_AR));
    case HVM_CTL_SS_BASE: return vmread(GUEST_SS_BASE);
    case HVM_CTL_DS_BASE: return vmread(GUEST_DS_BASE);
    }
    return 0;
}

static void vmx_ctl_write(struct vcpu *v, enum hvm_ctl what, uint64_t value)
{
    struct vmx_vcpu *x = vmx_of(v);
    switch (what) {
    case HVM_CTL_EFER:
        vmwrite(GUEST_IA32_EFER, value);
        /* The entry control must agree with EFER.LMA (the exit keeps it so). */
        vmwrite(ENTRY_CONTROLS, (vmread(ENTRY_CONTROLS) & ~(uint64_t)ENTRY_IA32E_GUEST) |
                                (value & EFER_LMA ? ENTRY_IA32E_GUEST : 0));
        break;
    case HVM_CTL_PAT: vmwrite(GUEST_IA32_PAT, value); break;
    case HVM_CTL_CR0:
        vmwrite(CR0_READ_SHADOW, value);
        vmwrite(GUEST_CR0, guest_cr0(value));
        break;
    case HVM_CTL_CR3: vmwrite(GUEST_CR3, value); break;
    case HVM_CTL_CR4:
        vmwrite(CR4_READ_SHADOW, value);
        vmwrite(GUEST_CR4, guest_cr4(value));
        break;
    case HVM_CTL_CR2: x->cr2 = value; break;
    default: break;
    }
}

static void vmx_inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error)
{
    /* Real mode delivers no error code (and VM entry refuses one there). */
    if (!(vmx_ctl_read(v, HVM_CTL_CR0) & X86_CR0_PE))
        has_error = false;
    vmwrite(ENTRY_INTR_INFO, (vector & 0xFF) | (INTR_TYPE_HW_EXCEPTION << INTR_TYPE_SHIFT) |
                             INTR_INFO_VALID | (has_error ? INTR_INFO_ERROR_VALID : 0));
    if (has_error)
        vmwrite(ENTRY_EXCEPTION_ERROR_CODE, error);
}

static void vmx_request_interrupt(struct vcpu *v, uint8_t vector)
{
    vmx_of(v)->pending_vector = vector;
}

static bool vmx_interrupt_requested(struct vcpu *v)
{
    return vmx_of(v)->pending_vector >= 0;
}

static void vmx_dump(struct vcpu *v)
{
    struct vmx_vcpu *x = vmx_of(v);
    const struct hvm_regs *r = &v->arch->hvm->regs;
    unsigned d = v->domain->domain_id;

    log_err("d%u v%u: rip %016lx rsp %016lx rflags %016lx cpl %lu\n", d, v->vcpu_id,
            (unsigned long)r->rip, (unsigned long)r->rsp, (unsigned long)r->rflags,
            (unsigned long)vmx_ctl_read(v, HVM_CTL_CPL));
    log_err("d%u v%u: rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", d, v->vcpu_id,
            (unsigned long)r->rax, (unsigned long)r->rbx, (unsigned long)r->rcx,
            (unsigned long)r->rdx);
    log_err("d%u v%u: rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", d, v->vcpu_id,
            (unsigned long)r->rsi, (unsigned long)r->rdi, (unsigned long)r->rbp,
            (unsigned long)r->r8);
    log_err("d%u v%u: cr0 %016lx cr2 %016lx cr3 %016lx cr4 %016lx efer %016lx\n", d, v->vcpu_id,
            (unsigned long)vmx_ctl_read(v, HVM_CTL_CR0), (unsigned long)x->cr2,
            (unsigned long)vmread(GUEST_CR3), (unsigned long)vmx_ctl_read(v, HVM_CTL_CR4),
            (unsigned long)vmread(GUEST_IA32_EFER));
    log_err("d%u v%u: cs %04lx/%05lx base %lx, ss %04lx, exit %#lx qualification %#lx "
            "gpa %#lx vectoring %#lx\n", d, v->vcpu_id,
            (unsigned long)vmread(GUEST_CS_SELECTOR), (unsigned long)vmread(GUEST_CS_AR),
            (unsigned long)vmread(GUEST_CS_BASE), (unsigned long)vmread(GUEST_SS_SELECTOR),
            (unsigned long)vmread(EXIT_REASON), (unsigned long)vmread(EXIT_QUALIFICATION),
            (unsigned long)vmread(GUEST_PHYSICAL_ADDRESS),
            (unsigned long)vmread(IDT_VECTORING_INFO));
}

const struct hvm_ops vmx_ops = {
    .name = "VMX",
    .npt_table_flags = EPT_RWX,
    .npt_page_flags = EPT_RWX | EPT_MEMTYPE_WB,
    .hypercall_insn = { 0x0F, 0x01, 0xC1 },     /* vmcall */
    .detect = vmx_detect,
    .cpu_enable = vmx_cpu_enable,
    .vcpu_create = vmx_vcpu_create,
    .vcpu_destroy = vmx_vcpu_destroy,
    .run = vmx_run,
    .vcpu_switch_out = vmx_vcpu_switch_out,
    .ctl_read = vmx_ctl_read,
    .ctl_write = vmx_ctl_write,
    .request_interrupt = vmx_request_interrupt,
    .guest_msr_read = vmx_guest_msr_read,
    .guest_msr_write = vmx_guest_msr_write,
    .interrupt_requested = vmx_interrupt_requested,
    .inject_exception = vmx_inject_exception,
    .dump = vmx_dump,
};
