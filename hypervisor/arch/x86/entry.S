/*
 * Exception and interrupt entry: one 16-byte stub per vector pushes a
 * uniform frame (struct cpu_regs) and calls handle_trap().
 */
#include <asm/gprs.h>
#include <asm/layout.h>

#define REGS_CS 144     /* offsetof(struct cpu_regs, cs), checked in asm/regs.h */

/* Vectors for which the CPU pushes an error code itself. */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
                           (v) == 21 || (v) == 29 || (v) == 30)

        .text
        .align 16
        .globl trap_stubs
trap_stubs:
        .set vec, 0
        .rept 256
        .align 16
        .if !HAS_ERROR_CODE(vec)
        pushq   $0
        .endif
        pushq   $vec
        jmp     trap_common
        .set vec, vec + 1
        .endr

/*
 * #DB arrives on its own IST stack (arch/x86/desc.c). From the hypervisor
 * it is handled there. From a guest, its five-word frame moves to the top
 * of the CPU's ordinary stack, where every guest frame lives (the
 * scheduler saves and restores vCPUs from there), and goes on as any other
 * guest exception.
 */
        .globl debug_entry
debug_entry:
        testb   $3, 8(%rsp)                     /* CS of what was interrupted */
        jz      2f
        pushq   %rax
        pushq   %rcx
        movq    %rsp, %rax
        andq    $~(STACK_SIZE - 1), %rax        /* this CPU's stack block */
        addq    $(STACK_SIZE - CPU_INFO_SIZE - 40), %rax
        .irp n, 0, 1, 2, 3, 4
        movq    16 + 8 * \n(%rsp), %rcx
        movq    %rcx, 8 * \n(%rax)
        .endr
        popq    %rcx
        xchgq   %rax, (%rsp)                    /* RAX back; the new frame's address kept */
        movq    (%rsp), %rsp
2:      pushq   $0
        pushq   $1
        jmp     trap_common

trap_common:
        SAVE_GPRS
        cld
        movq    %rsp, %rdi
        call    handle_trap
        testb   $3, REGS_CS(%rsp)
        jz      1f
        movq    %rsp, %rdi
        jmp     pv_return_to_guest      /* every return to a guest goes through there */
1:      RESTORE_GPRS
        addq    $16, %rsp
        iretq
	.section .note.GNU-stack,"",@progbits
