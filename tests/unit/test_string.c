/* lib/string.c and lib/parse.c: compared with the C library where it has the function. */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include "hv_names.h"
#include <tessera/errno.h>
#include <tessera/string.h>
/* From here on the plain names are the C library's again. */
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr
#undef strlcpy
#include "unit.h"

static int sign(int x) { return (x > 0) - (x < 0); }

static void fill_pattern(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed * 31u + i * 7u);
}

static void test_memcpy_all_lengths_and_offsets(void)
{
    unsigned char src[80], dst[80], ref[80];

    for (size_t off = 0; off < 8; off++)
        for (size_t n = 0; n <= 64; n++) {
            fill_pattern(src, sizeof(src), (unsigned)n);
            memset(dst, 0xAA, sizeof(dst));
            memset(ref, 0xAA, sizeof(ref));
            CU_ASSERT_PTR_EQUAL(hv_memcpy(dst + off, src + 3, n), dst + off);
            memcpy(ref + off, src + 3, n);
            CU_ASSERT_EQUAL(memcmp(dst, ref, sizeof(dst)), 0);
        }
}

static void test_memmove_overlap_forward(void)
{
    unsigned char buf[64], ref[64];

    for (size_t shift = 1; shift < 16; shift++) {
        fill_pattern(buf, sizeof(buf), 1);
        fill_pattern(ref, sizeof(ref), 1);
        hv_memmove(buf + shift, buf, 40);
        memmove(ref + shift, ref, 40);
        CU_ASSERT_EQUAL(memcmp(buf, ref, sizeof(buf)), 0);
    }
}

static void test_memmove_overlap_backward(void)
{
    unsigned char buf[64], ref[64];

    for (size_t shift = 1; shift < 16; shift++) {
        fill_pattern(buf, sizeof(buf), 2);
        fill_pattern(ref, sizeof(ref), 2);
        CU_ASSERT_PTR_EQUAL(hv_memmove(buf, buf + shift, 40), buf);
        memmove(ref, ref + shift, 40);
        CU_ASSERT_EQUAL(memcmp(buf, ref, sizeof(buf)), 0);
    }
}

static void test_memmove_same_and_zero(void)
{
    unsigned char buf[16], ref[16];

    fill_pattern(buf, sizeof(buf), 3);
    memcpy(ref, buf, sizeof(buf));
    hv_memmove(buf, buf, sizeof(buf));
    hv_memmove(buf + 1, buf, 0);
    CU_ASSERT_EQUAL(memcmp(buf, ref, sizeof(buf)), 0);
}

static void test_memset_value_truncated_to_byte(void)
{
    unsigned char buf[40];

    memset(buf, 0, sizeof(buf));
    CU_ASSERT_PTR_EQUAL(hv_memset(buf + 4, 0x1234, 30), buf + 4);
    for (size_t i = 0; i < sizeof(buf); i++)
        CU_ASSERT_EQUAL(buf[i], (i >= 4 && i < 34) ? 0x34 : 0);
}

/*
 * memclear_sparse zeroes every byte of its range, never writes a block that
 * is zero already (those pages are read-only here: a write would fault), and
 * leaves the bytes around an unaligned range alone.
 */
static void test_memclear_sparse_writes_only_dirty_blocks(void)
{
    size_t page = 4096;
    unsigned char *m = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CU_ASSERT_PTR_NOT_EQUAL_FATAL(m, MAP_FAILED);
    m[0] = 1;
    m[2 * page + page - 1] = 0xff;
    CU_ASSERT_EQUAL(mprotect(m + page, page, PROT_READ), 0);
    CU_ASSERT_EQUAL(mprotect(m + 3 * page, page, PROT_READ), 0);
    memclear_sparse(m, 4 * page);
    for (size_t i = 0; i < 4 * page; i++)
        if (m[i]) {
            CU_FAIL("a byte left non-zero");
            break;
        }

    CU_ASSERT_EQUAL(mprotect(m, 4 * page, PROT_READ | PROT_WRITE), 0);
    memset(m, 0x5a, 4 * page);
    memclear_sparse(m + 100, 3 * page - 200);
    CU_ASSERT_EQUAL(m[99], 0x5a);
    CU_ASSERT_EQUAL(m[100], 0);
    CU_ASSERT_EQUAL(m[3 * page - 101], 0);
    CU_ASSERT_EQUAL(m[3 * page - 100], 0x5a);
    memclear_sparse(m + 5, 0);
    CU_ASSERT_EQUAL(m[5], 0x5a);
    munmap(m, 4 * page);
}

static void test_memcmp_sign_and_unsigned_bytes(void)
{
    const unsigned char a[] = { 1, 2, 3, 0x80 }, b[] = { 1, 2, 3, 0x7f };

    CU_ASSERT(hv_memcmp(a, b, 4) > 0);
    CU_ASSERT(hv_memcmp(b, a, 4) < 0);
    CU_ASSERT_EQUAL(hv_memcmp(a, b, 3), 0);
    CU_ASSERT_EQUAL(hv_memcmp(a, b, 0), 0);
}

static void test_strlen_strnlen(void)
{
    CU_ASSERT_EQUAL(hv_strlen(""), 0);
    CU_ASSERT_EQUAL(hv_strlen("tessera"), 7);
    CU_ASSERT_EQUAL(hv_strnlen("tessera", 3), 3);
    CU_ASSERT_EQUAL(hv_strnlen("tes", 10), 3);
    CU_ASSERT_EQUAL(hv_strnlen("tes", 0), 0);
    /* strnlen must not read past max: the buffer has no terminator. */
    char raw[4] = { 'a', 'b', 'c', 'd' };
    CU_ASSERT_EQUAL(hv_strnlen(raw, sizeof(raw)), 4);
}

static void test_strcmp_matches_libc_sign(void)
{
    const char *words[] = { "", "a", "ab", "abc", "abd", "b", "\xff", "A", "ab\x80" };

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        for (size_t j = 0; j < sizeof(words) / sizeof(words[0]); j++)
            CU_ASSERT_EQUAL(sign(hv_strcmp(words[i], words[j])), sign(strcmp(words[i], words[j])));
}

static void test_strncmp_limits(void)
{
    CU_ASSERT_EQUAL(hv_strncmp("abcdef", "abcxyz", 3), 0);
    CU_ASSERT(hv_strncmp("abcdef", "abcxyz", 4) < 0);
    CU_ASSERT_EQUAL(hv_strncmp("abc", "abc", 100), 0);
    CU_ASSERT(hv_strncmp("abc", "abcd", 100) < 0);
    CU_ASSERT_EQUAL(hv_strncmp("x", "y", 0), 0);
    CU_ASSERT(hv_strncmp("\x90", "a", 1) > 0);
}

static void test_strchr_strrchr(void)
{
    const char *s = "a=b=c";

    CU_ASSERT_PTR_EQUAL(hv_strchr(s, '='), s + 1);
    CU_ASSERT_PTR_EQUAL(hv_strrchr(s, '='), s + 3);
    CU_ASSERT_PTR_NULL(hv_strchr(s, 'z'));
    CU_ASSERT_PTR_NULL(hv_strrchr(s, 'z'));
    /* The terminator itself can be searched for. */
    CU_ASSERT_PTR_EQUAL(hv_strchr(s, '\0'), s + 5);
    CU_ASSERT_PTR_EQUAL(hv_strrchr(s, '\0'), s + 5);
    CU_ASSERT_PTR_EQUAL(hv_strchr(s, 'a' + 256), s);   /* converted to char */
}

static void test_strlcpy_truncates_and_terminates(void)
{
    char buf[8];

    memset(buf, 'X', sizeof(buf));
    CU_ASSERT_EQUAL(hv_strlcpy(buf, "hello world", sizeof(buf)), 11);
    CU_ASSERT_STRING_EQUAL(buf, "hello w");
    CU_ASSERT_EQUAL(hv_strlcpy(buf, "hi", sizeof(buf)), 2);
    CU_ASSERT_STRING_EQUAL(buf, "hi");
    memset(buf, 'X', sizeof(buf));
    CU_ASSERT_EQUAL(hv_strlcpy(buf, "abc", 0), 3);
    CU_ASSERT_EQUAL(buf[0], 'X');
    CU_ASSERT_EQUAL(hv_strlcpy(buf, "abc", 1), 3);
    CU_ASSERT_EQUAL(buf[0], '\0');
}

static void test_parse_u64_decimal_and_hex(void)
{
    uint64_t v = 0;
    const char *end;

    CU_ASSERT_EQUAL(parse_u64("12345 rest", &end, &v), 0);
    CU_ASSERT_EQUAL(v, 12345);
    CU_ASSERT_STRING_EQUAL(end, " rest");
    CU_ASSERT_EQUAL(parse_u64("0x1fF", &end, &v), 0);
    CU_ASSERT_EQUAL(v, 0x1ff);
    CU_ASSERT_EQUAL(*end, '\0');
    CU_ASSERT_EQUAL(parse_u64("0X10", NULL, &v), 0);
    CU_ASSERT_EQUAL(v, 16);
    CU_ASSERT_EQUAL(parse_u64("0", &end, &v), 0);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(parse_u64("007", &end, &v), 0);
    CU_ASSERT_EQUAL(v, 7);    /* a leading 0 is not octal */
}

static void test_parse_u64_limits(void)
{
    uint64_t v = 42;
    const char *end;

    CU_ASSERT_EQUAL(parse_u64("18446744073709551615", &end, &v), 0);
    CU_ASSERT_EQUAL(v, UINT64_MAX);
    CU_ASSERT_EQUAL(parse_u64("0xffffffffffffffff", &end, &v), 0);
    CU_ASSERT_EQUAL(v, UINT64_MAX);
    v = 42;
    CU_ASSERT_EQUAL(parse_u64("18446744073709551616x", &end, &v), -ERANGE);
    CU_ASSERT_EQUAL(v, 42);
    CU_ASSERT_STRING_EQUAL(end, "x");
    CU_ASSERT_EQUAL(parse_u64("0x10000000000000000", &end, &v), -ERANGE);
}

static void test_parse_u64_rejects_no_digits(void)
{
    uint64_t v = 42;
    const char *end;
    const char *bad[] = { "", "x", "-1", " 1", "+1", "abc" };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CU_ASSERT_EQUAL(parse_u64(bad[i], &end, &v), -EINVAL);
        CU_ASSERT_PTR_EQUAL(end, bad[i]);
    }
    CU_ASSERT_EQUAL(v, 42);
    /* "0x" with no hex digit is the number 0 followed by "x". */
    CU_ASSERT_EQUAL(parse_u64("0xg", &end, &v), 0);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_STRING_EQUAL(end, "xg");
}

static void test_parse_size_suffixes(void)
{
    uint64_t v;
    const char *end;

    CU_ASSERT_EQUAL(parse_size("512", &end, &v), 0);
    CU_ASSERT_EQUAL(v, 512);
    CU_ASSERT_EQUAL(parse_size("4k", &end, &v), 0);
    CU_ASSERT_EQUAL(v, 4096);
    CU_ASSERT_EQUAL(parse_size("512M,", &end, &v), 0);
    CU_ASSERT_EQUAL(v, 512ull << 20);
    CU_ASSERT_STRING_EQUAL(end, ",");
    CU_ASSERT_EQUAL(parse_size("2G", &end, &v), 0);
    CU_ASSERT_EQUAL(v, 2ull << 30);
    CU_ASSERT_EQUAL(parse_size("0x10t", &end, &v), 0);
    CU_ASSERT_EQUAL(v, 16ull << 40);
    CU_ASSERT_EQUAL(parse_size("3q", &end, &v), 0);
    CU_ASSERT_EQUAL(v, 3);
    CU_ASSERT_STRING_EQUAL(end, "q");
}

static void test_parse_size_overflow(void)
{
    uint64_t v = 7;

    CU_ASSERT_EQUAL(parse_size("16777216T", NULL, &v), -ERANGE);
    CU_ASSERT_EQUAL(parse_size("16777215T", NULL, &v), 0);
    CU_ASSERT_EQUAL(v, 16777215ull << 40);
    CU_ASSERT_EQUAL(parse_size("K", NULL, &v), -EINVAL);
}

int main(void)
{
    static const struct unit_case string_cases[] = {
        UNIT_CASE(memcpy_all_lengths_and_offsets),
        UNIT_CASE(memmove_overlap_forward),
        UNIT_CASE(memclear_sparse_writes_only_dirty_blocks),
        UNIT_CASE(memmove_overlap_backward),
        UNIT_CASE(memmove_same_and_zero),
        UNIT_CASE(memset_value_truncated_to_byte),
        UNIT_CASE(memcmp_sign_and_unsigned_bytes),
        UNIT_CASE(strlen_strnlen),
        UNIT_CASE(strcmp_matches_libc_sign),
        UNIT_CASE(strncmp_limits),
        UNIT_CASE(strchr_strrchr),
        UNIT_CASE(strlcpy_truncates_and_terminates),
    };
    static const struct unit_case parse_cases[] = {
        UNIT_CASE(parse_u64_decimal_and_hex),
        UNIT_CASE(parse_u64_limits),
        UNIT_CASE(parse_u64_rejects_no_digits),
        UNIT_CASE(parse_size_suffixes),
        UNIT_CASE(parse_size_overflow),
    };

    unit_begin();
    UNIT_SUITE("string", string_cases);
    UNIT_SUITE("parse", parse_cases);
    return unit_end();
}
