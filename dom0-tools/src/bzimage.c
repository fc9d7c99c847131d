#include "bzimage.h"

#include <errno.h>
#include <string.h>

/* Setup header offsets (Documentation/x86/boot.rst). */
#define HDR_SETUP_SECTS    0x1f1
#define HDR_BOOT_FLAG      0x1fe
#define HDR_MAGIC          0x202
#define HDR_VERSION        0x206
#define HDR_PAYLOAD_OFFSET 0x248
#define HDR_PAYLOAD_LENGTH 0x24c
#define HDR_END            0x250

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int bzimage_parse(const uint8_t *buf, size_t len, struct bzimage_info *info, const char **why)
{
    memset(info, 0, sizeof(*info));
    if (len < HDR_END || le16(buf + HDR_BOOT_FLAG) != 0xAA55 || memcmp(buf + HDR_MAGIC, "HdrS", 4))
        return *why = "not a bzImage (no boot sector with a HdrS setup header)", -ENOEXEC;

    info->protocol = le16(buf + HDR_VERSION);
    if (info->protocol < 0x208)
        return *why = "bzImage boot protocol is older than 2.08: no payload fields", -EINVAL;
    /* 0 means 4, for compatibility with ancient images. */
    info->setup_sects = buf[HDR_SETUP_SECTS] ? buf[HDR_SETUP_SECTS] : 4;
    size_t setup_size = ((size_t)info->setup_sects + 1) * 512;
    if (setup_size >= len)
        return *why = "truncated bzImage: the setup part is larger than the file", -EINVAL;

    uint32_t off = le32(buf + HDR_PAYLOAD_OFFSET), plen = le32(buf + HDR_PAYLOAD_LENGTH);
    size_t code_size = len - setup_size;
    if (plen < 8 || off > code_size || plen > code_size - off)
        return *why = "truncated bzImage: the payload lies beyond the end of the file", -EINVAL;
    info->payload_offset = setup_size + off;
    info->payload_length = plen;
    info->uncompressed_size = le32(buf + info->payload_offset + plen - 4);
    return 0;
}
