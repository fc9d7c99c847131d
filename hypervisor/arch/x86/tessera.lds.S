/*
 * The hypervisor image: linked in slot 261 at HV_VIRT_START + physical
 * address, loaded at HV_LOAD_PHYS. One contiguous run so that the flat
 * binary QEMU and GRUB load is the ELF's allocated sections, in order.
 */
#include <asm/layout.h>

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(start32)

PHDRS
{
    image PT_LOAD FLAGS(7);
}

SECTIONS
{
    . = HV_VIRT_START + HV_LOAD_PHYS;
    __image_start = .;

    .text : {
        *(.text.head)
        __text_start = .;
        *(.text .text.*)
        __text_end = .;
    } :image

    . = ALIGN(4096);
    .rodata : {
        __rodata_start = .;
        *(.rodata .rodata.*)
        . = ALIGN(8);
        __trampoline_start = .;
        *(.trampoline)
        __trampoline_end = .;
        /* The exception table: (faulting instruction, recovery) pairs, asm/extable.h. */
        . = ALIGN(8);
        __ex_table_start = .;
        *(.ex_table)
        __ex_table_end = .;
        /* The linker's build id, for XENVER_build_id (pv/hc_info.c). */
        . = ALIGN(4);
        __build_id_note_start = .;
        *(.note.gnu.build-id)
        __build_id_note_end = .;
        __rodata_end = .;
    } :image

    . = ALIGN(4096);
    .data : {
        __data_start = .;
        *(.data.page_aligned)
        *(.data .data.*)
        *(.got .got.*)
    } :image

    __load_end = .;

    . = ALIGN(4096);
    .bss (NOLOAD) : {
        __bss_start = .;
        *(.bss.stack)
        *(.bss .bss.* COMMON)
        . = ALIGN(8);
        __bss_end = .;
    } :image

    __image_end = ALIGN(4096);

    /DISCARD/ : {
        *(.note.gnu.property) *(.comment) *(.eh_frame) *(.note.GNU-stack)
        *(.dynamic) *(.dynsym) *(.dynstr) *(.interp) *(.gnu.hash) *(.hash)
    }
}

ASSERT(__image_end - HV_VIRT_START < HV_VIRT_SIZE, "image too large for its window")
