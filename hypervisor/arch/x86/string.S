/*
 * memcpy and memset with the string instructions, eight bytes at a time
 * then the tail byte by byte: fast on hardware and far faster than byte
 * loops under an emulator (building a 64 MiB domain clears all of it).
 * They replace lib/string.c's portable versions. The direction flag is
 * clear in all hypervisor code (every entry does cld).
 */
        .text
        .globl memcpy
memcpy:
        movq    %rdi, %rax
        movq    %rdx, %rcx
        shrq    $3, %rcx
        rep movsq
        movq    %rdx, %rcx
        andq    $7, %rcx
        rep movsb
        ret

        .globl memset
memset:
        movq    %rdi, %r9
        movzbl  %sil, %eax
        movabsq $0x0101010101010101, %r8
        imulq   %r8, %rax                       /* the byte in all eight lanes */
        movq    %rdx, %rcx
        shrq    $3, %rcx
        rep stosq
        movq    %rdx, %rcx
        andq    $7, %rcx
        rep stosb
        movq    %r9, %rax
        ret

        .section .note.GNU-stack,"",@progbits
