/*
 * The kernel cache: a cached entry loads the same guest memory as the
 * decompressed original, takes less space, is found again only for the
 * same unchanged file, is dropped when damaged, is not used from a
 * directory others could write, and the oldest entries are evicted.
 */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <fcntl.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "elf_builder.h"
#include "kernel_cache.h"
#include "kernel_image.h"
#include "unit.h"

static char cache_dir[64];

static void make_cache_dir(void)
{
    strcpy(cache_dir, "/tmp/tl-kcache-XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(cache_dir));
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char path[512];
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.' && (!de->d_name[1] || !strcmp(de->d_name, "..")))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

static unsigned count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    unsigned n = 0;
    while (d && (de = readdir(d)))
        n += !strncmp(de->d_name, "k-", 2);
    if (d)
        closedir(d);
    return n;
}

/* The guest memory an image loads (as the builder loads it): its segments' span. */
static uint8_t *load_span(const struct kernel_image *img, size_t *span)
{
    const struct guest_elf_info *i = &img->info;
    *span = i->virt_kend - i->virt_kstart;
    uint8_t *mem = malloc(*span);
    memset(mem, 0xee, *span);
    CU_ASSERT_EQUAL(kernel_image_load_segments(img, mem, i->virt_kstart, *span), 0);
    return mem;
}

static void assert_same_guest_memory(const struct kernel_image *a, const struct kernel_image *b)
{
    size_t sa, sb;
    uint8_t *ma = load_span(a, &sa);
    uint8_t *mb = load_span(b, &sb);
    CU_ASSERT_EQUAL_FATAL(sa, sb);
    CU_ASSERT_EQUAL(memcmp(ma, mb, sa), 0);
    CU_ASSERT_EQUAL(a->info.virt_entry, b->info.virt_entry);
    CU_ASSERT_EQUAL(a->info.nr_segments, b->info.nr_segments);
    CU_ASSERT_STRING_EQUAL(a->info.guest_os, b->info.guest_os);
    free(ma);
    free(mb);
}

/* A gzip'd synthetic kernel whose second segment ends in zeros. */
static void write_gz_kernel(const char *path, uint8_t fill)
{
    struct eb_spec s;
    size_t len;
    eb_default(&s);
    s.segs[0].fill = fill;
    s.segs[1].filesz = s.segs[1].memsz = 0x2000;
    s.segs[1].fill = 0;
    uint8_t *elf = eb_build(&s, &len);
    gzFile gz = gzopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(gz);
    CU_ASSERT_EQUAL(gzwrite(gz, elf, (unsigned)len), (int)len);
    gzclose(gz);
    free(elf);
}

/* A fresh cache directory and a gzip'd kernel beside it, named in kernel. */
static void new_cache_and_kernel(char *kernel, size_t size)
{
    make_cache_dir();
    snprintf(kernel, size, "%s.vmlinuz", cache_dir);
    write_gz_kernel(kernel, 0xcc);
}

static void test_hit_after_store(void)
{
    char kernel[128], why[256];
    struct kernel_image plain, first, second;

    new_cache_and_kernel(kernel, sizeof(kernel));
    CU_ASSERT_EQUAL_FATAL(kernel_image_load(kernel, &plain, why, sizeof(why)), 0);

    CU_ASSERT_EQUAL_FATAL(kernel_image_load_cached(kernel, cache_dir, &first, why, sizeof(why)), 0);
    CU_ASSERT_TRUE(first.cache_stored);
    CU_ASSERT_FALSE(first.from_cache);
    CU_ASSERT_PTR_NULL(first.unpacked);            /* freed for the mapping */
    CU_ASSERT_EQUAL(count_entries(cache_dir), 1);
    assert_same_guest_memory(&plain, &first);

    CU_ASSERT_EQUAL_FATAL(kernel_image_load_cached(kernel, cache_dir, &second, why, sizeof(why)), 0);
    CU_ASSERT_TRUE(second.from_cache);
    CU_ASSERT_FALSE(second.cache_stored);
    assert_same_guest_memory(&plain, &second);
    /* The all-zero segment is not in the entry: the loader zero-fills it. */
    CU_ASSERT_EQUAL(second.info.segments[1].file_size, 0);
    CU_ASSERT_TRUE(second.elf_len < plain.elf_len);

    /* A segment's range outside the destination is refused, as guest_elf_load does. */
    uint8_t small[16];
    CU_ASSERT_NOT_EQUAL(kernel_image_load_segments(&second, small, second.info.virt_kstart,
                                                   sizeof(small)), 0);
    /* With its descriptor closed (a process that closed it) the mapping serves. */
    CU_ASSERT_EQUAL(close(second.mapped_fd), 0);
    assert_same_guest_memory(&plain, &second);
    second.mapped_fd = open("/dev/null", O_RDONLY);   /* kernel_image_free closes it */
    CU_ASSERT_TRUE(second.mapped_fd >= 0);

    /* A rewritten kernel is another file: decompressed again, not the old entry. */
    write_gz_kernel(kernel, 0x90);
    struct kernel_image changed, changed_plain;
    CU_ASSERT_EQUAL_FATAL(kernel_image_load_cached(kernel, cache_dir, &changed, why, sizeof(why)), 0);
    CU_ASSERT_FALSE(changed.from_cache);
    CU_ASSERT_EQUAL_FATAL(kernel_image_load(kernel, &changed_plain, why, sizeof(why)), 0);
    assert_same_guest_memory(&changed_plain, &changed);

    kernel_image_free(&plain);
    kernel_image_free(&first);
    kernel_image_free(&second);
    kernel_image_free(&changed);
    kernel_image_free(&changed_plain);
    unlink(kernel);
    remove_dir(cache_dir);
}

/* The path of the one entry in cache_dir; false if there is none. */
static bool entry_path(char *path, size_t size)
{
    DIR *d = opendir(cache_dir);
    struct dirent *de;
    bool found = false;
    while (d && !found && (de = readdir(d)))
        if (!strncmp(de->d_name, "k-", 2)) {
            snprintf(path, size, "%s/%s", cache_dir, de->d_name);
            found = true;
        }
    if (d)
        closedir(d);
    return found;
}

/* Overwrites the one entry in cache_dir with bytes that are no ELF. */
static void damage_entry(void)
{
    char path[512];
    CU_ASSERT_TRUE_FATAL(entry_path(path, sizeof(path)));
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("not an ELF at all, but long enough to be mapped as one.......", f);
    fclose(f);
}

static void test_damaged_entry_is_replaced(void)
{
    char kernel[128], why[256];
    struct kernel_image img;

    new_cache_and_kernel(kernel, sizeof(kernel));
    CU_ASSERT_EQUAL_FATAL(kernel_image_load_cached(kernel, cache_dir, &img, why, sizeof(why)), 0);
    kernel_image_free(&img);
    damage_entry();
    CU_ASSERT_EQUAL_FATAL(kernel_image_load_cached(kernel, cache_dir, &img, why, sizeof(why)), 0);
    CU_ASSERT_FALSE(img.from_cache);
    CU_ASSERT_TRUE(img.cache_stored);
    kernel_image_free(&img);
    CU_ASSERT_EQUAL_FATAL(kernel_image_load_cached(kernel, cache_dir, &img, why, sizeof(why)), 0);
    CU_ASSERT_TRUE(img.from_cache);
    kernel_image_free(&img);
    unlink(kernel);
    remove_dir(cache_dir);
}

static void test_unsafe_dir_not_used(void)
{
    char kernel[128], why[256];
    struct kernel_image img;

    new_cache_and_kernel(kernel, sizeof(kernel));
    CU_ASSERT_EQUAL(chmod(cache_dir, 0777), 0);
    CU_ASSERT_EQUAL(kernel_cache_check_dir(cache_dir), -EPERM);
    CU_ASSERT_EQUAL_FATAL(kernel_image_load_cached(kernel, cache_dir, &img, why, sizeof(why)), 0);
    CU_ASSERT_FALSE(img.cache_stored);
    CU_ASSERT_EQUAL(count_entries(cache_dir), 0);
    kernel_image_free(&img);
    CU_ASSERT_EQUAL(kernel_cache_check_dir("/nonexistent/tl-cache"), -ENOENT);
    unlink(kernel);
    remove_dir(cache_dir);
}

static void test_plain_elf_not_cached(void)
{
    char kernel[128], why[256];
    struct eb_spec s;
    size_t len;
    struct kernel_image img;

    make_cache_dir();
    snprintf(kernel, sizeof(kernel), "%s.elf", cache_dir);
    eb_default(&s);
    uint8_t *elf = eb_build(&s, &len);
    FILE *f = fopen(kernel, "wb");
    CU_ASSERT_EQUAL(fwrite(elf, 1, len, f), len);
    fclose(f);
    CU_ASSERT_EQUAL_FATAL(kernel_image_load_cached(kernel, cache_dir, &img, why, sizeof(why)), 0);
    CU_ASSERT_FALSE(img.cache_stored);
    CU_ASSERT_EQUAL(count_entries(cache_dir), 0);
    kernel_image_free(&img);
    free(elf);
    unlink(kernel);
    remove_dir(cache_dir);
}

static void test_eviction_keeps_recent(void)
{
    struct eb_spec s;
    size_t len;
    const uint8_t *map;
    size_t map_len;

    make_cache_dir();
    eb_default(&s);
    uint8_t *elf = eb_build(&s, &len);
    struct kernel_cache_key keys[KERNEL_CACHE_MAX_ENTRIES + 2];
    for (unsigned i = 0; i < KERNEL_CACHE_MAX_ENTRIES + 2; i++) {
        keys[i] = (struct kernel_cache_key){ .dev = 1, .ino = 100 + i, .size = len };
        CU_ASSERT_EQUAL(kernel_cache_store(cache_dir, &keys[i], elf, len), 0);
        /* Entry 0 is used after each store: it stays although it is the oldest. */
        CU_ASSERT_EQUAL_FATAL(kernel_cache_open(cache_dir, &keys[0], &map, &map_len, NULL), 0);
        munmap((void *)map, map_len);
        struct timespec pause = { 0, 20 * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
    CU_ASSERT_EQUAL(count_entries(cache_dir), KERNEL_CACHE_MAX_ENTRIES);
    CU_ASSERT_EQUAL(kernel_cache_open(cache_dir, &keys[1], &map, &map_len, NULL), -ENOENT);
    CU_ASSERT_EQUAL(kernel_cache_open(cache_dir, &keys[2], &map, &map_len, NULL), -ENOENT);
    for (unsigned i = 3; i < KERNEL_CACHE_MAX_ENTRIES + 2; i++) {
        CU_ASSERT_EQUAL_FATAL(kernel_cache_open(cache_dir, &keys[i], &map, &map_len, NULL), 0);
        munmap((void *)map, map_len);
    }
    free(elf);
    remove_dir(cache_dir);
}

static void test_cache_dir_setting(void)
{
    unsetenv("TL_KERNEL_CACHE");
    CU_ASSERT_STRING_EQUAL(kernel_cache_dir(), KERNEL_CACHE_DEFAULT_DIR);
    setenv("TL_KERNEL_CACHE", "off", 1);
    CU_ASSERT_PTR_NULL(kernel_cache_dir());
    setenv("TL_KERNEL_CACHE", "", 1);
    CU_ASSERT_PTR_NULL(kernel_cache_dir());
    setenv("TL_KERNEL_CACHE", "/srv/kernels", 1);
    CU_ASSERT_STRING_EQUAL(kernel_cache_dir(), "/srv/kernels");
    unsetenv("TL_KERNEL_CACHE");
}

/* Debian's own xz bzImage: the entry is much smaller and loads the same memory. */
static void test_debian_vmlinuz_cached(void)
{
    glob_t g;
    char why[256];
    struct kernel_image plain, cached;
    struct stat st;

    CU_ASSERT_EQUAL_FATAL(glob("/boot/vmlinuz-*-amd64", 0, NULL, &g), 0);
    make_cache_dir();
    CU_ASSERT_EQUAL_FATAL(kernel_image_load(g.gl_pathv[0], &plain, why, sizeof(why)), 0);
    CU_ASSERT_EQUAL_FATAL(kernel_image_load_cached(g.gl_pathv[0], cache_dir, &cached, why, sizeof(why)), 0);
    CU_ASSERT_TRUE(cached.cache_stored);
    assert_same_guest_memory(&plain, &cached);
    kernel_image_free(&cached);

    CU_ASSERT_EQUAL_FATAL(kernel_image_load_cached(g.gl_pathv[0], cache_dir, &cached, why, sizeof(why)), 0);
    CU_ASSERT_TRUE(cached.from_cache);
    assert_same_guest_memory(&plain, &cached);
    /* Space the entry takes (a sparse file): well under the ELF's size. */
    char path[512];
    CU_ASSERT_TRUE_FATAL(entry_path(path, sizeof(path)));
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_TRUE((uint64_t)st.st_blocks * 512 < plain.elf_len * 3 / 4);
    kernel_image_free(&plain);
    kernel_image_free(&cached);
    remove_dir(cache_dir);
    globfree(&g);
}

void register_kernel_cache_tests(void)
{
    CU_pSuite s = CU_add_suite("kernel_cache", NULL, NULL);
    CU_add_test(s, "hit_after_store", test_hit_after_store);
    CU_add_test(s, "damaged_entry_is_replaced", test_damaged_entry_is_replaced);
    CU_add_test(s, "unsafe_dir_not_used", test_unsafe_dir_not_used);
    CU_add_test(s, "plain_elf_not_cached", test_plain_elf_not_cached);
    CU_add_test(s, "eviction_keeps_recent", test_eviction_keeps_recent);
    CU_add_test(s, "cache_dir_setting", test_cache_dir_setting);
    CU_add_test(s, "debian_vmlinuz_cached", test_debian_vmlinuz_cached);
}
