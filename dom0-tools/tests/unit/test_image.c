/*
 * Kernel images: bzImage unpacking with each supported compression, the
 * refusals of broken containers and payloads, and Debian's real kernel.
 */
#include <CUnit/CUnit.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include <lz4.h>
#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <pvabi/elfnote.h>

#include "elf_builder.h"
#include "kernel_image.h"
#include "unit.h"

struct blob {
    uint8_t *p;
    size_t len;
};

static struct blob compress_gzip(const uint8_t *in, size_t len)
{
    z_stream z = { 0 };
    struct blob b = { malloc(len + 1024), 0 };
    deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    z.next_out = b.p;
    z.avail_out = (uInt)(len + 1024);
    CU_ASSERT_EQUAL(deflate(&z, Z_FINISH), Z_STREAM_END);
    b.len = z.total_out;
    deflateEnd(&z);
    return b;
}

static struct blob compress_xz(const uint8_t *in, size_t len)
{
    struct blob b = { malloc(len + 1024), 0 };
    /* CRC32, as the kernel's build uses. */
    CU_ASSERT_EQUAL(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in, len, b.p, &b.len, len + 1024), LZMA_OK);
    return b;
}

static struct blob compress_zstd(const uint8_t *in, size_t len)
{
    size_t cap = ZSTD_compressBound(len);
    struct blob b = { malloc(cap), 0 };
    b.len = ZSTD_compress(b.p, cap, in, len, 19);
    CU_ASSERT_FALSE(ZSTD_isError(b.len));
    return b;
}

/* The kernel's lz4 framing: legacy magic, then size-prefixed 8 MiB blocks. */
static struct blob compress_lz4_legacy(const uint8_t *in, size_t len)
{
    struct blob b = { malloc(8 + (size_t)LZ4_compressBound((int)len) + 8), 0 };
    memcpy(b.p, "\x02\x21\x4c\x18", 4);
    int n = LZ4_compress_default((const char *)in, (char *)b.p + 8, (int)len, LZ4_compressBound((int)len));
    CU_ASSERT_TRUE(n > 0);
    b.p[4] = (uint8_t)n;
    b.p[5] = (uint8_t)(n >> 8);
    b.p[6] = (uint8_t)(n >> 16);
    b.p[7] = (uint8_t)(n >> 24);
    b.len = 8 + (size_t)n;
    return b;
}

static struct blob compress_lz4_frame(const uint8_t *in, size_t len)
{
    size_t cap = LZ4F_compressFrameBound(len, NULL);
    struct blob b = { malloc(cap), 0 };
    b.len = LZ4F_compressFrame(b.p, cap, in, len, NULL);
    CU_ASSERT_FALSE(LZ4F_isError(b.len));
    return b;
}

/* A bzImage around payload: boot sector, 2 setup sectors, then the code
 * with the payload at offset 0x100 and its 4-byte size trailer. */
static uint8_t *make_bzimage(const struct blob *payload, uint32_t uncompressed, size_t *len)
{
    size_t setup = 3 * 512, code = 0x100 + payload->len + 4 + 64;
    uint8_t *b = calloc(1, setup + code);
    b[0x1f1] = 2;
    b[0x1fe] = 0x55;
    b[0x1ff] = 0xaa;
    memcpy(b + 0x202, "HdrS", 4);
    b[0x206] = 0x0f;
    b[0x207] = 0x02;
    uint32_t plen = (uint32_t)payload->len + 4;
    memcpy(b + 0x248, "\x00\x01\x00\x00", 4);
    for (int i = 0; i < 4; i++) {
        b[0x24c + i] = (uint8_t)(plen >> (8 * i));
        b[setup + 0x100 + payload->len + (size_t)i] = (uint8_t)(uncompressed >> (8 * i));
    }
    memcpy(b + setup + 0x100, payload->p, payload->len);
    *len = setup + code;
    return b;
}

static uint8_t *sample_elf(size_t *len)
{
    struct eb_spec s;
    eb_default(&s);
    s.segs[0].filesz = s.segs[0].memsz = 0x30000;   /* something worth compressing */
    s.segs[1].paddr = s.segs[1].vaddr = 0;
    s.segs[1].paddr = 0x1030000;
    s.segs[1].vaddr = 0xffffffff81030000ULL;
    return eb_build(&s, len);
}

static void check_format(struct blob (*compress)(const uint8_t *, size_t), enum payload_compression expect)
{
    size_t elf_len, bz_len;
    uint8_t *elf = sample_elf(&elf_len);
    struct blob payload = compress(elf, elf_len);
    uint8_t *bz = make_bzimage(&payload, (uint32_t)elf_len, &bz_len);
    struct kernel_image img;
    char why[256];

    /* As a bzImage payload... */
    CU_ASSERT_EQUAL_FATAL(kernel_image_open_buffer(bz, bz_len, &img, why, sizeof(why)), 0);
    CU_ASSERT_TRUE(img.is_bzimage);
    CU_ASSERT_EQUAL(img.compression, expect);
    CU_ASSERT_EQUAL(img.bz.protocol, 0x020f);
    CU_ASSERT_EQUAL(img.bz.uncompressed_size, elf_len);
    CU_ASSERT_EQUAL_FATAL(img.elf_len, elf_len);
    CU_ASSERT_EQUAL(memcmp(img.elf, elf, elf_len), 0);
    CU_ASSERT_EQUAL(img.info.virt_entry, 0xffffffff81000100ULL);
    kernel_image_free(&img);

    /* ... and as a bare compressed ELF. */
    uint8_t *bare = malloc(payload.len);
    memcpy(bare, payload.p, payload.len);
    CU_ASSERT_EQUAL(kernel_image_open_buffer(bare, payload.len, &img, why, sizeof(why)), 0);
    CU_ASSERT_FALSE(img.is_bzimage);
    CU_ASSERT_EQUAL(img.compression, expect);
    kernel_image_free(&img);

    /* A payload cut in half is refused, whatever the format. */
    uint8_t *cut = malloc(payload.len / 2);
    memcpy(cut, payload.p, payload.len / 2);
    CU_ASSERT_NOT_EQUAL(kernel_image_open_buffer(cut, payload.len / 2, &img, why, sizeof(why)), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "corrupt"));
    free(payload.p);
    free(elf);
}

static void test_gzip(void) { check_format(compress_gzip, PAYLOAD_GZIP); }
static void test_xz(void) { check_format(compress_xz, PAYLOAD_XZ); }
static void test_zstd(void) { check_format(compress_zstd, PAYLOAD_ZSTD); }
static void test_lz4_legacy(void) { check_format(compress_lz4_legacy, PAYLOAD_LZ4_LEGACY); }
static void test_lz4_frame(void) { check_format(compress_lz4_frame, PAYLOAD_LZ4_FRAME); }

static void test_corrupt_payloads(void)
{
    size_t elf_len, bz_len;
    uint8_t *elf = sample_elf(&elf_len);
    struct kernel_image img;
    char why[256];

    /* Damage inside xz and gzip streams is caught (both carry CRCs). */
    struct blob (*const makers[])(const uint8_t *, size_t) = { compress_xz, compress_gzip };
    static const char *const reasons[] = { "corrupt xz payload: the compressed data is damaged",
                                           "corrupt gzip payload: the compressed data is damaged" };
    for (int i = 0; i < 2; i++) {
        struct blob p = makers[i](elf, elf_len);
        for (size_t k = p.len / 3; k < p.len / 3 + 16; k++)
            p.p[k] ^= 0x55;
        uint8_t *bz = make_bzimage(&p, (uint32_t)elf_len, &bz_len);
        CU_ASSERT_EQUAL(kernel_image_open_buffer(bz, bz_len, &img, why, sizeof(why)), -22);
        CU_ASSERT_STRING_EQUAL(why, reasons[i]);
        free(p.p);
    }

    /* Not compressed at all; bzip2, which we do not read; not an ELF inside. */
    struct blob raw = { (uint8_t *)"plain bytes, no magic", 21 };
    uint8_t *bz = make_bzimage(&raw, 21, &bz_len);
    CU_ASSERT_EQUAL(kernel_image_open_buffer(bz, bz_len, &img, why, sizeof(why)), -22);
    CU_ASSERT_STRING_EQUAL(why, "bzImage payload is in no known compression format");
    struct blob bz2 = { (uint8_t *)"BZh91AY&SY....", 14 };
    bz = make_bzimage(&bz2, 100, &bz_len);
    CU_ASSERT_NOT_EQUAL(kernel_image_open_buffer(bz, bz_len, &img, why, sizeof(why)), 0);
    CU_ASSERT_STRING_EQUAL(why, "payload compression is not supported (only gzip, xz, zstd and lz4 are)");
    struct blob text = compress_gzip((const uint8_t *)"hello, world", 12);
    bz = make_bzimage(&text, 12, &bz_len);
    CU_ASSERT_EQUAL(kernel_image_open_buffer(bz, bz_len, &img, why, sizeof(why)), -8);
    CU_ASSERT_STRING_EQUAL(why, "the gzip payload does not decompress to an ELF kernel");
    free(text.p);
    free(elf);
}

static void test_bad_containers(void)
{
    struct kernel_image img;
    char why[256];
    size_t bz_len;
    struct blob p = compress_gzip((const uint8_t *)"x", 1);
    uint8_t *bz = make_bzimage(&p, 1, &bz_len);

    uint8_t *cut = malloc(bz_len - 80);
    memcpy(cut, bz, bz_len - 80);
    CU_ASSERT_EQUAL(kernel_image_open_buffer(cut, bz_len - 80, &img, why, sizeof(why)), -22);
    CU_ASSERT_STRING_EQUAL(why, "truncated bzImage: the payload lies beyond the end of the file");

    uint8_t *old = malloc(bz_len);
    memcpy(old, bz, bz_len);
    old[0x206] = 0x04;   /* boot protocol 2.04 */
    CU_ASSERT_EQUAL(kernel_image_open_buffer(old, bz_len, &img, why, sizeof(why)), -22);

    uint8_t *junk = calloc(1, 4096);
    CU_ASSERT_EQUAL(kernel_image_open_buffer(junk, 4096, &img, why, sizeof(why)), -8);
    CU_ASSERT_STRING_EQUAL(why, "not a kernel image: neither ELF, nor bzImage, nor a compressed ELF");
    free(bz);
    free(p.p);

    /* A decompression bomb stops at the output limit. */
    uint8_t *zeros = calloc(1, 1 << 20);
    struct blob bomb = compress_gzip(zeros, 1 << 20);
    uint8_t *out;
    size_t out_len;
    const char *reason;
    CU_ASSERT_EQUAL(payload_decompress(PAYLOAD_GZIP, bomb.p, bomb.len, 0, 4096, &out, &out_len, &reason), -7);
    CU_ASSERT_STRING_EQUAL(reason, "payload decompresses to more than the output limit (512 MiB for kernels)");
    free(bomb.p);
    free(zeros);
}

/* Debian's own kernel, as installed by linux-image-amd64. */
static void test_debian_vmlinuz(void)
{
    glob_t g;
    struct kernel_image img;
    char why[256];

    CU_ASSERT_EQUAL_FATAL(glob("/boot/vmlinuz-*-amd64", 0, NULL, &g), 0);
    CU_ASSERT_EQUAL_FATAL(kernel_image_load(g.gl_pathv[0], &img, why, sizeof(why)), 0);
    CU_ASSERT_TRUE(img.is_bzimage);
    CU_ASSERT_EQUAL(img.compression, PAYLOAD_XZ);
    CU_ASSERT_EQUAL(img.bz.uncompressed_size, img.elf_len);
    const struct guest_elf_info *i = &img.info;
    CU_ASSERT_STRING_EQUAL(i->guest_os, "linux");
    CU_ASSERT_STRING_EQUAL(i->xen_version, "xen-3.0");
    CU_ASSERT_STRING_EQUAL(i->loader, "generic");
    CU_ASSERT_EQUAL(i->virt_base, 0xffffffff80000000ULL);
    CU_ASSERT_EQUAL(i->paddr_offset, 0);
    CU_ASSERT_EQUAL(i->virt_kstart, 0xffffffff81000000ULL);
    CU_ASSERT_TRUE(i->virt_entry > i->virt_kstart && i->virt_entry < i->virt_kend);
    CU_ASSERT_TRUE(i->features_required & 1u);           /* !writable_page_tables */
    CU_ASSERT_TRUE(GUEST_ELF_HAS(i, XEN_ELFNOTE_PHYS32_ENTRY));
    CU_ASSERT_FALSE(GUEST_ELF_HAS(i, XEN_ELFNOTE_HYPERCALL_PAGE));
    CU_ASSERT_TRUE(i->nr_segments >= 3);
    uint64_t span = i->virt_kend - i->virt_kstart;
    uint8_t *mem = malloc(span);
    CU_ASSERT_EQUAL(guest_elf_load(img.elf, img.elf_len, i, mem, i->virt_kstart, span), 0);
    free(mem);
    kernel_image_free(&img);
    globfree(&g);
}

void register_image_tests(void)
{
    CU_pSuite s = CU_add_suite("image", NULL, NULL);
    CU_add_test(s, "bzimage_gzip", test_gzip);
    CU_add_test(s, "bzimage_xz", test_xz);
    CU_add_test(s, "bzimage_zstd", test_zstd);
    CU_add_test(s, "bzimage_lz4_legacy", test_lz4_legacy);
    CU_add_test(s, "bzimage_lz4_frame", test_lz4_frame);
    CU_add_test(s, "corrupt_payloads", test_corrupt_payloads);
    CU_add_test(s, "bad_containers", test_bad_containers);
    CU_add_test(s, "debian_vmlinuz", test_debian_vmlinuz);
}
