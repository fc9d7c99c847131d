/*
 * size_t guest_copy_bytes(void *dst, const void *src, size_t len)
 * Copies eight bytes at a time with `rep movsq`, then the tail with
 * `rep movsb` (under an emulator each repetition costs about the same,
 * whatever its size). A fault on either side stops it, and the exception
 * table sends it to a return with the count left uncopied: a fault in the
 * quadword part leaves RCX quadwords and the tail, in the tail RCX bytes.
 */
#include <asm/extable.h>

        .text
        .globl guest_copy_bytes
guest_copy_bytes:
        movq    %rdx, %rcx
        shrq    $3, %rcx
1:      rep movsq
        movq    %rdx, %rcx
        andq    $7, %rcx
2:      rep movsb
3:      movq    %rcx, %rax
        ret
4:      andq    $7, %rdx
        leaq    (%rdx,%rcx,8), %rax
        ret

        EXTABLE 1b, 4b
        EXTABLE 2b, 3b

        .section .note.GNU-stack,"",@progbits
