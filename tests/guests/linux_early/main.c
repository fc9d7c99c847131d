/*
 * What Linux's early PV boot (startup_xen, xen_start_kernel,
 * xen_setup_kernel_pagetable, the SMP bring-up) asks of the hypervisor, in
 * one kernel: the PV view of CPUID, control registers read and written by
 * emulation, giving up the domain builder's top-level table, the
 * segment-base MSRs, another vCPU's vcpu_info and runstate area registered
 * before it runs, the user %gs selector, and the boot module (initrd) found
 * by PFN. Every answer is Xen 4.17's (docs/guest-tests.md has the table).
 * Steps are numbered as in that table.
 *
 * The order is not Linux's: the builder's L4 is given up first, because
 * user mode and vCPU bring-up take a reference on whatever L4 start_info
 * names, and a referenced frame can never become writable.
 */
#include "guest.h"
#include <pvabi/elfnote.h>

const char test_title[] = "Linux's early PV boot operations";

/* Like Linux, ask for the initrd by PFN: Xen then leaves it out of the
 * initial mapping and sets SIF_MOD_START_PFN. */
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
__asm__(".pushsection .note.xen, \"a\", @note\n"
        ".balign 4\n"
        ".long 4, 8, " STRINGIFY(XEN_ELFNOTE_MOD_START_PFN) "\n"  /* namesz, descsz, type */
        ".asciz \"Xen\"\n"
        ".quad 1\n"
        ".popsection\n");

#define PAGE_ALIGNED __attribute__((aligned(PAGE_SIZE)))
#define ENTRIES 512

#define MSR_FS_BASE        0xc0000100u
#define MSR_GS_BASE        0xc0000101u
#define MSR_SHADOW_GS_BASE 0xc0000102u

#define CR4_TSD        (1UL << 2)
#define CR4_DE         (1UL << 3)
#define CR4_PAE        (1UL << 5)
#define CR4_MCE        (1UL << 6)
#define CR4_PGE        (1UL << 7)
#define CR4_OSFXSR     (1UL << 9)
#define CR4_OSXMMEXCPT (1UL << 10)
#define CR4_FSGSBASE   (1UL << 16)
#define CR4_OSXSAVE    (1UL << 18)
/* All a PV kernel may see: Xen's own PAE, MCE, OSFXSR, OSXMMEXCPT, and the
 * bits the guest controls (TSD, DE, FSGSBASE, OSXSAVE). */
#define CR4_PV_VISIBLE (CR4_PAE | CR4_MCE | CR4_OSFXSR | CR4_OSXMMEXCPT | \
                        CR4_TSD | CR4_DE | CR4_FSGSBASE | CR4_OSXSAVE)

#define UNMAPPED_ADDR 0x40000000000UL      /* canonical, never mapped here */

static const char *err_name(long rc)
{
    static const struct { long rc; const char *name; } names[] = {
        { 0, "0" }, { -XEN_EPERM, "-EPERM" }, { -XEN_ENOENT, "-ENOENT" },
        { -XEN_EFAULT, "-EFAULT" }, { -XEN_EBUSY, "-EBUSY" }, { -XEN_EEXIST, "-EEXIST" },
        { -XEN_EINVAL, "-EINVAL" }, { -XEN_ENOSYS, "-ENOSYS" }, { -XEN_ENXIO, "-ENXIO" },
    };
    for (unsigned int i = 0; i < ARRAY_SIZE(names); i++)
        if (names[i].rc == rc)
            return names[i].name;
    return "?";
}

/* Log what the hypervisor answered to `what`, and fail unless it is `want`. */
static bool expect(long got, long want, const char *what)
{
    printk("linux_early: %s -> %ld (%s)\n", what, got, err_name(got));
    return CHECK(got == want, "%s: got %ld (%s), want %ld (%s)", what, got, err_name(got),
                 want, err_name(want));
}

/* ---- CPUID: the PV view against the CPU's own ---- */


static struct cpuid_regs raw_cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d)
                     : "0"(leaf), "2"(subleaf));
    return r;
}

enum cpuid_reg { REG_B, REG_C, REG_D };

static uint32_t reg_of(const struct cpuid_regs *r, enum cpuid_reg reg)
{
    return reg == REG_B ? r->b : reg == REG_C ? r->c : r->d;
}

/* What Xen 4.17 does with a bit the CPU has, for a PV initial domain;
 * UNPROVEN: not on the CPU this was proven on, so only printed. */
enum pv_view { HIDDEN, SHOWN, UNPROVEN };

struct feature {
    const char *name;
    uint32_t leaf;
    enum cpuid_reg reg;
    unsigned int bit;
    enum pv_view xen;
};

/*
 * A plain `cpuid` is not intercepted here (QEMU TCG offers Xen no CPUID
 * faulting), so it shows the CPU's own bits: a check applies only to bits
 * the CPU has. SHOWN bits are checked only for the initial domain (a
 * toolstack may hide more from a domU).
 */
static const struct feature features[] = {
    { "PSE",          1, REG_D, 3,  HIDDEN },
    { "MCE",          1, REG_D, 7,  SHOWN },
    { "MTRR",         1, REG_D, 12, SHOWN },
    { "PGE",          1, REG_D, 13, HIDDEN },
    { "MCA",          1, REG_D, 14, SHOWN },
    { "PSE36",        1, REG_D, 17, HIDDEN },
    { "DS",           1, REG_D, 21, UNPROVEN },
    { "ACPI",         1, REG_D, 22, SHOWN },
    { "MONITOR",      1, REG_C, 3,  HIDDEN },
    { "VMX",          1, REG_C, 5,  UNPROVEN },
    { "PCID",         1, REG_C, 17, UNPROVEN },
    { "X2APIC",       1, REG_C, 21, UNPROVEN },
    { "TSC_DEADLINE", 1, REG_C, 24, UNPROVEN },
    /* Xen 4.17 shows it to dom0 and lets it set CR4.FSGSBASE; a hypervisor
     * may leave it out (Linux then uses the MSRs), so it is only printed. */
    { "FSGSBASE",     7, REG_B, 0,  UNPROVEN },
    { "SMEP",         7, REG_B, 7,  HIDDEN },
    { "INVPCID",      7, REG_B, 10, UNPROVEN },
    { "SMAP",         7, REG_B, 20, UNPROVEN },
    { "SVM",          0x80000001, REG_C, 2,  HIDDEN },
    { "PAGE1GB",      0x80000001, REG_D, 26, HIDDEN },
    { "RDTSCP",       0x80000001, REG_D, 27, SHOWN },
};

static void cpuid_view(void)
{
    bool dom0 = guest_start_info->flags & SIF_INITDOMAIN;
    unsigned int hidden = 0, shown = 0, present = 0;
    for (unsigned int i = 0; i < ARRAY_SIZE(features); i++) {
        const struct feature *f = &features[i];
        struct cpuid_regs raw = raw_cpuid(f->leaf, 0), pv = pv_cpuid(f->leaf, 0);
        bool has = reg_of(&raw, f->reg) >> f->bit & 1;
        bool seen = reg_of(&pv, f->reg) >> f->bit & 1;
        printk("linux_early: cpuid %#x %s bit %2u %-12s cpu %u, PV view %u\n", f->leaf,
               f->reg == REG_B ? "ebx" : f->reg == REG_C ? "ecx" : "edx", f->bit, f->name,
               has, seen);
        if (!has)
            continue;
        present++;
        if (f->xen == UNPROVEN) {
            continue;
        } else if (f->xen == HIDDEN) {
            hidden++;
            CHECK(!seen, "cpuid %#x %s: the CPU has it and Xen hides it from PV kernels",
                  f->leaf, f->name);
        } else if (dom0) {
            shown++;
            CHECK(seen, "cpuid %#x %s: the CPU has it and Xen shows it to a PV dom0",
                  f->leaf, f->name);
        }
    }
    printk("linux_early: %u of these bits on this CPU: %u checked hidden, %u checked shown\n",
           present, hidden, shown);
}

/* ---- MSRs ---- */

struct msr_access { uint32_t msr; uint64_t value; };

static void do_rdmsr(void *arg)
{
    struct msr_access *m = arg;
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(m->msr));
    m->value = ((uint64_t)hi << 32) | lo;
}

static void do_wrmsr(void *arg)
{
    const struct msr_access *m = arg;
    __asm__ volatile("wrmsr" : : "c"(m->msr), "a"((uint32_t)m->value),
                     "d"((uint32_t)(m->value >> 32)) : "memory");
}

/* rdmsr; the vector it raised, or -1. */
static int rdmsr_safe(uint32_t msr, uint64_t *value)
{
    struct msr_access m = { .msr = msr };
    struct trap_record rec;
    int v = run_catching(do_rdmsr, &m, &rec);
    *value = m.value;
    return v;
}

static int wrmsr_safe(uint32_t msr, uint64_t value)
{
    struct msr_access m = { .msr = msr, .value = value };
    struct trap_record rec;
    return run_catching(do_wrmsr, &m, &rec);
}

static uint64_t rdmsr_checked(uint32_t msr, const char *name)
{
    uint64_t v = 0;
    int vec = rdmsr_safe(msr, &v);
    CHECK(vec == -1, "rdmsr %s raised vector %d", name, vec);
    return v;
}

static void wrmsr_checked(uint32_t msr, uint64_t value, const char *name)
{
    int vec = wrmsr_safe(msr, value);
    CHECK(vec == -1, "wrmsr %s = %#lx raised vector %d", name, (unsigned long)value, vec);
}

/* ---- 2. control registers ---- */

static unsigned long read_cr2(void)
{
    unsigned long v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

static unsigned long read_cr3(void)
{
    unsigned long v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}

static unsigned long cr4_value;
static void do_read_cr4(void *arg)
{
    (void)arg;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4_value));
}
static void do_write_cr4(void *arg)
{
    __asm__ volatile("mov %0, %%cr4" : : "r"(*(unsigned long *)arg) : "memory");
}

struct probe { volatile const char *addr; char value; };
static void read_probe(void *arg)
{
    struct probe *p = arg;
    p->value = *p->addr;
}

static void control_registers(void)
{
    struct trap_record rec;

    /* %cr2 is emulated: Xen answers with the address of the last #PF it
     * gave us, the same one it put in vcpu_info.arch.cr2. */
    const unsigned long addrs[] = { UNMAPPED_ADDR + 0x123, UNMAPPED_ADDR + 0x5678 };
    for (unsigned int i = 0; i < ARRAY_SIZE(addrs); i++) {
        struct probe p = { .addr = (volatile const char *)addrs[i] };
        int v = run_catching(read_probe, &p, &rec);
        unsigned long cr2 = read_cr2();
        printk("linux_early: #PF at %#lx: vector %d, vcpu_info cr2 %#lx, mov from %%cr2 %#lx\n",
               addrs[i], v, (unsigned long)rec.cr2, cr2);
        CHECK(v == 14 && rec.cr2 == addrs[i], "read of %#lx: vector %d cr2 %#lx, want #PF there",
              addrs[i], v, (unsigned long)rec.cr2);
        CHECK(cr2 == addrs[i], "mov from %%cr2 after a #PF at %#lx gave %#lx", addrs[i], cr2);
    }

    /* %cr4: what Xen shows of the real one (PAE, MCE, OSFXSR, OSXMMEXCPT)
     * and the bits a PV kernel controls; never its own PGE/PCIDE/SMEP/SMAP. */
    int v = run_catching(do_read_cr4, NULL, &rec);
    if (!CHECK(v == -1, "mov from %%cr4 raised vector %d", v))
        return;
    unsigned long cr4 = cr4_value;
    printk("linux_early: mov from %%cr4 -> %#lx\n", cr4);
    CHECK((cr4 & CR4_PAE) && (cr4 & CR4_OSFXSR) && (cr4 & CR4_OSXMMEXCPT),
          "cr4 %#lx lacks PAE, OSFXSR or OSXMMEXCPT (Linux needs SSE usable)", cr4);
    CHECK(!(cr4 & ~CR4_PV_VISIBLE), "cr4 %#lx shows hypervisor-only bits %#lx", cr4,
          cr4 & ~CR4_PV_VISIBLE);
    /* Writing the value back (Linux's cr4 shadow does) is accepted. */
    v = run_catching(do_write_cr4, &cr4, &rec);
    CHECK(v == -1, "mov to %%cr4 of the value read raised vector %d", v);
    run_catching(do_read_cr4, NULL, &rec);
    CHECK(cr4_value == cr4, "cr4 reads %#lx after writing %#lx back", cr4_value, cr4);
    printk("linux_early: mov to %%cr4 of the same value: vector %d, reads back %#lx\n", v,
           cr4_value);
    /* A bit the hypervisor keeps for itself is dropped without a fault (Linux's
     * xen_write_cr4 clears PGE itself anyway). */
    unsigned long with_pge = cr4 | CR4_PGE;
    v = run_catching(do_write_cr4, &with_pge, &rec);
    CHECK(v == -1, "mov to %%cr4 with PGE raised vector %d", v);
    run_catching(do_read_cr4, NULL, &rec);
    CHECK(cr4_value == cr4, "cr4 reads %#lx after writing %#lx (PGE added)", cr4_value, with_pge);
    printk("linux_early: mov to %%cr4 of %#lx (PGE added): vector %d, reads back %#lx\n",
           with_pge, v, cr4_value);
}

/* ---- 3. giving up the builder's top-level table ---- */

static uint64_t new_l4[ENTRIES] PAGE_ALIGNED;

static long mmuext(unsigned int cmd, unsigned long mfn)
{
    struct mmuext_op op = { .cmd = cmd, .arg1.mfn = mfn };
    return hyp_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static void give_up_builder_l4(void)
{
    uint64_t *old_l4 = (uint64_t *)guest_start_info->pt_base;
    unsigned long old_mfn = virt_to_mfn(old_l4), new_mfn = virt_to_mfn(new_l4);

    printk("linux_early: builder's L4 at %p (frame %#lx), ours frame %#lx\n", (void *)old_l4,
           old_mfn, new_mfn);
    CHECK(read_cr3() == xen_pfn_to_cr3(old_mfn), "cr3 %#lx before the switch", read_cr3());
    /* Xen's slots (256-271) are copied too: Xen rewrites them anyway. */
    memcpy(new_l4, old_l4, PAGE_SIZE);
    expect(map_machine_page(new_l4, new_mfn, PTE_KERNEL_RO), 0, "remap our L4 copy read-only");
    if (!expect(mmuext(MMUEXT_PIN_L4_TABLE, new_mfn), 0, "PIN_L4 of our copy"))
        panic("cannot go on without a pinned L4");
    if (!expect(mmuext(MMUEXT_NEW_BASEPTR, new_mfn), 0, "NEW_BASEPTR to our copy"))
        panic("cannot go on without our own L4");
    CHECK(read_cr3() == xen_pfn_to_cr3(new_mfn), "cr3 %#lx after the switch, want frame %#lx",
          read_cr3(), new_mfn);

    /* The builder pinned its L4: the pin alone keeps it a table. */
    expect(map_machine_page(old_l4, old_mfn, PTE_KERNEL_RW), -XEN_EBUSY,
           "writable mapping of the builder's L4 still pinned (want -EBUSY)");
    expect(mmuext(MMUEXT_UNPIN_TABLE, old_mfn), 0, "UNPIN of the builder's L4 (want 0)");
    if (!expect(map_machine_page(old_l4, old_mfn, PTE_KERNEL_RW), 0,
                "writable mapping of the builder's L4 once unpinned and left (want 0)"))
        return;
    /* From here on the library's "our L4" (vcpu_start, user mode) is ours. */
    guest_start_info->pt_base = (unsigned long)new_l4;

    volatile uint64_t *w = old_l4;
    for (unsigned int i = 0; i < ENTRIES; i++)
        w[i] = 0xfeed000000000000UL + i;
    bool ok = true;
    for (unsigned int i = 0; i < ENTRIES; i++)
        ok = ok && w[i] == 0xfeed000000000000UL + i;
    CHECK(ok, "the builder's former L4 does not hold what we wrote");
    printk("linux_early: wrote the builder's former L4 through a writable mapping: %s\n",
           ok ? "reads back" : "MISMATCH");
    expect(mmuext(MMUEXT_PIN_L4_TABLE, old_mfn), -XEN_EINVAL,
           "PIN_L4 of the former L4 while mapped writable (want -EINVAL)");
}

/* ---- 1. segment-base MSRs ---- */

/* What a base points at in these checks. The first word stays 0 because
 * the library's this_vcpu_id() reads %gs:0 (the kernel GS base is its
 * per-vCPU block): with the GS base moved here we are still vCPU 0. */
struct base_target {
    uint64_t vcpu_id_word;
    uint64_t pattern;
};
static struct base_target fs_target = { 0, 0x0f5bad5eed0f5b00UL };
static struct base_target gs_target = { 0, 0x06bad5eed06b0000UL };
static struct base_target user_gs_target = { 0, 0x05e75bad5eed0500UL };

static uint64_t read_fs_8(void)
{
    uint64_t v;
    __asm__ volatile("mov %%fs:8, %0" : "=r"(v));
    return v;
}

static uint64_t read_gs_8(void)
{
    uint64_t v;
    __asm__ volatile("mov %%gs:8, %0" : "=r"(v));
    return v;
}

static char user_stack[4096] __attribute__((aligned(16)));

static void user_read_gs(void)
{
    user_return(read_gs_8());
}

/* A base must be canonical: the write raises #GP and the base stays. */
static void refuse_non_canonical(uint32_t msr, const char *name)
{
    uint64_t before = rdmsr_checked(msr, name);
    int vec = wrmsr_safe(msr, 0x8000000000000000UL);
    uint64_t after = rdmsr_checked(msr, name);
    printk("linux_early: wrmsr %s = 0x8000000000000000: vector %d, base %#lx\n", name, vec,
           (unsigned long)after);
    CHECK(vec == 13, "wrmsr %s of a non-canonical address: vector %d, want #GP", name, vec);
    CHECK(after == before, "%s %#lx after the refused write, want %#lx", name,
          (unsigned long)after, (unsigned long)before);
}

static void segment_base_msrs(void)
{
    const uint64_t kernel_gs = (uint64_t)&percpu_area[0];
    uint64_t v;

    uint64_t fs0 = rdmsr_checked(MSR_FS_BASE, "FS_BASE");
    uint64_t gs0 = rdmsr_checked(MSR_GS_BASE, "GS_BASE");
    uint64_t sgs0 = rdmsr_checked(MSR_SHADOW_GS_BASE, "SHADOW_GS_BASE");
    printk("linux_early: at start FS_BASE %#lx, GS_BASE %#lx, SHADOW_GS_BASE %#lx\n",
           (unsigned long)fs0, (unsigned long)gs0, (unsigned long)sgs0);
    CHECK(gs0 == kernel_gs, "GS_BASE %#lx, want the per-vCPU block %#lx set by set_segment_base",
          (unsigned long)gs0, (unsigned long)kernel_gs);
    CHECK(fs0 == 0 && sgs0 == 0, "FS_BASE %#lx / SHADOW_GS_BASE %#lx at boot, want 0",
          (unsigned long)fs0, (unsigned long)sgs0);

    /* FS */
    wrmsr_checked(MSR_FS_BASE, (uint64_t)&fs_target, "FS_BASE");
    v = rdmsr_checked(MSR_FS_BASE, "FS_BASE");
    CHECK(v == (uint64_t)&fs_target, "FS_BASE reads %#lx after writing %p", (unsigned long)v,
          (void *)&fs_target);
    v = read_fs_8();
    CHECK(v == fs_target.pattern, "%%fs:8 reads %#lx, want %#lx", (unsigned long)v,
          (unsigned long)fs_target.pattern);
    printk("linux_early: wrmsr FS_BASE %p: rdmsr %#lx, %%fs:8 %#lx\n", (void *)&fs_target,
           (unsigned long)rdmsr_checked(MSR_FS_BASE, "FS_BASE"), (unsigned long)v);
    refuse_non_canonical(MSR_FS_BASE, "FS_BASE");
    wrmsr_checked(MSR_FS_BASE, 0, "FS_BASE");
    CHECK(rdmsr_checked(MSR_FS_BASE, "FS_BASE") == 0, "FS_BASE not put back to 0");

    /* GS, the kernel's: what startup_xen's first wrmsr does. */
    wrmsr_checked(MSR_GS_BASE, (uint64_t)&gs_target, "GS_BASE");
    v = rdmsr_checked(MSR_GS_BASE, "GS_BASE");
    uint64_t through_gs = read_gs_8();
    wrmsr_checked(MSR_GS_BASE, kernel_gs, "GS_BASE");
    CHECK(v == (uint64_t)&gs_target, "GS_BASE reads %#lx after writing %p", (unsigned long)v,
          (void *)&gs_target);
    CHECK(through_gs == gs_target.pattern, "%%gs:8 reads %#lx, want %#lx",
          (unsigned long)through_gs, (unsigned long)gs_target.pattern);
    printk("linux_early: wrmsr GS_BASE %p: rdmsr %#lx, %%gs:8 %#lx\n", (void *)&gs_target,
           (unsigned long)v, (unsigned long)through_gs);
    v = rdmsr_checked(MSR_GS_BASE, "GS_BASE");
    CHECK(v == kernel_gs, "GS_BASE %#lx after putting it back", (unsigned long)v);
    refuse_non_canonical(MSR_GS_BASE, "GS_BASE");

    /* SHADOW_GS: the user-mode GS base while the kernel runs. */
    wrmsr_checked(MSR_SHADOW_GS_BASE, (uint64_t)&user_gs_target, "SHADOW_GS_BASE");
    v = rdmsr_checked(MSR_SHADOW_GS_BASE, "SHADOW_GS_BASE");
    CHECK(v == (uint64_t)&user_gs_target, "SHADOW_GS_BASE reads %#lx after writing %p",
          (unsigned long)v, (void *)&user_gs_target);
    CHECK(rdmsr_checked(MSR_GS_BASE, "GS_BASE") == kernel_gs && this_vcpu_id() == 0,
          "writing SHADOW_GS_BASE moved the kernel's GS base");
    uint64_t user_sees = run_in_user_mode(user_read_gs, user_stack + sizeof(user_stack));
    CHECK(user_sees == user_gs_target.pattern, "user mode %%gs:8 reads %#lx, want %#lx",
          (unsigned long)user_sees, (unsigned long)user_gs_target.pattern);
    printk("linux_early: wrmsr SHADOW_GS_BASE %p: rdmsr %#lx, user-mode %%gs:8 %#lx\n",
           (void *)&user_gs_target, (unsigned long)v, (unsigned long)user_sees);
    v = rdmsr_checked(MSR_SHADOW_GS_BASE, "SHADOW_GS_BASE");
    CHECK(v == (uint64_t)&user_gs_target, "SHADOW_GS_BASE %#lx after a trip to user mode",
          (unsigned long)v);
    CHECK(rdmsr_checked(MSR_GS_BASE, "GS_BASE") == kernel_gs,
          "kernel GS base changed by a trip to user mode");
    refuse_non_canonical(MSR_SHADOW_GS_BASE, "SHADOW_GS_BASE");
    wrmsr_checked(MSR_SHADOW_GS_BASE, 0, "SHADOW_GS_BASE");
    CHECK(rdmsr_checked(MSR_SHADOW_GS_BASE, "SHADOW_GS_BASE") == 0,
          "SHADOW_GS_BASE not put back to 0");
}

/* ---- 5. the user %gs selector ---- */

static uint16_t read_gs_sel(void)
{
    uint16_t sel;
    __asm__ volatile("mov %%gs, %0" : "=rm"(sel));
    return sel;
}

/* One page of GDT of our own, as Linux loads before it uses __USER_DS:
 * entry 5 (selector 0x2b) a DPL-3 data segment whose base (a 32-bit
 * base, all a data descriptor holds) shows whether it was the one loaded. */
static uint64_t own_gdt[ENTRIES] PAGE_ALIGNED;
#define OWN_DS_BASE 0x12345000UL
#define OWN_DS_DESC 0x12cff2345000ffffULL

struct sel_case {
    uint16_t sel;
    const char *what;
    uint16_t want_sel;          /* %gs afterwards */
    uint64_t want_user_base;    /* SHADOW_GS_BASE afterwards */
};

/* set_segment_base(GS_USER_SEL) with the user base set to a marker first:
 * a selector that loads replaces the base with its descriptor's; one that
 * faults is replaced by the null selector, which clears the base. Xen
 * answers 0 either way (Linux would BUG() on an error). */
static void try_user_gs_selectors(const struct sel_case *cases, unsigned int n)
{
    const uint64_t kernel_gs = (uint64_t)&percpu_area[0];
    for (unsigned int i = 0; i < n; i++) {
        const struct sel_case *c = &cases[i];
        wrmsr_checked(MSR_SHADOW_GS_BASE, (uint64_t)&user_gs_target, "SHADOW_GS_BASE");
        long rc = hyp_set_segment_base(SEGBASE_GS_USER_SEL, c->sel);
        uint16_t now = read_gs_sel();
        uint64_t user_base = rdmsr_checked(MSR_SHADOW_GS_BASE, "SHADOW_GS_BASE");
        uint64_t kbase = rdmsr_checked(MSR_GS_BASE, "GS_BASE");
        printk("linux_early: set_segment_base(GS_USER_SEL, %#x) [%s] -> %ld: %%gs %#x, "
               "user base %#lx, kernel base %#lx\n", c->sel, c->what, rc, now,
               (unsigned long)user_base, (unsigned long)kbase);
        CHECK(rc == 0, "set_segment_base(GS_USER_SEL, %#x): %ld, want 0", c->sel, rc);
        CHECK(now == c->want_sel, "%%gs is %#x after GS_USER_SEL %#x, want %#x", now, c->sel,
              c->want_sel);
        CHECK(user_base == c->want_user_base, "user GS base %#lx after GS_USER_SEL %#x, want %#lx",
              (unsigned long)user_base, c->sel, (unsigned long)c->want_user_base);
        CHECK(kbase == kernel_gs && this_vcpu_id() == 0,
              "GS_USER_SEL %#x moved the kernel's GS base to %#lx", c->sel, (unsigned long)kbase);
    }
}

static void user_gs_selector(void)
{
    static const struct sel_case without_gdt[] = {
        { 0xe02b, "FLAT_RING3_DS32, Xen's GDT", 0xe02b, 0 },
        { 0xe028, "the same with RPL 0", 0xe02b, 0 },
        { 0x002b, "__USER_DS, our GDT part still empty", 0, 0 },
        { 0x000f, "LDT entry 1, no LDT", 0, 0 },
        { 0x0000, "the null selector", 0, 0 },
    };
    static const struct sel_case with_gdt[] = {
        { 0x002b, "__USER_DS in a GDT of our own", 0x002b, OWN_DS_BASE },
        { 0x0033, "an empty entry of our GDT", 0, 0 },
    };
    try_user_gs_selectors(without_gdt, ARRAY_SIZE(without_gdt));

    unsigned long mfn = virt_to_mfn(own_gdt);
    unsigned long frames[16] = { mfn };
    memset(own_gdt, 0, PAGE_SIZE);
    own_gdt[5] = OWN_DS_DESC;
    if (expect(map_machine_page(own_gdt, mfn, PTE_KERNEL_RO), 0, "map our GDT page read-only") &&
        expect(hypercall2(__HYPERVISOR_set_gdt, (unsigned long)frames, 16), 0,
               "set_gdt of our own GDT page (want 0)")) {
        try_user_gs_selectors(with_gdt, ARRAY_SIZE(with_gdt));
        hyp_set_segment_base(SEGBASE_GS_USER_SEL, 0);
        expect(hypercall2(__HYPERVISOR_set_gdt, (unsigned long)frames, 0), 0,
               "set_gdt with no entries (want 0)");
    }
    expect(map_machine_page(own_gdt, mfn, PTE_KERNEL_RW), 0, "our former GDT page writable again");
    /* Leave %gs as the builder set it. */
    hyp_set_segment_base(SEGBASE_GS_USER_SEL, 0);
    wrmsr_checked(MSR_SHADOW_GS_BASE, 0, "SHADOW_GS_BASE");
}

/* ---- 4. vCPU 1's areas registered before it runs ---- */

static char ap_vcpu_info_page[PAGE_SIZE] PAGE_ALIGNED;
#define AP_VCPU_INFO_OFFSET 128
static struct vcpu_runstate_info ap_runstate;
static char ap_stack[16384] __attribute__((aligned(16)));

static volatile bool ap_go;
static volatile unsigned int ap_ran;
static volatile uint32_t ap_time_version;
static volatile uint64_t ap_system_time;
static volatile int ap_runstate_seen;
static volatile uint64_t ap_running_ns, ap_entry_time, ap_times_sum;
static volatile bool ap_info_is_registered;
static volatile evtchn_port_t ap_port;
static volatile unsigned long ap_upcalls;

static void ap_main(unsigned int vcpu)
{
    vcpu_info_t *mine = (vcpu_info_t *)(ap_vcpu_info_page + AP_VCPU_INFO_OFFSET);

    ap_info_is_registered = this_vcpu_info() == mine;
    /* Spin a little so time passes on this vCPU. */
    for (volatile unsigned int i = 0; i < 200000; i++)
        ;
    ap_time_version = mine->time.version;
    ap_system_time = system_time_ns();
    ap_runstate_seen = ap_runstate.state;
    ap_running_ns = ap_runstate.time[RUNSTATE_running];
    ap_entry_time = ap_runstate.state_entry_time;
    ap_times_sum = ap_runstate.time[0] + ap_runstate.time[1] + ap_runstate.time[2] +
                   ap_runstate.time[3];
    __atomic_store_n(&ap_ran, vcpu + 1, __ATOMIC_RELEASE);
    while (!ap_go)
        ;
    /* Events for this vCPU are flagged in the registered vcpu_info; the
     * library's handler only looks there. */
    for (;;) {
        events_disable();
        if (ap_port && guest_port_hits[ap_port] != 0)
            break;
        hyp_sched_op(SCHEDOP_block, NULL);
    }
    __atomic_store_n(&ap_upcalls, guest_port_hits[ap_port], __ATOMIC_RELEASE);
}

static bool wait_for(volatile unsigned int *flag, uint64_t ns)
{
    uint64_t t0 = system_time_ns();
    while (!*flag && system_time_ns() - t0 < ns)
        hyp_sched_op(SCHEDOP_yield, NULL);
    return *flag != 0;
}

static void second_vcpu(void)
{
    long up1 = hyp_vcpu_op(VCPUOP_is_up, 1, NULL);
    if (!CHECK(up1 == 0, "VCPUOP_is_up(1) = %ld, want 0: this kernel needs a second vCPU, down",
               up1))
        return;

    vcpu_info_t *legacy = &guest_shared_info->vcpu_info[1];
    vcpu_info_t *mine = (vcpu_info_t *)(ap_vcpu_info_page + AP_VCPU_INFO_OFFSET);
    struct vcpu_register_vcpu_info r = { .mfn = virt_to_mfn(ap_vcpu_info_page),
                                         .offset = AP_VCPU_INFO_OFFSET };
    memset(ap_vcpu_info_page, 0xa5, PAGE_SIZE);
    if (!expect(hyp_vcpu_op(VCPUOP_register_vcpu_info, 1, &r), 0,
                "register_vcpu_info for vCPU 1 while it is down (want 0)"))
        return;
    percpu_area[1].vcpu_info = mine;
    printk("linux_early: vCPU 1's new vcpu_info: upcall_pending %u mask %u pending_sel %#lx "
           "time version %u; shared_info slot: time version %u\n",
           mine->evtchn_upcall_pending, mine->evtchn_upcall_mask, mine->evtchn_pending_sel,
           mine->time.version, legacy->time.version);
    CHECK_EQ(mine->evtchn_upcall_mask, 1, "vCPU 1's events mask carried over");
    /* Xen flags everything pending in the new place so nothing is lost
     * in the move: one spurious upcall, which Linux copes with. */
    CHECK_EQ(mine->evtchn_upcall_pending, 1, "upcall_pending in vCPU 1's new vcpu_info");
    CHECK(mine->evtchn_pending_sel == ~0UL, "pending_sel %#lx in vCPU 1's new vcpu_info, want all",
          mine->evtchn_pending_sel);
    expect(hyp_vcpu_op(VCPUOP_register_vcpu_info, 1, &r), -XEN_EINVAL,
           "register_vcpu_info for vCPU 1 again (want -EINVAL)");
    uint32_t legacy_version = legacy->time.version;
    uint64_t legacy_time = legacy->time.system_time;

    memset(&ap_runstate, 0xff, sizeof(ap_runstate));
    struct vcpu_register_runstate_memory_area ra = { .addr.v = &ap_runstate };
    expect(hyp_vcpu_op(VCPUOP_register_runstate_memory_area, 1, &ra), 0,
           "register_runstate_memory_area for vCPU 1 while it is down (want 0)");
    printk("linux_early: vCPU 1's runstate area at once: state %d, running %lu ns, offline %lu ns\n",
           ap_runstate.state, (unsigned long)ap_runstate.time[RUNSTATE_running],
           (unsigned long)ap_runstate.time[RUNSTATE_offline]);
    CHECK_EQ(ap_runstate.state, RUNSTATE_offline, "vCPU 1's runstate area state before it runs");
    uint64_t ap_first_entry = ap_runstate.state_entry_time;

    long rc = vcpu_start(1, ap_main, ap_stack + sizeof(ap_stack));
    if (!expect(rc, 0, "VCPUOP_initialise + VCPUOP_up of vCPU 1 (want 0)"))
        return;
    if (!CHECK(wait_for(&ap_ran, 5000000000ULL), "vCPU 1 did not run within 5 s"))
        return;
    CHECK(ap_info_is_registered, "vCPU 1 does not use the registered vcpu_info");
    printk("linux_early: vCPU 1 saw: its vcpu_info time version %u, system time %lu ns; "
           "its runstate area state %d, running %lu ns\n", ap_time_version,
           (unsigned long)ap_system_time, ap_runstate_seen, (unsigned long)ap_running_ns);
    CHECK(ap_time_version != 0 && !(ap_time_version & 1) && mine->time.tsc_to_system_mul != 0,
          "vCPU 1's registered vcpu_info has no time info (version %u)", ap_time_version);
    CHECK(ap_system_time > 0, "vCPU 1's pvclock reads 0");
    CHECK_EQ(ap_runstate_seen, RUNSTATE_running, "vCPU 1's own runstate area, read while running");
    /*
     * Time is added to a state when the vCPU leaves it: the area shows the
     * times as of the current state's start, so they add up to exactly the
     * time from the first state's start to the current one's, however often
     * vCPU 1 was switched out meanwhile. (With the current stint included
     * they would add up to more.)
     */
    CHECK(ap_times_sum == ap_entry_time - ap_first_entry,
          "vCPU 1's runstate times add up to %lu ns, its states' starts are %lu ns apart",
          (unsigned long)ap_times_sum, (unsigned long)(ap_entry_time - ap_first_entry));
    CHECK(ap_entry_time > 0, "vCPU 1's runstate area has no state entry time");
    CHECK(legacy->time.version == legacy_version && legacy->time.system_time == legacy_time,
          "the shared_info slot of vCPU 1 was updated (version %u -> %u)", legacy_version,
          legacy->time.version);

    struct evtchn_bind_ipi bi = { .vcpu = 1 };
    if (!expect(hyp_event_channel_op(EVTCHNOP_bind_ipi, &bi), 0, "bind_ipi to vCPU 1 (want 0)"))
        return;
    ap_port = bi.port;
    ap_go = true;
    uint64_t t0 = system_time_ns();
    while (!ap_upcalls && system_time_ns() - t0 < 5000000000ULL) {
        evtchn_send_port(bi.port);
        for (volatile int d = 0; d < 100000; d++)
            ;
    }
    CHECK(ap_upcalls >= 1, "vCPU 1 took no upcall through its registered vcpu_info");
    CHECK(legacy->evtchn_upcall_pending == 0 || legacy->evtchn_upcall_pending == 0xa5,
          "an event for vCPU 1 was flagged in its shared_info slot");
    printk("linux_early: vCPU 1 took %lu upcall(s) on port %u through its registered vcpu_info\n",
           ap_upcalls, bi.port);

    /* vCPU 1 goes down when ap_main returns; its area says so. */
    t0 = system_time_ns();
    while (ap_runstate.state != RUNSTATE_offline && system_time_ns() - t0 < 5000000000ULL)
        hyp_sched_op(SCHEDOP_yield, NULL);
    CHECK_EQ(ap_runstate.state, RUNSTATE_offline, "vCPU 1's runstate area after it went down");
    CHECK(ap_runstate.time[RUNSTATE_running] > 0, "no running time in vCPU 1's area");
    printk("linux_early: vCPU 1's runstate area once it is down: state %d, running %lu ns\n",
           ap_runstate.state, (unsigned long)ap_runstate.time[RUNSTATE_running]);
    evtchn_close_port(bi.port);
}

/* ---- 6. the boot module ---- */

/* The module run-guest.py passes (linux_early/initrd.txt): INITRD_LINES
 * lines, each rebuilt here from its number. */
#define INITRD_LINES 300
#define INITRD_LINE_LEN 83
#define INITRD_LEN (INITRD_LINES * INITRD_LINE_LEN)
#define INITRD_PAGES ((INITRD_LEN + PAGE_SIZE - 1) / PAGE_SIZE)

static void initrd_line(unsigned int n, char *out)
{
    char head[48];
    int len = snprintf(head, sizeof(head), "linux_early boot module line %04u of %04u ", n,
                       INITRD_LINES);
    memcpy(out, head, (size_t)len);
    for (int j = len; j < INITRD_LINE_LEN - 1; j++)
        out[j] = (char)('a' + (n * 7 + (unsigned int)j) % 26);
    out[INITRD_LINE_LEN - 1] = '\n';
}

static char initrd_window[INITRD_PAGES][PAGE_SIZE] PAGE_ALIGNED;

static void boot_module(void)
{
    const start_info_t *si = guest_start_info;
    printk("linux_early: start_info flags %#x, mod_start %#lx, mod_len %lu, nr_pages %lu\n",
           si->flags, si->mod_start, si->mod_len, si->nr_pages);
    if (!(si->flags & SIF_INITDOMAIN) && si->mod_len == 0) {
        /* Started by a toolstack without a ramdisk: nothing must be named. */
        CHECK(si->mod_start == 0 && !(si->flags & SIF_MOD_START_PFN),
              "no module, yet mod_start %#lx flags %#x", si->mod_start, si->flags);
        printk("linux_early: no boot module given to this domU; start_info names none\n");
        return;
    }
    if (!CHECK(si->mod_len != 0, "the initial domain got no boot module (run-guest.py passes "
               "linux_early/initrd.txt as the module after the kernel)"))
        return;
    CHECK(si->flags & SIF_MOD_START_PFN, "SIF_MOD_START_PFN not set though our notes ask for it");
    if (!CHECK(si->mod_len == INITRD_LEN, "mod_len %lu, want %u (linux_early/initrd.txt)",
               si->mod_len, INITRD_LEN))
        return;
    unsigned long pfn = si->mod_start;
    if (!CHECK(pfn > 0 && pfn + INITRD_PAGES <= si->nr_pages, "module PFN %#lx out of range", pfn))
        return;
    CHECK(pfn >= ((unsigned long)_image_end >> PAGE_SHIFT),
          "module PFN %#lx inside our image", pfn);

    /* Map each frame over a page of our own, read-only, and compare. */
    unsigned int bad_lines = 0;
    char line[INITRD_LINE_LEN];
    for (unsigned int p = 0; p < INITRD_PAGES; p++) {
        long rc = map_machine_page(initrd_window[p], pfn_to_mfn(pfn + p), PTE_KERNEL_RO);
        if (!CHECK(rc == 0, "mapping module page %u: %ld", p, rc))
            return;
    }
    const char *bytes = initrd_window[0];
    for (unsigned int n = 0; n < INITRD_LINES; n++) {
        initrd_line(n, line);
        if (memcmp(bytes + n * INITRD_LINE_LEN, line, INITRD_LINE_LEN) && bad_lines++ < 3)
            test_fail("module line %u reads '%.40s...', want '%.40s...'", n,
                      bytes + n * INITRD_LINE_LEN, line);
    }
    printk("linux_early: module at PFN %#lx: %u lines, %u differ; first '%.44s'\n", pfn,
           INITRD_LINES, bad_lines, bytes);
    CHECK(bad_lines == 0, "%u of %u module lines differ", bad_lines, INITRD_LINES);
    for (unsigned int p = 0; p < INITRD_PAGES; p++)
        CHECK_EQ(unmap_machine_page(initrd_window[p]), 0, "restoring a window page");
}

void test_main(void)
{
    printk("linux_early: --- cpuid as a PV kernel sees it\n");
    cpuid_view();
    printk("linux_early: --- 2. control registers\n");
    control_registers();
    printk("linux_early: --- 3. giving up the builder's L4\n");
    give_up_builder_l4();
    printk("linux_early: --- 1. segment-base MSRs\n");
    segment_base_msrs();
    printk("linux_early: --- 5. user %%gs selector\n");
    user_gs_selector();
    printk("linux_early: --- 4. vCPU 1's areas registered before it runs\n");
    second_vcpu();
    printk("linux_early: --- 6. the boot module\n");
    boot_module();
}
