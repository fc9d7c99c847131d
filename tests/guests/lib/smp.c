/*
 * Secondary vCPUs: VCPUOP_initialise with a context that enters
 * vcpu_entry_trampoline on its own stack, in kernel mode, with our page
 * tables, trap table and callbacks; then VCPUOP_up.
 */
#include "guest.h"

extern char trap_entry_256[], trap_entry_257[], trap_entry_failsafe[];
const struct trap_info *guest_trap_table(void);

static void (*vcpu_fn[XEN_LEGACY_MAX_VCPUS])(unsigned int vcpu);
static struct vcpu_guest_context vcpu_ctxt;

void __attribute__((noreturn)) vcpu_c_entry(unsigned int vcpu)
{
    /* gs_base_kernel was set in the context; set it again so the
     * hypervisor's and our view agree even if it was ignored. */
    percpu_init(vcpu);
    trap_table_install();
    callbacks_install();
    vcpu_fn[vcpu](vcpu);
    hyp_vcpu_op(VCPUOP_down, vcpu, NULL);
    for (;;)
        hyp_sched_op(SCHEDOP_block, NULL);
}

__asm__(".text\n"
        ".globl vcpu_entry_trampoline\n"
        "vcpu_entry_trampoline:\n"
        "    and $-16, %rsp\n"
        "    call vcpu_c_entry\n"
        "    ud2\n");
extern char vcpu_entry_trampoline[];

long vcpu_context(struct vcpu_guest_context *c, unsigned int vcpu,
                  void (*fn)(unsigned int vcpu), void *stack_top)
{
    const struct trap_info *t = guest_trap_table();

    if (vcpu >= XEN_LEGACY_MAX_VCPUS)
        return -XEN_EINVAL;
    vcpu_fn[vcpu] = fn;
    memset(c, 0, sizeof(*c));
    c->flags = VGCF_in_kernel;
    c->user_regs.rip = (unsigned long)vcpu_entry_trampoline;
    c->user_regs.rsp = (unsigned long)stack_top;
    c->user_regs.rdi = vcpu;
    c->user_regs.cs = FLAT_KERNEL_CS;
    c->user_regs.ss = FLAT_KERNEL_SS;
    c->user_regs.rflags = 0x2;
    for (; t->address; t++)
        c->trap_ctxt[t->vector] = *t;
    c->kernel_ss = FLAT_KERNEL_SS;
    c->kernel_sp = (unsigned long)stack_top;
    c->ctrlreg[3] = xen_pfn_to_cr3(virt_to_mfn((void *)guest_start_info->pt_base));
    c->event_callback_eip = (unsigned long)trap_entry_256;
    c->failsafe_callback_eip = (unsigned long)trap_entry_failsafe;
    c->syscall_callback_eip = (unsigned long)trap_entry_257;
    c->gs_base_kernel = (unsigned long)&percpu_area[vcpu];
    return 0;
}

long vcpu_start(unsigned int vcpu, void (*fn)(unsigned int vcpu), void *stack_top)
{
    struct vcpu_guest_context *c = &vcpu_ctxt;
    long rc = vcpu_context(c, vcpu, fn, stack_top);
    if (rc)
        return rc;
    rc = hyp_vcpu_op(VCPUOP_initialise, vcpu, c);
    if (rc)
        return rc;
    return hyp_vcpu_op(VCPUOP_up, vcpu, NULL);
}
