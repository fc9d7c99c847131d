#include "decompress.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <lz4.h>
#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

/* The kernel's lz4 framing: magic, then blocks of at most 8 MiB. */
#define LZ4_LEGACY_MAGIC      0x184C2102u
#define LZ4_LEGACY_BLOCK_MAX  (8u << 20)

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

enum payload_compression payload_detect(const uint8_t *p, size_t len)
{
    if (len >= 2 && p[0] == 0x1f && (p[1] == 0x8b || p[1] == 0x9e))
        return PAYLOAD_GZIP;
    if (len >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6))
        return PAYLOAD_XZ;
    if (len >= 4 && le32(p) == 0xFD2FB528u)
        return PAYLOAD_ZSTD;
    if (len >= 4 && le32(p) == LZ4_LEGACY_MAGIC)
        return PAYLOAD_LZ4_LEGACY;
    if (len >= 4 && le32(p) == 0x184D2204u)
        return PAYLOAD_LZ4_FRAME;
    if (len >= 3 && !memcmp(p, "BZh", 3))
        return PAYLOAD_BZIP2;
    if (len >= 3 && p[0] == 0x5d && p[1] == 0 && p[2] == 0)
        return PAYLOAD_LZMA;
    if (len >= 4 && !memcmp(p, "\x89LZO", 4))
        return PAYLOAD_LZO;
    return PAYLOAD_NONE;
}

const char *payload_compression_name(enum payload_compression c)
{
    static const char *const names[] = { "none", "gzip", "xz", "zstd", "lz4 (legacy)", "lz4",
                                         "bzip2", "lzma", "lzo" };
    return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c] : "unknown";
}

/* A growable output buffer capped at max bytes. */
struct outbuf {
    uint8_t *p;
    size_t len, cap, max;
};

static int out_reserve(struct outbuf *o, size_t want)
{
    if (want <= o->cap)
        return 0;
    if (want > o->max)
        return -E2BIG;
    size_t cap = o->cap ? o->cap : 1 << 20;
    while (cap < want)
        cap = cap > o->max / 2 ? o->max : cap * 2;
    uint8_t *p = realloc(o->p, cap);
    if (!p)
        return -ENOMEM;
    o->p = p;
    o->cap = cap;
    return 0;
}

/* Makes room for at least one more byte, growing geometrically. */
static int out_grow(struct outbuf *o)
{
    if (o->len < o->cap)
        return 0;
    size_t want = o->cap ? (o->cap > o->max / 2 ? o->max : o->cap * 2) : 1 << 20;
    if (o->cap >= o->max)
        return -E2BIG;
    return out_reserve(o, want);
}

static int gunzip(const uint8_t *in, size_t in_len, struct outbuf *o, const char **why)
{
    z_stream z = { 0 };
    int rc = 0;
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return *why = "cannot start the gzip decoder", -ENOMEM;
    z.next_in = (Bytef *)in;
    z.avail_in = in_len > UINT32_MAX ? UINT32_MAX : (uInt)in_len;
    for (;;) {
        if ((rc = out_grow(o)))
            break;
        z.next_out = o->p + o->len;
        z.avail_out = (uInt)(o->cap - o->len > UINT32_MAX ? UINT32_MAX : o->cap - o->len);
        int zr = inflate(&z, Z_NO_FLUSH);
        o->len = (size_t)(z.next_out - o->p);
        if (zr == Z_STREAM_END)
            break;
        if (zr == Z_BUF_ERROR && z.avail_in == 0) {
            rc = -EINVAL;
            *why = "corrupt gzip payload: it ends before the compressed stream does";
            break;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            rc = zr == Z_MEM_ERROR ? -ENOMEM : -EINVAL;
            *why = "corrupt gzip payload: the compressed data is damaged";
            break;
        }
    }
    inflateEnd(&z);
    return rc;
}

static int unxz(const uint8_t *in, size_t in_len, struct outbuf *o, const char **why)
{
    lzma_stream s = LZMA_STREAM_INIT;
    int rc = 0;
    /* 256 MiB of decoder memory is far above any real kernel's needs. */
    if (lzma_stream_decoder(&s, 256u << 20, 0) != LZMA_OK)
        return *why = "cannot start the xz decoder", -ENOMEM;
    s.next_in = in;
    s.avail_in = in_len;
    for (;;) {
        if ((rc = out_grow(o)))
            break;
        s.next_out = o->p + o->len;
        s.avail_out = o->cap - o->len;
        lzma_ret lr = lzma_code(&s, LZMA_FINISH);
        o->len = (size_t)(s.next_out - o->p);
        if (lr == LZMA_STREAM_END)
            break;
        if (lr == LZMA_OK)
            continue;
        if (lr == LZMA_BUF_ERROR && s.avail_out != 0) {
            rc = -EINVAL;
            *why = "corrupt xz payload: it ends before the compressed stream does";
        } else if (lr == LZMA_MEM_ERROR) {
            rc = -ENOMEM;
            *why = "out of memory decompressing xz";
        } else if (lr == LZMA_MEMLIMIT_ERROR) {
            rc = -E2BIG;
            *why = "xz payload needs an absurd amount of decoder memory";
        } else if (lr != LZMA_BUF_ERROR) {
            rc = -EINVAL;
            *why = "corrupt xz payload: the compressed data is damaged";
        } else {
            continue;
        }
        break;
    }
    lzma_end(&s);
    return rc;
}

static int unzstd(const uint8_t *in, size_t in_len, struct outbuf *o, const char **why)
{
    ZSTD_DStream *z = ZSTD_createDStream();
    ZSTD_inBuffer ib = { in, in_len, 0 };
    int rc = 0;
    if (!z)
        return *why = "cannot start the zstd decoder", -ENOMEM;
    for (;;) {
        if ((rc = out_grow(o)))
            break;
        ZSTD_outBuffer ob = { o->p, o->cap, o->len };
        size_t zr = ZSTD_decompressStream(z, &ob, &ib);
        o->len = ob.pos;
        if (ZSTD_isError(zr)) {
            rc = -EINVAL;
            *why = "corrupt zstd payload: the compressed data is damaged";
            break;
        }
        if (zr == 0)
            break;      /* frame complete */
        if (ib.pos == ib.size && ob.pos < ob.size) {
            rc = -EINVAL;
            *why = "corrupt zstd payload: it ends before the compressed frame does";
            break;
        }
    }
    ZSTD_freeDStream(z);
    return rc;
}

static int unlz4_legacy(const uint8_t *in, size_t in_len, struct outbuf *o, const char **why)
{
    size_t pos = 4;   /* past the magic */
    bool any = false;
    int rc;

    while (in_len - pos >= 4) {
        uint32_t block = le32(in + pos);
        if (block == LZ4_LEGACY_MAGIC) {    /* concatenated stream */
            pos += 4;
            continue;
        }
        /* The kernel appends the 4-byte uncompressed size after the last block. */
        if (any && in_len - pos == 4)
            break;
        pos += 4;
        if (block == 0 || block > (uint32_t)LZ4_compressBound(LZ4_LEGACY_BLOCK_MAX))
            return *why = "corrupt lz4 payload: a block has an impossible size", -EINVAL;
        if (block > in_len - pos)
            return *why = "corrupt lz4 payload: it ends inside a block", -EINVAL;
        if ((rc = out_reserve(o, o->len + LZ4_LEGACY_BLOCK_MAX)))
            return *why = "lz4 payload decompresses to an absurd size", rc;
        int n = LZ4_decompress_safe((const char *)in + pos, (char *)o->p + o->len, (int)block,
                                    LZ4_LEGACY_BLOCK_MAX);
        if (n < 0)
            return *why = "corrupt lz4 payload: the compressed data is damaged", -EINVAL;
        o->len += (size_t)n;
        pos += block;
        any = true;
    }
    if (!any)
        return *why = "corrupt lz4 payload: no compressed blocks", -EINVAL;
    return 0;
}

static int unlz4_frame(const uint8_t *in, size_t in_len, struct outbuf *o, const char **why)
{
    LZ4F_dctx *ctx;
    size_t pos = 0, zr = 1;
    int rc = 0;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION)))
        return *why = "cannot start the lz4 decoder", -ENOMEM;
    while (zr != 0) {
        if ((rc = out_grow(o)))
            break;
        size_t out_size = o->cap - o->len, in_size = in_len - pos;
        zr = LZ4F_decompress(ctx, o->p + o->len, &out_size, in + pos, &in_size, NULL);
        if (LZ4F_isError(zr)) {
            rc = -EINVAL;
            *why = "corrupt lz4 payload: the compressed data is damaged";
            break;
        }
        o->len += out_size;
        pos += in_size;
        if (zr != 0 && pos == in_len && out_size == 0) {
            rc = -EINVAL;
            *why = "corrupt lz4 payload: it ends before the frame does";
            break;
        }
    }
    LZ4F_freeDecompressionContext(ctx);
    return rc;
}

int payload_decompress(enum payload_compression c, const uint8_t *in, size_t in_len, size_t size_hint,
                       size_t max_out, uint8_t **out, size_t *out_len, const char **why)
{
    struct outbuf o = { NULL, 0, 0, max_out };
    int rc;

    *why = NULL;
    if (size_hint && size_hint <= max_out && out_reserve(&o, size_hint))
        return *why = "out of memory", -ENOMEM;
    switch (c) {
    case PAYLOAD_GZIP: rc = gunzip(in, in_len, &o, why); break;
    case PAYLOAD_XZ: rc = unxz(in, in_len, &o, why); break;
    case PAYLOAD_ZSTD: rc = unzstd(in, in_len, &o, why); break;
    case PAYLOAD_LZ4_LEGACY: rc = unlz4_legacy(in, in_len, &o, why); break;
    case PAYLOAD_LZ4_FRAME: rc = unlz4_frame(in, in_len, &o, why); break;
    case PAYLOAD_NONE:
        rc = -EINVAL;
        *why = "payload is not compressed in any known format";
        break;
    default:
        rc = -ENOTSUP;
        *why = "payload compression is not supported (only gzip, xz, zstd and lz4 are)";
        break;
    }
    if (rc == -E2BIG && !*why)
        *why = "payload decompresses to more than the output limit (512 MiB for kernels)";
    if (rc == -ENOMEM && !*why)
        *why = "out of memory while decompressing";
    if (rc) {
        free(o.p);
        return rc;
    }
    *out = o.p;
    *out_len = o.len;
    return 0;
}
