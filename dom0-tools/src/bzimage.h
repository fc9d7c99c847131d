/*
 * The x86 Linux boot protocol's bzImage: a real-mode setup part followed
 * by the protected-mode code, inside which the compressed vmlinux payload
 * lies at the offset the setup header gives (boot protocol 2.08 and later).
 */
#ifndef TL_BZIMAGE_H
#define TL_BZIMAGE_H

#include <stddef.h>
#include <stdint.h>

struct bzimage_info {
    uint16_t protocol;          /* boot protocol version, e.g. 0x020f */
    unsigned setup_sects;       /* 512-byte sectors after the boot sector */
    size_t payload_offset;      /* from the start of the file */
    size_t payload_length;
    uint32_t uncompressed_size; /* from the 4 bytes ending the payload */
};

/* -ENOEXEC if the buffer is no bzImage at all; -EINVAL if it claims to be
 * one but the header is inconsistent (*why says how). */
int bzimage_parse(const uint8_t *buf, size_t len, struct bzimage_info *info, const char **why);

#endif
