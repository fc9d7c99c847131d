/*
 * What the boot loader told us, in one structure independent of the
 * protocol (Multiboot 1 or 2). Filled by bootinfo_parse from loader
 * memory that is read only through a bounded reader: the loader's data
 * may be malformed and is never trusted.
 */
#ifndef TESSERA_BOOTINFO_H
#define TESSERA_BOOTINFO_H

#include <stdbool.h>
#include <stdint.h>
#include <tessera/memmap.h>

#define BOOTINFO_CMDLINE_MAX      1024   /* bytes, NUL included */
#define BOOTINFO_LOADER_MAX       64
#define BOOTINFO_MODULE_CMDLINE_MAX 256
#define BOOTINFO_MAX_MODULES      64
#define BOOTINFO_MAX_MEM_REGIONS  256
#define BOOTINFO_RSDP_MAX         36     /* an ACPI 2.0 RSDP */

/*
 * Access to physical memory for the parser: map returns a pointer to
 * 'len' readable bytes at physical address 'pa', or NULL if any of that
 * range cannot be read. The pointer need only stay valid until the next
 * call.
 */
struct phys_reader {
    const void *(*map)(void *ctx, uint64_t pa, uint64_t len);
    void *ctx;
};

struct boot_module {
    uint64_t start;                      /* physical, inclusive */
    uint64_t end;                        /* physical, exclusive */
    char cmdline[BOOTINFO_MODULE_CMDLINE_MAX];
};

struct boot_info {
    unsigned protocol;                   /* 1 or 2 */
    char cmdline[BOOTINFO_CMDLINE_MAX];
    char loader_name[BOOTINFO_LOADER_MAX];

    /* As the loader gave it: unsorted, unsanitized. */
    struct mem_region mem[BOOTINFO_MAX_MEM_REGIONS];
    unsigned nr_mem;
    bool mem_from_basic_info;            /* built from mem_lower/upper */
    uint32_t mem_lower_kib, mem_upper_kib;

    struct boot_module modules[BOOTINFO_MAX_MODULES];
    unsigned nr_modules;

    /* Multiboot2 only: a copy of the RSDP, checked (signature, checksums). */
    bool has_rsdp;
    uint8_t rsdp[BOOTINFO_RSDP_MAX];
    unsigned rsdp_len;                   /* 20 (ACPI 1.0) or 36 */
    uint64_t rsdp_pa;                    /* where the copy lies in the info */

    bool has_load_base;                  /* Multiboot2 tag 21 */
    uint64_t load_base;

    /* Set on failure: what was wrong, a static string. */
    const char *error;
    /* Problems that did not stop the parse (e.g. a truncated string). */
    const char *warning;
    unsigned nr_warnings;
};

/*
 * Parses the boot information at info_pa, dispatching on the magic value
 * the loader left in EAX (0x2BADB002 or 0x36D76289). Returns 0, or a
 * negative errno with out->error set:
 *   -EINVAL  unknown magic, or a malformed structure (bad size, tag past
 *            the end, module ending before it starts, no end tag)
 *   -EFAULT  the reader could not map something the info points to
 *   -E2BIG   more modules or memory map entries than boot_info holds
 *   -ENOENT  no memory information at all
 * out is fully reset first; on failure its contents are partial.
 */
int bootinfo_parse(uint32_t magic, uint64_t info_pa, const struct phys_reader *mem,
                   struct boot_info *out);
int multiboot1_parse(uint32_t magic, uint64_t info_pa, const struct phys_reader *mem,
                     struct boot_info *out);
int multiboot2_parse(uint32_t magic, uint64_t info_pa, const struct phys_reader *mem,
                     struct boot_info *out);

#endif
