/*
 * The failsafe callback: a data selector that no longer loads when the
 * hypervisor switches our vCPU back in. We load %es from our own GDT, make
 * that descriptor not present with update_descriptor (the loaded %es keeps
 * working until it is reloaded), and let vCPU 1 run on the same physical
 * CPU. When vCPU 0 comes back, the hypervisor's reload of %es fails: the
 * register is null and the failsafe callback runs with DS, ES, FS, GS as
 * they were in its frame, at the instruction we were at.
 *
 * Needs two vCPUs sharing one physical CPU (Xen 4.17 and Tessera:
 * QEMU -smp 1, dom0_max_vcpus=2); with vCPU 0 alone on its CPU neither
 * hypervisor reloads the selectors and the test reports SKIP.
 */
#include "guest.h"

const char test_title[] = "failsafe callback";

#define SEL(index) (((index) << 3) | 3)

static char gdt_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char ap_stack[16384] __attribute__((aligned(16)));
static volatile unsigned long spins;
static volatile bool stop_spinning;
static volatile unsigned int failsafes;
static uint64_t seen_selectors[4], seen_rip;

static void spinner(unsigned int vcpu)
{
    (void)vcpu;
    while (!stop_spinning)
        __atomic_fetch_add(&spins, 1, __ATOMIC_RELAXED);
}

static bool on_failsafe(struct guest_regs *regs)
{
    if (regs->vector != VECTOR_FAILSAFE)
        return false;
    for (unsigned int i = 0; i < 4; i++)
        seen_selectors[i] = failsafe_selectors[i];
    seen_rip = regs->rip;
    failsafes++;
    return true;            /* back where we were, with %es now null */
}

static uint16_t read_es(void)
{
    uint16_t v;
    __asm__ volatile("mov %%es, %0" : "=r"(v));
    return v;
}

void test_main(void)
{
    if (hyp_vcpu_op(VCPUOP_is_up, 1, NULL) < 0) {
        test_skip("this domain has one vCPU");
        return;
    }
    if (!CHECK_EQ(vcpu_start(1, spinner, ap_stack + sizeof(ap_stack)), 0, "start vCPU 1"))
        return;

    uint64_t *g = (uint64_t *)gdt_page;
    unsigned long mfn = virt_to_mfn(gdt_page);
    unsigned long frames[16] = { mfn };
    memset(gdt_page, 0, PAGE_SIZE);
    g[4] = 0x00CFF2000000FFFFull;      /* flat data, DPL 3 */
    if (!CHECK_EQ(map_machine_page(gdt_page, mfn, PTE_KERNEL_RO), 0, "map the GDT page read-only") ||
        !CHECK_EQ(hypercall2(__HYPERVISOR_set_gdt, (unsigned long)frames, 16), 0, "set_gdt"))
        return;
    __asm__ volatile("mov %0, %%es" :: "r"((uint32_t)SEL(4)));
    CHECK_EQ(read_es(), SEL(4), "%es after loading our selector");
    CHECK_EQ(hypercall2(__HYPERVISOR_update_descriptor, (mfn << PAGE_SHIFT) + 4 * 8, 0), 0,
             "update_descriptor: the loaded selector's descriptor not present");

    struct vcpu_runstate_info rs0, rs1;
    CHECK_EQ(hyp_vcpu_op(VCPUOP_get_runstate_info, 0, &rs0), 0, "runstate before");
    guest_exception_hook = on_failsafe;
    uint64_t deadline = system_time_ns() + 3000000000ull;
    unsigned long before = spins;
    while (!failsafes && system_time_ns() < deadline)
        hyp_sched_op(SCHEDOP_yield, NULL);
    guest_exception_hook = NULL;
    unsigned long during = spins - before;
    stop_spinning = true;
    CHECK_EQ(hyp_vcpu_op(VCPUOP_get_runstate_info, 0, &rs1), 0, "runstate after");
    /* Time spent runnable but not running: another vCPU had our physical CPU. */
    uint64_t waited = rs1.time[RUNSTATE_runnable] - rs0.time[RUNSTATE_runnable];

    printk("failsafe: %u callback(s); DS %#lx ES %#lx FS %#lx GS %#lx at %#lx; %%es now %#x; "
           "vCPU 1 counted %lu; vCPU 0 waited %lu us for its CPU\n", failsafes,
           (unsigned long)seen_selectors[0], (unsigned long)seen_selectors[1],
           (unsigned long)seen_selectors[2], (unsigned long)seen_selectors[3],
           (unsigned long)seen_rip, read_es(), during, (unsigned long)(waited / 1000));
    if (!failsafes && !waited)
        test_skip("vCPU 0 was never switched out for another vCPU: nothing reloaded");
    else if (CHECK(failsafes == 1, "%u failsafe callbacks after vCPU 1 ran, want 1", failsafes)) {
        CHECK((seen_selectors[1] & 0xffff) == SEL(4), "failsafe frame ES %#lx, want %#x",
              (unsigned long)seen_selectors[1], SEL(4));
        CHECK_EQ(read_es(), 0, "%es after the failsafe callback (loaded null)");
    }

    __asm__ volatile("mov %0, %%es" :: "r"(0u));
    CHECK_EQ(hypercall2(__HYPERVISOR_set_gdt, (unsigned long)frames, 0), 0, "set_gdt with no entries");
    CHECK_EQ(map_machine_page(gdt_page, mfn, PTE_KERNEL_RW), 0, "the GDT page writable again");
}
