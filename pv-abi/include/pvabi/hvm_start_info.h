/*
 * Tessera guest ABI: what a PVH guest finds at its 32-bit entry point,
 * EBX holding the guest-physical address of struct hvm_start_info (the
 * layout of Xen's public/arch-x86/hvm/start_info.h, version 1).
 */
#ifndef PVABI_HVM_START_INFO_H
#define PVABI_HVM_START_INFO_H

#include <pvabi/types.h>

#define XEN_HVM_START_MAGIC_VALUE 0x336ec578    /* "xEn3" with the 0x80 bit of the "E" set */

/* hvm_memmap_table_entry.type: the E820 types. */
#define XEN_HVM_MEMMAP_TYPE_RAM       1
#define XEN_HVM_MEMMAP_TYPE_RESERVED  2

#ifndef __ASSEMBLY__

struct hvm_start_info {
    uint32_t magic;             /* IN: XEN_HVM_START_MAGIC_VALUE */
    uint32_t version;           /* IN: 1 */
    uint32_t flags;             /* IN: SIF_* */
    uint32_t nr_modules;        /* IN: entries at modlist_paddr */
    uint64_t modlist_paddr;     /* IN: struct hvm_modlist_entry[] */
    uint64_t cmdline_paddr;     /* IN: NUL-terminated command line, 0 for none */
    uint64_t rsdp_paddr;        /* IN: ACPI RSDP, 0 for none */
    uint64_t memmap_paddr;      /* IN: struct hvm_memmap_table_entry[] (version 1) */
    uint32_t memmap_entries;    /* IN */
    uint32_t reserved;          /* IN: 0 */
};

struct hvm_modlist_entry {
    uint64_t paddr;
    uint64_t size;
    uint64_t cmdline_paddr;
    uint64_t reserved;
};

struct hvm_memmap_table_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;              /* XEN_HVM_MEMMAP_TYPE_* */
    uint32_t reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info");
_Static_assert(__builtin_offsetof(struct hvm_start_info, memmap_paddr) == 40, "hvm_start_info");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "hvm_memmap_table_entry");
#endif

#endif
