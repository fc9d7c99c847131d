/*
 * One trip into a VT-x guest and back.
 *
 * int vmx_enter(struct hvm_regs *regs, uint64_t launched)
 *
 * Called with interrupts off and the vCPU's VMCS current, its guest RSP,
 * RIP and RFLAGS and the host state already written. The VMCS holds the
 * guest's RSP/RIP/RFLAGS; the other general registers are loaded from and
 * saved to *regs here. The exit comes back at vmx_exit_landing with the
 * host RSP written just before entry, where the registers pushed below
 * are. VMLAUNCH for a clear VMCS, VMRESUME for a launched one.
 *
 * Returns 0 after a VM exit, 1 when the entry failed with VMfailValid
 * (VM_INSTRUCTION_ERROR says why), 2 with VMfailInvalid. An external
 * interrupt or NMI ends the guest's run by its exit; the interrupt stays
 * pending for the host (the exit does not acknowledge it) until the
 * caller enables interrupts.
 */
#include <asm/hvm_regs_offsets.h>

#define HOST_RSP 0x6C14
#define HOST_RIP 0x6C16

    .text
    .globl vmx_enter
    .type vmx_enter, @function
vmx_enter:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    push %rsi               /* 8(%rsp): launched */
    push %rdi               /* 0(%rsp): regs */

    mov $HOST_RSP, %eax
    vmwrite %rsp, %rax
    mov $HOST_RIP, %eax
    lea vmx_exit_landing(%rip), %rdx
    vmwrite %rdx, %rax

    cmpq $0, 8(%rsp)        /* the flags survive the moves below */
    mov HVM_REGS_RAX(%rdi), %rax
    mov HVM_REGS_RBX(%rdi), %rbx
    mov HVM_REGS_RCX(%rdi), %rcx
    mov HVM_REGS_RDX(%rdi), %rdx
    mov HVM_REGS_RSI(%rdi), %rsi
    mov HVM_REGS_RBP(%rdi), %rbp
    mov HVM_REGS_R8(%rdi), %r8
    mov HVM_REGS_R9(%rdi), %r9
    mov HVM_REGS_R10(%rdi), %r10
    mov HVM_REGS_R11(%rdi), %r11
    mov HVM_REGS_R12(%rdi), %r12
    mov HVM_REGS_R13(%rdi), %r13
    mov HVM_REGS_R14(%rdi), %r14
    mov HVM_REGS_R15(%rdi), %r15
    mov HVM_REGS_RDI(%rdi), %rdi
    jne 1f
    vmlaunch
    jmp 2f
1:  vmresume
2:  /* The entry failed: CF set for VMfailInvalid, ZF for VMfailValid. */
    mov $1, %eax
    adc $0, %eax
    jmp 3f

    .globl vmx_exit_landing
vmx_exit_landing:
    push %rax
    mov 8(%rsp), %rax       /* regs */
    mov %rbx, HVM_REGS_RBX(%rax)
    mov %rcx, HVM_REGS_RCX(%rax)
    mov %rdx, HVM_REGS_RDX(%rax)
    mov %rsi, HVM_REGS_RSI(%rax)
    mov %rdi, HVM_REGS_RDI(%rax)
    mov %rbp, HVM_REGS_RBP(%rax)
    mov %r8, HVM_REGS_R8(%rax)
    mov %r9, HVM_REGS_R9(%rax)
    mov %r10, HVM_REGS_R10(%rax)
    mov %r11, HVM_REGS_R11(%rax)
    mov %r12, HVM_REGS_R12(%rax)
    mov %r13, HVM_REGS_R13(%rax)
    mov %r14, HVM_REGS_R14(%rax)
    mov %r15, HVM_REGS_R15(%rax)
    popq HVM_REGS_RAX(%rax)
    xor %eax, %eax

3:  add $16, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret
    .size vmx_enter, . - vmx_enter

    .section .note.GNU-stack,"",@progbits
