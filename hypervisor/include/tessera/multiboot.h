/*
 * The Multiboot (v1, 0.6.96) and Multiboot2 (2.0) boot protocols: magic
 * numbers, flags and tag types, and the byte offsets of the fields the
 * hypervisor reads. Offsets rather than structs: loader data is read
 * through a bounded reader, byte-wise, whatever its alignment.
 */
#ifndef TESSERA_MULTIBOOT_H
#define TESSERA_MULTIBOOT_H

/* ---- Multiboot v1 ---- */
#define MB1_HEADER_MAGIC     0x1BADB002u   /* in the image's header */
#define MB1_BOOTLOADER_MAGIC 0x2BADB002u   /* in EAX at entry */

/* Info structure flags: which fields the loader filled in. */
#define MB1_INFO_MEMORY      (1u << 0)     /* mem_lower, mem_upper */
#define MB1_INFO_BOOTDEV     (1u << 1)
#define MB1_INFO_CMDLINE     (1u << 2)
#define MB1_INFO_MODS        (1u << 3)
#define MB1_INFO_AOUT_SYMS   (1u << 4)
#define MB1_INFO_ELF_SHDR    (1u << 5)
#define MB1_INFO_MEM_MAP     (1u << 6)
#define MB1_INFO_DRIVES      (1u << 7)
#define MB1_INFO_CONFIG      (1u << 8)
#define MB1_INFO_LOADER_NAME (1u << 9)
#define MB1_INFO_APM         (1u << 10)
#define MB1_INFO_VBE         (1u << 11)
#define MB1_INFO_FRAMEBUFFER (1u << 12)

/* Info structure field offsets (all little-endian u32 unless noted). */
#define MB1_OFF_FLAGS        0
#define MB1_OFF_MEM_LOWER    4             /* KiB below 1 MiB */
#define MB1_OFF_MEM_UPPER    8             /* KiB from 1 MiB to the first hole */
#define MB1_OFF_BOOT_DEVICE  12
#define MB1_OFF_CMDLINE      16            /* physical address of a C string */
#define MB1_OFF_MODS_COUNT   20
#define MB1_OFF_MODS_ADDR    24
#define MB1_OFF_SYMS         28            /* 16 bytes */
#define MB1_OFF_MMAP_LENGTH  44
#define MB1_OFF_MMAP_ADDR    48
#define MB1_OFF_DRIVES_LEN   52
#define MB1_OFF_DRIVES_ADDR  56
#define MB1_OFF_CONFIG_TABLE 60
#define MB1_OFF_LOADER_NAME  64
#define MB1_OFF_APM_TABLE    68
#define MB1_OFF_VBE          72            /* up to 88 */
#define MB1_OFF_FRAMEBUFFER  88            /* up to 116 */
#define MB1_INFO_SIZE        116

/* A module entry: start, end (exclusive), string address, reserved. */
#define MB1_MODULE_SIZE      16
#define MB1_MOD_OFF_START    0
#define MB1_MOD_OFF_END      4
#define MB1_MOD_OFF_STRING   8

/*
 * A memory map entry: u32 size (of the rest of the entry, not counting
 * this field), u64 base, u64 length, u32 type. The next entry starts
 * size + 4 bytes after this one.
 */
#define MB1_MMAP_OFF_SIZE    0
#define MB1_MMAP_OFF_BASE    4
#define MB1_MMAP_OFF_LENGTH  12
#define MB1_MMAP_OFF_TYPE    20
#define MB1_MMAP_MIN_SIZE    20            /* smallest valid 'size' field */

/* ---- Multiboot2 ---- */
#define MB2_HEADER_MAGIC     0xE85250D6u
#define MB2_BOOTLOADER_MAGIC 0x36D76289u

/* Boot information: u32 total_size, u32 reserved, then 8-aligned tags. */
#define MB2_INFO_HEADER_SIZE 8
#define MB2_TAG_ALIGN        8
#define MB2_TAG_HEADER_SIZE  8             /* u32 type, u32 size (with header) */

#define MB2_TAG_END              0
#define MB2_TAG_CMDLINE          1         /* C string */
#define MB2_TAG_LOADER_NAME      2         /* C string */
#define MB2_TAG_MODULE           3         /* u32 start, u32 end, C string */
#define MB2_TAG_BASIC_MEMINFO    4         /* u32 mem_lower, u32 mem_upper (KiB) */
#define MB2_TAG_BOOTDEV          5
#define MB2_TAG_MMAP             6         /* u32 entry_size, u32 version, entries */
#define MB2_TAG_VBE              7
#define MB2_TAG_FRAMEBUFFER      8
#define MB2_TAG_ELF_SECTIONS     9
#define MB2_TAG_APM              10
#define MB2_TAG_EFI32            11
#define MB2_TAG_EFI64            12
#define MB2_TAG_SMBIOS           13
#define MB2_TAG_ACPI_OLD         14        /* copy of an ACPI 1.0 RSDP */
#define MB2_TAG_ACPI_NEW         15        /* copy of an ACPI 2.0+ RSDP */
#define MB2_TAG_NETWORK          16
#define MB2_TAG_EFI_MMAP         17
#define MB2_TAG_EFI_BS           18
#define MB2_TAG_EFI32_IH         19
#define MB2_TAG_EFI64_IH         20
#define MB2_TAG_LOAD_BASE_ADDR   21        /* u32 physical load address */

/* Offsets inside tags, from the tag's start (its header included). */
#define MB2_MOD_OFF_START        8
#define MB2_MOD_OFF_END          12
#define MB2_MOD_OFF_STRING       16
#define MB2_MEMINFO_OFF_LOWER    8
#define MB2_MEMINFO_OFF_UPPER    12
#define MB2_MMAP_OFF_ENTRY_SIZE  8
#define MB2_MMAP_OFF_VERSION     12
#define MB2_MMAP_OFF_ENTRIES     16
#define MB2_MMAP_ENTRY_MIN_SIZE  24        /* u64 base, u64 length, u32 type, u32 reserved */
#define MB2_RSDP_OFF             8
#define MB2_LOAD_BASE_OFF        8

/* Memory map types, the same numbers in both protocols (and in the E820 map). */
#define MB_MEMORY_AVAILABLE      1
#define MB_MEMORY_RESERVED       2
#define MB_MEMORY_ACPI_RECLAIMABLE 3
#define MB_MEMORY_NVS            4
#define MB_MEMORY_BADRAM         5

#endif
