/*
 * Exception handling: the virtual IDT handed to the hypervisor, the entry
 * callbacks, and the dispatcher every bounce ends up in (see entry.S).
 */
#include "guest.h"

extern char trap_entry_0[], trap_entry_1[], trap_entry_3[], trap_entry_4[],
    trap_entry_5[], trap_entry_6[], trap_entry_7[], trap_entry_8[], trap_entry_9[],
    trap_entry_10[], trap_entry_11[], trap_entry_12[], trap_entry_13[],
    trap_entry_14[], trap_entry_16[], trap_entry_17[], trap_entry_18[],
    trap_entry_19[], trap_entry_20[], trap_entry_21[];
extern char trap_entry_256[], trap_entry_257[], trap_entry_failsafe[];

long catch_enter(uint64_t *buf) __attribute__((returns_twice));
void catch_leave(uint64_t *buf, long value) __attribute__((noreturn));
void guest_handle_events(void);
extern void guest_iret_to(uint64_t *frame) __attribute__((noreturn));

void (*guest_syscall_hook)(struct guest_regs *regs);
uint64_t failsafe_selectors[4];
bool (*guest_exception_hook)(struct guest_regs *regs);

/* The guest kernel may `int3`/`into` from its kernel mode (DPL >= 1 is
 * needed for that in PV) and from user mode (DPL 3). */
#define TI_KERNEL 0
#define TI_ANY    3

static struct trap_info trap_table[] = {
    { 0,  TI_KERNEL, FLAT_KERNEL_CS, (unsigned long)trap_entry_0 },
    { 1,  TI_KERNEL, FLAT_KERNEL_CS, (unsigned long)trap_entry_1 },
    { 3,  TI_ANY,    FLAT_KERNEL_CS, (unsigned long)trap_entry_3 },
    { 4,  TI_ANY,    FLAT_KERNEL_CS, (unsigned long)trap_entry_4 },
    { 5,  TI_KERNEL, FLAT_KERNEL_CS, (unsigned long)trap_entry_5 },
    { 6,  TI_KERNEL, FLAT_KERNEL_CS, (unsigned long)trap_entry_6 },
    { 7,  TI_KERNEL, FLAT_KERNEL_CS, (unsigned long)trap_entry_7 },
    { 8,  TI_KERNEL, FLAT_KERNEL_CS, (unsigned long)trap_entry_8 },
    { 9,  TI_KERNEL, FLAT_KERNEL_CS, (unsigned long)trap_entry_9 },
    { 10, TI_KERNEL, FLAT_KERNEL_CS, (unsigned long)trap_entry_10 },
    { 11, TI_KERNEL, FLAT_KERNEL_CS, (unsigned long)trap_entry_11 },
    { 12, TI_KERNEL, FLAT_KERNEL_CS, (unsigned long)trap_entry_12 },
    { 13, TI_KERNEL, FLAT_KERNEL_CS, (unsigned long)trap_entry_13 },
    { 14, TI_KERNEL, FLAT_KERNEL_CS, (unsigned long)trap_entry_14 },
    { 16, TI_KERNEL, FLAT_KERNEL_CS, (unsigned long)trap_entry_16 },
    { 17, TI_KERNEL, FLAT_KERNEL_CS, (unsigned long)trap_entry_17 },
    { 18, TI_KERNEL, FLAT_KERNEL_CS, (unsigned long)trap_entry_18 },
    { 19, TI_KERNEL, FLAT_KERNEL_CS, (unsigned long)trap_entry_19 },
    { 20, TI_KERNEL, FLAT_KERNEL_CS, (unsigned long)trap_entry_20 },
    { 21, TI_KERNEL, FLAT_KERNEL_CS, (unsigned long)trap_entry_21 },
    { 0, 0, 0, 0 },     /* address 0 ends the table */
};

void trap_table_install(void)
{
    long rc = hyp_set_trap_table(trap_table);
    if (rc)
        panic("set_trap_table: %ld", rc);
}

const struct trap_info *guest_trap_table(void)
{
    return trap_table;
}

void callbacks_install(void)
{
    static const struct {
        uint16_t type, flags;
        const char *what;
        char *entry;
    } cbs[] = {
        { CALLBACKTYPE_event, 0, "event", trap_entry_256 },
        { CALLBACKTYPE_failsafe, CALLBACKF_mask_events, "failsafe", trap_entry_failsafe },
        { CALLBACKTYPE_syscall, CALLBACKF_mask_events, "syscall", trap_entry_257 },
    };
    for (unsigned int i = 0; i < ARRAY_SIZE(cbs); i++) {
        struct callback_register reg = {
            .type = cbs[i].type, .flags = cbs[i].flags,
            .address = (unsigned long)cbs[i].entry,
        };
        long rc = hyp_callback_op(CALLBACKOP_register, &reg);
        if (rc)
            panic("callback_op register %s: %ld", cbs[i].what, rc);
    }
}

int run_catching(void (*fn)(void *), void *arg, struct trap_record *rec)
{
    struct percpu *pc = &percpu_area[this_vcpu_id()];
    uint64_t buf[8];
    long v;

    memset(rec, 0, sizeof(*rec));
    pc->catch_rec = rec;
    pc->catch_buf = buf;
    v = catch_enter(buf);
    if (v == 0) {
        fn(arg);
        pc->catch_buf = NULL;
        return -1;
    }
    pc->catch_buf = NULL;
    return (int)(v - 1);
}

/* ---- user mode ---- */

static uint64_t user_buf[8];
static volatile uint64_t user_result;
static bool user_active;
static char user_entry_stack[8192] __attribute__((aligned(16)));
static bool user_baseptr_set;

uint64_t run_in_user_mode(void (*fn)(void), void *stack_top)
{
    return run_in_user_mode_flags(fn, stack_top, 0x2);
}

uint64_t run_in_user_mode_flags(void (*fn)(void), void *stack_top, uint64_t rflags)
{
    return run_in_user_mode_cs(fn, stack_top, rflags, FLAT_USER_CS64);
}

uint64_t run_in_user_mode_cs(void (*fn)(void), void *stack_top, uint64_t rflags, uint16_t cs)
{
    vcpu_info_t *vi = this_vcpu_info();
    uint8_t saved_mask = vi->evtchn_upcall_mask;
    uint64_t frame[5];

    if (!user_baseptr_set) {
        /* User mode shares the kernel's L4: every mapping of a 64-bit PV
         * guest is a user mapping anyway. */
        struct mmuext_op op = {
            .cmd = MMUEXT_NEW_USER_BASEPTR,
            .arg1.mfn = virt_to_mfn((void *)guest_start_info->pt_base),
        };
        long rc = hyp_mmuext_op(&op, 1, NULL, DOMID_SELF);
        if (rc)
            panic("MMUEXT_NEW_USER_BASEPTR: %ld", rc);
        user_baseptr_set = true;
    }
    /* The stack the hypervisor switches to when user mode enters the kernel. */
    hyp_stack_switch(FLAT_KERNEL_SS, (unsigned long)(user_entry_stack + sizeof(user_entry_stack)));

    if (catch_enter(user_buf) == 0) {
        user_active = true;
        frame[0] = (uint64_t)fn;
        frame[1] = cs;
        frame[2] = rflags;          /* IF clear: events stay masked in user mode */
        frame[3] = (uint64_t)stack_top;
        frame[4] = FLAT_USER_SS64;
        guest_iret_to(frame);
    }
    user_active = false;
    vi->evtchn_upcall_mask = saved_mask;
    return user_result;
}

void user_return(uint64_t value)
{
    __asm__ volatile("syscall" :: "a"(value) : "rcx", "r11", "memory");
    __builtin_unreachable();
}

/* ---- the dispatcher ---- */

static void record_trap(struct trap_record *rec, const struct guest_regs *regs)
{
    rec->vector = (unsigned int)regs->vector;
    rec->error_code = regs->error_code;
    rec->rip = regs->rip;
    /* Bits 32-39 of the frame's CS carry the events mask at the time. */
    rec->cs = regs->cs & 0xffff;
    rec->saved_upcall_mask = (uint8_t)(regs->cs >> 32);
    rec->rflags = regs->rflags;
    rec->rsp = regs->rsp;
    rec->ss = regs->ss;
    rec->from_user = (regs->cs & 3) == 3;
    if (regs->vector == 14)
        rec->cr2 = this_vcpu_info()->arch.cr2;
}

void guest_trap_dispatch(struct guest_regs *regs)
{
    struct percpu *pc = &percpu_area[this_vcpu_id()];

    switch (regs->vector) {
    case VECTOR_EVENT:
        guest_handle_events();
        return;
    case VECTOR_SYSCALL:
        if (guest_syscall_hook) {
            guest_syscall_hook(regs);
            return;
        }
        if (user_active) {
            user_result = regs->rax;
            catch_leave(user_buf, 1);
        }
        panic("unexpected syscall from rip %#lx", (unsigned long)regs->rip);
    case VECTOR_FAILSAFE:
        if (guest_exception_hook && guest_exception_hook(regs))
            return;
        panic("failsafe callback at rip %#lx", (unsigned long)regs->rip);
    }

    if (guest_exception_hook && guest_exception_hook(regs))
        return;     /* handled: back through HYPERCALL_iret with *regs */

    if (pc->catch_buf) {
        uint64_t *buf = pc->catch_buf;
        record_trap(pc->catch_rec, regs);
        pc->catch_buf = NULL;
        catch_leave(buf, (long)regs->vector + 1);
    }
    panic("unexpected exception %lu, error %#lx at %#lx (cs %#lx, saved mask %u), cr2 %#lx",
          (unsigned long)regs->vector, (unsigned long)regs->error_code,
          (unsigned long)regs->rip, (unsigned long)(regs->cs & 0xffff),
          (unsigned int)(uint8_t)(regs->cs >> 32), (unsigned long)this_vcpu_info()->arch.cr2);
}
