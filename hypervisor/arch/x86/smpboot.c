/*
 * Per-CPU state and bringing up the secondary CPUs listed in the MADT, one
 * at a time, through the real-mode trampoline.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/cpufeatures.h>
#include <asm/desc.h>
#include <asm/layout.h>
#include <asm/paging.h>
#include <asm/percpu.h>
#include <asm/pv.h>
#include <asm/smp.h>
#include <asm/softirq.h>
#include <tessera/arch.h>
#include <tessera/errno.h>
#include <tessera/heap.h>
#include <tessera/log.h>
#include <tessera/page_alloc.h>
#include <tessera/string.h>

#define AP_START_TIMEOUT_NS 1000000000ull

struct percpu *percpu_table[MAX_CPUS];
unsigned int nr_cpus = 1;
unsigned int nr_cpus_online;

/* Read by ap_start64 (head.S) before the AP has a stack of its own. */
uint64_t ap_boot_stack;

extern char boot_stack[];
extern const char trampoline_start[], trampoline_end[];
extern uint32_t tramp_cr3;
extern uint64_t tramp_efer, tramp_target;
extern const char ap_start64[];
extern struct page_allocator frame_allocator;

static struct percpu boot_cpu;
static uint64_t boot_cpu_gdt[GDT_ENTRIES] __attribute__((aligned(4096)));

static void run_call(void);

void smp_prepare_boot_cpu(void)
{
    softirq_register(SOFTIRQ_CALL, run_call);
    boot_cpu.index = 0;
    boot_cpu.stack_block = (uintptr_t)boot_stack;
    boot_cpu.gdt = boot_cpu_gdt;
    spin_lock_init(&boot_cpu.timer_lock);
    spin_lock_init(&boot_cpu.call_lock);
    timer_queue_init(&boot_cpu.timers);
    boot_cpu.hypercall_nr = UINT32_MAX;
    stack_cpu_info(boot_cpu.stack_block)->percpu = &boot_cpu;
    percpu_table[0] = &boot_cpu;
}

/* Trampoline fields are patched in the copy, at their offset from its start. */
static void *trampoline_field(const void *sym)
{
    return (char *)phys_to_virt(TRAMPOLINE_PHYS) + ((const char *)sym - trampoline_start);
}

static void install_trampoline(void)
{
    memcpy(phys_to_virt(TRAMPOLINE_PHYS), trampoline_start,
           (size_t)(trampoline_end - trampoline_start));
    *(uint32_t *)trampoline_field(&tramp_cr3) = (uint32_t)virt_to_phys(boot_l4);
    *(uint64_t *)trampoline_field(&tramp_efer) = rdmsr(MSR_EFER) & ~(1ull << 10); /* not LMA */
    *(uint64_t *)trampoline_field(&tramp_target) = (uint64_t)(uintptr_t)ap_start64;
}

static struct percpu *alloc_cpu(unsigned index, uint32_t apic_id)
{
    struct percpu *cpu = xzalloc(sizeof(*cpu));
    uint64_t *gdt = xmalloc_aligned(GDT_ENTRIES * sizeof(uint64_t), PAGE_SIZE);
    uint64_t mfn;

    if (!cpu || !gdt || page_alloc_alloc(&frame_allocator, STACK_ORDER, DOMID_XEN, &mfn) < 0) {
        xfree(cpu);
        xfree(gdt);
        return NULL;
    }
    cpu->index = index;
    cpu->apic_id = apic_id;
    cpu->gdt = gdt;
    cpu->stack_block = (uintptr_t)phys_to_virt(mfn << PAGE_SHIFT);
    spin_lock_init(&cpu->timer_lock);
    spin_lock_init(&cpu->call_lock);
    timer_queue_init(&cpu->timers);
    cpu->hypercall_nr = UINT32_MAX;
    memset(stack_cpu_info(cpu->stack_block), 0, sizeof(struct cpu_info));
    stack_cpu_info(cpu->stack_block)->percpu = cpu;
    return cpu;
}

static bool start_cpu(struct percpu *cpu)
{
    ap_boot_stack = cpu->stack_block + CPU_INFO_OFFSET;
    percpu_table[cpu->index] = cpu;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    apic_wake_cpu(cpu->apic_id, TRAMPOLINE_PHYS);

    uint64_t deadline = arch_now_ns() + AP_START_TIMEOUT_NS;
    while (!cpu->online && arch_now_ns() < deadline)
        arch_cpu_relax();
    if (cpu->online)
        return true;
    percpu_table[cpu->index] = NULL;
    return false;
}

void smp_bring_up(unsigned max_cpus)
{
    uint32_t self = boot_cpu.apic_id;
    unsigned next = 1;

    if (acpi.nr_cpus > 1)
        install_trampoline();
    for (unsigned i = 0; i < acpi.nr_cpus; i++) {
        uint32_t id = acpi.cpus[i].apic_id;
        if (id == self)
            continue;
        if (next >= max_cpus || next >= MAX_CPUS) {
            log_info("smp: CPU with APIC id %u not started (limit of %u CPUs)\n",
                     id, next);
            continue;
        }
        struct percpu *cpu = alloc_cpu(next, id);
        if (!cpu) {
            log_err("smp: out of memory starting CPU with APIC id %u\n", id);
            break;
        }
        if (!start_cpu(cpu)) {
            /*
             * Its stack and GDT are deliberately not freed: a CPU that
             * wakes late would run on them.
             */
            log_err("smp: CPU with APIC id %u did not start within 1 s; skipped\n", id);
            continue;
        }
        next++;
    }
    nr_cpus = next;
}

static void run_call(void)
{
    struct percpu *cpu = this_cpu();
    unsigned long flags = spin_lock_irqsave(&cpu->call_lock);
    void (*fn)(void *) = cpu->call_fn;
    void *data = cpu->call_data;

    cpu->call_fn = NULL;
    spin_unlock_irqrestore(&cpu->call_lock, flags);
    if (fn)
        fn(data);
}

int smp_call_on(unsigned index, void (*fn)(void *data), void *data)
{
    struct percpu *cpu = index < MAX_CPUS ? percpu_table[index] : NULL;

    if (!cpu || !cpu->online)
        return -EINVAL;
    unsigned long flags = spin_lock_irqsave(&cpu->call_lock);
    bool busy = cpu->call_fn != NULL;
    if (!busy) {
        cpu->call_fn = fn;
        cpu->call_data = data;
    }
    spin_unlock_irqrestore(&cpu->call_lock, flags);
    if (busy)
        return -EBUSY;
    softirq_raise_on(index, SOFTIRQ_CALL);
    return 0;
}

void start_secondary(void);
void start_secondary(void)
{
    struct percpu *cpu = this_cpu();

    cpu_desc_init(cpu);
    cpu_features_init();
    apic_init_cpu();
    pv_cpu_init();
    hvm_cpu_init();
    log_debug("smp: CPU %u (APIC id %u) online\n", cpu->index, cpu->apic_id);
    __atomic_fetch_add(&nr_cpus_online, 1, __ATOMIC_SEQ_CST);
    cpu->online = true;
    cpu_idle_loop(NULL);
}

void cpu_poll_softirqs(void)
{
    irq_enable();
    if (softirq_pending())
        softirq_run_pending();
    arch_cpu_relax();
}

/*
 * The idle vCPU: softirqs first (timers may wake vCPUs), then a pick when
 * the scheduler asked for one (which leaves this loop for good when it
 * finds a vCPU), else halt until an interrupt.
 */
void cpu_idle_loop(void (*poll)(void))
{
    /* Idle from inside a hypercall too (a vCPU that went down): in none now. */
    __atomic_store_n(&this_cpu()->hypercall_nr, UINT32_MAX, __ATOMIC_RELAXED);
    for (;;) {
        irq_disable();
        if (softirq_pending()) {
            irq_enable();
            softirq_run_pending();
            continue;
        }
        if (pv_resched_pending()) {
            pv_schedule_from_idle();
            continue;
        }
        uint64_t halted = arch_now_ns();
        safe_halt();
        __atomic_fetch_add(&this_cpu()->idle_ns, arch_now_ns() - halted, __ATOMIC_RELAXED);
        if (poll)
            poll();
    }
}
