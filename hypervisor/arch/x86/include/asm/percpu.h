/*
 * Per-CPU state. Each CPU's stack block (STACK_SIZE, aligned to its size)
 * ends with a struct cpu_info pointing at the CPU's struct percpu, so the
 * current CPU is found from the stack pointer alone: no segment base that
 * a guest could change is involved.
 *
 * Stack block layout, lowest address first:
 *   page 0  IST stacks for #DB (its lower half) and #DF (its upper half)
 *           page 1  IST stack for NMI
 *   page 2  IST stack for #MC      page 3  guard
 *   pages 4-7  the CPU's ordinary stack, struct cpu_info at its top
 */
#ifndef ASM_PERCPU_H
#define ASM_PERCPU_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/layout.h>
#include <asm/percpu-offsets.h>
#include <tessera/spinlock.h>
#include <tessera/timer.h>

#define MAX_CPUS 64

struct __attribute__((packed)) tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};

struct vcpu;

struct percpu {
    /* Read by the syscall entry through %gs (see pv/entry.S): keep first. */
    uint64_t syscall_stack_top;    /* [I] where a guest's frame goes */
    uint64_t syscall_scratch;      /* guest RSP while switching stacks */
    unsigned int index;            /* [I] 0 .. nr_cpus-1 */
    struct vcpu *current;          /* [this CPU] vCPU running here, NULL when idle */
    bool resched;                  /* [atomic] the scheduler wants a new pick here */
    struct timer slice_timer;      /* [timer_lock] ends the running vCPU's slice */
    /* [this CPU] scheduling statistics, printed when the machine stops */
    uint64_t sched_picks, sched_pick_ns, sched_pick_min_ns;
    uint64_t sched_switches, sched_switch_ns, sched_switch_min_ns;
    uint64_t sched_switch_start;   /* ns, when the current pick began */
    uint32_t apic_id;              /* [I] */
    volatile bool online;          /* set by the CPU itself once running */
    uintptr_t stack_block;         /* [I] STACK_SIZE-aligned base */
    uint64_t *gdt;                 /* [I] GDT_ENTRIES entries */
    struct tss64 tss;
    spinlock_t timer_lock;         /* guards timers */
    struct timer_queue timers;
    uint32_t softirq_pending;      /* [atomic] */
    uint64_t lapic_deadline_ns;    /* [timer_lock] programmed expiry, 0 = none */
    bool running_timers;           /* [timer_lock] inside timer_queue_run */
    uint64_t irq_count;            /* [this CPU] */
    uint64_t idle_ns;              /* [atomic] time halted in the idle loop (sysctl getcpuinfo) */
    spinlock_t call_lock;          /* guards call_fn, call_data */
    void (*call_fn)(void *data);   /* smp_call_on(): one request at a time */
    void *call_data;
    unsigned guest_gdt_entries;    /* [this CPU] guest descriptors loaded (pv/gdt.c) */
    /* [this CPU] written, read racily by the stall watch: the PV hypercall
     * under way (UINT32_MAX: none) and how many have begun here. */
    uint32_t hypercall_nr;
    uint64_t hypercalls_begun;
    uint64_t tlb_flush_asked;      /* [atomic] flush tickets other CPUs took here */
    uint64_t tlb_flushes_done;     /* [atomic] tickets served (arch/x86/tlb_flush.c) */
    unsigned fixup_vector;         /* [this CPU] the fault an exception-table recovery */
    uint32_t fixup_error;          /*   resumed from, and its error code (asm/extable.h) */
};

_Static_assert(__builtin_offsetof(struct percpu, syscall_stack_top) == PERCPU_SYSCALL_STACK_TOP,
               "entry.S reads it at this offset");
_Static_assert(__builtin_offsetof(struct percpu, syscall_scratch) == PERCPU_SYSCALL_SCRATCH,
               "entry.S writes it at this offset");

struct cpu_info {
    struct percpu *percpu;
    uint64_t reserved[7];
};

#define CPU_INFO_OFFSET (STACK_SIZE - CPU_INFO_SIZE)
_Static_assert(sizeof(struct cpu_info) == CPU_INFO_SIZE, "cpu_info size");

static inline struct cpu_info *stack_cpu_info(uintptr_t stack_block)
{
    return (struct cpu_info *)(stack_block + CPU_INFO_OFFSET);
}

static inline struct percpu *this_cpu(void)
{
    uintptr_t sp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
    return stack_cpu_info(sp & ~(uintptr_t)(STACK_SIZE - 1))->percpu;
}

extern struct percpu *percpu_table[MAX_CPUS];
extern unsigned int nr_cpus;          /* CPUs found in the MADT */
extern unsigned int nr_cpus_online;

#endif
