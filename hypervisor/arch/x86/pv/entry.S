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
#include <asm/extable.h>
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
 * `syscall` from 32-bit (compatibility mode) code enters here (MSR_CSTAR):
 * the same stack switch, but the frame says where it came from, CS =
 * GUEST_CS32 and SS = GUEST_DS (Xen's FLAT_USER_CS32/SS32), so the
 * syscall32 callback is chosen and the return to it takes iretq. Never a
 * hypercall, whichever mode the guest was in (as Xen's cstar entry).
 */
        .globl syscall32_entry
syscall32_entry:
        swapgs
        movq    %rsp, %gs:PERCPU_SYSCALL_SCRATCH
        movq    %gs:PERCPU_SYSCALL_STACK_TOP, %rsp
        pushq   $GUEST_DS                       /* ss */
        pushq   %gs:PERCPU_SYSCALL_SCRATCH      /* rsp */
        swapgs
        pushq   %r11                            /* rflags */
        pushq   $GUEST_CS32                     /* cs */
        pushq   %rcx                            /* rip */
        pushq   $0                              /* error code */
        pushq   $0x100                          /* "vector": a syscall */
        SAVE_GPRS
        cld
        xorl    %ebp, %ebp
        movq    %rsp, %rdi
        call    pv_handle_syscall32
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
 * Every return to a guest passes here (the exception entry too).
 * When the frame is what `syscall` left (RIP = RCX, RFLAGS = R11, the flat
 * 64-bit selectors, a canonical RIP, IF on, no IOPL/TF/NT), sysretq does
 * the same as iretq for much less; anything else takes iretq.
 *
 * sysretq cannot fault here: CS and SS come from MSR_STAR, and the one
 * guest value it checks, RCX, was just checked canonical (on Intel a
 * non-canonical RCX faults in ring 0 on the guest's stack, which no
 * recovery could survive). iretq can fault on the guest's frame (a
 * non-canonical RIP, a selector the CPU refuses): its exception-table
 * entry rebuilds the frame and hands the fault to the guest.
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
.Liret_to_guest:
        iretq
        EXTABLE .Liret_to_guest, .Liret_refused

/*
 * The iretq faulted in ring 0: RSP is back at the iret frame (RIP, CS,
 * RFLAGS, RSP, SS) and every general register holds the guest's, so the
 * full frame is rebuilt where it was and the fault goes to the guest.
 */
.Liret_refused:
        subq    $16, %rsp               /* vector and error code: set from the fault */
        SAVE_GPRS
        cld
        xorl    %ebp, %ebp
        movq    %rsp, %rdi
        call    pv_guest_iret_faulted
        movq    %rsp, %rdi
        jmp     pv_return_to_guest

        .section .note.GNU-stack,"",@progbits
