/*
 * Entry of a PVH test kernel: the Xen notes a PVH domain builder reads
 * (XEN_ELFNOTE_PHYS32_ENTRY names the 32-bit entry), then the way from
 * 32-bit protected mode with paging off (EBX = hvm_start_info's physical
 * address) to long mode on this kernel's own page tables: the first GiB
 * identity-mapped with 2 MiB pages. EFER.LME is set with rdmsr/wrmsr,
 * which the hypervisor emulates, so even this much tests it. The CPU's
 * vendor picks the hypercall instruction (hypercall_by_vmcall).
 */
#include <pvabi/elfnote.h>

.macro xen_note type, desc:vararg
    .pushsection .note.xen, "a", @note
    .balign 4
    .long 4
    .long 3f - 2f
    .long \type
    .asciz "Xen"
2:  \desc
3:  .balign 4
    .popsection
.endm

xen_note XEN_ELFNOTE_GUEST_OS,      .asciz "tessera-hvm-test"
xen_note XEN_ELFNOTE_GUEST_VERSION, .asciz "1"
xen_note XEN_ELFNOTE_XEN_VERSION,   .asciz "xen-3.0"
xen_note XEN_ELFNOTE_LOADER,        .asciz "generic"
xen_note XEN_ELFNOTE_PHYS32_ENTRY,  .long pvh_start32

#define GDT_CS64 0x08
#define GDT_DS   0x10

    .weak early32_hook

    .section .text.entry, "ax", @progbits
    .code32
    .globl pvh_start32
pvh_start32:
    cli
    mov %ebx, %esi                      /* kept for hvm_main */
    lgdt gdt_desc
    mov $GDT_DS, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov $boot_stack_top, %esp
    /*
     * Intel's VT-x takes hypercalls by VMCALL, AMD's SVM by VMMCALL (the
     * other one is #UD): the vendor decides, as Linux and Xen's hypercall
     * page decide it.
     */
    xor %eax, %eax
    cpuid
    cmp $0x756e6547, %ebx               /* "Genu"ineIntel */
    jne 2f
    movb $1, hypercall_by_vmcall
2:
    /* A hypercall from 32-bit code: xen_version(XENVER_version) in EAX, EBX. */
    mov $17, %eax
    xor %ebx, %ebx
    xor %ecx, %ecx
    cmpb $0, hypercall_by_vmcall
    jne 3f
    vmmcall
    jmp 4f
3:  vmcall
4:  mov %eax, xen_version_32bit
    /* A test's own 32-bit step before long mode (hvm_realmode's trip), if it has one. */
    mov $early32_hook, %eax
    test %eax, %eax
    jz 1f
    call *%eax
1:
    mov %cr4, %eax
    or $0x20, %eax                      /* PAE */
    mov %eax, %cr4
    mov $pml4, %eax
    mov %eax, %cr3
    mov $0xC0000080, %ecx               /* EFER */
    rdmsr
    or $0x100, %eax                     /* LME */
    wrmsr
    mov %cr0, %eax
    or $0x80000001, %eax                /* PG, PE */
    mov %eax, %cr0
    ljmp $GDT_CS64, $start64

    .code64
start64:
    mov $GDT_DS, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %eax, %fs
    mov %eax, %gs
    mov $boot_stack_top, %rsp
    xor %ebp, %ebp
    mov %esi, %edi
    call hvm_main
1:  cli
    hlt
    jmp 1b

    .section .rodata
    .balign 8
gdt:
    .quad 0
    .quad 0x00af9a000000ffff            /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff            /* 0x10: data */
    .quad 0x00009a100000ffff            /* 0x18: 16-bit code, base 1 MiB (real-mode trips) */
    .quad 0x000092000000ffff            /* 0x20: 16-bit data, base 0 */
    .quad 0x00cf9a000000ffff            /* 0x28: 32-bit code */
gdt_end:
    .globl gdt_desc
gdt_desc:
    .word gdt_end - gdt - 1
    .quad gdt

    .section .data
    .balign 4096
pml4:
    .quad pdpt + 0x3
    .fill 511, 8, 0
pdpt:
    .quad pd + 0x3
    .fill 511, 8, 0
pd:
    .set i, 0
    .rept 512
    .quad (i << 21) | 0x83              /* present, writable, 2 MiB */
    .set i, i + 1
    .endr

    .globl xen_version_32bit
xen_version_32bit:
    .long 0
    .globl hypercall_by_vmcall
hypercall_by_vmcall:
    .byte 0

    .section .bss
    .balign 16
boot_stack:
    .skip 16384
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
