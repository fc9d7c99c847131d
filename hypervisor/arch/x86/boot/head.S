/*
 * First instructions: the multiboot headers and the 32-bit entry that
 * switches to long mode and jumps to the image's virtual address.
 *
 * Both loaders (multiboot v1 from QEMU -kernel, v2 from GRUB) are told the
 * load address explicitly ("a.out kludge" / address tag), so the image can
 * be a flat binary and the ELF linked at slot-261 addresses never has to be
 * understood by a 32-bit loader.
 */
#include <asm/layout.h>
#include <asm/x86-defs.h>

#define PA(x) ((x) - HV_VIRT_START)

#define MB1_MAGIC        0x1BADB002
#define MB1_FLAGS        ((1 << 1) | (1 << 16))   /* memory info, address fields */
#define MB2_MAGIC        0xE85250D6
#define MB2_ARCH_I386    0

        .section .text.head, "ax", @progbits
        .code32

        .align 4
multiboot1_header:
        .long MB1_MAGIC
        .long MB1_FLAGS
        .long -(MB1_MAGIC + MB1_FLAGS)
        .long PA(multiboot1_header)     /* header_addr */
        .long PA(__image_start)         /* load_addr */
        .long PA(__load_end)            /* load_end_addr */
        .long PA(__bss_end)             /* bss_end_addr */
        .long PA(start32)               /* entry_addr */

        .align 8
multiboot2_header:
        .long MB2_MAGIC
        .long MB2_ARCH_I386
        .long multiboot2_header_end - multiboot2_header
        .long -(MB2_MAGIC + MB2_ARCH_I386 + (multiboot2_header_end - multiboot2_header))
        /* Information request: command line, modules, memory map, ACPI. */
        .align 8
        .short 1, 0
        .long 8 + 4 * 6
        .long 1, 3, 6, 14, 15, 4
        .align 8
        /* Address tag. */
        .short 2, 0
        .long 24
        .long PA(multiboot2_header)
        .long PA(__image_start)
        .long PA(__load_end)
        .long PA(__bss_end)
        .align 8
        /* Entry address tag. */
        .short 3, 0
        .long 12
        .long PA(start32)
        .align 8
        /* End tag. */
        .short 0, 0
        .long 8
multiboot2_header_end:

no_long_mode_msg:
        .asciz "Tessera: this CPU has no 64-bit long mode; cannot boot.\r\n"

/* Entry from either loader: EAX = loader magic, EBX = physical info address. */
        .globl start32
start32:
        cli
        cld
        movl    %eax, PA(boot_loader_magic)
        movl    %ebx, PA(boot_loader_info)
        movl    $PA(boot_stack_top), %esp

        /* Long mode available? */
        movl    $0x80000000, %eax
        cpuid
        cmpl    $0x80000001, %eax
        jb      no_long_mode
        movl    $0x80000001, %eax
        cpuid
        testl   $CPUID80000001_EDX_LM, %edx
        jz      no_long_mode

        /* Zero .bss in case the loader did not. */
        movl    $PA(__bss_start), %edi
        movl    $PA(__bss_end), %ecx
        subl    %edi, %ecx
        shrl    $2, %ecx
        xorl    %eax, %eax
        rep stosl

        lgdt    PA(boot_gdtr32)
        movl    %cr4, %eax
        orl     $X86_CR4_PAE, %eax
        movl    %eax, %cr4
        movl    $PA(boot_l4), %eax
        movl    %eax, %cr3
        movl    $MSR_EFER, %ecx
        rdmsr
        orl     $EFER_LME, %eax
        wrmsr
        movl    %cr0, %eax
        orl     $(X86_CR0_PG | X86_CR0_PE | X86_CR0_WP | X86_CR0_NE), %eax
        movl    %eax, %cr0
        ljmp    $0x08, $PA(start64_low)

no_long_mode:
        /* Say why on COM1 (no initialisation needed under emulators) and stop. */
        movl    $PA(no_long_mode_msg), %esi
1:      lodsb
        testb   %al, %al
        jz      2f
        movw    $0x3F8, %dx
        outb    %al, %dx
        movw    $0xE9, %dx
        outb    %al, %dx
        jmp     1b
2:      hlt
        jmp     2b

        .code64
start64_low:
        movabsq $start64_high, %rax
        jmp     *%rax

        .text
start64_high:
        lgdt    boot_gdtr64(%rip)
        movl    $0x10, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        xorl    %eax, %eax
        movl    %eax, %fs
        movl    %eax, %gs
        leaq    boot_stack_top - CPU_INFO_SIZE(%rip), %rsp
        xorl    %ebp, %ebp
        movl    boot_loader_magic(%rip), %edi
        movl    boot_loader_info(%rip), %esi
        call    start_hypervisor
        ud2

/*
 * Secondary CPUs arrive here from the trampoline in long mode on the boot
 * page tables, with RSP at the top of their own stack.
 */
        .globl ap_start64
ap_start64:
        /* Onto the hypervisor's page tables, where the AP's stack lives. */
        movq    idle_cr3(%rip), %rax
        movq    %rax, %cr3
        movq    ap_boot_stack(%rip), %rsp
        lgdt    boot_gdtr64(%rip)
        movl    $0x10, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        xorl    %eax, %eax
        movl    %eax, %fs
        movl    %eax, %gs
        xorl    %ebp, %ebp
        call    start_secondary
        ud2

        .data
        .align 16
boot_gdt:
        .quad 0
        .quad 0x00AF9A000000FFFF        /* 0x08: 64-bit code */
        .quad 0x00CF92000000FFFF        /* 0x10: data */
boot_gdt_end:
boot_gdtr32:
        .short boot_gdt_end - boot_gdt - 1
        .long PA(boot_gdt)
        .align 16
        .short 0, 0, 0
boot_gdtr64:
        .short boot_gdt_end - boot_gdt - 1
        .quad boot_gdt

        .globl boot_loader_magic, boot_loader_info
boot_loader_magic: .long 0
boot_loader_info:  .long 0

/*
 * Boot page tables: the low 4 GiB mapped three times with 2 MiB pages:
 * identity (for the switch to long mode and the AP trampoline), at the
 * image window (slot 261) and at the start of the direct map (slot 262).
 */
        .section .data.page_aligned, "aw", @progbits
        .align 4096
        .globl boot_l4
boot_l4:
        .quad PA(boot_l3_ident) + (PTE_P | PTE_W)
        .fill 261 - 1, 8, 0
        .quad PA(boot_l3_image) + (PTE_P | PTE_W)
        .quad PA(boot_l3_ident) + (PTE_P | PTE_W)
        .fill 512 - 263, 8, 0

boot_l3_ident:
        .quad PA(boot_l2) + 0x0000 + (PTE_P | PTE_W)
        .quad PA(boot_l2) + 0x1000 + (PTE_P | PTE_W)
        .quad PA(boot_l2) + 0x2000 + (PTE_P | PTE_W)
        .quad PA(boot_l2) + 0x3000 + (PTE_P | PTE_W)
        .fill 512 - 4, 8, 0

boot_l3_image:
        .fill (HV_VIRT_START >> 30) & 511, 8, 0
        .quad PA(boot_l2) + (PTE_P | PTE_W)
        .fill 511 - ((HV_VIRT_START >> 30) & 511), 8, 0

boot_l2:
        .set entry, 0
        .rept 2048
        .quad (entry << 21) + (PTE_P | PTE_W | PTE_PS)
        .set entry, entry + 1
        .endr

        .section .bss.stack, "aw", @nobits
        .align STACK_SIZE
        .globl boot_stack, boot_stack_top
boot_stack:
        .skip STACK_SIZE
boot_stack_top:
	.section .note.GNU-stack,"",@progbits
