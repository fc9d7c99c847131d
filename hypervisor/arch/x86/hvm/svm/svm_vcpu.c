/*
 * SVM vCPUs: a VMCB each, set up to start as PVH says (32-bit protected
 * mode, paging off, flat segments), and the trip through VMRUN that turns
 * the VMCB's exit into the backend-neutral struct hvm_exit.
 *
 * Every I/O port and every MSR is intercepted (one shared all-ones
 * permission map each), as are CPUID, HLT, VMMCALL, the SVM instructions,
 * XSETBV, INVD, MONITOR/MWAIT, task switches, INIT/SMI/NMI/INTR and
 * shutdown. One ASID for all guests and a flush of every ASID's TLB
 * entries on each VMRUN: QEMU's TCG has no flush-by-ASID, and this is
 * correct whatever ran on the CPU before.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/paging.h>
#include <asm/percpu.h>
#include <asm/pv.h>
#include <asm/x86-defs.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/heap.h>
#include <tessera/log.h>
#include <tessera/string.h>
#include "svm.h"
#include "vmcb.h"

void svm_vmrun(uint64_t vmcb_pa, uint64_t host_vmcb_pa, struct hvm_regs *regs);

#define IOPM_SIZE  (12u << 10)
#define MSRPM_SIZE (8u << 10)
#define X86_CR0_ET (1u << 4)
/* A PVH vCPU's first PAT: Xen 4.17's own (WB, WT, UC-, UC, WC, WP, UC, UC), which
 * its PVH dom0 reads before writing one, rather than the architectural reset value. */
#define PAT_START 0x0000050100070406ull

static uint64_t iopm_pa, msrpm_pa;

/*
 * MSRs the VMCB itself holds, so the guest may read and write them without
 * an exit (VMRUN/VMLOAD put them in place, VMSAVE keeps them), as Xen lets
 * an HVM guest: the segment bases and the SYSCALL/SYSENTER set. Linux's
 * PVH entry writes GS_BASE before anything else.
 */
static const uint32_t passthrough_msrs[] = {
    0xC0000100, 0xC0000101, 0xC0000102,             /* FS_BASE, GS_BASE, KERNEL_GS_BASE */
    0xC0000081, 0xC0000082, 0xC0000083, 0xC0000084, /* STAR, LSTAR, CSTAR, SFMASK */
    0x174, 0x175, 0x176,                            /* SYSENTER_CS, _ESP, _EIP */
};

/* Clear an MSR's read and write bits: two bits per MSR, in three 2 KiB
 * ranges (0-0x1FFF, 0xC0000000-0xC0001FFF, 0xC0010000-0xC0011FFF). */
static void msrpm_allow(uint8_t *map, uint32_t msr)
{
    uint32_t index;                 /* the MSR's place counted across the ranges */
    if (msr < 0x2000)
        index = msr;
    else if (msr - 0xC0000000u < 0x2000)
        index = 0x2000 + (msr - 0xC0000000u);
    else
        index = 0x4000 + (msr - 0xC0010000u);
    map[index / 4] &= (uint8_t)~(3u << (index % 4 * 2));
}

/* The permission maps every vCPU shares: every port and every MSR but those
 * above intercepted. */
static int permission_maps(void)
{
    if (iopm_pa)
        return 0;
    void *io = xmalloc_aligned(IOPM_SIZE, PAGE_SIZE);
    void *msr = xmalloc_aligned(MSRPM_SIZE, PAGE_SIZE);
    if (!io || !msr) {
        xfree(io);
        xfree(msr);
        return -ENOMEM;
    }
    memset(io, 0xFF, IOPM_SIZE);
    memset(msr, 0xFF, MSRPM_SIZE);
    for (unsigned i = 0; i < sizeof(passthrough_msrs) / sizeof(passthrough_msrs[0]); i++)
        msrpm_allow(msr, passthrough_msrs[i]);
    msrpm_pa = virt_to_phys(msr);
    __atomic_store_n(&iopm_pa, virt_to_phys(io), __ATOMIC_RELEASE);
    return 0;
}

static struct vmcb *vmcb_of(struct vcpu *v)
{
    return v->arch->hvm->backend;
}

static void flat_segment(struct vmcb_segment *s, uint16_t sel, uint16_t attrib)
{
    *s = (struct vmcb_segment){ .selector = sel, .attrib = attrib, .limit = 0xFFFFFFFF, .base = 0 };
}

/* PVH's start: protected mode, paging off, flat 32-bit code and data. */
static void vmcb_init(struct vmcb *c, uint64_t npt_root)
{
    memset(c, 0, sizeof(*c));
    c->intercept_misc1 = INTERCEPT1_INTR | INTERCEPT1_NMI | INTERCEPT1_SMI | INTERCEPT1_INIT |
                         INTERCEPT1_CPUID | INTERCEPT1_INVD | INTERCEPT1_HLT |
                         INTERCEPT1_INVLPGA | INTERCEPT1_IOIO | INTERCEPT1_MSR |
                         INTERCEPT1_TASK_SWITCH | INTERCEPT1_SHUTDOWN;
    c->intercept_misc2 = INTERCEPT2_VMRUN | INTERCEPT2_VMMCALL | INTERCEPT2_VMLOAD |
                         INTERCEPT2_VMSAVE | INTERCEPT2_STGI | INTERCEPT2_CLGI |
                         INTERCEPT2_SKINIT | INTERCEPT2_ICEBP | INTERCEPT2_MONITOR |
                         INTERCEPT2_MWAIT | INTERCEPT2_XSETBV;
    c->iopm_base_pa = iopm_pa;
    c->msrpm_base_pa = msrpm_pa;
    c->asid = 1;
    c->tlb_control = TLB_CONTROL_FLUSH_ALL;
    c->int_ctl = INT_CTL_V_INTR_MASKING;
    c->nested_ctl = NESTED_CTL_NP_ENABLE;
    c->nested_cr3 = npt_root;

    flat_segment(&c->cs, 0x08, 0xC9B);          /* code, read, accessed, 32-bit, 4 KiB granules */
    flat_segment(&c->ds, 0x10, 0xC93);          /* data, write, accessed */
    c->es = c->ss = c->fs = c->gs = c->ds;
    c->tr = (struct vmcb_segment){ .selector = 0, .attrib = 0x8B, .limit = 0x67, .base = 0 };
    c->ldtr = (struct vmcb_segment){ .selector = 0, .attrib = 0x82, .limit = 0xFFFF, .base = 0 };
    c->gdtr.limit = 0xFFFF;
    c->idtr.limit = 0xFFFF;
    c->cr0 = X86_CR0_PE | X86_CR0_ET;
    c->efer = EFER_SVME;                        /* VMRUN requires it in the guest's EFER */
    c->dr6 = 0xFFFF0FF0;
    c->dr7 = 0x400;
    c->rflags = 0x2;
    c->g_pat = PAT_START;
}

static int svm_vcpu_create(struct vcpu *v, uint64_t npt_root)
{
    int rc = permission_maps();
    if (rc < 0)
        return rc;
    struct vmcb *c = xmalloc_aligned(PAGE_SIZE, PAGE_SIZE);
    if (!c)
        return -ENOMEM;
    vmcb_init(c, npt_root);
    v->arch->hvm->backend = c;
    v->arch->hvm->backend_pa = virt_to_phys(c);
    return 0;
}

static void svm_vcpu_destroy(struct vcpu *v)
{
    xfree(v->arch->hvm->backend);
    v->arch->hvm->backend = NULL;
}

static const char *exit_name(uint64_t code)
{
    static const struct { uint64_t code; const char *name; } names[] = {
        { SVM_EXIT_INTR, "INTR" }, { SVM_EXIT_NMI, "NMI" }, { SVM_EXIT_SMI, "SMI" },
        { SVM_EXIT_INIT, "INIT" }, { SVM_EXIT_CPUID, "CPUID" }, { SVM_EXIT_INVD, "INVD" },
        { SVM_EXIT_HLT, "HLT" }, { SVM_EXIT_INVLPGA, "INVLPGA" }, { SVM_EXIT_IOIO, "IOIO" },
        { SVM_EXIT_MSR, "MSR" }, { SVM_EXIT_TASK_SWITCH, "TASK_SWITCH" },
        { SVM_EXIT_SHUTDOWN, "SHUTDOWN" }, { SVM_EXIT_VMRUN, "VMRUN" },
        { SVM_EXIT_VMMCALL, "VMMCALL" }, { SVM_EXIT_VMLOAD, "VMLOAD" },
        { SVM_EXIT_VMSAVE, "VMSAVE" }, { SVM_EXIT_STGI, "STGI" }, { SVM_EXIT_CLGI, "CLGI" },
        { SVM_EXIT_SKINIT, "SKINIT" }, { SVM_EXIT_ICEBP, "ICEBP" },
        { SVM_EXIT_MONITOR, "MONITOR" }, { SVM_EXIT_MWAIT, "MWAIT" },
        { SVM_EXIT_XSETBV, "XSETBV" }, { SVM_EXIT_NPF, "NPF" },
        { SVM_EXIT_INVALID, "INVALID (VMRUN refused the guest state)" },
    };
    for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].code == code)
            return names[i].name;
    if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32)
        return "exception";
    return "unnamed";
}

static void decode_exit(const struct vmcb *c, struct hvm_exit *e)
{
    *e = (struct hvm_exit){ .code = c->exit_code, .name = exit_name(c->exit_code) };
    switch (c->exit_code) {
    case SVM_EXIT_INTR:
    case SVM_EXIT_NMI:
    case SVM_EXIT_SMI:
        e->reason = HVM_EXIT_NONE;
        break;
    case SVM_EXIT_CPUID:
        e->reason = HVM_EXIT_CPUID;
        break;
    case SVM_EXIT_HLT:
        e->reason = HVM_EXIT_HLT;
        break;
    case SVM_EXIT_VMMCALL:
        e->reason = HVM_EXIT_HYPERCALL;
        break;
    case SVM_EXIT_MSR:
        e->reason = c->exit_info1 ? HVM_EXIT_MSR_WRITE : HVM_EXIT_MSR_READ;
        break;
    case SVM_EXIT_IOIO: {
        uint32_t info = (uint32_t)c->exit_info1;
        e->reason = HVM_EXIT_IO;
        e->port = (uint16_t)(info >> IOIO_PORT_SHIFT);
        e->in = info & IOIO_TYPE_IN;
        e->string = info & IOIO_STR;
        e->rep = info & IOIO_REP;
        e->size = (info >> IOIO_SIZE_SHIFT) & 7;    /* one-hot 1, 2, 4 */
        e->addr_size = (uint8_t)(((info >> IOIO_ADDR_SHIFT) & 7) << 1);    /* 2, 4, 8 */
        e->next_rip = c->exit_info2;                /* given for IOIO even without NRIP save */
        break;
    }
    case SVM_EXIT_NPF:
        e->reason = HVM_EXIT_NPF;
        e->error = c->exit_info1;
        e->gpa = c->exit_info2;
        break;
    case SVM_EXIT_SHUTDOWN:
        e->reason = HVM_EXIT_SHUTDOWN;
        break;
    default:
        e->reason = HVM_EXIT_OTHER;
        break;
    }
}

static void svm_run(struct vcpu *v, struct hvm_regs *r, struct hvm_exit *e)
{
    struct vmcb *c = vmcb_of(v);

    c->rax = r->rax;
    c->rsp = r->rsp;
    c->rip = r->rip;
    c->rflags = r->rflags;
    c->tlb_control = TLB_CONTROL_FLUSH_ALL;
    svm_vmrun(v->arch->hvm->backend_pa, svm_cpus[this_cpu()->index].host_vmcb_pa, r);
    r->rax = c->rax;
    r->rsp = c->rsp;
    r->rip = c->rip;
    r->rflags = c->rflags;
    decode_exit(c, e);
    /* An event the exit interrupted is delivered again on the next entry. */
    if (c->exit_int_info & EVENTINJ_VALID)
        c->event_inj = c->exit_int_info;
    else
        c->event_inj = 0;
}

static uint64_t svm_ctl_read(struct vcpu *v, enum hvm_ctl what)
{
    const struct vmcb *c = vmcb_of(v);
    switch (what) {
    case HVM_CTL_CR0: return c->cr0;
    case HVM_CTL_CR2: return c->cr2;
    case HVM_CTL_CR3: return c->cr3;
    case HVM_CTL_CR4: return c->cr4;
    case HVM_CTL_EFER: return c->efer & ~(uint64_t)EFER_SVME;   /* the guest never sees SVME */
    case HVM_CTL_PAT: return c->g_pat;
    case HVM_CTL_CPL: return c->cpl;
    case HVM_CTL_CS_BASE: return c->cs.base;
    case HVM_CTL_CS_ATTR: return c->cs.attrib;
    case HVM_CTL_SS_BASE: return c->ss.base;
    case HVM_CTL_DS_BASE: return c->ds.base;
    }
    return 0;
}

static void svm_ctl_write(struct vcpu *v, enum hvm_ctl what, uint64_t value)
{
    struct vmcb *c = vmcb_of(v);
    switch (what) {
    case HVM_CTL_EFER: c->efer = value | EFER_SVME; break;
    case HVM_CTL_PAT: c->g_pat = value; break;
    case HVM_CTL_CR0: c->cr0 = value; break;
    case HVM_CTL_CR3: c->cr3 = value; break;
    case HVM_CTL_CR4: c->cr4 = value; break;
    case HVM_CTL_CR2: c->cr2 = value; break;
    default: break;
    }
}

static void svm_inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error)
{
    struct vmcb *c = vmcb_of(v);
    c->event_inj = (vector & 0xFF) | EVENTINJ_TYPE_EXCEPTION | EVENTINJ_VALID |
                   (has_error ? EVENTINJ_ERROR_VALID | ((uint64_t)error << 32) : 0);
}

/* SVM's virtual interrupt: the CPU delivers it through the guest's IDT once
 * RFLAGS.IF is set and no interrupt shadow is on, and clears V_IRQ then. */
static void svm_request_interrupt(struct vcpu *v, uint8_t vector)
{
    struct vmcb *c = vmcb_of(v);
    c->int_ctl = (c->int_ctl & ~INT_CTL_V_INTR_VECTOR_MASK) | INT_CTL_V_IRQ |
                 INT_CTL_V_INTR_PRIO(0xF) | INT_CTL_V_IGN_TPR | INT_CTL_V_INTR_VECTOR(vector);
}

static bool svm_interrupt_requested(struct vcpu *v)
{
    return vmcb_of(v)->int_ctl & INT_CTL_V_IRQ;
}

static void svm_dump(struct vcpu *v)
{
    const struct vmcb *c = vmcb_of(v);
    const struct hvm_regs *r = &v->arch->hvm->regs;
    unsigned d = v->domain->domain_id;

    log_err("d%u v%u: rip %016lx rsp %016lx rflags %016lx cpl %u\n", d, v->vcpu_id,
            (unsigned long)r->rip, (unsigned long)r->rsp, (unsigned long)r->rflags, c->cpl);
    log_err("d%u v%u: rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", d, v->vcpu_id,
            (unsigned long)r->rax, (unsigned long)r->rbx, (unsigned long)r->rcx,
            (unsigned long)r->rdx);
    log_err("d%u v%u: rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", d, v->vcpu_id,
            (unsigned long)r->rsi, (unsigned long)r->rdi, (unsigned long)r->rbp,
            (unsigned long)r->r8);
    log_err("d%u v%u: cr0 %016lx cr2 %016lx cr3 %016lx cr4 %016lx efer %016lx\n", d, v->vcpu_id,
            (unsigned long)c->cr0, (unsigned long)c->cr2, (unsigned long)c->cr3,
            (unsigned long)c->cr4, (unsigned long)c->efer);
    log_err("d%u v%u: cs %04x/%03x base %lx, ss %04x, exit %#lx info1 %#lx info2 %#lx intinfo %#lx\n",
            d, v->vcpu_id, c->cs.selector, c->cs.attrib, (unsigned long)c->cs.base,
            c->ss.selector, (unsigned long)c->exit_code, (unsigned long)c->exit_info1,
            (unsigned long)c->exit_info2, (unsigned long)c->exit_int_info);
}

const struct hvm_ops svm_ops = {
    .name = "SVM",
    /* Guest accesses count as user accesses in the nested tables: U everywhere. */
    .npt_table_flags = PTE_P | PTE_W | PTE_U | PTE_A,
    .npt_page_flags = PTE_P | PTE_W | PTE_U | PTE_A | PTE_D,
    .hypercall_insn = { 0x0F, 0x01, 0xD9 },     /* vmmcall */
    .detect = svm_detect,
    .cpu_enable = svm_cpu_enable,
    .vcpu_create = svm_vcpu_create,
    .vcpu_destroy = svm_vcpu_destroy,
    .run = svm_run,
    .ctl_read = svm_ctl_read,
    .ctl_write = svm_ctl_write,
    .request_interrupt = svm_request_interrupt,
    .interrupt_requested = svm_interrupt_requested,
    .inject_exception = svm_inject_exception,
    .dump = svm_dump,
};
