/*
 * A one-entry IDT for the PVH test kernels: #GP (vector 13) counts the
 * fault in gp_faults and steps over the 2-byte instruction that took it
 * (rdmsr and wrmsr, the only ones the tests expect to fault), so a test
 * can check that the hypervisor refused an MSR access with #GP.
 */
    .text
    .globl gp_handler
gp_handler:
    incq gp_faults(%rip)
    addq $2, 8(%rsp)                    /* RIP, above the error code */
    add $8, %rsp
    iretq

    .globl idt_load_gp
idt_load_gp:
    lea gp_handler(%rip), %rax
    lea idt + 13 * 16(%rip), %rdx
    mov %ax, (%rdx)                     /* offset 15:0 */
    movw $0x08, 2(%rdx)                 /* the 64-bit code selector */
    movw $0x8E00, 4(%rdx)               /* present, DPL 0, interrupt gate */
    shr $16, %rax
    mov %ax, 6(%rdx)                    /* offset 31:16 */
    shr $16, %rax
    mov %eax, 8(%rdx)                   /* offset 63:32 */
    lidt idt_desc(%rip)
    ret

    .section .data
    .balign 16
idt:
    .fill 32 * 16, 1, 0
idt_desc:
    .word 32 * 16 - 1
    .quad idt
    .globl gp_faults
gp_faults:
    .quad 0

    .section .note.GNU-stack, "", @progbits
