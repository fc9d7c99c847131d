/*
 * common/bootinfo.c, multiboot1.c, multiboot2.c: boot information blocks
 * built in a host buffer standing for physical memory, read through a
 * reader that refuses anything outside it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/bootinfo.h>
#include <tessera/errno.h>
#include <tessera/multiboot.h>
#include "unit.h"

/* Fake physical memory: PHYS_SIZE bytes at PHYS_BASE; nothing else is readable. */
#define PHYS_BASE 0x100000u
#define PHYS_SIZE 0x40000u
static uint8_t phys[PHYS_SIZE];
static unsigned map_calls;

static const void *fake_map(void *ctx, uint64_t pa, uint64_t len)
{
    (void)ctx;
    map_calls++;
    if (pa < PHYS_BASE || len > PHYS_SIZE || pa - PHYS_BASE > PHYS_SIZE - len)
        return NULL;
    return phys + (pa - PHYS_BASE);
}

static const struct phys_reader reader = { fake_map, NULL };
static struct boot_info bi;

static void put32(uint64_t pa, uint32_t v) { memcpy(phys + (pa - PHYS_BASE), &v, 4); }
static void put64(uint64_t pa, uint64_t v) { memcpy(phys + (pa - PHYS_BASE), &v, 8); }
static void put_str(uint64_t pa, const char *s) { strcpy((char *)phys + (pa - PHYS_BASE), s); }

/* ---------------------------------------------------------------- mb1 -- */

#define MB1_INFO   0x101000u
#define MB1_CMD    0x102000u
#define MB1_NAME   0x102800u
#define MB1_MODS   0x103000u
#define MB1_MMAP   0x104000u

static void mb1_put_mmap_entry(uint64_t pa, uint32_t size, uint64_t base, uint64_t len, uint32_t type)
{
    put32(pa, size);
    put64(pa + 4, base);
    put64(pa + 12, len);
    put32(pa + 20, type);
}

/* A complete, valid Multiboot 1 block like GRUB's. */
static void mb1_build_full(void)
{
    memset(phys, 0, sizeof(phys));
    put32(MB1_INFO, MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS | MB1_INFO_MEM_MAP |
                    MB1_INFO_LOADER_NAME);
    put32(MB1_INFO + MB1_OFF_MEM_LOWER, 639);
    put32(MB1_INFO + MB1_OFF_MEM_UPPER, 130048);
    put32(MB1_INFO + MB1_OFF_CMDLINE, MB1_CMD);
    put_str(MB1_CMD, "tessera.gz loglvl=debug dom0_mem=512M");
    put32(MB1_INFO + MB1_OFF_LOADER_NAME, MB1_NAME);
    put_str(MB1_NAME, "GRUB 2.06");
    put32(MB1_INFO + MB1_OFF_MODS_COUNT, 2);
    put32(MB1_INFO + MB1_OFF_MODS_ADDR, MB1_MODS);
    put32(MB1_MODS + 0, 0x200000);
    put32(MB1_MODS + 4, 0x5a3210);
    put32(MB1_MODS + 8, MB1_NAME + 0x100);
    put_str(MB1_NAME + 0x100, "vmlinuz root=/dev/xvda console=hvc0");
    put32(MB1_MODS + 16, 0x600000);
    put32(MB1_MODS + 20, 0x700000);
    put32(MB1_MODS + 24, 0);            /* no string */
    mb1_put_mmap_entry(MB1_MMAP + 0, 20, 0, 0x9fc00, MB_MEMORY_AVAILABLE);
    mb1_put_mmap_entry(MB1_MMAP + 24, 20, 0xf0000, 0x10000, MB_MEMORY_RESERVED);
    /* An entry with a larger size field: the walk must step over the padding. */
    mb1_put_mmap_entry(MB1_MMAP + 48, 28, 0x100000, 0x7ff00000, MB_MEMORY_AVAILABLE);
    mb1_put_mmap_entry(MB1_MMAP + 80, 20, 0xfee00000, 0x1000, MB_MEMORY_NVS);
    put32(MB1_INFO + MB1_OFF_MMAP_LENGTH, 104);
    put32(MB1_INFO + MB1_OFF_MMAP_ADDR, MB1_MMAP);
}

static int mb1(void)
{
    return bootinfo_parse(MB1_BOOTLOADER_MAGIC, MB1_INFO, &reader, &bi);
}

static void test_mb1_full_info(void)
{
    mb1_build_full();
    CU_ASSERT_EQUAL_FATAL(mb1(), 0);
    CU_ASSERT_PTR_NULL(bi.error);
    CU_ASSERT_EQUAL(bi.protocol, 1);
    CU_ASSERT_STRING_EQUAL(bi.cmdline, "tessera.gz loglvl=debug dom0_mem=512M");
    CU_ASSERT_STRING_EQUAL(bi.loader_name, "GRUB 2.06");
    CU_ASSERT_EQUAL(bi.nr_modules, 2);
    CU_ASSERT_EQUAL(bi.modules[0].start, 0x200000);
    CU_ASSERT_EQUAL(bi.modules[0].end, 0x5a3210);
    CU_ASSERT_STRING_EQUAL(bi.modules[0].cmdline, "vmlinuz root=/dev/xvda console=hvc0");
    CU_ASSERT_STRING_EQUAL(bi.modules[1].cmdline, "");
    CU_ASSERT_EQUAL(bi.nr_mem, 4);
    CU_ASSERT_EQUAL(bi.mem[2].base, 0x100000);
    CU_ASSERT_EQUAL(bi.mem[2].length, 0x7ff00000);
    CU_ASSERT_EQUAL(bi.mem[2].type, MEM_USABLE);
    CU_ASSERT_EQUAL(bi.mem[3].type, MEM_ACPI_NVS);
    CU_ASSERT_FALSE(bi.mem_from_basic_info);
    CU_ASSERT_EQUAL(bi.mem_lower_kib, 639);
    CU_ASSERT_EQUAL(bi.mem_upper_kib, 130048);
    CU_ASSERT_FALSE(bi.has_rsdp);
    CU_ASSERT_EQUAL(bi.nr_warnings, 0);
}

static void test_mb1_basic_memory_only(void)
{
    mb1_build_full();
    put32(MB1_INFO, MB1_INFO_MEMORY);
    CU_ASSERT_EQUAL_FATAL(mb1(), 0);
    CU_ASSERT_TRUE(bi.mem_from_basic_info);
    CU_ASSERT_EQUAL(bi.nr_mem, 2);
    CU_ASSERT_EQUAL(bi.mem[0].base, 0);
    CU_ASSERT_EQUAL(bi.mem[0].length, 639 * 1024);
    CU_ASSERT_EQUAL(bi.mem[1].base, 0x100000);
    CU_ASSERT_EQUAL(bi.mem[1].length, 130048ull * 1024);
    CU_ASSERT_EQUAL(bi.cmdline[0], '\0');
    CU_ASSERT_EQUAL(bi.nr_modules, 0);
}

static void test_mb1_no_memory_information(void)
{
    mb1_build_full();
    put32(MB1_INFO, MB1_INFO_CMDLINE);
    CU_ASSERT_EQUAL(mb1(), -ENOENT);
    CU_ASSERT_PTR_NOT_NULL(bi.error);
}

static void test_unknown_magic_rejected(void)
{
    mb1_build_full();
    CU_ASSERT_EQUAL(bootinfo_parse(0x12345678, MB1_INFO, &reader, &bi), -EINVAL);
    CU_ASSERT_STRING_EQUAL(bi.error, "not started by a Multiboot loader (unknown magic)");
    CU_ASSERT_EQUAL(multiboot1_parse(MB2_BOOTLOADER_MAGIC, MB1_INFO, &reader, &bi), -EINVAL);
    CU_ASSERT_EQUAL(multiboot2_parse(MB1_BOOTLOADER_MAGIC, MB1_INFO, &reader, &bi), -EINVAL);
}

static void test_mb1_info_not_readable(void)
{
    mb1_build_full();
    CU_ASSERT_EQUAL(bootinfo_parse(MB1_BOOTLOADER_MAGIC, 0x1000, &reader, &bi), -EFAULT);
    CU_ASSERT_STRING_EQUAL(bi.error, "boot information not readable");
    /* Flags readable, but the fields they announce run off the end. */
    put32(PHYS_BASE + PHYS_SIZE - 8, MB1_INFO_MEM_MAP);
    CU_ASSERT_EQUAL(bootinfo_parse(MB1_BOOTLOADER_MAGIC, PHYS_BASE + PHYS_SIZE - 8, &reader, &bi),
                    -EFAULT);
    /* Only the announced fields are read: 12 bytes for MEMORY alone. */
    uint64_t at = PHYS_BASE + PHYS_SIZE - 12;
    put32(at, MB1_INFO_MEMORY);
    put32(at + 4, 640);
    put32(at + 8, 1024);
    CU_ASSERT_EQUAL(bootinfo_parse(MB1_BOOTLOADER_MAGIC, at, &reader, &bi), 0);
    CU_ASSERT_EQUAL(bi.nr_mem, 2);
}

static void test_mb1_cmdline_pointer_bad(void)
{
    mb1_build_full();
    put32(MB1_INFO + MB1_OFF_CMDLINE, 0x500);
    CU_ASSERT_EQUAL(mb1(), -EFAULT);
    CU_ASSERT_STRING_EQUAL(bi.error, "command line not readable");
}

static void test_mb1_unterminated_string_at_end_of_memory(void)
{
    mb1_build_full();
    memset(phys + PHYS_SIZE - 10, 'x', 10);
    put32(MB1_INFO + MB1_OFF_LOADER_NAME, PHYS_BASE + PHYS_SIZE - 10);
    CU_ASSERT_EQUAL(mb1(), -EFAULT);
    CU_ASSERT_STRING_EQUAL(bi.error, "boot loader name not readable");
}

static void test_mb1_long_cmdline_cut_with_warning(void)
{
    mb1_build_full();
    memset(phys + (MB1_CMD - PHYS_BASE), 'a', 1500);
    phys[MB1_CMD - PHYS_BASE + 1500] = 0;
    CU_ASSERT_EQUAL_FATAL(mb1(), 0);
    CU_ASSERT_EQUAL(strlen(bi.cmdline), BOOTINFO_CMDLINE_MAX - 1);
    CU_ASSERT_EQUAL(bi.nr_warnings, 1);
    CU_ASSERT_PTR_NOT_NULL(bi.warning);
}

static void test_mb1_too_many_modules(void)
{
    mb1_build_full();
    put32(MB1_INFO + MB1_OFF_MODS_COUNT, 0xffffffffu);
    CU_ASSERT_EQUAL(mb1(), -E2BIG);
    CU_ASSERT_STRING_EQUAL(bi.error, "too many boot modules");
    /* Exactly the maximum is fine. */
    for (unsigned i = 0; i < BOOTINFO_MAX_MODULES; i++) {
        put32(MB1_MODS + 16 * i, 0x200000 + i * 0x1000);
        put32(MB1_MODS + 16 * i + 4, 0x200000 + i * 0x1000 + 10);
        put32(MB1_MODS + 16 * i + 8, 0);
    }
    put32(MB1_INFO + MB1_OFF_MODS_COUNT, BOOTINFO_MAX_MODULES);
    CU_ASSERT_EQUAL(mb1(), 0);
    CU_ASSERT_EQUAL(bi.nr_modules, BOOTINFO_MAX_MODULES);
    CU_ASSERT_EQUAL(bi.modules[63].start, 0x200000 + 63 * 0x1000);
}

static void test_mb1_module_list_not_readable(void)
{
    mb1_build_full();
    put32(MB1_INFO + MB1_OFF_MODS_ADDR, PHYS_BASE + PHYS_SIZE - 24);   /* 2nd entry cut */
    CU_ASSERT_EQUAL(mb1(), -EFAULT);
    CU_ASSERT_STRING_EQUAL(bi.error, "module list not readable");
}

static void test_mb1_module_ends_before_start(void)
{
    mb1_build_full();
    put32(MB1_MODS + 4, 0x100);
    CU_ASSERT_EQUAL(mb1(), -EINVAL);
    CU_ASSERT_STRING_EQUAL(bi.error, "a module ends before it starts");
}

static void test_mb1_mmap_malformed_entries(void)
{
    mb1_build_full();
    put32(MB1_MMAP + 24, 8);                       /* size field too small */
    CU_ASSERT_EQUAL(mb1(), -EINVAL);
    CU_ASSERT_STRING_EQUAL(bi.error, "memory map entry too small");
    mb1_build_full();
    put32(MB1_INFO + MB1_OFF_MMAP_LENGTH, 100);    /* ends inside the 4th entry */
    CU_ASSERT_EQUAL(mb1(), -EINVAL);
    CU_ASSERT_STRING_EQUAL(bi.error, "memory map ends inside an entry");
    mb1_build_full();
    put32(MB1_INFO + MB1_OFF_MMAP_LENGTH, 106);    /* 2 stray bytes after the last */
    CU_ASSERT_EQUAL(mb1(), -EINVAL);
    mb1_build_full();
    /* Two good entries in the last 48 bytes of memory, length says more. */
    mb1_put_mmap_entry(PHYS_BASE + PHYS_SIZE - 48, 20, 0, 0x1000, MB_MEMORY_AVAILABLE);
    mb1_put_mmap_entry(PHYS_BASE + PHYS_SIZE - 24, 20, 0x1000, 0x1000, MB_MEMORY_AVAILABLE);
    put32(MB1_INFO + MB1_OFF_MMAP_ADDR, PHYS_BASE + PHYS_SIZE - 48);
    CU_ASSERT_EQUAL(mb1(), -EFAULT);
    CU_ASSERT_STRING_EQUAL(bi.error, "memory map not readable");
    CU_ASSERT_EQUAL(bi.nr_mem, 2);
}

static void test_mb1_mmap_too_many_entries(void)
{
    mb1_build_full();
    unsigned n = BOOTINFO_MAX_MEM_REGIONS + 1;
    for (unsigned i = 0; i < n; i++)
        mb1_put_mmap_entry(MB1_MMAP + 24 * i, 20, i * 0x1000ull, 0x1000, MB_MEMORY_AVAILABLE);
    put32(MB1_INFO + MB1_OFF_MMAP_LENGTH, 24 * n);
    CU_ASSERT_EQUAL(mb1(), -E2BIG);
    put32(MB1_INFO + MB1_OFF_MMAP_LENGTH, 24 * (n - 1));
    CU_ASSERT_EQUAL(mb1(), 0);
    CU_ASSERT_EQUAL(bi.nr_mem, BOOTINFO_MAX_MEM_REGIONS);
}

/* The boot path: loader map -> sanitized map -> frames free for the allocator. */
struct free_ranges { uint64_t start[8], end[8]; unsigned n; };

static int collect_free(void *ctx, uint64_t start, uint64_t end)
{
    struct free_ranges *f = ctx;
    if (f->n < 8) {
        f->start[f->n] = start;
        f->end[f->n] = end;
    }
    f->n++;
    return 0;
}

static void test_mb1_map_to_free_frames(void)
{
    mb1_build_full();
    /* GRUB-like quirks: an overlapping reserved entry and an unaligned usable end. */
    mb1_put_mmap_entry(MB1_MMAP + 104, 20, 0x7ff0000, 0x20000, MB_MEMORY_RESERVED);
    put32(MB1_INFO + MB1_OFF_MMAP_LENGTH, 128);
    CU_ASSERT_EQUAL_FATAL(mb1(), 0);
    int fixes = memmap_sanitize(bi.mem, &bi.nr_mem, BOOTINFO_MAX_MEM_REGIONS);
    CU_ASSERT_EQUAL(fixes, 1);
    struct mem_range excluded[2 + BOOTINFO_MAX_MODULES] = {
        { 0, 0x100000 },                    /* low memory */
        { 0x100000, 0x180000 },             /* the hypervisor image */
    };
    unsigned nex = 2;
    for (unsigned i = 0; i < bi.nr_modules; i++)
        excluded[nex++] = (struct mem_range){ bi.modules[i].start, bi.modules[i].end };
    struct free_ranges f = { .n = 0 };
    CU_ASSERT_EQUAL(memmap_for_each_free(bi.mem, bi.nr_mem, excluded, nex, collect_free, &f), 0);
    CU_ASSERT_EQUAL_FATAL(f.n, 4);
    CU_ASSERT_EQUAL(f.start[0], 0x180000);  CU_ASSERT_EQUAL(f.end[0], 0x200000);
    CU_ASSERT_EQUAL(f.start[1], 0x5a4000);  CU_ASSERT_EQUAL(f.end[1], 0x600000);
    CU_ASSERT_EQUAL(f.start[2], 0x700000);  CU_ASSERT_EQUAL(f.end[2], 0x7ff0000);
    CU_ASSERT_EQUAL(f.start[3], 0x8010000); CU_ASSERT_EQUAL(f.end[3], 0x80000000);
}

/* ---------------------------------------------------------------- mb2 -- */

#define MB2_INFO 0x110000u
static uint32_t mb2_len;

static void mb2_begin(void)
{
    memset(phys, 0, sizeof(phys));
    mb2_len = 8;
}

/* Appends a tag with 'payload' after its header; returns the tag's address. */
static uint64_t mb2_tag(uint32_t type, const void *payload, uint32_t payload_len)
{
    uint64_t at = MB2_INFO + mb2_len;
    put32(at, type);
    put32(at + 4, 8 + payload_len);
    if (payload_len)
        memcpy(phys + (at + 8 - PHYS_BASE), payload, payload_len);
    mb2_len += (8 + payload_len + 7) & ~7u;
    return at;
}

static void mb2_end(void)
{
    mb2_tag(MB2_TAG_END, NULL, 0);
    put32(MB2_INFO, mb2_len);
}

static void make_rsdp(uint8_t *r, unsigned revision)
{
    memset(r, 0, 36);
    memcpy(r, "RSD PTR ", 8);
    memcpy(r + 9, "TESSRA", 6);
    r[15] = (uint8_t)revision;
    uint32_t rsdt = 0x7fe1000, len = 36;
    memcpy(r + 16, &rsdt, 4);
    memcpy(r + 20, &len, 4);
    uint64_t xsdt = 0x7fe2000;
    memcpy(r + 24, &xsdt, 8);
    uint8_t sum = 0;
    for (int i = 0; i < 20; i++)
        sum += r[i];
    r[8] = (uint8_t)-sum;
    sum = 0;
    for (int i = 0; i < 36; i++)
        sum += r[i];
    r[32] = (uint8_t)-sum;
}

struct mb2_mmap_payload {
    uint32_t entry_size, version;
    struct { uint64_t base, len; uint32_t type, reserved; } e[3];
};

static uint64_t rsdp_tag_at;

static void mb2_build_full(void)
{
    uint8_t rsdp_old[36], rsdp_new[36];
    struct mb2_mmap_payload mm = { 24, 0, {
        { 0, 0x9fc00, MB_MEMORY_AVAILABLE, 0 },
        { 0x100000, 0x3ff00000, MB_MEMORY_AVAILABLE, 0 },
        { 0x3ff00000, 0x100000, MB_MEMORY_ACPI_RECLAIMABLE, 0 } } };
    uint32_t meminfo[2] = { 639, 1047552 };
    uint8_t fb[24] = { 0 };
    uint32_t load_base = 0x200000;
    struct { uint32_t start, end; char s[32]; } mod = { 0x800000, 0x900000, "initrd.img" };

    mb2_begin();
    mb2_tag(MB2_TAG_CMDLINE, "console=com1 loglvl=all", 24);
    mb2_tag(MB2_TAG_LOADER_NAME, "GRUB 2.06-13", 13);
    mb2_tag(MB2_TAG_BASIC_MEMINFO, meminfo, sizeof(meminfo));
    mb2_tag(MB2_TAG_FRAMEBUFFER, fb, sizeof(fb));
    mb2_tag(MB2_TAG_MODULE, &mod, 8 + 11);
    mb2_tag(MB2_TAG_MMAP, &mm, sizeof(mm));
    make_rsdp(rsdp_old, 0);
    mb2_tag(MB2_TAG_ACPI_OLD, rsdp_old, 20);
    make_rsdp(rsdp_new, 2);
    rsdp_tag_at = mb2_tag(MB2_TAG_ACPI_NEW, rsdp_new, 36);
    mb2_tag(MB2_TAG_LOAD_BASE_ADDR, &load_base, 4);
    mb2_tag(99, "future tag", 10);
    mb2_end();
}

static int mb2(void)
{
    return bootinfo_parse(MB2_BOOTLOADER_MAGIC, MB2_INFO, &reader, &bi);
}

static void test_mb2_full_info(void)
{
    mb2_build_full();
    CU_ASSERT_EQUAL_FATAL(mb2(), 0);
    CU_ASSERT_EQUAL(bi.protocol, 2);
    CU_ASSERT_STRING_EQUAL(bi.cmdline, "console=com1 loglvl=all");
    CU_ASSERT_STRING_EQUAL(bi.loader_name, "GRUB 2.06-13");
    CU_ASSERT_EQUAL(bi.nr_modules, 1);
    CU_ASSERT_EQUAL(bi.modules[0].start, 0x800000);
    CU_ASSERT_EQUAL(bi.modules[0].end, 0x900000);
    CU_ASSERT_STRING_EQUAL(bi.modules[0].cmdline, "initrd.img");
    CU_ASSERT_EQUAL(bi.nr_mem, 3);
    CU_ASSERT_FALSE(bi.mem_from_basic_info);
    CU_ASSERT_EQUAL(bi.mem[1].base, 0x100000);
    CU_ASSERT_EQUAL(bi.mem[2].type, MEM_ACPI_RECLAIM);
    CU_ASSERT_EQUAL(bi.mem_upper_kib, 1047552);
    CU_ASSERT_TRUE(bi.has_rsdp);
    CU_ASSERT_EQUAL(bi.rsdp_len, 36);
    CU_ASSERT_EQUAL(bi.rsdp[15], 2);            /* the ACPI 2.0 copy won */
    CU_ASSERT_EQUAL(bi.rsdp_pa, rsdp_tag_at + 8);
    CU_ASSERT_EQUAL(memcmp(bi.rsdp, "RSD PTR ", 8), 0);
    CU_ASSERT_TRUE(bi.has_load_base);
    CU_ASSERT_EQUAL(bi.load_base, 0x200000);
    CU_ASSERT_EQUAL(bi.nr_warnings, 0);
}

static void test_mb2_basic_meminfo_fallback(void)
{
    uint32_t meminfo[2] = { 600, 2048 };

    mb2_begin();
    mb2_tag(MB2_TAG_BASIC_MEMINFO, meminfo, sizeof(meminfo));
    mb2_end();
    CU_ASSERT_EQUAL_FATAL(mb2(), 0);
    CU_ASSERT_TRUE(bi.mem_from_basic_info);
    CU_ASSERT_EQUAL(bi.nr_mem, 2);
    CU_ASSERT_EQUAL(bi.mem[1].length, 2048 * 1024);
    mb2_begin();
    mb2_tag(MB2_TAG_CMDLINE, "x", 2);
    mb2_end();
    CU_ASSERT_EQUAL(mb2(), -ENOENT);
}

static void test_mb2_missing_end_tag(void)
{
    mb2_build_full();
    put32(MB2_INFO, mb2_len - 8);       /* the end tag falls outside total_size */
    CU_ASSERT_EQUAL(mb2(), -EINVAL);
    CU_ASSERT_STRING_EQUAL(bi.error, "boot information has no end tag");
}

static void test_mb2_tag_smaller_than_header(void)
{
    mb2_build_full();
    put32(MB2_INFO + 8 + 4, 4);
    CU_ASSERT_EQUAL(mb2(), -EINVAL);
    CU_ASSERT_STRING_EQUAL(bi.error, "a tag is smaller than its header");
}

static void test_mb2_tag_past_end(void)
{
    mb2_build_full();
    put32(MB2_INFO + 8 + 4, 0x10000);
    CU_ASSERT_EQUAL(mb2(), -EINVAL);
    CU_ASSERT_STRING_EQUAL(bi.error, "a tag runs past the end of the boot information");
}

static void test_mb2_impossible_total_size(void)
{
    mb2_build_full();
    put32(MB2_INFO, 12);
    CU_ASSERT_EQUAL(mb2(), -EINVAL);
    put32(MB2_INFO, 0xfffffff8u);
    CU_ASSERT_EQUAL(mb2(), -EINVAL);
    CU_ASSERT_STRING_EQUAL(bi.error, "boot information has an impossible size");
    put32(MB2_INFO, PHYS_SIZE);         /* plausible but past readable memory */
    CU_ASSERT_EQUAL(mb2(), -EFAULT);
}

static void test_mb2_unaligned_info(void)
{
    mb2_build_full();
    CU_ASSERT_EQUAL(bootinfo_parse(MB2_BOOTLOADER_MAGIC, MB2_INFO + 4, &reader, &bi), -EINVAL);
    CU_ASSERT_STRING_EQUAL(bi.error, "boot information not 8-byte aligned");
}

static void test_mb2_unterminated_strings(void)
{
    mb2_begin();
    mb2_tag(MB2_TAG_CMDLINE, "no terminator", 13);
    mb2_end();
    CU_ASSERT_EQUAL(mb2(), -EINVAL);
    CU_ASSERT_STRING_EQUAL(bi.error, "command line not terminated in its tag");

    struct { uint32_t start, end; char s[4]; } mod = { 1, 2, "abcd" };
    mb2_begin();
    mb2_tag(MB2_TAG_MODULE, &mod, 12);
    mb2_end();
    CU_ASSERT_EQUAL(mb2(), -EINVAL);
    CU_ASSERT_STRING_EQUAL(bi.error, "module command line not terminated in its tag");
}

static void test_mb2_small_tags_rejected(void)
{
    uint32_t four = 4;

    mb2_begin();
    mb2_tag(MB2_TAG_MODULE, &four, 4);
    mb2_end();
    CU_ASSERT_EQUAL(mb2(), -EINVAL);
    CU_ASSERT_STRING_EQUAL(bi.error, "module tag too small");
    mb2_begin();
    mb2_tag(MB2_TAG_MMAP, &four, 4);
    mb2_end();
    CU_ASSERT_EQUAL(mb2(), -EINVAL);
    mb2_begin();
    mb2_tag(MB2_TAG_BASIC_MEMINFO, &four, 4);
    mb2_end();
    CU_ASSERT_EQUAL(mb2(), -EINVAL);
    mb2_begin();
    mb2_tag(MB2_TAG_LOAD_BASE_ADDR, NULL, 0);
    mb2_end();
    CU_ASSERT_EQUAL(mb2(), -EINVAL);
}

static void test_mb2_mmap_entry_sizes(void)
{
    uint32_t small[8] = { 16, 0 };
    struct { uint32_t entry_size, version; uint64_t e[2][4]; } big = {
        32, 0, { { 0x1000, 0x2000, MB_MEMORY_AVAILABLE, 0 },
                 { 0x100000, 0x100000, MB_MEMORY_BADRAM, 0 } } };

    mb2_begin();
    mb2_tag(MB2_TAG_MMAP, small, sizeof(small));
    mb2_end();
    CU_ASSERT_EQUAL(mb2(), -EINVAL);
    CU_ASSERT_STRING_EQUAL(bi.error, "memory map entry size too small");
    /* Bigger entries than today's: newer fields are skipped. */
    mb2_begin();
    mb2_tag(MB2_TAG_MMAP, &big, sizeof(big));
    mb2_end();
    CU_ASSERT_EQUAL_FATAL(mb2(), 0);
    CU_ASSERT_EQUAL(bi.nr_mem, 2);
    CU_ASSERT_EQUAL(bi.mem[1].base, 0x100000);
    CU_ASSERT_EQUAL(bi.mem[1].type, MEM_BAD);
}

static void test_mb2_bad_rsdp_ignored_with_warning(void)
{
    uint8_t r[36];
    uint32_t meminfo[2] = { 1, 1 };

    mb2_begin();
    mb2_tag(MB2_TAG_BASIC_MEMINFO, meminfo, sizeof(meminfo));
    make_rsdp(r, 0);
    r[9] ^= 1;                            /* checksum now wrong */
    mb2_tag(MB2_TAG_ACPI_OLD, r, 20);
    make_rsdp(r, 2);
    r[30] ^= 1;                           /* extended checksum wrong */
    mb2_tag(MB2_TAG_ACPI_NEW, r, 36);
    mb2_tag(MB2_TAG_ACPI_NEW, r, 10);     /* too short */
    mb2_end();
    CU_ASSERT_EQUAL_FATAL(mb2(), 0);
    CU_ASSERT_FALSE(bi.has_rsdp);
    CU_ASSERT_EQUAL(bi.nr_warnings, 3);
}

static void test_mb2_old_rsdp_alone(void)
{
    uint8_t r[36];
    uint32_t meminfo[2] = { 1, 1 };

    mb2_begin();
    mb2_tag(MB2_TAG_BASIC_MEMINFO, meminfo, sizeof(meminfo));
    make_rsdp(r, 0);
    mb2_tag(MB2_TAG_ACPI_OLD, r, 20);
    mb2_end();
    CU_ASSERT_EQUAL_FATAL(mb2(), 0);
    CU_ASSERT_TRUE(bi.has_rsdp);
    CU_ASSERT_EQUAL(bi.rsdp_len, 20);
    uint32_t rsdt;
    memcpy(&rsdt, bi.rsdp + 16, 4);
    CU_ASSERT_EQUAL(rsdt, 0x7fe1000);
}

/* Random corruption of valid blocks: never a crash, and errors are explained. */
static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void corrupt_and_parse(void (*build)(void), uint64_t lo, uint64_t len, uint32_t magic,
                              uint64_t info_pa, unsigned *ok, unsigned *bad)
{
    for (int iter = 0; iter < 3000; iter++) {
        build();
        int flips = 1 + (int)(rnd() % 4);
        for (int f = 0; f < flips; f++) {
            uint64_t at = lo + rnd() % len;
            phys[at - PHYS_BASE] = (uint8_t)(rnd() % 4 == 0 ? 0xff : rnd());
        }
        int rc = bootinfo_parse(magic, info_pa, &reader, &bi);
        if (rc == 0) {
            (*ok)++;
            CU_ASSERT_PTR_NULL(bi.error);
            CU_ASSERT(bi.nr_mem > 0 && bi.nr_mem <= BOOTINFO_MAX_MEM_REGIONS);
            CU_ASSERT(bi.nr_modules <= BOOTINFO_MAX_MODULES);
            CU_ASSERT(strlen(bi.cmdline) < BOOTINFO_CMDLINE_MAX);
        } else {
            (*bad)++;
            CU_ASSERT(rc == -EINVAL || rc == -EFAULT || rc == -E2BIG || rc == -ENOENT);
            CU_ASSERT_PTR_NOT_NULL(bi.error);
        }
    }
}

static void test_random_corruption_never_crashes(void)
{
    unsigned ok = 0, bad = 0;

    corrupt_and_parse(mb1_build_full, MB1_INFO, 0x3200, MB1_BOOTLOADER_MAGIC, MB1_INFO, &ok, &bad);
    corrupt_and_parse(mb2_build_full, MB2_INFO, 0x100, MB2_BOOTLOADER_MAGIC, MB2_INFO, &ok, &bad);
    /* Both outcomes must actually occur, or the test proves nothing. */
    CU_ASSERT(ok > 100);
    CU_ASSERT(bad > 100);
}

int main(void)
{
    static const struct unit_case mb1_cases[] = {
        UNIT_CASE(mb1_full_info),
        UNIT_CASE(mb1_basic_memory_only),
        UNIT_CASE(mb1_no_memory_information),
        UNIT_CASE(unknown_magic_rejected),
        UNIT_CASE(mb1_info_not_readable),
        UNIT_CASE(mb1_cmdline_pointer_bad),
        UNIT_CASE(mb1_unterminated_string_at_end_of_memory),
        UNIT_CASE(mb1_long_cmdline_cut_with_warning),
        UNIT_CASE(mb1_too_many_modules),
        UNIT_CASE(mb1_module_list_not_readable),
        UNIT_CASE(mb1_module_ends_before_start),
        UNIT_CASE(mb1_mmap_malformed_entries),
        UNIT_CASE(mb1_mmap_too_many_entries),
        UNIT_CASE(mb1_map_to_free_frames),
    };
    static const struct unit_case mb2_cases[] = {
        UNIT_CASE(mb2_full_info),
        UNIT_CASE(mb2_basic_meminfo_fallback),
        UNIT_CASE(mb2_missing_end_tag),
        UNIT_CASE(mb2_tag_smaller_than_header),
        UNIT_CASE(mb2_tag_past_end),
        UNIT_CASE(mb2_impossible_total_size),
        UNIT_CASE(mb2_unaligned_info),
        UNIT_CASE(mb2_unterminated_strings),
        UNIT_CASE(mb2_small_tags_rejected),
        UNIT_CASE(mb2_mmap_entry_sizes),
        UNIT_CASE(mb2_bad_rsdp_ignored_with_warning),
        UNIT_CASE(mb2_old_rsdp_alone),
        UNIT_CASE(random_corruption_never_crashes),
    };

    unit_begin();
    UNIT_SUITE("multiboot1", mb1_cases);
    UNIT_SUITE("multiboot2", mb2_cases);
    return unit_end();
}
