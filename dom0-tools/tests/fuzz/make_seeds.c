/*
 * Writes seed inputs for the image fuzzers into a folder: a synthetic Xen
 * guest ELF, the same gzip- and xz-compressed, and a gzip bzImage of it.
 */
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "elf_builder.h"

static int save(const char *dir, const char *name, const void *p, size_t len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, len, f) != len)
        return perror(path), 1;
    return fclose(f) ? 1 : 0;
}

int main(int argc, char **argv)
{
    struct eb_spec s;
    size_t len, zlen, xlen = 0;
    if (argc != 2)
        return fprintf(stderr, "usage: make_seeds DIR\n"), 2;
    eb_default(&s);
    uint8_t *elf = eb_build(&s, &len);
    uint8_t *gz = malloc(len + 1024), *xz = malloc(len + 1024);
    z_stream z = { 0 };
    deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    z.next_in = elf;
    z.avail_in = (uInt)len;
    z.next_out = gz;
    z.avail_out = (uInt)(len + 1024);
    deflate(&z, Z_FINISH);
    zlen = z.total_out;
    deflateEnd(&z);
    lzma_easy_buffer_encode(1, LZMA_CHECK_CRC32, NULL, elf, len, xz, &xlen, len + 1024);

    /* bzImage: boot sector + 1 setup sector, payload at code offset 0. */
    size_t bzlen = 1024 + zlen + 4;
    uint8_t *bz = calloc(1, bzlen);
    bz[0x1f1] = 1;
    bz[0x1fe] = 0x55;
    bz[0x1ff] = 0xaa;
    memcpy(bz + 0x202, "HdrS", 4);
    bz[0x206] = 0x0f;
    bz[0x207] = 0x02;
    uint32_t plen = (uint32_t)zlen + 4;
    memcpy(bz + 0x24c, &plen, 4);
    memcpy(bz + 1024, gz, zlen);
    uint32_t ulen = (uint32_t)len;
    memcpy(bz + 1024 + zlen, &ulen, 4);

    int rc = save(argv[1], "guest.elf", elf, len) | save(argv[1], "guest.elf.gz", gz, zlen) |
             save(argv[1], "guest.elf.xz", xz, xlen) | save(argv[1], "guest.bzimage", bz, bzlen);
    free(elf);
    free(gz);
    free(xz);
    free(bz);
    return rc;
}
