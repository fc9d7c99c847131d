/*
 * What happens on every exception and interrupt taken in the hypervisor.
 * Exceptions here are bugs: each one is reported in full (registers,
 * control registers, a symbolised stack trace) and the machine stops.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/debugreg.h>
#include <asm/extable.h>
#include <asm/percpu.h>
#include <asm/power.h>
#include <asm/pv.h>
#include <asm/regs.h>
#include <asm/softirq.h>
#include <asm/io_apic.h>
#include <asm/msi.h>
#include <tessera/pirq.h>
#include <asm/tlb_flush.h>
#include <tessera/arch.h>
#include <tessera/compiler.h>
#include <tessera/log.h>
#include <tessera/panic.h>
#include <tessera/symbols.h>

static const char *const exception_names[32] = {
    [0] = "#DE divide error",          [1] = "#DB debug",
    [2] = "NMI",                       [3] = "#BP breakpoint",
    [4] = "#OF overflow",              [5] = "#BR bound range",
    [6] = "#UD invalid opcode",        [7] = "#NM device not available",
    [8] = "#DF double fault",          [10] = "#TS invalid TSS",
    [11] = "#NP segment not present",  [12] = "#SS stack fault",
    [13] = "#GP general protection",   [14] = "#PF page fault",
    [16] = "#MF x87 floating point",   [17] = "#AC alignment check",
    [18] = "#MC machine check",        [19] = "#XM SIMD floating point",
    [20] = "#VE virtualization",       [21] = "#CP control protection",
};

static volatile bool panicking;

static void print_symbol(const char *label, uint64_t addr)
{
    uint64_t off = 0;
    const char *name = symbol_lookup(addr, &off);
    if (name)
        log_emergency("%s[<%016lx>] %s+%#lx\n", label, (unsigned long)addr, name,
                      (unsigned long)off);
    else
        log_emergency("%s[<%016lx>] ?\n", label, (unsigned long)addr);
}

/*
 * Follow the frame-pointer chain (the image is built with frame pointers),
 * trusting no pointer that leaves the stack block we started in.
 */
static void print_stack_trace(uint64_t rbp, uint64_t rsp)
{
    uint64_t block = rsp & ~(uint64_t)(STACK_SIZE - 1);
    uint64_t lo = block, hi = block + STACK_SIZE;

    log_emergency("Stack trace:\n");
    /*
     * A function that faulted before setting up its frame (or a leaf
     * without one) left its return address at the stack top; print it,
     * marked as a guess, when it points into the image's text.
     */
    uint64_t top = *(const uint64_t *)(uintptr_t)rsp;
    uint64_t off;
    if (rsp >= lo && rsp + 8 <= hi && symbol_lookup(top, &off) &&
        (rbp < lo || rbp + 16 > hi || ((const uint64_t *)(uintptr_t)rbp)[1] != top))
        print_symbol(" ? ", top);
    for (int depth = 0; depth < 32; depth++) {
        if (rbp < lo || rbp + 16 > hi || (rbp & 7))
            break;
        const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;
        uint64_t ret = frame[1];
        if (ret == 0)
            break;
        print_symbol("   ", ret);
        if (frame[0] <= rbp)
            break;          /* frames must move up the stack */
        rbp = frame[0];
    }
}

static void describe_page_fault(uint64_t ec)
{
    log_emergency("Page fault at %016lx: %s, %s, %s%s%s\n", (unsigned long)read_cr2(),
                  ec & 1 ? "protection violation" : "not present",
                  ec & 2 ? "write" : "read",
                  ec & 4 ? "user" : "supervisor",
                  ec & 8 ? ", reserved bit set" : "",
                  ec & 16 ? ", instruction fetch" : "");
}

static void report_exception(const struct cpu_regs *r)
{
    const char *name = r->vector < 32 && exception_names[r->vector]
                           ? exception_names[r->vector] : "reserved exception";
    unsigned cpu = arch_cpu_id();

    log_emergency("\n*** Hypervisor exception on CPU %u: %s (vector %lu), error code %#lx\n",
                  cpu, name, (unsigned long)r->vector, (unsigned long)r->error_code);
    if (r->vector == 14)
        describe_page_fault(r->error_code);
    print_symbol("RIP: ", r->rip);
    log_emergency("CS: %04lx  SS: %04lx  RFLAGS: %016lx  RSP: %016lx\n",
                  (unsigned long)r->cs, (unsigned long)r->ss, (unsigned long)r->rflags,
                  (unsigned long)r->rsp);
    log_emergency("RAX: %016lx  RBX: %016lx  RCX: %016lx\n",
                  (unsigned long)r->rax, (unsigned long)r->rbx, (unsigned long)r->rcx);
    log_emergency("RDX: %016lx  RSI: %016lx  RDI: %016lx\n",
                  (unsigned long)r->rdx, (unsigned long)r->rsi, (unsigned long)r->rdi);
    log_emergency("RBP: %016lx  R8:  %016lx  R9:  %016lx\n",
                  (unsigned long)r->rbp, (unsigned long)r->r8, (unsigned long)r->r9);
    log_emergency("R10: %016lx  R11: %016lx  R12: %016lx\n",
                  (unsigned long)r->r10, (unsigned long)r->r11, (unsigned long)r->r12);
    log_emergency("R13: %016lx  R14: %016lx  R15: %016lx\n",
                  (unsigned long)r->r13, (unsigned long)r->r14, (unsigned long)r->r15);
    log_emergency("CR0: %016lx  CR2: %016lx  CR3: %016lx  CR4: %016lx\n",
                  (unsigned long)read_cr0(), (unsigned long)read_cr2(),
                  (unsigned long)read_cr3(), (unsigned long)read_cr4());
    print_stack_trace(r->rbp, r->rsp);
}

static void handle_nmi(void)
{
    if (panicking)
        cpu_stop();
    log_warn("NMI received on CPU %u (unknown source); ignored\n", arch_cpu_id());
}

extern const struct ex_entry __ex_table_start[], __ex_table_end[];

bool extable_apply(struct cpu_regs *regs)
{
    for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++) {
        if (e->fault_rip == regs->rip) {
            struct percpu *cpu = this_cpu();
            cpu->fixup_vector = (unsigned)regs->vector;
            cpu->fixup_error = (uint32_t)regs->error_code;
            regs->rip = e->fixup_rip;
            return true;
        }
    }
    return false;
}

/*
 * A #DB in the hypervisor can only come from a guest's breakpoint: a data
 * breakpoint on guest memory the hypervisor itself read or wrote (a
 * hypercall's buffer, a bounce frame), or one held back by a guest's
 * `mov %ss` until the instruction after it entered here. It is a trap, so
 * the hypervisor carries on; the guest does not hear of it (as on Xen).
 * Instruction breakpoints cannot point at the hypervisor (pv/debugreg.c);
 * should one fire all the same, every breakpoint is disarmed, since a
 * fault-type #DB would otherwise repeat forever.
 */
static void handle_hypervisor_debug(struct cpu_regs *regs)
{
    uint64_t dr6 = read_dr6(), dr7 = read_dr7();

    write_dr6(DR6_DEFAULT);
    for (unsigned n = 0; n < 4; n++) {
        if ((dr6 & (1ull << n)) && (dr7 & (3ull << (2 * n))) &&
            ((dr7 >> DR7_RW_SHIFT(n)) & 3) == DR7_RW_EXECUTE) {
            log_err("instruction breakpoint hit in the hypervisor; debug registers disarmed\n");
            write_dr7(0);
            break;
        }
    }
    log_debug("#DB in the hypervisor at %#lx (dr6 %#lx); ignored\n", (unsigned long)regs->rip,
              (unsigned long)dr6);
}

static void handle_interrupt(struct cpu_regs *regs)
{
    struct percpu *cpu = this_cpu();

    switch (regs->vector) {
    case VECTOR_LOCAL_TIMER:
        cpu->irq_count++;
        apic_eoi();
        softirq_raise(SOFTIRQ_TIMER);
        return;
    case VECTOR_IPI_WAKE:
        cpu->irq_count++;
        apic_eoi();
        return;
    case VECTOR_IPI_FLUSH:
        cpu->irq_count++;
        apic_eoi();
        tlb_flush_service();
        return;
    case VECTOR_APIC_ERROR:
        apic_eoi();
        log_warn("apic: error interrupt on CPU %u\n", cpu->index);
        return;
    case VECTOR_SPURIOUS:
        return;                 /* spurious: no EOI */
    default:
        if (regs->vector >= IRQ_VECTOR_BASE && regs->vector < IRQ_VECTOR_BASE + GSI_MAX) {
            cpu->irq_count++;
            io_apic_interrupt((unsigned)regs->vector);
            return;
        }
        if (regs->vector >= MSI_VECTOR_BASE && regs->vector < MSI_VECTOR_BASE + MSI_VECTOR_COUNT) {
            cpu->irq_count++;
            msi_interrupt((unsigned)regs->vector);
            return;
        }
        apic_eoi();
        log_warn("unexpected interrupt vector %lu on CPU %u\n",
                 (unsigned long)regs->vector, cpu->index);
    }
}

void handle_trap(struct cpu_regs *regs);
void handle_trap(struct cpu_regs *regs)
{
    if (regs->vector == 2) {
        handle_nmi();
        return;
    }
    if (regs->vector >= 32) {
        handle_interrupt(regs);
        if (regs_from_guest(regs))
            pv_exit_to_guest(regs);
        return;
    }
    if (regs_from_guest(regs)) {
        pv_handle_guest_trap(regs);
        return;
    }
    if (regs->vector == 1) {
        handle_hypervisor_debug(regs);
        return;
    }
    if ((regs->vector == 11 || regs->vector == 12 || regs->vector == 13 || regs->vector == 14) &&
        extable_apply(regs))
        return;
    report_exception(regs);
    panic("fatal exception in the hypervisor");
}

void arch_panic_halt(void)
{
    irq_disable();
    if (!__atomic_exchange_n(&panicking, true, __ATOMIC_SEQ_CST) && nr_cpus_online > 1)
        apic_send_nmi_allbutself();
    log_emergency("System halted.\n");
    if (debug_exit_enabled)
        outb(0xF4, DEBUG_EXIT_PANIC);
    cpu_stop();
}

unsigned long arch_irq_save(void)
{
    unsigned long flags = read_rflags();
    irq_disable();
    return flags;
}

void arch_irq_restore(unsigned long flags)
{
    if (flags & (1ul << 9))
        irq_enable();
}

void arch_cpu_relax(void)
{
    /* A spinning CPU may have interrupts off: it serves flushes it is waited on for. */
    tlb_flush_service();
    __asm__ volatile("pause" ::: "memory");
}

unsigned int arch_cpu_id(void)
{
    struct percpu *cpu = this_cpu();
    return cpu ? cpu->index : 0;
}
