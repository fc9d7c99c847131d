/*
 * hvm_basic: a PVH guest's first steps on the hypervisor. Its entry
 * (lib/pvh_head.S) already went from 32-bit protected mode to long mode
 * through an emulated EFER write; here: the start info, Xen's CPUID leaves
 * and the host's through the HVM policy, MSRs (EFER, PAT, the hypercall
 * page), a port with nothing behind it, hypercalls by VMMCALL (VMCALL on Intel) and through
 * the hypercall page, and power-off by sched_op.
 */
#include "hvm_guest.h"

#define MSR_EFER 0xC0000080u
#define MSR_PAT  0x277u
/* What Xen 4.17 starts a PVH vCPU's PAT at (its own PAT), measured as its PVH dom0. */
#define PAT_XEN_START 0x0000050100070406ull

static uint8_t hypercall_page_area[4096] __attribute__((aligned(4096)));

/*
 * Version 1 adds the memory map. Xen 4.17 gives a PVH dom0 version 0 and
 * no map (it asks XENMEM_memory_map), a PVH domU of libxl version 1 with a
 * map; Tessera's PVH domUs get version 1 and a one-entry map.
 */
static void start_info_checks(const struct hvm_start_info *si)
{
    check(si->magic == XEN_HVM_START_MAGIC_VALUE, "start info magic");
    printk("start info version %u, flags %#x, %u modules\n", si->version, si->flags,
           si->nr_modules);
    const char *cmdline = (const char *)(uintptr_t)si->cmdline_paddr;
    printk("command line: '%s'\n", si->cmdline_paddr ? cmdline : "");
    check(si->cmdline_paddr && strstr(cmdline, "hello-pvh") != NULL, "command line passed");
    if (si->version < 1 || !si->memmap_entries)
        return;
    const struct hvm_memmap_table_entry *m = (const void *)(uintptr_t)si->memmap_paddr;
    uint64_t ram = 0;
    for (uint32_t i = 0; i < si->memmap_entries; i++)
        if (m[i].type == XEN_HVM_MEMMAP_TYPE_RAM)
            ram += m[i].size;
    printk("memory map: %u entries, %lu KiB of RAM\n", si->memmap_entries,
           (unsigned long)(ram >> 10));
    check(ram >= (1ul << 20), "the memory map has RAM");
}

static void cpuid_checks(void)
{
    struct cpuid_out base = cpuid2(0x40000000, 0);
    char sig[13];
    memcpy(sig, &base.ebx, 4);
    memcpy(sig + 4, &base.ecx, 4);
    memcpy(sig + 8, &base.edx, 4);
    sig[12] = 0;
    printk("CPUID 0x40000000: '%s', max leaf %#x\n", sig, base.eax);
    check(!memcmp(sig, "XenVMMXenVMM", 12), "Xen signature at 0x40000000");
    check(base.eax >= 0x40000002, "Xen leaves up to 0x40000002 at least");
    struct cpuid_out ver = cpuid2(0x40000001, 0);
    printk("CPUID 0x40000001: version %u.%u\n", ver.eax >> 16, ver.eax & 0xFFFF);
    check(ver.eax >> 16 >= 4, "Xen version 4 or later");
    struct cpuid_out hc = cpuid2(0x40000002, 0);
    check(hc.eax >= 1 && hc.ebx == 0x40000000, "one hypercall page, MSR 0x40000000");
    check(cpuid2(1, 0).ecx & (1u << 31), "CPUID.1 hypervisor bit");
    check(!(cpuid2(0x80000001, 0).ecx & (1u << 2)), "SVM not offered to the guest");
}

static void msr_checks(void)
{
    uint64_t efer = rdmsr64(MSR_EFER);
    printk("EFER %#lx\n", (unsigned long)efer);
    check((efer & 0x500) == 0x500, "EFER.LME and LMA set");
    check(!(efer & (1u << 12)), "EFER.SVME not visible");
    uint64_t pat = rdmsr64(MSR_PAT);
    printk("PAT %#lx\n", (unsigned long)pat);
    check(pat == PAT_XEN_START, "PAT where Xen starts it");
    wrmsr64(MSR_PAT, 0x0007010600070106ull);
    check(rdmsr64(MSR_PAT) == 0x0007010600070106ull, "PAT written and read back");
    wrmsr64(MSR_PAT, pat);
}

static uint64_t read_cr0(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}

/* CR0.NE is fixed to 1 under VT-x: the guest still chooses what it reads. */
static void cr_checks(void)
{
    uint64_t cr0 = read_cr0();
    printk("CR0 %#lx\n", (unsigned long)cr0);
    check((cr0 & 0x80000001) == 0x80000001, "CR0.PG and PE set");
    __asm__ volatile("mov %0, %%cr0" :: "r"(cr0 | 0x20) : "memory");
    check(read_cr0() == (cr0 | 0x20), "CR0.NE set and read back");
    __asm__ volatile("mov %0, %%cr0" :: "r"(cr0 & ~0x20ull) : "memory");
    check(read_cr0() == (cr0 & ~0x20ull), "CR0.NE cleared and read back");
}

static void hypercall_checks(void)
{
    long v = hvm_hypercall2(__HYPERVISOR_xen_version, XENVER_version, 0);
    printk("xen_version by %s: %ld.%ld\n", hypercall_insn_name(), v >> 16, v & 0xFFFF);
    check(v >> 16 >= 4, "xen_version(XENVER_version) by VMMCALL/VMCALL");
    printk("xen_version from 32-bit code: %#x\n", xen_version_32bit);
    check(xen_version_32bit == (uint32_t)v, "xen_version by VMMCALL/VMCALL from 32-bit code (EAX, EBX)");
    char extra[16];
    memset(extra, 0x55, sizeof(extra));
    long rc = hvm_hypercall2(__HYPERVISOR_xen_version, XENVER_extraversion, (unsigned long)extra);
    check(rc == 0 && strlen(extra) < sizeof(extra), "xen_version(XENVER_extraversion) into guest memory");
    printk("extraversion '%s'\n", extra);

    wrmsr64(0x40000000, (uint64_t)(uintptr_t)hypercall_page_area);
    typedef long (*stub_t)(unsigned long, unsigned long);
    stub_t xen_version = (stub_t)(uintptr_t)(hypercall_page_area + 32 * __HYPERVISOR_xen_version);
    long v2 = xen_version(XENVER_version, 0);
    check(v2 == v, "xen_version through the hypercall page");
}

void hvm_test_main(const struct hvm_start_info *si)
{
    printk("hvm_basic: long mode, start info at %p\n", (const void *)si);
    start_info_checks(si);
    cpuid_checks();
    msr_checks();
    cr_checks();
    uint8_t b = inb_port(0x80);
    check(b == 0xFF, "a port with nothing behind it reads all ones");
    outb_port(0x80, 0x12);
    hypercall_checks();
}
