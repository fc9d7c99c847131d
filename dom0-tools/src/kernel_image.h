/*
 * Opening a guest kernel the way a domain builder needs it: whatever the
 * container (ELF, bzImage, or a gzip/xz/zstd/lz4-compressed ELF), find the
 * ELF inside and run the shared loader's checks on it.
 */
#ifndef TL_KERNEL_IMAGE_H
#define TL_KERNEL_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include <tessera/guest_elf.h>

#include "bzimage.h"
#include "decompress.h"

#define KERNEL_IMAGE_MAX_FILE (256u << 20)

struct kernel_image {
    uint8_t *file;                  /* the file's bytes (owned) */
    size_t file_len;
    uint8_t *unpacked;              /* decompressed ELF, if any (owned) */
    size_t unpacked_len;
    const uint8_t *mapped;          /* the kernel cache's entry, if used (owned, mmap'd) */
    size_t mapped_len;
    int mapped_fd;                  /* the entry, open, when mapped (owned) */
    const uint8_t *elf;             /* the ELF: file, unpacked or mapped */
    size_t elf_len;
    bool is_bzimage;
    struct bzimage_info bz;
    enum payload_compression compression;
    bool from_cache;                /* elf is a cache entry found, not decompressed now */
    bool cache_stored;              /* decompressed now and stored in the cache */
    struct guest_elf_info info;
};

/*
 * Takes ownership of buf (malloc'd) and inspects it. On failure writes a
 * one-line reason to why and frees everything; returns negative errno.
 */
int kernel_image_open_buffer(uint8_t *buf, size_t len, struct kernel_image *img, char *why, size_t why_size);
int kernel_image_load(const char *path, struct kernel_image *img, char *why, size_t why_size);

/*
 * kernel_image_load through the kernel cache in cache_dir (kernel_cache.h;
 * NULL: none). On a hit nothing is read or decompressed, and only elf, info
 * and from_cache are filled. A compressed kernel read now is stored, and
 * then used from the cache's mapping so the decompressed copy is freed.
 */
int kernel_image_load_cached(const char *path, const char *cache_dir, struct kernel_image *img,
                             char *why, size_t why_size);
void kernel_image_free(struct kernel_image *img);

/*
 * guest_elf_load of img's segments into dst: from a cache entry with
 * pread into dst (the mapping's pages are never touched), else a copy.
 */
int kernel_image_load_segments(const struct kernel_image *img, void *dst, uint64_t dst_vaddr,
                               uint64_t dst_len);

#endif
