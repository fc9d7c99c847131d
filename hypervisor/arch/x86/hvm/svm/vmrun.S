/*
 * One trip into an SVM guest and back.
 *
 * void svm_vmrun(uint64_t vmcb_pa, uint64_t host_vmcb_pa, struct hvm_regs *regs)
 *
 * Called with interrupts off. VMRUN saves and restores only part of the
 * host (RAX, RSP, RIP, RFLAGS, CR0/3/4, EFER, the segment registers'
 * selectors and the descriptor tables), so the rest (FS/GS bases, TR,
 * LDTR, KernelGSBase, the syscall and sysenter MSRs) goes to the CPU's
 * host VMCB page with VMSAVE and the guest's comes from its VMCB with
 * VMLOAD, and the other way round after the exit. The guest's general
 * registers other than RAX and RSP (which the VMCB holds) are loaded from
 * and saved to *regs here.
 *
 * Interrupts: GIF is cleared, then IF set, so that a host interrupt while
 * the guest runs ends the run (intercepted INTR, with V_INTR_MASKING the
 * host's IF decides) instead of waiting for the guest; it stays pending
 * until the caller enables interrupts (GIF set again here with IF clear).
 */
#include <asm/hvm_regs_offsets.h>

    .text
    .globl svm_vmrun
    .type svm_vmrun, @function
svm_vmrun:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    push %rdx               /* 16(%rsp): regs */
    push %rsi               /*  8(%rsp): host VMCB page */
    push %rdi               /*  0(%rsp): guest VMCB */

    mov %rsi, %rax
    vmsave %rax
    mov (%rsp), %rax
    vmload %rax
    clgi
    sti

    mov 16(%rsp), %rax
    mov HVM_REGS_RBX(%rax), %rbx
    mov HVM_REGS_RCX(%rax), %rcx
    mov HVM_REGS_RDX(%rax), %rdx
    mov HVM_REGS_RSI(%rax), %rsi
    mov HVM_REGS_RDI(%rax), %rdi
    mov HVM_REGS_RBP(%rax), %rbp
    mov HVM_REGS_R8(%rax), %r8
    mov HVM_REGS_R9(%rax), %r9
    mov HVM_REGS_R10(%rax), %r10
    mov HVM_REGS_R11(%rax), %r11
    mov HVM_REGS_R12(%rax), %r12
    mov HVM_REGS_R13(%rax), %r13
    mov HVM_REGS_R14(%rax), %r14
    mov HVM_REGS_R15(%rax), %r15
    mov (%rsp), %rax
    vmrun %rax
    /* #VMEXIT: GIF clear, host RAX (the VMCB's address), RSP and RFLAGS back. */
    mov 16(%rsp), %rax
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
    mov (%rsp), %rax
    vmsave %rax
    mov 8(%rsp), %rax
    vmload %rax
    cli
    stgi

    add $24, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret
    .size svm_vmrun, . - svm_vmrun

    .section .note.GNU-stack,"",@progbits
