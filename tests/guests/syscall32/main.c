/*
 * `syscall` from 32-bit user code of a 64-bit PV guest (CALLBACKTYPE_syscall32).
 *
 * Xen 4.17 enters such a syscall through MSR_CSTAR and bounces it to the
 * syscall32 callback, never to the 64-bit one, with the frame of a 32-bit
 * user (CS FLAT_USER_CS32 0xe023, SS FLAT_USER_SS32 0xe02b); events are
 * masked by the 64-bit syscall callback's CALLBACKF_mask_events (the
 * syscall32 flag is unused for a 64-bit domain) and DF is clear on entry.
 * With no syscall32 callback the `syscall` itself takes #UD, as a 64-bit
 * `syscall` does with the syscall callback registered as 0. HYPERCALL_iret
 * back to 0xe023 resumes the 32-bit code after the `syscall`.
 *
 * The 32-bit code touches no memory but its stack: a 64-bit PV kernel runs
 * with null DS/ES, which compatibility mode cannot use (a data access
 * through them is #GP).
 */
#include "guest.h"

const char test_title[] = "syscall32 callback";

#define USER_CS32 0xe023
#define USER_SS32 0xe02b

extern char user32_code[], user32_syscall_insn[], user32_after_syscall[];
extern char syscall32_callback_entry[], trap_entry_257[];
volatile uint64_t syscall32_entry_rflags;
volatile unsigned int syscall32_entries;

/*
 * user32_code runs in compatibility mode: `syscall` with EAX = 0x32 and DF
 * set, then, back from the callback, EBX = 0x600d and a far jump to 64-bit
 * user code (0xe033), which returns EBX to the kernel with a 64-bit
 * `syscall` (the lib's user_return path).
 * syscall32_callback_entry notes its RFLAGS and counts, then joins the
 * lib's syscall entry.
 */
__asm__(
    "    .pushsection .text\n"
    "    .code32\n"
    "    .globl user32_code, user32_syscall_insn, user32_after_syscall\n"
    "user32_code:\n"
    "    movl $0x32, %eax\n"
    "    std\n"
    "user32_syscall_insn:\n"
    "    syscall\n"
    "user32_after_syscall:\n"
    "    cld\n"
    "    movl $0x600d, %ebx\n"
    "    ljmp $0xe033, $user64_back\n"
    "    .code64\n"
    "user64_back:\n"
    "    movl %ebx, %eax\n"
    "    syscall\n"
    "    ud2\n"
    "    .globl syscall32_callback_entry\n"
    "syscall32_callback_entry:\n"
    "    push %rax\n"
    "    pushfq\n"
    "    pop %rax\n"
    "    mov %rax, syscall32_entry_rflags(%rip)\n"
    "    pop %rax\n"
    "    lock incl syscall32_entries(%rip)\n"
    "    jmp trap_entry_257\n"
    "    .popsection\n");

static char user_stack[4096] __attribute__((aligned(16)));
#define USER_STACK_TOP ((uint64_t)(user_stack + sizeof(user_stack)))

static void enter_user32(void *arg)
{
    run_in_user_mode_cs((void (*)(void))user32_code, user_stack + sizeof(user_stack),
                        (uint64_t)arg, USER_CS32);
}

static void user64_syscall(void)
{
    user_return(0x64);
}

static void enter_user64(void *arg)
{
    (void)arg;
    run_in_user_mode(user64_syscall, user_stack + sizeof(user_stack));
}

/* What the 32-bit `syscall` bounce looked like. */
static struct guest_regs seen;
static uint8_t mask_in_callback;
static unsigned int hook_calls;

static void syscall_hook(struct guest_regs *regs)
{
    hook_calls++;
    seen = *regs;
    mask_in_callback = this_vcpu_info()->evtchn_upcall_mask;
    guest_syscall_hook = NULL;      /* the 64-bit syscall that follows ends user mode */
    /* Back to the 32-bit code after the `syscall` by HYPERCALL_iret with this frame. */
}

void test_main(void)
{
    struct trap_record rec;

    /* 1. No syscall32 callback yet: #UD at the `syscall`, from 32-bit user mode. */
    int got = run_catching(enter_user32, (void *)0x2, &rec);
    printk("syscall32: none registered: vector %d rip %#lx cs %#lx ss %#lx\n", got,
           (unsigned long)rec.rip, (unsigned long)rec.cs, (unsigned long)rec.ss);
    if (CHECK(got == 6, "syscall from 32-bit code with no syscall32 callback: vector %d, "
              "want #UD", got)) {
        CHECK(rec.rip == (uint64_t)user32_syscall_insn, "#UD at %#lx, want the syscall's %#lx",
              (unsigned long)rec.rip, (unsigned long)user32_syscall_insn);
        CHECK_EQ(rec.cs, USER_CS32, "#UD frame CS");
        CHECK(rec.from_user, "#UD frame not from user mode");
    }

    /* 2. Registered (without CALLBACKF_mask_events): delivered there, not to syscall. */
    struct callback_register reg = {
        .type = CALLBACKTYPE_syscall32, .flags = 0,
        .address = (unsigned long)syscall32_callback_entry,
    };
    CHECK_EQ(hyp_callback_op(CALLBACKOP_register, &reg), 0, "register syscall32");

    guest_syscall_hook = syscall_hook;
    /* IF set in user mode: events unmasked there, so the mask seen is the bounce's. */
    uint64_t r = run_in_user_mode_cs((void (*)(void))user32_code,
                                     user_stack + sizeof(user_stack), 0x202, USER_CS32);
    guest_syscall_hook = NULL;
    printk("syscall32: entries %u, frame rip %#lx cs %#lx (mask %u) rflags %#lx rsp %#lx "
           "ss %#lx rcx %#lx r11 %#lx rax %#lx; events mask in callback %u, entry rflags %#lx; "
           "user mode returned %#lx\n",
           syscall32_entries, (unsigned long)seen.rip, (unsigned long)(seen.cs & 0xffff),
           (unsigned int)(uint8_t)(seen.cs >> 32), (unsigned long)seen.rflags,
           (unsigned long)seen.rsp, (unsigned long)seen.ss, (unsigned long)seen.rcx,
           (unsigned long)seen.r11, (unsigned long)seen.rax, mask_in_callback,
           (unsigned long)syscall32_entry_rflags, (unsigned long)r);
    CHECK_EQ(syscall32_entries, 1, "entries to the syscall32 callback");
    CHECK_EQ(hook_calls, 1, "syscall bounces seen before user mode ended");
    CHECK_EQ(seen.rip, (uint64_t)user32_after_syscall, "frame RIP (after the syscall)");
    CHECK_EQ(seen.rcx, (uint64_t)user32_after_syscall, "RCX (the syscall's return address)");
    CHECK_EQ(seen.cs & 0xffff, USER_CS32, "frame CS");
    CHECK_EQ((uint8_t)(seen.cs >> 32), 0, "saved upcall mask (user mode ran unmasked)");
    CHECK_EQ(seen.ss, USER_SS32, "frame SS");
    CHECK_EQ(seen.rsp, USER_STACK_TOP, "frame RSP (the 32-bit code's stack)");
    CHECK_EQ(seen.rax, 0x32, "RAX");
    CHECK(seen.r11 & 0x400, "R11 %#lx: the user RFLAGS with DF set", (unsigned long)seen.r11);
    CHECK(seen.rflags & 0x400, "frame RFLAGS %#lx: DF as user mode had it",
          (unsigned long)seen.rflags);
    CHECK(!(syscall32_entry_rflags & 0x400), "the callback entered with DF set (%#lx)",
          (unsigned long)syscall32_entry_rflags);
    CHECK_EQ(mask_in_callback, 1, "events mask in the callback (the syscall callback's flag)");
    /* 0x600d: the 32-bit code ran on after HYPERCALL_iret to 0xe023. */
    CHECK_EQ(r, 0x600d, "value the user code returned");

    /* 3. The 64-bit callback registered as 0: a 64-bit user `syscall` takes #UD too. */
    struct callback_register none = { .type = CALLBACKTYPE_syscall, .address = 0 };
    CHECK_EQ(hyp_callback_op(CALLBACKOP_register, &none), 0, "register syscall callback 0");
    got = run_catching(enter_user64, NULL, &rec);
    callbacks_install();
    printk("syscall32: 64-bit syscall with callback 0: vector %d rip %#lx cs %#lx\n", got,
           (unsigned long)rec.rip, (unsigned long)rec.cs);
    if (CHECK(got == 6, "64-bit syscall with no syscall callback: vector %d, want #UD", got)) {
        const uint8_t *insn = (const uint8_t *)rec.rip;
        CHECK(insn[0] == 0x0f && insn[1] == 0x05, "#UD at %#lx, not at a syscall",
              (unsigned long)rec.rip);
        CHECK_EQ(rec.cs, FLAT_USER_CS64, "#UD frame CS");
    }
}
