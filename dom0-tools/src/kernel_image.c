#include "kernel_image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_load.h"

void kernel_image_free(struct kernel_image *img)
{
    free(img->file);
    free(img->unpacked);
    memset(img, 0, sizeof(*img));
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
