/*
 * Trap, event and syscall entry for PV test kernels.
 *
 * The hypervisor bounces an exception to the guest by building, on the
 * guest kernel stack, {RCX, R11, [error code], RIP, CS, RFLAGS, RSP, SS} and
 * jumping to the registered handler. Each stub restores RCX/R11, makes the
 * frame uniform (vector and error code words), saves every register as a
 * struct guest_regs and calls guest_trap_dispatch(regs). The way back is
 * HYPERCALL_iret: push the iret flags word and enter the iret stub, which
 * pushes RCX, R11 and RAX itself.
 */
#include <pvabi/xen.h>

#define EVENT_VECTOR    256
#define SYSCALL_VECTOR  257
#define FAILSAFE_VECTOR 258

.macro trap_noerr vec
    .globl trap_entry_\vec
trap_entry_\vec:
    pop %rcx
    pop %r11
    push $0
    push $\vec
    jmp trap_common
.endm

.macro trap_err vec
    .globl trap_entry_\vec
trap_entry_\vec:
    pop %rcx
    pop %r11
    push $\vec
    jmp trap_common
.endm

    .text
    .code64
trap_noerr 0
trap_noerr 1
trap_noerr 2
trap_noerr 3
trap_noerr 4
trap_noerr 5
trap_noerr 6
trap_noerr 7
trap_err   8
trap_noerr 9
trap_err   10
trap_err   11
trap_err   12
trap_err   13
trap_err   14
trap_noerr 15
trap_noerr 16
trap_err   17
trap_noerr 18
trap_noerr 19
trap_noerr 20
trap_err   21
trap_noerr EVENT_VECTOR
trap_noerr SYSCALL_VECTOR

    /* Failsafe frame: RCX, R11, then the DS, ES, FS, GS the hypervisor
     * could not load (kept in failsafe_selectors), then RIP, CS, ... */
    .globl trap_entry_failsafe
trap_entry_failsafe:
    pop %rcx
    pop %r11
    pop failsafe_selectors + 0(%rip)
    pop failsafe_selectors + 8(%rip)
    pop failsafe_selectors + 16(%rip)
    pop failsafe_selectors + 24(%rip)
    push $0
    push $FAILSAFE_VECTOR
    jmp trap_common

trap_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %rdi
    mov %rsp, %rbx
    and $-16, %rsp
    call guest_trap_dispatch
    mov %rbx, %rsp
    .globl trap_return
trap_return:
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp               /* vector, error code */
    push $0                     /* iret flags: not returning from a syscall */
    jmp hypercall_page + __HYPERVISOR_iret * 32

/*
 * guest_iret_to(frame): leave through HYPERCALL_iret with the given
 * {rip, cs, rflags, rsp, ss} frame (used to enter user mode). RCX/R11 are
 * zeroed so nothing of the kernel leaks.
 */
    .globl guest_iret_to
guest_iret_to:
    mov %rdi, %rsp
    push $0
    xor %ecx, %ecx
    xor %r11d, %r11d
    xor %eax, %eax
    jmp hypercall_page + __HYPERVISOR_iret * 32

/* catch_enter(buf): save callee-saved state; returns 0 now, and the vector
 * (+1) again later when catch_leave(buf, v) is called from a handler. */
    .globl catch_enter
catch_enter:
    mov %rbx, 0(%rdi)
    mov %rbp, 8(%rdi)
    mov %r12, 16(%rdi)
    mov %r13, 24(%rdi)
    mov %r14, 32(%rdi)
    mov %r15, 40(%rdi)
    lea 8(%rsp), %rax
    mov %rax, 48(%rdi)
    mov (%rsp), %rax
    mov %rax, 56(%rdi)
    xor %eax, %eax
    ret

    .globl catch_leave
catch_leave:
    mov 0(%rdi), %rbx
    mov 8(%rdi), %rbp
    mov 16(%rdi), %r12
    mov 24(%rdi), %r13
    mov 32(%rdi), %r14
    mov 40(%rdi), %r15
    mov 48(%rdi), %rsp
    mov %rsi, %rax
    jmp *56(%rdi)

    .section .note.GNU-stack, "", @progbits
