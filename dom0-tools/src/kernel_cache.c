#include "kernel_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "decompress.h"

/* ELF64 header and program header fields the compact copy rewrites. */
#define E_PHOFF      0x20
#define E_SHOFF      0x28
#define E_PHENTSIZE  0x36
#define E_PHNUM      0x38
#define E_SHNUM      0x3c
#define E_SHSTRNDX   0x3e
#define EHDR_SIZE    64
#define P_TYPE       0x00
#define P_OFFSET     0x08
#define P_FILESZ     0x20
#define PHDR_SIZE    56
#define PT_LOAD      1

#define BLOCK        4096u
#define SAMPLE_BYTES (64u << 10)
/* A temporary file this old was left by a tl that died while writing it. */
#define STALE_TMP_SECONDS 600

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* CRC-32 of len bytes at off, folded into crc. */
static int crc_range(int fd, uint64_t off, size_t len, uLong *crc)
{
    uint8_t buf[SAMPLE_BYTES];
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, buf + done, len - done, (off_t)(off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : -EIO;
        done += (size_t)n;
    }
    *crc = crc32(*crc, buf, (uInt)len);
    return 0;
}

int kernel_cache_key_of(const char *path, struct kernel_cache_key *key)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = fstat(fd, &st) ? -errno : S_ISREG(st.st_mode) ? 0 : -EINVAL;
    if (!rc) {
        uint64_t size = (uint64_t)st.st_size;
        size_t head = size < SAMPLE_BYTES ? (size_t)size : SAMPLE_BYTES;
        size_t tail = size - head < SAMPLE_BYTES ? (size_t)(size - head) : SAMPLE_BYTES;
        uLong crc = crc32(0, NULL, 0);
        rc = crc_range(fd, 0, head, &crc);
        if (!rc)
            rc = crc_range(fd, size - tail, tail, &crc);
        memset(key, 0, sizeof(*key));
        key->dev = (uint64_t)st.st_dev;
        key->ino = (uint64_t)st.st_ino;
        key->size = size;
        key->mtime_sec = st.st_mtim.tv_sec;
        key->mtime_nsec = st.st_mtim.tv_nsec;
        key->ctime_sec = st.st_ctim.tv_sec;
        key->ctime_nsec = st.st_ctim.tv_nsec;
        key->sample_crc = crc;
    }
    close(fd);
    return rc;
}

const char *kernel_cache_dir(void)
{
    const char *env = getenv("TL_KERNEL_CACHE");
    if (!env)
        return KERNEL_CACHE_DEFAULT_DIR;
    if (!*env || !strcmp(env, "off"))
        return NULL;
    return env;
}

static int check_dir_stat(const struct stat *st)
{
    if (!S_ISDIR(st->st_mode))
        return -ENOTDIR;
    if (st->st_uid != geteuid() || (st->st_mode & 022))
        return -EPERM;
    return 0;
}

int kernel_cache_check_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st))
        return -errno;
    return check_dir_stat(&st);
}

/* Opens dir after checking it, as a directory fd. */
static int open_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    int rc = fstat(fd, &st) ? -errno : check_dir_stat(&st);
    if (rc) {
        close(fd);
        return rc;
    }
    return fd;
}

static void entry_name(const struct kernel_cache_key *k, char *name, size_t size)
{
    snprintf(name, size, "k-%llx-%llx-%llx-%lld.%09lld-%lld.%09lld-%08llx.elf",
             (unsigned long long)k->dev, (unsigned long long)k->ino, (unsigned long long)k->size,
             (long long)k->mtime_sec, (long long)k->mtime_nsec, (long long)k->ctime_sec,
             (long long)k->ctime_nsec, (unsigned long long)k->sample_crc);
}

int kernel_cache_open(const char *dir, const struct kernel_cache_key *key, const uint8_t **elf,
                      size_t *len, int *keep_fd)
{
    char name[160];
    int dfd = open_dir(dir);
    if (dfd < 0)
        return dfd;
    entry_name(key, name, sizeof(name));
    int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    int rc = fd < 0 ? -errno : 0;
    struct stat st;
    if (!rc && fstat(fd, &st))
        rc = -errno;
    if (!rc && (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_size < EHDR_SIZE ||
                (uint64_t)st.st_size > DECOMPRESS_MAX_OUTPUT))
        rc = -EINVAL;
    void *map = MAP_FAILED;
    if (!rc && (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
        rc = -errno;
    if (!rc) {
        *elf = map;
        *len = (size_t)st.st_size;
        utimensat(dfd, name, NULL, 0);     /* recently used: evicted last */
        if (keep_fd) {
            *keep_fd = fd;
            fd = -1;
        }
    }
    if (fd >= 0)
        close(fd);
    close(dfd);
    return rc;
}

void kernel_cache_drop(const char *dir, const struct kernel_cache_key *key)
{
    char name[160];
    int dfd = open_dir(dir);
    if (dfd < 0)
        return;
    entry_name(key, name, sizeof(name));
    unlinkat(dfd, name, 0);
    close(dfd);
}

static bool all_zero(const uint8_t *p, size_t n)
{
    return n == 0 || (p[0] == 0 && !memcmp(p, p + 1, n - 1));
}

/* Writes p[0..n) at offset off, leaving all-zero blocks as holes. */
static int write_sparse(int fd, const uint8_t *p, size_t n, uint64_t off)
{
    size_t i = 0;
    while (i < n) {
        size_t chunk = BLOCK - (size_t)((off + i) % BLOCK);
        if (chunk > n - i)
            chunk = n - i;
        if (all_zero(p + i, chunk)) {
            i += chunk;
            continue;
        }
        /* A run of blocks with data, written at once. */
        size_t run = chunk;
        while (i + run < n) {
            size_t next = n - i - run < BLOCK ? n - i - run : BLOCK;
            if (all_zero(p + i + run, next))
                break;
            run += next;
        }
        for (size_t done = 0; done < run;) {
            ssize_t w = pwrite(fd, p + i + done, run - done, (off_t)(off + i + done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return w < 0 ? -errno : -EIO;
            done += (size_t)w;
        }
        i += run;
    }
    return 0;
}

/* Bytes of p[0..n) left once trailing zeros are cut. */
static size_t trimmed_size(const uint8_t *p, size_t n)
{
    while (n >= BLOCK && all_zero(p + n - BLOCK, BLOCK))
        n -= BLOCK;
    while (n > 0 && p[n - 1] == 0)
        n--;
    return n;
}

/*
 * Writes the compact ELF to fd: returns its length, or negative errno. The
 * caller's guest_elf_parse accepted elf; its tables are bounds-checked again.
 */
static int64_t write_compact(int fd, const uint8_t *elf, size_t elf_len)
{
    uint64_t phoff = get64(elf + E_PHOFF);
    unsigned phnum = get16(elf + E_PHNUM);
    if (get16(elf + E_PHENTSIZE) != PHDR_SIZE || phoff < EHDR_SIZE || phoff > elf_len ||
        (uint64_t)phnum * PHDR_SIZE > elf_len - phoff)
        return -EINVAL;
    size_t head_len = (size_t)phoff + (size_t)phnum * PHDR_SIZE;
    uint8_t *head = malloc(head_len);
    if (!head)
        return -ENOMEM;
    memcpy(head, elf, head_len);
    /* Section headers are not kept: notes come from PT_NOTE. */
    put64(head + E_SHOFF, 0);
    head[E_SHNUM] = head[E_SHNUM + 1] = 0;
    head[E_SHSTRNDX] = head[E_SHSTRNDX + 1] = 0;

    uint64_t end = head_len;
    int rc = 0;
    for (unsigned i = 0; i < phnum && !rc; i++) {
        uint8_t *ph = head + phoff + (size_t)i * PHDR_SIZE;
        uint64_t off = get64(ph + P_OFFSET), size = get64(ph + P_FILESZ);
        if (off > elf_len || size > elf_len - off) {
            rc = -EINVAL;
            break;
        }
        if (get32(ph + P_TYPE) == PT_LOAD) {
            size = trimmed_size(elf + off, (size_t)size);
            put64(ph + P_FILESZ, size);
        }
        rc = write_sparse(fd, elf + off, (size_t)size, off);
        if (size && off + size > end)
            end = off + size;
    }
    if (!rc)
        rc = write_sparse(fd, head, head_len, 0);
    /* The ELF header is never all zero, so this only extends over a tail hole. */
    if (!rc && ftruncate(fd, (off_t)end))
        rc = -errno;
    free(head);
    return rc ? rc : (int64_t)end;
}

struct entry {
    char name[160];
    struct timespec used;
};

static int by_use(const void *a, const void *b)
{
    const struct timespec *x = &((const struct entry *)a)->used, *y = &((const struct entry *)b)->used;
    if (x->tv_sec != y->tv_sec)
        return x->tv_sec < y->tv_sec ? -1 : 1;
    return (x->tv_nsec > y->tv_nsec) - (x->tv_nsec < y->tv_nsec);
}

/* Keeps the most recently used entries; removes abandoned temporary files. */
static void evict(int dfd)
{
    int fd = dup(dfd);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    struct entry *list = NULL;
    size_t n = 0, cap = 0;
    time_t now = time(NULL);
    struct dirent *de;
    while ((de = readdir(d))) {
        struct stat st;
        if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
            continue;
        if (!strncmp(de->d_name, ".tmp-", 5)) {
            if (now - st.st_mtim.tv_sec > STALE_TMP_SECONDS)
                unlinkat(dfd, de->d_name, 0);
            continue;
        }
        size_t nl = strlen(de->d_name);
        if (strncmp(de->d_name, "k-", 2) || nl < 4 || strcmp(de->d_name + nl - 4, ".elf") ||
            nl >= sizeof(list->name))
            continue;
        if (n == cap) {
            struct entry *grown = realloc(list, (cap = cap ? cap * 2 : 8) * sizeof(*list));
            if (!grown)
                break;
            list = grown;
        }
        memcpy(list[n].name, de->d_name, nl + 1);
        list[n++].used = st.st_mtim;
    }
    closedir(d);
    if (n > KERNEL_CACHE_MAX_ENTRIES) {
        qsort(list, n, sizeof(*list), by_use);
        for (size_t i = 0; i < n - KERNEL_CACHE_MAX_ENTRIES; i++)
            unlinkat(dfd, list[i].name, 0);
    }
    free(list);
}

int kernel_cache_store(const char *dir, const struct kernel_cache_key *key, const uint8_t *elf,
                       size_t elf_len)
{
    char name[160], tmp[200];
    int dfd = open_dir(dir);
    if (dfd < 0)
        return dfd;
    entry_name(key, name, sizeof(name));
    snprintf(tmp, sizeof(tmp), ".tmp-%ld-%s", (long)getpid(), name);
    int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    int rc = fd < 0 ? -errno : 0;
    if (!rc) {
        int64_t len = write_compact(fd, elf, elf_len);
        rc = len < 0 ? (int)len : 0;
        /* On a disk, the entry must not be renamed into place before its data is there. */
        if (!rc && fdatasync(fd) && errno != EINVAL)
            rc = -errno;
        if (close(fd) && !rc)
            rc = -errno;
        if (!rc && renameat(dfd, tmp, dfd, name))
            rc = -errno;
        if (rc)
            unlinkat(dfd, tmp, 0);
    }
    if (!rc)
        evict(dfd);
    close(dfd);
    return rc;
}
