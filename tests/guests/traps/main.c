/*
 * Trap bounce: exceptions raised in the guest kernel and in guest user mode
 * arrive at the registered trap table with Xen's frame, the right vector,
 * error code and (for #PF) CR2 in vcpu_info, and HYPERCALL_iret returns to
 * where they came from.
 */
#include "guest.h"

const char test_title[] = "trap bounce";

static void do_ud2(void *arg)    { (void)arg; __asm__ volatile("ud2"); }
static void do_int3(void *arg)   { (void)arg; __asm__ volatile("int3"); }
static void do_noncanonical(void *arg)
{
    (void)arg;
    __asm__ volatile("movq 0x0, %%rax; movabs $0x8000000000000000, %%rax; mov (%%rax), %%rax"
                     ::: "rax", "memory");
}
static void do_divide(void *arg)
{
    (void)arg;
    __asm__ volatile("xor %%ecx, %%ecx; mov $1, %%eax; xor %%edx, %%edx; div %%ecx"
                     ::: "rax", "rcx", "rdx");
}

#define UNMAPPED_VA 0x40000000000UL     /* 4 TiB: canonical, never mapped here */
static void do_read_unmapped(void *arg)
{
    (void)arg;
    (void)*(volatile unsigned long *)UNMAPPED_VA;
}
static void do_write_m2p(void *arg)
{
    (void)arg;
    *(volatile unsigned long *)MACH2PHYS_VIRT_START = 0;   /* read-only to guests */
}

/* A handler that fixes things up and returns: skip the 2-byte ud2 and
 * leave a mark in RBX, which the iret must deliver back. */
static unsigned int hook_calls;
static bool skip_ud2(struct guest_regs *regs)
{
    if (regs->vector != 6)
        return false;
    hook_calls++;
    regs->rip += 2;
    regs->rbx = 0xfeedf00d;
    return true;
}

static void ud2_then_continue(void *arg)
{
    unsigned long rbx = 0, r12 = 0x12121212;
    __asm__ volatile("xor %%ebx, %%ebx; ud2; mov %%rbx, %0" : "=r"(rbx), "+r"(r12) :: "rbx");
    ((unsigned long *)arg)[0] = rbx;
    ((unsigned long *)arg)[1] = r12;
}

static void expect(const char *what, void (*fn)(void *), unsigned int vector,
                   long error_code, struct trap_record *rec)
{
    int got = run_catching(fn, NULL, rec);
    if (!CHECK(got == (int)vector, "%s: got vector %d, want %u", what, got, vector))
        return;
    if (error_code >= 0)
        CHECK(rec->error_code == (uint64_t)error_code, "%s: error code %#lx, want %#lx", what,
              (unsigned long)rec->error_code, (unsigned long)error_code);
    CHECK(!rec->from_user, "%s: frame says user mode (cs %#lx)", what, (unsigned long)rec->cs);
    CHECK((rec->cs & ~3UL) == (FLAT_KERNEL_CS & ~3UL), "%s: frame cs %#lx", what,
          (unsigned long)rec->cs);
    CHECK(rec->saved_upcall_mask == 1, "%s: saved upcall mask %u, events were masked", what,
          rec->saved_upcall_mask);
    CHECK(rec->ss == FLAT_KERNEL_SS || (rec->ss | 3) == FLAT_KERNEL_SS,
          "%s: frame ss %#lx", what, (unsigned long)rec->ss);
    printk("traps: %-22s vector %2u error %#lx rip %#lx\n", what, rec->vector,
           (unsigned long)rec->error_code, (unsigned long)rec->rip);
}

/* ---- user mode ---- */
static char user_stack[4096] __attribute__((aligned(16)));
static volatile unsigned long user_touched;

static void user_fn_syscall(void)
{
    user_touched = 0x5ca1ab1e;
    user_return(0x1234);
}

static void user_fn_fault(void)
{
    (void)*(volatile unsigned long *)UNMAPPED_VA;
    user_return(0xbad);
}

static void user_fn_ud(void)
{
    __asm__ volatile("ud2");
    user_return(0xbad);
}

static void user_ud_in_catch(void *arg)
{
    (void)arg;
    run_in_user_mode(user_fn_ud, user_stack + sizeof(user_stack));
}

static void user_pf_in_catch(void *arg)
{
    (void)arg;
    run_in_user_mode(user_fn_fault, user_stack + sizeof(user_stack));
}

/*
 * HYPERCALL_iret to a frame the CPU refuses: a non-canonical RIP, a null
 * or hypervisor code selector, a null stack selector. Xen 4.17 takes the
 * guest's CS and SS (RPL forced to 3) into its iretq, and a fault there
 * becomes the guest's own exception with that frame, never the
 * hypervisor's: the #GP arrives at our handler with the refused RIP.
 */
extern void guest_iret_to(uint64_t *frame) __attribute__((noreturn));
static char iret_stack[4096] __attribute__((aligned(16)));
static uint64_t iret_frame[5];
static volatile unsigned int iret_landed;

static void iret_landing(void)
{
    iret_landed++;
    for (;;)
        __asm__ volatile("ud2");    /* caught: only reached if the frame was taken */
}

static void iret_with_frame(void *arg)
{
    const uint64_t *f = arg;
    for (unsigned int i = 0; i < 5; i++)
        iret_frame[i] = f[i];
    guest_iret_to(iret_frame);
}

static void bad_iret_frames(void)
{
    const uint64_t kernel_cs = FLAT_KERNEL_CS & ~3UL;   /* RPL 0: back to kernel mode */
    const uint64_t stack_top = (uint64_t)(iret_stack + sizeof(iret_stack));
    const uint64_t landing = (uint64_t)iret_landing;
    static const struct {
        const char *what;
        uint64_t rip_noncanonical, cs, ss;
        long error;
    } cases[] = {
        { "non-canonical RIP", 1, ~0UL, ~0UL, 0 },
        { "null CS", 0, 0, ~0UL, 0 },
        { "hypervisor CS", 0, 0xe008, ~0UL, 0xe008 },
        { "null SS", 0, ~0UL, 0, 0 },
    };
    struct trap_record rec;

    for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
        uint64_t want_rip = cases[i].rip_noncanonical ? 0x8000000000001000UL : landing;
        uint64_t frame[5] = {
            want_rip, cases[i].cs == ~0UL ? kernel_cs : cases[i].cs, 0x2, stack_top,
            cases[i].ss == ~0UL ? FLAT_KERNEL_SS : cases[i].ss,
        };
        iret_landed = 0;
        int got = run_catching(iret_with_frame, frame, &rec);
        printk("traps: iret to a %s: vector %d error %#lx rip %#lx cs %#lx ss %#lx rsp %#lx\n",
               cases[i].what, got, (unsigned long)rec.error_code, (unsigned long)rec.rip,
               (unsigned long)rec.cs, (unsigned long)rec.ss, (unsigned long)rec.rsp);
        if (!CHECK(got == 13 && !iret_landed, "iret to a %s: vector %d (landed %u), want #GP",
                   cases[i].what, got, iret_landed))
            continue;
        CHECK(rec.error_code == (uint64_t)cases[i].error, "iret to a %s: error %#lx, want %#lx",
              cases[i].what, (unsigned long)rec.error_code, (unsigned long)cases[i].error);
        CHECK(rec.rip == want_rip, "iret to a %s: #GP at %#lx, want the frame's %#lx",
              cases[i].what, (unsigned long)rec.rip, (unsigned long)want_rip);
        CHECK(!rec.from_user, "iret to a %s: #GP frame from user mode", cases[i].what);
        /* The frame shows the refused selectors, CS with its RPL cleared (kernel mode). */
        CHECK(rec.cs == ((frame[1] | 3) & ~3UL) && rec.ss == (frame[4] | 3),
              "iret to a %s: frame cs %#lx ss %#lx, want %#lx %#lx", cases[i].what,
              (unsigned long)rec.cs, (unsigned long)rec.ss,
              (unsigned long)((frame[1] | 3) & ~3UL), (unsigned long)(frame[4] | 3));
    }
}

/*
 * bad_stack=noncanonical|unmapped on the command line: a #UD with the
 * kernel's RSP where no bounce frame can go. Xen and Tessera crash the
 * domain (the host carries on); nothing after this line is printed.
 */
static void crash_on_bad_stack(void)
{
    unsigned long rsp = cmdline_has("bad_stack=noncanonical") ? 0x8000000000000000UL : UNMAPPED_VA;
    printk("traps: #UD with RSP %#lx: this domain must be crashed now\n", rsp);
    __asm__ volatile("mov %0, %%rsp; ud2" :: "r"(rsp) : "memory");
    test_fail("still running after a #UD with RSP %#lx", rsp);
}

void test_main(void)
{
    struct trap_record rec;

    if (cmdline_has("bad_stack=noncanonical") || cmdline_has("bad_stack=unmapped"))
        crash_on_bad_stack();

    expect("#UD (ud2)", do_ud2, 6, -1, &rec);
    expect("#BP (int3)", do_int3, 3, -1, &rec);
    expect("#GP (non-canonical)", do_noncanonical, 13, 0, &rec);
    expect("#DE (divide by zero)", do_divide, 0, -1, &rec);

    /* #PF: kernel-mode read of a not-present page: error code 0 (the U bit
     * reflects guest kernel mode, not the ring it physically runs in). */
    expect("#PF (read, unmapped)", do_read_unmapped, 14, 0, &rec);
    CHECK(rec.cr2 == UNMAPPED_VA, "#PF read: cr2 %#lx, want %#lx", (unsigned long)rec.cr2,
          UNMAPPED_VA);
    /* #PF: write to the read-only m2p table: present + write. */
    expect("#PF (write, read-only)", do_write_m2p, 14, 3, &rec);
    CHECK(rec.cr2 == MACH2PHYS_VIRT_START, "#PF write: cr2 %#lx, want %#lx",
          (unsigned long)rec.cr2, MACH2PHYS_VIRT_START);

    /* Returning from a handler through HYPERCALL_iret resumes the code with
     * the registers the handler left. */
    unsigned long out[2] = { 0, 0 };
    guest_exception_hook = skip_ud2;
    int got = run_catching(ud2_then_continue, out, &rec);
    guest_exception_hook = NULL;
    CHECK(got == -1, "resumed #UD: caught vector %d instead of resuming", got);
    CHECK(hook_calls == 1, "resumed #UD: handler ran %u times", hook_calls);
    CHECK(out[0] == 0xfeedf00d, "resumed #UD: rbx %#lx after iret", out[0]);
    CHECK(out[1] == 0x12121212, "resumed #UD: r12 %#lx after iret", out[1]);
    printk("traps: handler returned through HYPERCALL_iret, code resumed\n");

    /* User mode: enter with HYPERCALL_iret, come back with syscall. */
    uint64_t r = run_in_user_mode(user_fn_syscall, user_stack + sizeof(user_stack));
    CHECK(r == 0x1234, "user-mode round trip returned %#lx", (unsigned long)r);
    CHECK(user_touched == 0x5ca1ab1e, "user code did not run");
    printk("traps: user-mode round trip via iret and syscall ok\n");

    /* Faults in user mode bounce to the kernel with a user frame. */
    got = run_catching(user_ud_in_catch, NULL, &rec);
    if (CHECK(got == 6, "user #UD: vector %d", got)) {
        CHECK(rec.from_user, "user #UD: frame cs %#lx is not user", (unsigned long)rec.cs);
        CHECK(rec.cs == FLAT_USER_CS64, "user #UD: frame cs %#lx", (unsigned long)rec.cs);
    }
    got = run_catching(user_pf_in_catch, NULL, &rec);
    if (CHECK(got == 14, "user #PF: vector %d", got)) {
        CHECK(rec.error_code == 4, "user #PF: error code %#lx, want 4 (user, read, not present)",
              (unsigned long)rec.error_code);
        CHECK(rec.cr2 == UNMAPPED_VA, "user #PF: cr2 %#lx", (unsigned long)rec.cr2);
        CHECK(rec.from_user, "user #PF: frame not from user");
    }
    printk("traps: user-mode #UD and #PF bounced with user frames\n");

    bad_iret_frames();
}
