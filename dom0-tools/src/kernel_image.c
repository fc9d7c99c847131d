#include "kernel_image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config_load.h"
#include "kernel_cache.h"

/* Gives back whatever holds img's bytes: file, decompressed copy, cache entry. */
static void release_bytes(struct kernel_image *img)
{
    free(img->file);
    free(img->unpacked);
    if (img->mapped) {
        munmap((void *)img->mapped, img->mapped_len);
        close(img->mapped_fd);
    }
}

void kernel_image_free(struct kernel_image *img)
{
    release_bytes(img);
    memset(img, 0, sizeof(*img));
}

/* Reads len bytes at off into dst; false on any failure. */
static bool pread_all(int fd, uint8_t *dst, size_t len, uint64_t off)
{
    while (len) {
        ssize_t n = pread(fd, dst, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        dst += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return true;
}

int kernel_image_load_segments(const struct kernel_image *img, void *dst, uint64_t dst_vaddr,
                               uint64_t dst_len)
{
    if (!img->mapped)
        return guest_elf_load(img->elf, img->elf_len, &img->info, dst, dst_vaddr, dst_len);
    int rc = guest_elf_check_load(img->elf_len, &img->info, dst_vaddr, dst_len);
    if (rc)
        return rc;
    for (unsigned i = 0; i < img->info.nr_segments; i++) {
        const struct guest_elf_segment *s = &img->info.segments[i];
        uint8_t *to = (uint8_t *)dst + (s->load_vaddr - dst_vaddr);
        /* A closed or failing descriptor: the mapping has the same bytes. */
        if (!pread_all(img->mapped_fd, to, s->file_size, s->file_offset))
            memcpy(to, img->elf + s->file_offset, s->file_size);
        memset(to + s->file_size, 0, s->mem_size - s->file_size);
    }
    return 0;
}

static int unpack(struct kernel_image *img, const uint8_t *payload, size_t len, size_t hint,
                  char *why, size_t why_size)
{
    const char *reason;
    img->compression = payload_detect(payload, len);
    if (img->compression == PAYLOAD_NONE) {
        snprintf(why, why_size, "%s", img->is_bzimage
                 ? "bzImage payload is in no known compression format" : "not a kernel image");
        return img->is_bzimage ? -EINVAL : -ENOEXEC;
    }
    int rc = payload_decompress(img->compression, payload, len, hint, DECOMPRESS_MAX_OUTPUT,
                                &img->unpacked, &img->unpacked_len, &reason);
    if (rc) {
        snprintf(why, why_size, "%s", reason);
        return rc;
    }
    img->elf = img->unpacked;
    img->elf_len = img->unpacked_len;
    if (img->elf_len < 4 || memcmp(img->elf, "\177ELF", 4)) {
        snprintf(why, why_size, "the %s payload does not decompress to an ELF kernel",
                 payload_compression_name(img->compression));
        return -ENOEXEC;
    }
    return 0;
}

int kernel_image_open_buffer(uint8_t *buf, size_t len, struct kernel_image *img, char *why, size_t why_size)
{
    const char *reason;
    int rc;

    memset(img, 0, sizeof(*img));
    img->file = buf;
    img->file_len = len;
    img->elf = buf;
    img->elf_len = len;

    if (len >= 4 && !memcmp(buf, "\177ELF", 4)) {
        rc = 0;
    } else if ((rc = bzimage_parse(buf, len, &img->bz, &reason)) != -ENOEXEC) {
        img->is_bzimage = true;
        if (rc)
            snprintf(why, why_size, "%s", reason);
        else
            rc = unpack(img, buf + img->bz.payload_offset, img->bz.payload_length,
                        img->bz.uncompressed_size, why, why_size);
    } else {
        rc = unpack(img, buf, len, 0, why, why_size);
        if (rc == -ENOEXEC && img->compression == PAYLOAD_NONE)
            snprintf(why, why_size, "not a kernel image: neither ELF, nor bzImage, nor a compressed ELF");
    }
    if (!rc && (rc = guest_elf_parse(img->elf, img->elf_len, &img->info))) {
        const char *note = img->info.failed_note >= 0 ? guest_elf_note_name((uint32_t)img->info.failed_note) : NULL;
        if (note)
            snprintf(why, why_size, "%s (in note %s)", img->info.reason, note);
        else
            snprintf(why, why_size, "%s", img->info.reason);
    }
    if (rc)
        kernel_image_free(img);
    return rc;
}

int kernel_image_load(const char *path, struct kernel_image *img, char *why, size_t why_size)
{
    char *data;
    size_t len;
    int rc = read_whole_file(path, KERNEL_IMAGE_MAX_FILE, &data, &len);
    if (rc) {
        memset(img, 0, sizeof(*img));
        snprintf(why, why_size, "cannot read it: %s", rc == -EFBIG ? "larger than 256 MiB" : strerror(-rc));
        return rc;
    }
    return kernel_image_open_buffer((uint8_t *)data, len, img, why, why_size);
}

/* Makes the cache's entry for key img's ELF; 0 only if it parses. */
static int use_cache_entry(const char *dir, const struct kernel_cache_key *key, struct kernel_image *img)
{
    const uint8_t *elf;
    size_t len;
    int fd;
    if (kernel_cache_open(dir, key, &elf, &len, &fd))
        return -ENOENT;
    struct guest_elf_info info;
    if (guest_elf_parse(elf, len, &info)) {
        /* Damaged or from an older tl: decompress again instead. */
        munmap((void *)elf, len);
        close(fd);
        kernel_cache_drop(dir, key);
        return -EINVAL;
    }
    release_bytes(img);
    img->file = img->unpacked = NULL;
    img->unpacked_len = 0;
    img->mapped = img->elf = elf;
    img->mapped_len = img->elf_len = len;
    img->mapped_fd = fd;
    img->info = info;
    return 0;
}

int kernel_image_load_cached(const char *path, const char *cache_dir, struct kernel_image *img,
                             char *why, size_t why_size)
{
    struct kernel_cache_key key, now;

    if (!cache_dir || kernel_cache_key_of(path, &key))
        return kernel_image_load(path, img, why, why_size);
    memset(img, 0, sizeof(*img));
    if (!use_cache_entry(cache_dir, &key, img)) {
        img->from_cache = true;
        return 0;
    }
    int rc = kernel_image_load(path, img, why, why_size);
    if (rc || !img->unpacked)
        return rc;
    /* A file that changed while it was read is not stored under its old identity. */
    if (kernel_cache_key_of(path, &now) || memcmp(&key, &now, sizeof(key)) || kernel_cache_store(cache_dir, &key, img->elf, img->elf_len))
        return 0;
    img->cache_stored = true;
    use_cache_entry(cache_dir, &key, img);
    return 0;
}
