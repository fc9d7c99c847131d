/*
 * Hypercall wrappers: each is a call into the hypervisor-filled hypercall
 * page (slot = number * 32), arguments in RDI, RSI, RDX, R10, R8, result in
 * RAX. The hypervisor may clobber the argument registers, so they are all
 * in/out operands here.
 */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <pvabi/xen.h>

extern char hypercall_page[4096];


static inline long hypercall5(unsigned int nr, unsigned long a1, unsigned long a2,
                              unsigned long a3, unsigned long a4, unsigned long a5)
{
    register unsigned long r10 __asm__("r10") = a4;
    register unsigned long r8 __asm__("r8") = a5;
    long ret;
    void *target = hypercall_page + nr * 32;

    __asm__ volatile("call *%[target]"
                     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                     : [target] "r"(target)
                     : "memory", "rcx", "r11", "r9");
    return ret;
}

static inline long hypercall1(unsigned int nr, unsigned long a1)
{
    return hypercall5(nr, a1, 0, 0, 0, 0);
}
static inline long hypercall2(unsigned int nr, unsigned long a1, unsigned long a2)
{
    return hypercall5(nr, a1, a2, 0, 0, 0);
}
static inline long hypercall3(unsigned int nr, unsigned long a1, unsigned long a2,
                              unsigned long a3)
{
    return hypercall5(nr, a1, a2, a3, 0, 0);
}
static inline long hypercall4(unsigned int nr, unsigned long a1, unsigned long a2,
                              unsigned long a3, unsigned long a4)
{
    return hypercall5(nr, a1, a2, a3, a4, 0);
}

#define P(x) ((unsigned long)(x))

static inline long hyp_console_io(int cmd, int count, const char *buf)
{ return hypercall3(__HYPERVISOR_console_io, (unsigned)cmd, (unsigned)count, P(buf)); }
static inline long hyp_xen_version(int cmd, void *arg)
{ return hypercall2(__HYPERVISOR_xen_version, (unsigned)cmd, P(arg)); }
static inline long hyp_sched_op(int cmd, void *arg)
{ return hypercall2(__HYPERVISOR_sched_op, (unsigned)cmd, P(arg)); }
static inline long hyp_event_channel_op(int cmd, void *arg)
{ return hypercall2(__HYPERVISOR_event_channel_op, (unsigned)cmd, P(arg)); }
static inline long hyp_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{ return hypercall3(__HYPERVISOR_vcpu_op, (unsigned)cmd, vcpu, P(arg)); }
static inline long hyp_memory_op(unsigned int cmd, void *arg)
{ return hypercall2(__HYPERVISOR_memory_op, cmd, P(arg)); }
static inline long hyp_grant_table_op(unsigned int cmd, void *arg, unsigned int count)
{ return hypercall3(__HYPERVISOR_grant_table_op, cmd, P(arg), count); }
static inline long hyp_set_trap_table(const struct trap_info *table)
{ return hypercall1(__HYPERVISOR_set_trap_table, P(table)); }
static inline long hyp_callback_op(int cmd, const void *arg)
{ return hypercall2(__HYPERVISOR_callback_op, (unsigned)cmd, P(arg)); }
static inline long hyp_update_va_mapping(unsigned long va, uint64_t pte, unsigned long flags)
{ return hypercall3(__HYPERVISOR_update_va_mapping, va, pte, flags); }
static inline long hyp_mmu_update(struct mmu_update *req, unsigned int count,
                                  unsigned int *done, domid_t dom)
{ return hypercall4(__HYPERVISOR_mmu_update, P(req), count, P(done), dom); }
static inline long hyp_mmuext_op(struct mmuext_op *op, unsigned int count,
                                 unsigned int *done, domid_t dom)
{ return hypercall4(__HYPERVISOR_mmuext_op, P(op), count, P(done), dom); }
static inline long hyp_stack_switch(unsigned long ss, unsigned long sp)
{ return hypercall2(__HYPERVISOR_stack_switch, ss, sp); }
static inline long hyp_set_segment_base(unsigned int which, unsigned long base)
{ return hypercall2(__HYPERVISOR_set_segment_base, which, base); }
static inline long hyp_set_timer_op(uint64_t deadline_ns)
{ return hypercall1(__HYPERVISOR_set_timer_op, deadline_ns); }
static inline long hyp_vm_assist(unsigned int cmd, unsigned int type)
{ return hypercall2(__HYPERVISOR_vm_assist, cmd, type); }
static inline long hyp_multicall(struct multicall_entry *calls, unsigned int nr)
{ return hypercall2(__HYPERVISOR_multicall, P(calls), nr); }

#endif /* GUEST_HYPERCALL_H */
