/*
 * Multiboot (v1) information: a fixed structure whose flags say which
 * fields are valid, pointing at strings, a module array and a memory map
 * elsewhere in memory. Everything is read through the bounded reader.
 */
#include <tessera/errno.h>
#include <tessera/multiboot.h>
#include "bootinfo_priv.h"

/* How much of the info structure the flags say is there. */
static uint32_t info_size(uint32_t flags)
{
    static const struct { uint32_t flag, end; } last_field[] = {
        { MB1_INFO_FRAMEBUFFER, MB1_INFO_SIZE },
        { MB1_INFO_VBE, MB1_OFF_FRAMEBUFFER },
        { MB1_INFO_APM, MB1_OFF_VBE },
        { MB1_INFO_LOADER_NAME, MB1_OFF_APM_TABLE },
        { MB1_INFO_CONFIG, MB1_OFF_LOADER_NAME },
        { MB1_INFO_DRIVES, MB1_OFF_CONFIG_TABLE },
        { MB1_INFO_MEM_MAP, MB1_OFF_DRIVES_LEN },
        { MB1_INFO_AOUT_SYMS | MB1_INFO_ELF_SHDR, MB1_OFF_MMAP_LENGTH },
        { MB1_INFO_MODS, MB1_OFF_SYMS },
        { MB1_INFO_CMDLINE, MB1_OFF_MODS_COUNT },
        { MB1_INFO_BOOTDEV, MB1_OFF_CMDLINE },
        { MB1_INFO_MEMORY, MB1_OFF_BOOT_DEVICE },
    };
    for (unsigned i = 0; i < sizeof(last_field) / sizeof(last_field[0]); i++)
        if (flags & last_field[i].flag)
            return last_field[i].end;
    return 4;
}

static int parse_modules(struct boot_info *bi, const struct phys_reader *mem,
                         uint32_t count, uint32_t addr)
{
    int rc;

    if (count > BOOTINFO_MAX_MODULES)
        return bi_fail(bi, -E2BIG, "too many boot modules");
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = bi_map(mem, (uint64_t)addr + i * MB1_MODULE_SIZE, MB1_MODULE_SIZE);
        if (!e)
            return bi_fail(bi, -EFAULT, "module list not readable");
        uint32_t start = bi_get32(e + MB1_MOD_OFF_START);
        uint32_t end = bi_get32(e + MB1_MOD_OFF_END);
        uint32_t string = bi_get32(e + MB1_MOD_OFF_STRING);
        struct boot_module *m = bi_add_module(bi, start, end, &rc);
        if (!m)
            return rc;
        if (string) {
            rc = bi_copy_phys_string(bi, mem, string, m->cmdline, sizeof(m->cmdline),
                                     "module command line not readable");
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int parse_mmap(struct boot_info *bi, const struct phys_reader *mem,
                      uint32_t length, uint32_t addr)
{
    uint64_t off = 0;
    int rc;

    while (off < length) {
        if (length - off < 4)
            return bi_fail(bi, -EINVAL, "memory map ends inside an entry");
        const uint8_t *e = bi_map(mem, addr + off, 4);
        if (!e)
            return bi_fail(bi, -EFAULT, "memory map not readable");
        uint32_t size = bi_get32(e + MB1_MMAP_OFF_SIZE);
        if (size < MB1_MMAP_MIN_SIZE)
            return bi_fail(bi, -EINVAL, "memory map entry too small");
        if ((uint64_t)size + 4 > length - off)
            return bi_fail(bi, -EINVAL, "memory map ends inside an entry");
        e = bi_map(mem, addr + off, 4 + MB1_MMAP_MIN_SIZE);
        if (!e)
            return bi_fail(bi, -EFAULT, "memory map not readable");
        rc = bi_add_region(bi, bi_get64(e + MB1_MMAP_OFF_BASE), bi_get64(e + MB1_MMAP_OFF_LENGTH),
                           bi_get32(e + MB1_MMAP_OFF_TYPE));
        if (rc)
            return rc;
        off += (uint64_t)size + 4;
    }
    return 0;
}

int multiboot1_parse(uint32_t magic, uint64_t info_pa, const struct phys_reader *mem,
                     struct boot_info *out)
{
    uint8_t info[MB1_INFO_SIZE] = { 0 };
    const uint8_t *p;
    int rc;

    bi_reset(out, 1);
    if (magic != MB1_BOOTLOADER_MAGIC)
        return bi_fail(out, -EINVAL, "not a Multiboot 1 magic value");
    p = bi_map(mem, info_pa, 4);
    if (!p)
        return bi_fail(out, -EFAULT, "boot information not readable");
    uint32_t flags = bi_get32(p);
    uint32_t size = info_size(flags);
    p = bi_map(mem, info_pa, size);
    if (!p)
        return bi_fail(out, -EFAULT, "boot information not readable");
    /* Keep a copy: the reader's pointer dies at its next call. */
    memcpy(info, p, size);

    if (flags & MB1_INFO_MEMORY) {
        out->mem_lower_kib = bi_get32(info + MB1_OFF_MEM_LOWER);
        out->mem_upper_kib = bi_get32(info + MB1_OFF_MEM_UPPER);
    }
    if (flags & MB1_INFO_CMDLINE) {
        rc = bi_copy_phys_string(out, mem, bi_get32(info + MB1_OFF_CMDLINE), out->cmdline,
                                 sizeof(out->cmdline), "command line not readable");
        if (rc)
            return rc;
    }
    if (flags & MB1_INFO_LOADER_NAME) {
        rc = bi_copy_phys_string(out, mem, bi_get32(info + MB1_OFF_LOADER_NAME), out->loader_name,
                                 sizeof(out->loader_name), "boot loader name not readable");
        if (rc)
            return rc;
    }
    if (flags & MB1_INFO_MODS) {
        rc = parse_modules(out, mem, bi_get32(info + MB1_OFF_MODS_COUNT),
                           bi_get32(info + MB1_OFF_MODS_ADDR));
        if (rc)
            return rc;
    }
    if (flags & MB1_INFO_MEM_MAP) {
        rc = parse_mmap(out, mem, bi_get32(info + MB1_OFF_MMAP_LENGTH),
                        bi_get32(info + MB1_OFF_MMAP_ADDR));
        if (rc)
            return rc;
    }
    if (out->nr_mem == 0 && (flags & MB1_INFO_MEMORY)) {
        rc = bi_regions_from_basic(out);
        if (rc)
            return rc;
    }
    if (out->nr_mem == 0)
        return bi_fail(out, -ENOENT, "the boot loader gave no memory information");
    return 0;
}
