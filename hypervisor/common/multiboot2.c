/*
 * Multiboot2 information: a size-prefixed list of 8-aligned tags ending
 * with an end tag. The whole block is mapped once and every tag is
 * checked against its bounds before a byte of it is read.
 */
#include <tessera/compiler.h>
#include <tessera/errno.h>
#include <tessera/multiboot.h>
#include "bootinfo_priv.h"

/* Real loaders produce a few KiB; anything past this is corrupt. */
#define MB2_MAX_INFO_SIZE (1u << 20)

#define RSDP_V1_SIZE 20
#define RSDP_V2_SIZE 36

static uint8_t byte_sum(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;

    while (n--)
        sum = (uint8_t)(sum + *p++);
    return sum;
}

/* An RSDP copy is used only if its signature and checksums hold. */
static void take_rsdp(struct boot_info *bi, const uint8_t *p, uint32_t len, uint64_t pa,
                      bool is_new)
{
    if (bi->has_rsdp && !is_new)
        return;                          /* an ACPI 2.0 copy beats a 1.0 one */
    if (len < RSDP_V1_SIZE || memcmp(p, "RSD PTR ", 8) != 0 || byte_sum(p, RSDP_V1_SIZE)) {
        bi_warn(bi, "ACPI RSDP from the loader is invalid; ignored");
        return;
    }
    unsigned use = RSDP_V1_SIZE;
    if (p[15] >= 2) {
        if (len < RSDP_V2_SIZE || byte_sum(p, RSDP_V2_SIZE)) {
            bi_warn(bi, "ACPI 2.0 RSDP from the loader is invalid; ignored");
            return;
        }
        use = RSDP_V2_SIZE;
    }
    memcpy(bi->rsdp, p, use);
    bi->rsdp_len = use;
    bi->rsdp_pa = pa;
    bi->has_rsdp = true;
}

static int parse_mmap(struct boot_info *bi, const uint8_t *tag, uint32_t size)
{
    if (size < MB2_MMAP_OFF_ENTRIES)
        return bi_fail(bi, -EINVAL, "memory map tag too small");
    uint32_t entry_size = bi_get32(tag + MB2_MMAP_OFF_ENTRY_SIZE);
    if (entry_size < MB2_MMAP_ENTRY_MIN_SIZE)
        return bi_fail(bi, -EINVAL, "memory map entry size too small");
    uint32_t n = (size - MB2_MMAP_OFF_ENTRIES) / entry_size;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = tag + MB2_MMAP_OFF_ENTRIES + (size_t)i * entry_size;
        int rc = bi_add_region(bi, bi_get64(e), bi_get64(e + 8), bi_get32(e + 16));
        if (rc)
            return rc;
    }
    return 0;
}

static int parse_module(struct boot_info *bi, const uint8_t *tag, uint32_t size)
{
    int rc;

    if (size < MB2_MOD_OFF_STRING)
        return bi_fail(bi, -EINVAL, "module tag too small");
    struct boot_module *m = bi_add_module(bi, bi_get32(tag + MB2_MOD_OFF_START),
                                          bi_get32(tag + MB2_MOD_OFF_END), &rc);
    if (!m)
        return rc;
    return bi_copy_bounded_string(bi, tag + MB2_MOD_OFF_STRING, size - MB2_MOD_OFF_STRING,
                                  m->cmdline, sizeof(m->cmdline),
                                  "module command line not terminated in its tag");
}

static int parse_tag(struct boot_info *bi, const uint8_t *tag, uint32_t type, uint32_t size,
                     uint64_t tag_pa, bool *have_basic)
{
    switch (type) {
    case MB2_TAG_CMDLINE:
        return bi_copy_bounded_string(bi, tag + 8, size - 8, bi->cmdline, sizeof(bi->cmdline),
                                      "command line not terminated in its tag");
    case MB2_TAG_LOADER_NAME:
        return bi_copy_bounded_string(bi, tag + 8, size - 8, bi->loader_name,
                                      sizeof(bi->loader_name),
                                      "boot loader name not terminated in its tag");
    case MB2_TAG_MODULE:
        return parse_module(bi, tag, size);
    case MB2_TAG_BASIC_MEMINFO:
        if (size < 16)
            return bi_fail(bi, -EINVAL, "basic memory tag too small");
        bi->mem_lower_kib = bi_get32(tag + MB2_MEMINFO_OFF_LOWER);
        bi->mem_upper_kib = bi_get32(tag + MB2_MEMINFO_OFF_UPPER);
        *have_basic = true;
        return 0;
    case MB2_TAG_MMAP:
        return parse_mmap(bi, tag, size);
    case MB2_TAG_ACPI_OLD:
    case MB2_TAG_ACPI_NEW:
        take_rsdp(bi, tag + MB2_RSDP_OFF, size - MB2_RSDP_OFF, tag_pa + MB2_RSDP_OFF,
                  type == MB2_TAG_ACPI_NEW);
        return 0;
    case MB2_TAG_LOAD_BASE_ADDR:
        if (size < MB2_LOAD_BASE_OFF + 4)
            return bi_fail(bi, -EINVAL, "load base tag too small");
        bi->load_base = bi_get32(tag + MB2_LOAD_BASE_OFF);
        bi->has_load_base = true;
        return 0;
    default:
        return 0;                        /* framebuffer, EFI, ...: not ours */
    }
}

int multiboot2_parse(uint32_t magic, uint64_t info_pa, const struct phys_reader *mem,
                     struct boot_info *out)
{
    bool have_basic = false, have_end = false;
    const uint8_t *info;
    uint32_t total;
    int rc;

    bi_reset(out, 2);
    if (magic != MB2_BOOTLOADER_MAGIC)
        return bi_fail(out, -EINVAL, "not a Multiboot2 magic value");
    if (!IS_ALIGNED(info_pa, MB2_TAG_ALIGN))
        return bi_fail(out, -EINVAL, "boot information not 8-byte aligned");
    info = bi_map(mem, info_pa, MB2_INFO_HEADER_SIZE);
    if (!info)
        return bi_fail(out, -EFAULT, "boot information not readable");
    total = bi_get32(info);
    if (total < MB2_INFO_HEADER_SIZE + MB2_TAG_HEADER_SIZE || total > MB2_MAX_INFO_SIZE)
        return bi_fail(out, -EINVAL, "boot information has an impossible size");
    /* Every later read is inside this one mapping. */
    info = bi_map(mem, info_pa, total);
    if (!info)
        return bi_fail(out, -EFAULT, "boot information not readable");

    for (uint32_t off = MB2_INFO_HEADER_SIZE; total - off >= MB2_TAG_HEADER_SIZE;) {
        const uint8_t *tag = info + off;
        uint32_t type = bi_get32(tag), size = bi_get32(tag + 4);

        if (size < MB2_TAG_HEADER_SIZE)
            return bi_fail(out, -EINVAL, "a tag is smaller than its header");
        if (size > total - off)
            return bi_fail(out, -EINVAL, "a tag runs past the end of the boot information");
        if (type == MB2_TAG_END) {
            have_end = true;
            break;
        }
        rc = parse_tag(out, tag, type, size, info_pa + off, &have_basic);
        if (rc)
            return rc;
        /* size <= total <= 1 MiB, so this cannot overflow. */
        uint32_t next = ALIGN_UP(size, (uint32_t)MB2_TAG_ALIGN);
        if (next > total - off)
            break;
        off += next;
    }
    if (!have_end)
        return bi_fail(out, -EINVAL, "boot information has no end tag");
    if (out->nr_mem == 0 && have_basic) {
        rc = bi_regions_from_basic(out);
        if (rc)
            return rc;
    }
    if (out->nr_mem == 0)
        return bi_fail(out, -ENOENT, "the boot loader gave no memory information");
    return 0;
}
