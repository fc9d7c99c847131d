/*
 * Decompressing kernel payloads: gzip (zlib), xz (liblzma), zstd (libzstd)
 * and lz4 (liblz4; the kernel's legacy framing and the standard frame).
 * Host only: the hypervisor never decompresses.
 */
#ifndef TL_DECOMPRESS_H
#define TL_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>

enum payload_compression {
    PAYLOAD_NONE, PAYLOAD_GZIP, PAYLOAD_XZ, PAYLOAD_ZSTD, PAYLOAD_LZ4_LEGACY, PAYLOAD_LZ4_FRAME,
    PAYLOAD_BZIP2, PAYLOAD_LZMA, PAYLOAD_LZO,
};

/* Largest output accepted: bigger is refused as absurd. */
#define DECOMPRESS_MAX_OUTPUT (512u << 20)

/* Recognises a compressed stream by its magic bytes. */
enum payload_compression payload_detect(const uint8_t *p, size_t len);
const char *payload_compression_name(enum payload_compression c);

/*
 * Decompresses in[0..in_len) into a new heap buffer of at most max_out
 * bytes. size_hint (0 if unknown) sizes the first allocation. Returns 0,
 * or -EINVAL (corrupt or truncated), -E2BIG (output over max_out),
 * -ENOTSUP (a format we do not read), -ENOMEM; *why says which.
 */
int payload_decompress(enum payload_compression c, const uint8_t *in, size_t in_len, size_t size_hint,
                       size_t max_out, uint8_t **out, size_t *out_len, const char **why);

#endif
