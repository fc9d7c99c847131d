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
