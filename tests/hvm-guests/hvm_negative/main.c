/*
 * hvm_negative: what a PVH guest does wrong must end at the guest. The
 * command line picks one case:
 *   hypercalls  bad hypercall arguments and refused MSRs: each fails with
 *               its error (-EFAULT, -ENOSYS, #GP) and the guest goes on to
 *               its SUCCESS line and power-off
 *   npf         a read of guest-physical memory beyond its assignment (its
 *               own page tables map the first GiB): the domain crashes
 *   triple      an exception with no IDT: a triple fault, the domain crashes
 *   halt        HLT with interrupts off: nothing can wake it, powered off
 *   xsetbv      an instruction the hypervisor intercepts but does not
 *               handle yet (XSETBV, after CR4.OSXSAVE): the domain crashes
 * The boot cases (tests/boot/boot_tests.py, hvm-*) check the hypervisor's
 * side of each, and that the control domain runs on after the crashes.
 */
#include "hvm_guest.h"
#include <pvabi/hvm_op.h>

#define OUTSIDE_GPA 0x20000000ul     /* 512 MiB: mapped by the guest, not its memory */
#define UNMAPPED_GVA 0x80000000ul    /* 2 GiB: beyond the guest's own page tables */

static uint8_t hypercall_page_area[4096] __attribute__((aligned(4096)));

static void bad_hypercalls(void)
{
    char buf[16];
    long rc = hvm_hypercall2(__HYPERVISOR_xen_version, XENVER_extraversion, UNMAPPED_GVA);
    printk("extraversion to an address its page tables do not map: %ld\n", rc);
    check(rc == -XEN_EFAULT, "-EFAULT for a guest-virtual address with no mapping");
    rc = hvm_hypercall2(__HYPERVISOR_xen_version, XENVER_extraversion, OUTSIDE_GPA);
    printk("extraversion to guest-physical memory it does not have: %ld\n", rc);
    check(rc == -XEN_EFAULT, "-EFAULT for memory outside the domain");
    rc = hvm_hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, UNMAPPED_GVA);
    check(rc == -XEN_EFAULT, "sched_op shutdown with a bad pointer: -EFAULT, still running");
    rc = hvm_hypercall2(__HYPERVISOR_sched_op, 99, 0);
    check(rc == -XEN_ENOSYS, "an unknown sched_op: -ENOSYS");
    rc = hvm_hypercall2(99, 0, 0);
    check(rc == -XEN_ENOSYS, "an unknown hypercall: -ENOSYS");
    rc = hvm_hypercall2(__HYPERVISOR_xen_version, XENVER_extraversion, (unsigned long)buf);
    check(rc == 0, "a good call still works after the bad ones");
}

/*
 * hvm_op on itself, with Xen 4.17's answers for a guest naming its own
 * domain (the same for its PVH dom0: the check is "is it the caller"): a
 * parameter only the toolstack sets is -EPERM, an index past the last
 * -EINVAL, a bad pointer -EFAULT, an unknown operation -ENOSYS.
 */
static void bad_hvm_ops(void)
{
    struct xen_hvm_param p = { .domid = DOMID_SELF, .index = HVM_PARAM_STORE_PFN, .value = 5 };
    long rc = hvm_hypercall2(__HYPERVISOR_hvm_op, HVMOP_set_param, (unsigned long)&p);
    printk("set_param of STORE_PFN on itself: %ld\n", rc);
    check(rc == -XEN_EPERM, "set_param of a toolstack-only parameter: -EPERM");
    p.index = 39;
    rc = hvm_hypercall2(__HYPERVISOR_hvm_op, HVMOP_get_param, (unsigned long)&p);
    check(rc == -XEN_EINVAL, "get_param past the last parameter: -EINVAL");
    rc = hvm_hypercall2(__HYPERVISOR_hvm_op, HVMOP_get_param, UNMAPPED_GVA);
    check(rc == -XEN_EFAULT, "get_param with a bad pointer: -EFAULT");
    rc = hvm_hypercall2(__HYPERVISOR_hvm_op, 999, 0);
    check(rc == -XEN_ENOSYS, "an unknown hvm_op: -ENOSYS");
}

/* One MSR access that must take #GP (and is stepped over by lib/idt.S). */
#define REFUSED(access, what) do { uint64_t n_ = gp_faults; access; \
                                   check(gp_faults == n_ + 1, what); } while (0)

static void refused_msrs(void)
{
    idt_load_gp();
    REFUSED((void)rdmsr64(0xC0011234u), "rdmsr of an unknown MSR: #GP");
    REFUSED(wrmsr64(0x40000000u, OUTSIDE_GPA), "hypercall page outside its memory: #GP");
    REFUSED(wrmsr64(0x40000000u, (uint64_t)(uintptr_t)hypercall_page_area + 1),
            "hypercall page index 1 (there is one page): #GP");
    REFUSED(wrmsr64(0xC0000080u, 1ull << 20), "EFER with a reserved bit: #GP");
    /* The local APIC starts in xAPIC mode: its x2APIC MSRs are #GP, as on Xen. */
    REFUSED((void)rdmsr64(0x802u), "x2APIC ID MSR in xAPIC mode: #GP");
    uint64_t apic_base = rdmsr64(0x1Bu);
    printk("IA32_APIC_BASE %#lx\n", (unsigned long)apic_base);
    check(apic_base == 0xFEE00900ull, "APIC enabled at 0xFEE00000, the bootstrap CPU's");
    /* As on Xen 4.17: the hypercall MSR reads (it has no #GP for that). */
    uint64_t n = gp_faults, v = rdmsr64(0x40000000u);
    printk("rdmsr 0x40000000: %#lx\n", (unsigned long)v);
    check(gp_faults == n, "rdmsr of the hypercall MSR: no #GP");
}

void hvm_test_main(const struct hvm_start_info *si)
{
    const char *cmd = si->cmdline_paddr ? (const char *)(uintptr_t)si->cmdline_paddr : "";

    printk("hvm_negative: case '%s'\n", cmd);
    if (strstr(cmd, "hypercalls")) {
        bad_hypercalls();
        bad_hvm_ops();
        refused_msrs();
        return;
    }
    if (strstr(cmd, "npf")) {
        printk("hvm_negative: reading guest-physical %#lx\n", OUTSIDE_GPA);
        volatile uint64_t *p = (volatile uint64_t *)OUTSIDE_GPA;
        uint64_t v = *p;
        printk("hvm_negative: still running after the read (%#lx)\n", (unsigned long)v);
    } else if (strstr(cmd, "triple")) {
        static const struct { uint16_t limit; uint64_t base; } __attribute__((packed)) none = { 0, 0 };
        printk("hvm_negative: no IDT, then ud2\n");
        __asm__ volatile("lidt %0; ud2" :: "m"(none));
        printk("hvm_negative: still running after ud2\n");
    } else if (strstr(cmd, "xsetbv")) {
        unsigned long cr4;
        __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
        __asm__ volatile("mov %0, %%cr4" :: "r"(cr4 | (1ul << 18)));     /* OSXSAVE */
        printk("hvm_negative: xsetbv\n");
        __asm__ volatile("xsetbv" :: "c"(0), "a"(1), "d"(0));      /* x87 only */
        printk("hvm_negative: still running after xsetbv\n");
    } else if (strstr(cmd, "halt")) {
        printk("hvm_negative: cli; hlt\n");
        __asm__ volatile("cli; hlt");
        printk("hvm_negative: still running after hlt\n");
    } else {
        check(false, "a case on the command line");
        return;
    }
    failures++;     /* none of them may come back */
}
