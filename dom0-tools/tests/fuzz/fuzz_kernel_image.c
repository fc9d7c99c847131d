/*
 * libFuzzer target: bzImage header parsing and payload decompression, with
 * a small output limit so decompression bombs end quickly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bzimage.h"
#include "decompress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bzimage_info bz;
    const char *why;
    const uint8_t *payload = data;
    size_t len = size;
    uint8_t *out;
    size_t out_len;

    if (bzimage_parse(data, size, &bz, &why) == 0) {
        if (bz.payload_offset + bz.payload_length > size)
            abort();
        payload = data + bz.payload_offset;
        len = bz.payload_length;
    }
    enum payload_compression c = payload_detect(payload, len);
    if (payload_decompress(c, payload, len, 0, 4u << 20, &out, &out_len, &why) == 0) {
        if (out_len > (4u << 20))
            abort();
        free(out);
    } else if (!why) {
        abort();    /* every refusal says why */
    }
    return 0;
}
