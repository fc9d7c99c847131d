/*
 * Start-up code for secondary CPUs. Copied to TRAMPOLINE_PHYS (below 1 MiB,
 * page aligned) by the boot CPU, which also fills in the data fields at its
 * end; a CPU woken by a start-up IPI runs it in real mode with CS:IP =
 * (TRAMPOLINE_PHYS >> 4):0 and leaves it in long mode, on the boot page
 * tables, jumping to tramp_target in the image.
 */
#include <asm/layout.h>
#include <asm/x86-defs.h>

#define TP(x) (TRAMPOLINE_PHYS + ((x) - trampoline_start))

        .section .trampoline, "a", @progbits
        .code16
        .globl trampoline_start
trampoline_start:
        cli
        cld
        movw    %cs, %ax
        movw    %ax, %ds
        lgdtl   tramp_gdtr - trampoline_start
        movl    %cr0, %eax
        orl     $X86_CR0_PE, %eax
        movl    %eax, %cr0
        ljmpl   $0x08, $TP(tramp_pm)

        .code32
tramp_pm:
        movw    $0x10, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movl    %cr4, %eax
        orl     $X86_CR4_PAE, %eax
        movl    %eax, %cr4
        movl    TP(tramp_cr3), %eax
        movl    %eax, %cr3
        movl    $MSR_EFER, %ecx
        movl    TP(tramp_efer), %eax
        movl    TP(tramp_efer) + 4, %edx
        wrmsr
        movl    %cr0, %eax
        orl     $(X86_CR0_PG | X86_CR0_WP | X86_CR0_NE), %eax
        movl    %eax, %cr0
        ljmp    $0x18, $TP(tramp_lm)

        .code64
tramp_lm:
        movq    TP(tramp_target), %rax
        jmp     *%rax

        .align 8
tramp_gdt:
        .quad 0
        .quad 0x00CF9A000000FFFF        /* 0x08: 32-bit code */
        .quad 0x00CF92000000FFFF        /* 0x10: data */
        .quad 0x00AF9A000000FFFF        /* 0x18: 64-bit code */
tramp_gdtr:
        .short tramp_gdtr - tramp_gdt - 1
        .long TP(tramp_gdt)

        .align 8
        .globl tramp_cr3, tramp_efer, tramp_target
tramp_cr3:    .long 0
              .long 0
tramp_efer:   .quad 0
tramp_target: .quad 0
        .globl trampoline_end
trampoline_end:
	.section .note.GNU-stack,"",@progbits
