/*
 * size_t guest_copy_bytes(void *dst, const void *src, size_t len)
 * Copies with `rep movsb`; a fault on either side stops it, and the
 * exception table sends it to the return with the count left uncopied.
 */
#include <asm/extable.h>

        .text
        .globl guest_copy_bytes
guest_copy_bytes:
        movq    %rdx, %rcx
1:      rep movsb
2:      movq    %rcx, %rax
        ret

        EXTABLE 1b, 2b

        .section .note.GNU-stack,"",@progbits
