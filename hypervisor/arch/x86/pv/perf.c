/*
 * The counter set of asm/pv_perf.h: one {count, cycles} pair per kind and
 * index, shared by all CPUs (atomic adds: counting is a measuring mode,
 * not the normal one), and the report printed at power-off.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <asm/pv_perf.h>
#include <pvabi/xen.h>
#include <tessera/format.h>
#include <tessera/log.h>

bool pv_perf_on;

struct perf_slot {
    uint64_t count;
    uint64_t cycles;
};

static struct perf_slot slots[PERF_KINDS][PERF_INDEXES];

void pv_perf_add(enum pv_perf_kind kind, unsigned index, uint64_t cycles)
{
    if ((unsigned)kind >= PERF_KINDS || index >= PERF_INDEXES)
        return;
    struct perf_slot *s = &slots[kind][index];
    __atomic_fetch_add(&s->count, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&s->cycles, cycles, __ATOMIC_RELAXED);
}

static const char *const hypercall_names[PERF_INDEXES] = {
    [__HYPERVISOR_set_trap_table] = "set_trap_table",
    [__HYPERVISOR_mmu_update] = "mmu_update",
    [__HYPERVISOR_set_gdt] = "set_gdt",
    [__HYPERVISOR_stack_switch] = "stack_switch",
    [__HYPERVISOR_set_callbacks] = "set_callbacks",
    [__HYPERVISOR_fpu_taskswitch] = "fpu_taskswitch",
    [__HYPERVISOR_platform_op] = "platform_op",
    [__HYPERVISOR_set_debugreg] = "set_debugreg",
    [__HYPERVISOR_get_debugreg] = "get_debugreg",
    [__HYPERVISOR_update_descriptor] = "update_descriptor",
    [__HYPERVISOR_memory_op] = "memory_op",
    [__HYPERVISOR_multicall] = "multicall",
    [__HYPERVISOR_update_va_mapping] = "update_va_mapping",
    [__HYPERVISOR_set_timer_op] = "set_timer_op",
    [__HYPERVISOR_xen_version] = "xen_version",
    [__HYPERVISOR_console_io] = "console_io",
    [__HYPERVISOR_grant_table_op] = "grant_table_op",
    [__HYPERVISOR_vm_assist] = "vm_assist",
    [__HYPERVISOR_iret] = "iret",
    [__HYPERVISOR_vcpu_op] = "vcpu_op",
    [__HYPERVISOR_set_segment_base] = "set_segment_base",
    [__HYPERVISOR_mmuext_op] = "mmuext_op",
    [__HYPERVISOR_xsm_op] = "xsm_op",
    [__HYPERVISOR_callback_op] = "callback_op",
    [__HYPERVISOR_xenpmu_op] = "xenpmu_op",
    [__HYPERVISOR_event_channel_op] = "event_channel_op",
    [__HYPERVISOR_physdev_op] = "physdev_op",
    [__HYPERVISOR_sched_op] = "sched_op",
    [__HYPERVISOR_sysctl] = "sysctl",
    [__HYPERVISOR_domctl] = "domctl",
    [__HYPERVISOR_arch_0] = "arch_0 (mca)",
};

static const char *const vector_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "vector 9", "#TS", "#NP",
    "#SS", "#GP", "#PF", "vector 15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

static const char *const kind_names[PERF_KINDS] = {
    [PERF_HYPERCALL] = "hypercall",
    [PERF_MULTICALL] = "in multicall",
    [PERF_EMULATED] = "emulated",
    [PERF_BOUNCED] = "to the guest",
};

static const char *slot_name(unsigned kind, unsigned index, char *buf, size_t size)
{
    const char *n = kind <= PERF_MULTICALL ? hypercall_names[index]
                  : index < 32 ? vector_names[index] : NULL;
    if (n)
        return n;
    format(buf, size, "number %u", index);
    return buf;
}

void pv_perf_report(void)
{
    if (!pv_perf_on)
        return;
    static bool shown[PERF_KINDS][PERF_INDEXES];
    uint64_t total = 0;

    /* A multicall's entries are inside its own count: not added twice. */
    for (unsigned k = 0; k < PERF_KINDS; k++)
        for (unsigned i = 0; i < PERF_INDEXES && k != PERF_MULTICALL; i++)
            total += slots[k][i].cycles;
    log_info("perfc: %lu cycles handling PV guests' hypercalls and exceptions "
             "(inside each handler: not entry, exit or scheduling; the \"in multicall\" "
             "rows are part of the multicall row)\n", (unsigned long)total);
    /* Largest total first: a selection sort over the few slots in use. */
    for (;;) {
        unsigned bk = PERF_KINDS, bi = 0;
        for (unsigned k = 0; k < PERF_KINDS; k++)
            for (unsigned i = 0; i < PERF_INDEXES; i++)
                if (slots[k][i].count && !shown[k][i] &&
                    (bk == PERF_KINDS || slots[k][i].cycles > slots[bk][bi].cycles))
                    bk = k, bi = i;
        if (bk == PERF_KINDS)
            break;
        shown[bk][bi] = true;
        const struct perf_slot *s = &slots[bk][bi];
        char name[16];
        log_info("perfc: %-13s %-18s %9lu calls %12lu cycles %8lu per call %3lu%%\n",
                 kind_names[bk], slot_name(bk, bi, name, sizeof(name)), (unsigned long)s->count,
                 (unsigned long)s->cycles, (unsigned long)(s->cycles / s->count),
                 (unsigned long)(total ? s->cycles * 100 / total : 0));
    }
}
