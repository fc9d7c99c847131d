/*
 * Entry from PV guests by `syscall` (hypercalls, and user-mode system
 * calls to bounce), and the common way back into a guest.
 *
 * `syscall` leaves RSP as the guest's. The hypervisor keeps no pointer in
 * a segment base a guest can change: MSR_KERNEL_GS_BASE holds this CPU's
 * struct percpu while guests run, and a swapgs pair around the stack
 * switch borrows it for three instructions, so the guest's own GS base is
 * never disturbed. MSR_SFMASK clears IF, so nothing interrupts the window.
 */
#include <asm/gprs.h>
#include <asm/layout.h>
#include <asm/percpu-offsets.h>

#define CPU_REGS_SIZE (22 * 8)

        .text
        .globl syscall_entry
syscall_entry:
        swapgs
        movq    %rsp, %gs:PERCPU_SYSCALL_SCRATCH
        movq    %gs:PERCPU_SYSCALL_STACK_TOP, %rsp
        pushq   $GUEST_DS                  /* ss */
        pushq   %gs:PERCPU_SYSCALL_SCRATCH      /* rsp */
        swapgs
        pushq   %r11                            /* rflags */
        pushq   $GUEST_CS64                /* cs */
        pushq   %rcx                            /* rip */
        pushq   $0                              /* error code */
        pushq   $0x100                          /* "vector": a syscall */
        SAVE_GPRS
        cld
        xorl    %ebp, %ebp
        movq    %rsp, %rdi
        call    pv_handle_syscall
        movq    %rsp, %rdi
        jmp     pv_return_to_guest

/*
 * pv_switch_to(src, dst): copy a vCPU's saved frame into this CPU's
 * stack-top slot, where its entries build theirs (possibly over the
 * caller's own frames, which is why no stack is used for the copy), reset
 * the stack to just below it, and leave as a hypercall does: the work
 * before a return to the guest, then the return.
 */
        .globl pv_switch_to
pv_switch_to:
        cli
        xchgq   %rdi, %rsi
        movq    %rdi, %rdx
        movl    $(CPU_REGS_SIZE / 8), %ecx
        rep movsq
        movq    %rdx, %rsp
        xorl    %ebp, %ebp
        movq    %rsp, %rdi
        call    pv_exit_to_guest
        movq    %rsp, %rdi
        jmp     pv_return_to_guest

/*
 * Restore the frame at RDI and return to the guest, interrupts off first.
 * When the frame is what `syscall` left (RIP = RCX, RFLAGS = R11, the flat
 * 64-bit selectors, a canonical RIP, IF on, no IOPL/TF/NT), sysretq does
 * the same as iretq for much less; anything else takes iretq.
 */
#define F_R11    32
#define F_RCX    96
#define F_RIP    136
#define F_CS     144
#define F_RFLAGS 152
#define F_SS     168
#define RFLAGS_MUST_BE_CLEAR 0x34100    /* VM, NT, IOPL, TF */

        .globl pv_return_to_guest
pv_return_to_guest:
        cli
        movq    %rdi, %rsp
        movq    F_RIP(%rsp), %rax
        cmpq    F_RCX(%rsp), %rax
        jne     .Lslow
        movq    %rax, %rdx
        shlq    $16, %rdx
        sarq    $16, %rdx
        cmpq    %rax, %rdx
        jne     .Lslow
        movq    F_RFLAGS(%rsp), %rax
        cmpq    F_R11(%rsp), %rax
        jne     .Lslow
        testq   $RFLAGS_MUST_BE_CLEAR, %rax
        jnz     .Lslow
        btq     $9, %rax
        jnc     .Lslow
        cmpq    $GUEST_CS64, F_CS(%rsp)
        jne     .Lslow
        cmpq    $GUEST_DS, F_SS(%rsp)
        jne     .Lslow
        RESTORE_GPRS
        movq    40(%rsp), %rsp          /* the guest's RSP, above vector/error/rip/cs/rflags */
        sysretq
.Lslow:
        RESTORE_GPRS
        addq    $16, %rsp
        iretq

        .section .note.GNU-stack,"",@progbits
