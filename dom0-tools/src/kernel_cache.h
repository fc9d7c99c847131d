/*
 * A cache of decompressed guest kernels, so that only the first `tl create`
 * of a compressed kernel (a bzImage, an xz'd ELF) pays for decompressing
 * it: under emulation that is most of a create's time.
 *
 * An entry is a compact ELF: the original's headers, program headers and
 * segment bytes at their original offsets, each PT_LOAD's trailing zeros cut
 * (the loader zero-fills memsz beyond filesz, so the guest sees the same
 * bytes), no section headers; written sparse, atomically (temporary file,
 * then rename). Entries are named after the source file's identity: device,
 * inode, size, modification and change times, so a rewritten or replaced
 * kernel never matches an old entry. At most KERNEL_CACHE_MAX_ENTRIES are
 * kept; the least recently used goes first.
 *
 * The cache is an optimisation: every failure to read or write it leaves
 * the caller to decompress as before.
 */
#ifndef TL_KERNEL_CACHE_H
#define TL_KERNEL_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#define KERNEL_CACHE_DEFAULT_DIR "/var/cache/tessera/kernels"
#define KERNEL_CACHE_MAX_ENTRIES 3

/*
 * Which file an entry stands for. Timestamps can stay the same over a quick
 * rewrite in place (they tick with the kernel's clock, milliseconds), so a
 * CRC of the file's first and last 64 KiB is part of the identity too.
 */
struct kernel_cache_key {
    uint64_t dev, ino, size;
    int64_t mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
    uint64_t sample_crc;
};

/* The identity of the regular file at path; negative errno if unreadable. */
int kernel_cache_key_of(const char *path, struct kernel_cache_key *key);

/*
 * The directory tl uses: $TL_KERNEL_CACHE if set ("off" or empty: none),
 * else KERNEL_CACHE_DEFAULT_DIR. NULL when caching is off.
 */
const char *kernel_cache_dir(void);

/*
 * 0 if dir is usable: a directory owned by this user that nobody else may
 * write to (an entry is code a guest will run). Else negative errno.
 */
int kernel_cache_check_dir(const char *dir);

/*
 * Maps the entry for key read-only: 0 with *elf and *len on a hit, -ENOENT
 * on a miss, other negative errno when the cache cannot be used. The caller
 * munmaps (*elf, *len). With fd non-NULL the entry also stays open there
 * (close-on-exec): reading segments with pread spares a process the page
 * faults of touching the whole mapping, which are slow in a PV domain. A
 * hit marks the entry as recently used.
 */
int kernel_cache_open(const char *dir, const struct kernel_cache_key *key, const uint8_t **elf,
                      size_t *len, int *fd);

/* Removes the entry for key (one that failed to parse). */
void kernel_cache_drop(const char *dir, const struct kernel_cache_key *key);

/*
 * Writes the compact copy of elf[0..elf_len), an image guest_elf_parse
 * accepted, as the entry for key; then evicts the least recently used
 * entries beyond KERNEL_CACHE_MAX_ENTRIES. Returns negative errno on
 * failure, with nothing left behind.
 */
int kernel_cache_store(const char *dir, const struct kernel_cache_key *key, const uint8_t *elf,
                       size_t elf_len);

#endif
