/*
 * Entry point and Xen ELF notes of a PV test kernel.
 *
 * The domain builder enters _start in 64-bit mode on its own boot stack with
 * RSI = virtual address of start_info and events masked. We switch to our
 * own stack and hand over to C.
 */
#include <pvabi/elfnote.h>
#include <pvabi/xen.h>

/* One note: name "Xen", the given type, and a descriptor emitted by `desc`. */
.macro xen_note type, desc:vararg
    .pushsection .note.xen, "a", @note
    .balign 4
    .long 4                 /* namesz: "Xen\0" */
    .long 3f - 2f           /* descsz */
    .long \type
    .asciz "Xen"
2:  \desc
3:  .balign 4
    .popsection
.endm

xen_note XEN_ELFNOTE_GUEST_OS,      .asciz "tessera-test"
xen_note XEN_ELFNOTE_GUEST_VERSION, .asciz "1"
xen_note XEN_ELFNOTE_XEN_VERSION,   .asciz "xen-3.0"
xen_note XEN_ELFNOTE_LOADER,        .asciz "generic"
xen_note XEN_ELFNOTE_ENTRY,         .quad _start
xen_note XEN_ELFNOTE_HYPERCALL_PAGE, .quad hypercall_page
xen_note XEN_ELFNOTE_VIRT_BASE,     .quad 0
xen_note XEN_ELFNOTE_PADDR_OFFSET,  .quad 0
xen_note XEN_ELFNOTE_PAE_MODE,      .asciz "yes"
xen_note XEN_ELFNOTE_FEATURES,      .asciz "writable_page_tables|pae_pgdir_above_4gb"
/* Bit 11 = XENFEAT_dom0: these kernels also run as the initial domain, and
 * Xen refuses a dom0 kernel whose supported-features note lacks it. */
xen_note XEN_ELFNOTE_SUPPORTED_FEATURES, .long (1 << 11)

    .section .text.entry, "ax", @progbits
    .code64
    .globl _start
_start:
    mov %rsi, guest_start_info(%rip)
    lea boot_stack_top(%rip), %rsp
    xor %ebp, %ebp
    call guest_c_entry
    /* guest_c_entry never returns; if it did, crash loudly. */
    ud2

    /* The hypervisor fills this page with one 32-byte stub per hypercall. */
    .section .text.hypercall_page, "ax", @progbits
    .balign 4096
    .globl hypercall_page
hypercall_page:
    .fill 4096, 1, 0xcc

    .section .bss
    .balign 16
    .globl boot_stack, boot_stack_top
boot_stack:
    .skip 16384
boot_stack_top:

    .section .data
    .balign 8
    .globl guest_start_info
guest_start_info:
    .quad 0

    .section .note.GNU-stack, "", @progbits
