/*
 * void hvm_call_on_stack(uintptr_t stack_top, void (*fn)(void *), void *arg)
 *
 * Abandon the current stack for the one ending at stack_top and call fn
 * there; fn never returns. A vCPU switch leaves the stack it came from
 * behind this way (as pv_switch_to does for PV vCPUs), so the HVM run loop
 * always starts at the same depth however many switches came before.
 */
    .text
    .globl hvm_call_on_stack
    .type hvm_call_on_stack, @function
hvm_call_on_stack:
    mov %rdi, %rsp
    and $~15, %rsp
    xor %ebp, %ebp
    mov %rdx, %rdi
    call *%rsi
    ud2
    .size hvm_call_on_stack, . - hvm_call_on_stack

    .section .note.GNU-stack,"",@progbits
