/*
 * Protocol-independent parts of boot information parsing: the bounded
 * string copies, the bookkeeping of boot_info, and the dispatch on the
 * loader's magic value.
 */
#include <tessera/errno.h>
#include <tessera/multiboot.h>
#include "bootinfo_priv.h"

int bi_fail(struct boot_info *bi, int err, const char *why)
{
    bi->error = why;
    return err;
}

void bi_warn(struct boot_info *bi, const char *why)
{
    bi->warning = why;
    bi->nr_warnings++;
}

const uint8_t *bi_map(const struct phys_reader *mem, uint64_t pa, uint64_t len)
{
    if (len == 0 || pa + len < pa)
        return NULL;
    return mem->map(mem->ctx, pa, len);
}

int bi_copy_phys_string(struct boot_info *bi, const struct phys_reader *mem, uint64_t pa,
                        char *dst, size_t cap, const char *unreadable)
{
    for (size_t i = 0; i < cap; i++) {
        const uint8_t *c = bi_map(mem, pa + i, 1);
        if (!c) {
            dst[i] = '\0';
            return bi_fail(bi, -EFAULT, unreadable);
        }
        if (i == cap - 1) {
            dst[i] = '\0';
            if (*c)
                bi_warn(bi, "a boot string was too long and was cut");
            return 0;
        }
        dst[i] = (char)*c;
        if (!*c)
            return 0;
    }
    return 0;
}

int bi_copy_bounded_string(struct boot_info *bi, const uint8_t *src, size_t avail,
                           char *dst, size_t cap, const char *unterminated)
{
    size_t len = strnlen((const char *)src, avail);

    if (len == avail)
        return bi_fail(bi, -EINVAL, unterminated);
    if (len >= cap) {
        bi_warn(bi, "a boot string was too long and was cut");
        len = cap - 1;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
    return 0;
}

int bi_add_region(struct boot_info *bi, uint64_t base, uint64_t length, uint32_t type)
{
    if (bi->nr_mem == BOOTINFO_MAX_MEM_REGIONS)
        return bi_fail(bi, -E2BIG, "memory map has too many entries");
    bi->mem[bi->nr_mem++] = (struct mem_region){ base, length, type };
    return 0;
}

struct boot_module *bi_add_module(struct boot_info *bi, uint64_t start, uint64_t end, int *err)
{
    if (end < start) {
        *err = bi_fail(bi, -EINVAL, "a module ends before it starts");
        return NULL;
    }
    if (bi->nr_modules == BOOTINFO_MAX_MODULES) {
        *err = bi_fail(bi, -E2BIG, "too many boot modules");
        return NULL;
    }
    struct boot_module *m = &bi->modules[bi->nr_modules++];
    m->start = start;
    m->end = end;
    m->cmdline[0] = '\0';
    return m;
}

int bi_regions_from_basic(struct boot_info *bi)
{
    int rc = 0;

    bi->mem_from_basic_info = true;
    if (bi->mem_lower_kib)
        rc = bi_add_region(bi, 0, (uint64_t)bi->mem_lower_kib << 10, MEM_USABLE);
    if (!rc && bi->mem_upper_kib)
        rc = bi_add_region(bi, 1u << 20, (uint64_t)bi->mem_upper_kib << 10, MEM_USABLE);
    return rc;
}

void bi_reset(struct boot_info *bi, unsigned protocol)
{
    memset(bi, 0, sizeof(*bi));
    bi->protocol = protocol;
}

int bootinfo_parse(uint32_t magic, uint64_t info_pa, const struct phys_reader *mem,
                   struct boot_info *out)
{
    switch (magic) {
    case MB1_BOOTLOADER_MAGIC:
        return multiboot1_parse(magic, info_pa, mem, out);
    case MB2_BOOTLOADER_MAGIC:
        return multiboot2_parse(magic, info_pa, mem, out);
    default:
        bi_reset(out, 0);
        return bi_fail(out, -EINVAL, "not started by a Multiboot loader (unknown magic)");
    }
}
