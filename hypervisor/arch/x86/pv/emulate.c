/*
 * Instructions a PV guest executes that fault in ring 3 and that the
 * hypervisor completes for it: CPUID behind the forced-emulation prefix
 * (the PV view), `int $N` to a vector its virtual IDT opens, reading CR0,
 * CR2, CR3 and CR4 (a CR4 write takes the guest's own bits, pv/cr4.c),
 * xsetbv (pv/xstate.c), the debug registers (pv/debugreg.c), clts, the
 * EFER, segment-base, PLATFORM_INFO and MISC_FEATURES_ENABLES MSRs, and
 * wbinvd for the control domain. Anything
 * else faults in the guest as on hardware. The guest's bytes are copied once
 * and decoded here: a #GP's error code is not trusted to name the vector
 * (QEMU's TCG reports a wrong one for a refused `int $N`).
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/cpufeatures.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>
#include <tessera/string.h>

#define XEN_CPUID_BASE 0x40000000u
#define EFER_LMA_BIT   (1ull << 10)   /* long mode active */
#define MSR_MCG_CAP    0x179u         /* machine check: capabilities (bank count in bits 0-7) */
#define MSR_MCG_STATUS 0x17Au
#define MSR_PLATFORM_INFO         0xCEu    /* bit 31: CPUID faulting available */
#define MSR_MISC_FEATURES_ENABLES 0x140u   /* bit 0: CPUID faulting on */

/*
 * Leaf 0xD as Xen 4.17 shows it to a PV guest: the components offered
 * (x87, SSE, AVX), the largest area for them, XSAVEOPT and XGETBV1 (no
 * XSAVEC, no XSAVES or supervisor state). EBX of subleaf 0, the size for
 * the XCR0 now loaded, is the CPU's: the running vCPU's XCR0 is loaded.
 */
static void xsave_leaf(uint32_t subleaf, struct cpuid_regs *c)
{
    if (subleaf == 0) {
        c->eax = (uint32_t)boot_cpu_features.xstate_mask;
        c->ecx = boot_cpu_features.xsave_size;
        c->edx = 0;
    } else if (subleaf == 1) {
        c->eax &= (1u << 0) | (1u << 2);        /* XSAVEOPT, XGETBV with ECX = 1 */
        c->ebx = c->ecx = c->edx = 0;
    } else if (subleaf >= 64 || !(boot_cpu_features.xstate_mask & (1ull << subleaf))) {
        *c = (struct cpuid_regs){ 0, 0, 0, 0 };
    }
}

/* The PV view of CPUID (also the PV CPU policy a toolstack reads, arch/x86/cpu_policy.c). */
struct cpuid_regs pv_cpuid_leaf(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs c = { 0, 0, 0, 0 };

    if (leaf == XEN_CPUID_BASE) {
        c.eax = XEN_CPUID_BASE + 2;
        memcpy(&c.ebx, "XenV", 4);
        memcpy(&c.ecx, "MMXe", 4);
        memcpy(&c.edx, "nVMM", 4);
    } else if (leaf == XEN_CPUID_BASE + 1) {
        c.eax = (4u << 16) | 17;           /* the Xen interface version we speak */
    } else if (leaf == XEN_CPUID_BASE + 2) {
        c.eax = 1;                         /* hypercall pages */
        c.ebx = XEN_CPUID_BASE;            /* MSR that would fill one */
    } else if (leaf > XEN_CPUID_BASE && leaf < XEN_CPUID_BASE + 0x10000) {
        /* Other hypervisor leaves: nothing. */
    } else {
        c = cpuid_count(leaf, subleaf);
        if (leaf == 1) {
            c.ecx &= ~((1u << 3) | (1u << 5) | (1u << 17) | (1u << 21)); /* MWAIT VMX PCID x2APIC */
            c.ecx |= 1u << 31;                                         /* hypervisor */
            /* Large and global pages are the hypervisor's business (as Xen's PV view). */
            c.edx &= ~((1u << 3) | (1u << 13) | (1u << 17));            /* PSE PGE PSE36 */
        } else if (leaf == 7 && subleaf == 0) {
            /* FSGSBASE as the CPU has it: the guest turns it on in its CR4 (pv/cr4.c). */
            c.ebx &= ~((1u << 7) | (1u << 14) | (1u << 20));             /* SMEP MPX SMAP */
            /* Protection keys need CR4.PKE, which stays off (as Xen's PV view):
             * with XSAVE offered Linux would otherwise use wrpkru and take #UD. */
            c.ecx &= ~((1u << 3) | (1u << 4) | (1u << 16));              /* PKU OSPKE LA57 */
        } else if (leaf == 0xD && boot_cpu_features.xsave) {
            xsave_leaf(subleaf, &c);
        } else if (leaf == 0x80000001) {
            c.ecx &= ~(1u << 2);                                         /* SVM */
            c.edx &= ~(1u << 26);                                        /* 1 GiB pages */
        }
    }
    return c;
}

static void pv_cpuid(uint32_t leaf, uint32_t subleaf, struct cpu_regs *r)
{
    struct cpuid_regs c = pv_cpuid_leaf(leaf, subleaf);
    r->rax = c.eax;
    r->rbx = c.ebx;
    r->rcx = c.ecx;
    r->rdx = c.edx;
}

/* mov from CR0, CR2 (the last page fault's address), CR3, CR4. */
static bool read_cr(struct vcpu *v, unsigned cr, uint64_t *dst)
{
    switch (cr) {
    case 0:
        *dst = PV_GUEST_CR0 | (v->arch->virtual_ts ? X86_CR0_TS : 0);
        return true;
    case 2:
        *dst = v->vcpu_info->arch.cr2;
        return true;
    case 3:
        *dst = v->arch->guest_cr3;
        return true;
    case 4:
        *dst = pv_guest_cr4(v);
        return true;
    default:
        return false;
    }
}

/* mov to CR4: as Xen, the bits a PV guest may not change are kept (FSGSBASE is its own); the write is accepted. */
static bool write_cr(struct vcpu *v, unsigned cr, uint64_t val)
{
    if (cr != 4)
        return false;
    pv_set_guest_cr4(v, val);
    return true;
}

/*
 * The MSRs a PV kernel reads and writes: EFER (read), and the segment
 * bases, which Linux writes with wrmsr from its first instruction on.
 * In kernel mode GS_BASE is the kernel's and the shadow (KERNEL_GS_BASE)
 * the user's, as on hardware after swapgs.
 */
static bool read_msr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    pv_sync_segment_bases(v);       /* the guest may have moved them with wrfsbase/wrgsbase */
    switch (msr) {
    case MSR_EFER:
        /* Long mode as the guest runs it: the features it may rely on, nothing else. */
        *val = rdmsr(MSR_EFER) & (EFER_SCE | EFER_LME | EFER_LMA_BIT | EFER_NXE);
        return true;
    case MSR_FS_BASE:
        *val = v->arch->fs_base;
        return true;
    case MSR_GS_BASE:
        *val = v->arch->gs_base_kernel;
        return true;
    case MSR_KERNEL_GS_BASE:
        *val = v->arch->gs_base_user;
        return true;
    case MSR_MCG_CAP:
    case MSR_MCG_STATUS:
        *val = 0;           /* a virtual machine-check architecture with no banks, no error */
        return true;
    case MSR_PLATFORM_INFO:
    case MSR_MISC_FEATURES_ENABLES:
        *val = 0;           /* no CPUID faulting offered, so none enabled (Xen 4.17's answer here) */
        return true;
    default:
        return false;
    }
}

static bool write_msr(struct vcpu *v, uint32_t msr, uint64_t val)
{
    if (!pv_canonical(val))
        return false;
    switch (msr) {
    case MSR_FS_BASE:
        v->arch->fs_base = val;
        pv_write_base_msr(v, MSR_FS_BASE, val);
        return true;
    case MSR_GS_BASE:
        v->arch->gs_base_kernel = val;
        pv_write_base_msr(v, MSR_GS_BASE, val);
        return true;
    case MSR_KERNEL_GS_BASE:
        v->arch->gs_base_user = val;
        return true;
    case MSR_MCG_STATUS:
        return true;        /* clearing a status that never holds an error */
    case MSR_MISC_FEATURES_ENABLES:
        return val == 0;    /* turning on CPUID faulting, not offered, is a #GP */
    default:
        return false;
    }
}

bool pv_emulate(struct vcpu *v, struct cpu_regs *r, unsigned vector)
{
    uint8_t b[16];
    static const uint8_t forced_cpuid[] = { 0x0F, 0x0B, 'x', 'e', 'n', 0x0F, 0xA2 };

    if (copy_from_guest(b, r->rip, sizeof(b)) < 0)
        return false;
    if (vector == 6) {
        if (memcmp(b, forced_cpuid, sizeof(forced_cpuid)) != 0)
            return false;
        pv_cpuid((uint32_t)r->rax, (uint32_t)r->rcx, r);
        r->rip += sizeof(forced_cpuid);
        return true;
    }

    /* #GP from here on. */
    if (b[0] == 0xCD) {
        const struct pv_trap_entry *t = &v->arch->traps[b[1]];
        unsigned guest_ring = v->arch->kernel_mode ? 1 : 3;
        if (!t->address || (t->flags & TI_DPL_MASK) < guest_ring) {
            /* Refused: #GP naming the vector, as the CPU would. */
            if (!pv_inject_trap(v, 13, true, ((uint32_t)b[1] << 3) | 2, 0))
                pv_domain_crash(v, "int $N refused and no #GP handler");
            return true;
        }
        r->rip += 2;
        if (!pv_inject_trap(v, b[1], false, 0, 0))
            pv_domain_crash(v, "cannot deliver int $N");
        return true;
    }
    /* in, out, cli, sti under the virtual IOPL (user mode too, at IOPL 3). */
    if (pv_emulate_io(v, r, b))
        return true;
    if (b[0] == 0x0F && b[1] == 0x01 && b[2] == 0xD1) {                /* xsetbv */
        /* #UD until the guest's own CR4 has OSXSAVE, as on hardware (and Xen). */
        if (!v->arch->cr4_osxsave) {
            if (!pv_inject_trap(v, 6, false, 0, 0))
                pv_domain_crash(v, "xsetbv refused and no #UD handler");
            return true;
        }
        if (!v->arch->kernel_mode ||
            pv_emulate_xsetbv(v, (uint32_t)r->rcx, ((uint64_t)(uint32_t)r->rdx << 32) |
                                                   (uint32_t)r->rax))
            return false;               /* #GP(0), as the CPU raised it */
        r->rip += 3;
        return true;
    }
    if (!v->arch->kernel_mode)
        return false;
    /* Optional REX prefix, then 0F 20 /r (mov from CRn) or 0F 22 /r (mov to CRn). */
    unsigned i = 0, rex = 0;
    if ((b[0] & 0xF0) == 0x40)
        rex = b[i++];
    /* 0F 21 /r (mov from DRn), 0F 23 /r (mov to DRn): any mod is the register form. */
    if (b[i] == 0x0F && (b[i + 1] == 0x21 || b[i + 1] == 0x23)) {
        unsigned dr = ((b[i + 2] >> 3) & 7) | ((rex & 4) << 1);
        uint64_t *reg = cpu_regs_gpr(r, (b[i + 2] & 7) | ((rex & 1) << 3));
        long rc = b[i + 1] == 0x21 ? pv_get_debugreg(v, dr, reg) : pv_set_debugreg(v, dr, *reg);
        if (rc == -ENODEV) {
            if (!pv_inject_trap(v, 6, false, 0, 0))
                pv_domain_crash(v, "mov %dr raised #UD and no #UD handler");
            return true;
        }
        if (rc)
            return false;   /* #GP(0), as the CPU would raise */
        r->rip += i + 3;
        return true;
    }
    if (b[i] == 0x0F && (b[i + 1] == 0x20 || b[i + 1] == 0x22) && (b[i + 2] >> 6) == 3) {
        unsigned cr = (b[i + 2] >> 3) & 7;
        uint64_t *reg = cpu_regs_gpr(r, (b[i + 2] & 7) | ((rex & 1) << 3));
        if (!(b[i + 1] == 0x20 ? read_cr(v, cr, reg) : write_cr(v, cr, *reg)))
            return false;
        r->rip += i + 3;
        return true;
    }
    if (b[0] == 0x0F && (b[1] == 0x32 || b[1] == 0x30)) {                /* rdmsr, wrmsr */
        uint32_t msr = (uint32_t)r->rcx;
        if (b[1] == 0x32) {
            uint64_t val;
            if (!read_msr(v, msr, &val))
                return false;
            r->rax = (uint32_t)val;
            r->rdx = (uint32_t)(val >> 32);
        } else if (!write_msr(v, msr, ((uint64_t)(uint32_t)r->rdx << 32) | (uint32_t)r->rax)) {
            return false;
        }
        r->rip += 2;
        return true;
    }
    if (b[0] == 0x0F && b[1] == 0x06) {                                 /* clts */
        pv_set_virtual_ts(v, false);
        r->rip += 2;
        return true;
    }
    if (b[0] == 0x0F && b[1] == 0x09 && v->domain->is_privileged) {   /* wbinvd */
        r->rip += 2;
        return true;
    }
    return false;
}
