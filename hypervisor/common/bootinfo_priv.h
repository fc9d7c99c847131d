/*
 * Helpers shared by the Multiboot 1 and 2 parsers (multiboot1.c,
 * multiboot2.c, bootinfo.c). Private to common/.
 */
#ifndef TESSERA_BOOTINFO_PRIV_H
#define TESSERA_BOOTINFO_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <tessera/bootinfo.h>
#include <tessera/string.h>

/* Loader data is little-endian and may be unaligned: read it byte-wise. */
static inline uint32_t bi_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t bi_get64(const uint8_t *p)
{
    return (uint64_t)bi_get32(p) | (uint64_t)bi_get32(p + 4) << 32;
}

/* Records the failure and returns err, for 'return bi_fail(...)'. */
int bi_fail(struct boot_info *bi, int err, const char *why);
void bi_warn(struct boot_info *bi, const char *why);

/* Maps [pa, pa+len) or returns NULL (also when the range wraps). */
const uint8_t *bi_map(const struct phys_reader *mem, uint64_t pa, uint64_t len);

/*
 * Copies the C string at physical address pa into dst[cap], reading one
 * byte at a time through the reader. A string longer than cap-1 is cut
 * (with a warning). Returns 0, or -EFAULT with 'unreadable' as the error.
 */
int bi_copy_phys_string(struct boot_info *bi, const struct phys_reader *mem, uint64_t pa,
                        char *dst, size_t cap, const char *unreadable);

/*
 * Copies a string that must end within src[0..avail) into dst[cap].
 * Returns 0 or -EINVAL when no NUL is found there.
 */
int bi_copy_bounded_string(struct boot_info *bi, const uint8_t *src, size_t avail,
                           char *dst, size_t cap, const char *unterminated);

int bi_add_region(struct boot_info *bi, uint64_t base, uint64_t length, uint32_t type);
/* Returns the new module, or NULL with *err and bi->error set. */
struct boot_module *bi_add_module(struct boot_info *bi, uint64_t start, uint64_t end, int *err);
/* The two usable regions that mem_lower / mem_upper describe. */
int bi_regions_from_basic(struct boot_info *bi);

void bi_reset(struct boot_info *bi, unsigned protocol);

#endif
