/*
 * lib/format.c, compared byte for byte with the C library's snprintf
 * (glibc) on fixed cases and on many random conversions.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <tessera/format.h>
#include "unit.h"

/* Not declared with the format attribute: some cases are deliberately odd. */
static void check_same(int line, const char *fmt, ...)
{
    char ours[512], libc[512];
    va_list ap, ap2;

    va_start(ap, fmt);
    va_copy(ap2, ap);
    memset(ours, 0x55, sizeof(ours));
    int n_ours = vformat(ours, sizeof(ours), fmt, ap);
    int n_libc = vsnprintf(libc, sizeof(libc), fmt, ap2);
    va_end(ap2);
    va_end(ap);
    if (n_ours != n_libc || strcmp(ours, libc) != 0) {
        printf("\nline %d: format \"%s\": ours %d \"%s\", libc %d \"%s\"\n",
               line, fmt, n_ours, ours, n_libc, libc);
        CU_FAIL("output differs from snprintf");
    } else {
        CU_PASS("same");
    }
}

#define SAME(...) check_same(__LINE__, __VA_ARGS__)

/* format() without the compiler's format checking, for malformed formats. */
static int odd_format(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

static void test_plain_text_and_percent(void)
{
    SAME("");
    SAME("hello, world");
    SAME("100%% sure");
    SAME("%%%%");
}

static void test_signed_decimal(void)
{
    SAME("%d", 0);
    SAME("%d", 42);
    SAME("%d", -42);
    SAME("%i", INT_MAX);
    SAME("%d", INT_MIN);
    SAME("%ld", LONG_MIN);
    SAME("%lld", LLONG_MAX);
    SAME("%lli", LLONG_MIN);
    SAME("%jd", (intmax_t)-5);
    SAME("%zd", (ssize_t)-77);
    SAME("%td", (ptrdiff_t)-99);
}

static void test_unsigned_conversions(void)
{
    SAME("%u", 0u);
    SAME("%u", UINT_MAX);
    SAME("%lu", ULONG_MAX);
    SAME("%llx", ULLONG_MAX);
    SAME("%x %X", 0xdeadbeefu, 0xdeadbeefu);
    SAME("%o", 8u);
    SAME("%zu %zx", (size_t)123456789, (size_t)0xabcdef);
    SAME("%ju", (uintmax_t)UINT64_MAX);
    SAME("%lo", 0777ul);
}

static void test_char_length_modifiers(void)
{
    SAME("%hhd", 300);        /* truncated to a signed char: 44 */
    SAME("%hhd", 200);        /* -56 */
    SAME("%hhu", -1);
    SAME("%hd", 70000);
    SAME("%hu", -1);
    SAME("%hx", 0x12345678);
    SAME("%hhx", 0x1ff);
}

static void test_width_and_flags(void)
{
    SAME("[%5d]", 42);
    SAME("[%-5d]", 42);
    SAME("[%05d]", -42);
    SAME("[%+d] [%+d]", 5, -5);
    SAME("[% d] [% d]", 5, -5);
    SAME("[%+ d]", 5);
    SAME("[%-05d]", 7);
    SAME("[%08x]", 0xbeefu);
    SAME("[%#x] [%#X] [%#o]", 255u, 255u, 8u);
    SAME("[%#x] [%#o]", 0u, 0u);
    SAME("[%#010x]", 0x1234u);
    SAME("[%-#10x]", 0x1234u);
    SAME("[%1d]", 12345);
}

static void test_precision_on_integers(void)
{
    SAME("[%.5d]", 42);
    SAME("[%.5d]", -42);
    SAME("[%8.5d]", -42);
    SAME("[%08.5d]", 42);     /* precision turns off the 0 flag */
    SAME("[%.0d]", 0);
    SAME("[%5.0d]", 0);
    SAME("[%.0x]", 0u);
    SAME("[%#.0o]", 0u);
    SAME("[%#.3o]", 8u);
    SAME("[%#.5x]", 0xabu);
    SAME("[%+.3d]", 7);
    SAME("[%.d]", 0);
}

static void test_star_width_and_precision(void)
{
    SAME("[%*d]", 6, 42);
    SAME("[%*d]", -6, 42);    /* negative width means left-justify */
    SAME("[%.*d]", 4, 42);
    SAME("[%.*d]", -4, 42);   /* negative precision means none */
    SAME("[%*.*x]", 10, 6, 0xabcu);
    SAME("[%-*s]", 8, "ab");
    SAME("[%.*s]", 3, "abcdef");
}

static void test_strings_and_chars(void)
{
    SAME("%s", "tessera");
    SAME("[%10s]", "right");
    SAME("[%-10s]", "left");
    SAME("[%.2s]", "truncate");
    SAME("[%10.2s]", "truncate");
    SAME("%s", (char *)NULL);
    SAME("[%c%c%c]", 'a', 'b', 'c');
    SAME("[%3c] [%-3c]", 'x', 'y');
    SAME("[%c]", 256 + 'z');
    SAME("[%s]", "");
}

static void test_pointers(void)
{
    int x;

    SAME("%p", (void *)&x);
    SAME("%p", (void *)0x1000);
    SAME("%p", (void *)NULL);
    SAME("[%20p]", (void *)0xffff800000000000ull);
    SAME("[%-20p]", (void *)0x1234);
    SAME("[%10p]", (void *)NULL);
}

static void test_string_precision_does_not_read_past(void)
{
    /* No terminator within the precision: only 4 bytes may be read. */
    char raw[4] = { 'a', 'b', 'c', 'd' };
    char out[16];

    CU_ASSERT_EQUAL(format(out, sizeof(out), "%.4s|", raw), 5);
    CU_ASSERT_STRING_EQUAL(out, "abcd|");
}

static void test_truncation_keeps_snprintf_contract(void)
{
    char buf[8];

    memset(buf, 'X', sizeof(buf));
    CU_ASSERT_EQUAL(format(buf, sizeof(buf), "%s-%d", "abcdef", 12345), 12);
    CU_ASSERT_STRING_EQUAL(buf, "abcdef-");
    memset(buf, 'X', sizeof(buf));
    CU_ASSERT_EQUAL(format(buf, 1, "hello"), 5);
    CU_ASSERT_EQUAL(buf[0], '\0');
    CU_ASSERT_EQUAL(buf[1], 'X');
    memset(buf, 'X', sizeof(buf));
    CU_ASSERT_EQUAL(format(buf, 0, "hello %d", 1), 7);
    CU_ASSERT_EQUAL(buf[0], 'X');
    CU_ASSERT_EQUAL(format(NULL, 0, "%08x", 1u), 8);
}

static void test_every_buffer_size_is_a_prefix(void)
{
    char full[64], part[64];
    int n = format(full, sizeof(full), "[%-6s|%+5d|%#x]", "ab", 42, 0x1fu);

    for (size_t size = 1; size < (size_t)n + 3; size++) {
        memset(part, 'Z', sizeof(part));
        CU_ASSERT_EQUAL(format(part, size, "[%-6s|%+5d|%#x]", "ab", 42, 0x1fu), n);
        size_t kept = size - 1 < (size_t)n ? size - 1 : (size_t)n;
        CU_ASSERT_EQUAL(memcmp(part, full, kept), 0);
        CU_ASSERT_EQUAL(part[kept], '\0');
        CU_ASSERT_EQUAL(part[size], 'Z');     /* nothing written past size */
    }
}

static void test_unknown_and_truncated_conversions(void)
{
    char buf[32];

    /* Copied as written, consuming no argument. */
    CU_ASSERT_EQUAL(odd_format(buf, sizeof(buf), "a%qb%d", 5), 5);
    CU_ASSERT_STRING_EQUAL(buf, "a%qb5");
    CU_ASSERT_EQUAL(odd_format(buf, sizeof(buf), "end%"), 4);
    CU_ASSERT_STRING_EQUAL(buf, "end%");
    CU_ASSERT_EQUAL(odd_format(buf, sizeof(buf), "end%-08l"), 8);
    CU_ASSERT_STRING_EQUAL(buf, "end%-08l");
}

static void test_huge_width_is_capped(void)
{
    char buf[8];
    int n = format(buf, sizeof(buf), "%*d", INT_MAX, 1);

    CU_ASSERT(n > 1000 && n <= 1000000);
    CU_ASSERT_STRING_EQUAL(buf, "       ");
}

/* Random conversions against snprintf: flags, width, precision, length. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint64_t interesting_value(void)
{
    static const uint64_t special[] = {
        0, 1, 7, 8, 9, 10, 15, 16, 127, 128, 255, 256, 0x7fff, 0x8000, 0xffff,
        0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, INT64_MAX,
        (uint64_t)INT64_MIN, UINT64_MAX, (uint64_t)-1000,
    };
    if (rnd() % 2)
        return special[rnd() % (sizeof(special) / sizeof(special[0]))];
    return rnd() >> (rnd() % 64);
}

static void test_random_integer_conversions_match_libc(void)
{
    static const char convs[] = "diuxXo";
    static const char *const lengths[] = { "", "hh", "h", "l", "ll", "z", "j", "t" };
    static const char flag_chars[] = "-0+ #";
    unsigned mismatches = 0;

    for (int iter = 0; iter < 20000; iter++) {
        char fmt[48], *p = fmt;
        *p++ = '[';
        *p++ = '%';
        for (int f = 0; f < 5; f++)
            if (rnd() % 4 == 0)
                *p++ = flag_chars[f];
        if (rnd() % 2)
            p += sprintf(p, "%u", (unsigned)(rnd() % 25));
        if (rnd() % 3 == 0)
            p += sprintf(p, ".%u", (unsigned)(rnd() % 22));
        const char *len = lengths[rnd() % 8];
        char conv = convs[rnd() % 6];
        p += sprintf(p, "%s%c]", len, conv);

        uint64_t v = interesting_value();
        char ours[128], libc[128];
        int n_ours, n_libc;
        if (len[0] == '\0' || len[0] == 'h') {
            n_ours = format(ours, sizeof(ours), fmt, (int)v);
            n_libc = snprintf(libc, sizeof(libc), fmt, (int)v);
        } else {
            n_ours = format(ours, sizeof(ours), fmt, (long long)v);
            n_libc = snprintf(libc, sizeof(libc), fmt, (long long)v);
        }
        if (n_ours != n_libc || strcmp(ours, libc) != 0) {
            if (mismatches++ < 5)
                printf("\nformat \"%s\" value %llx: ours \"%s\" libc \"%s\"\n",
                       fmt, (unsigned long long)v, ours, libc);
        }
    }
    CU_ASSERT_EQUAL(mismatches, 0);
}

static void test_random_string_conversions_match_libc(void)
{
    static const char *const words[] = { "", "a", "tessera", "hypervisor text", "x\ty" };
    unsigned mismatches = 0;

    for (int iter = 0; iter < 5000; iter++) {
        char fmt[32], *p = fmt;
        *p++ = '<';
        *p++ = '%';
        if (rnd() % 3 == 0)
            *p++ = '-';
        if (rnd() % 2)
            p += sprintf(p, "%u", (unsigned)(rnd() % 20));
        if (rnd() % 2)
            p += sprintf(p, ".%u", (unsigned)(rnd() % 12));
        p += sprintf(p, "s>");
        const char *w = words[rnd() % 5];
        char ours[64], libc[64];
        size_t size = 1 + rnd() % sizeof(ours);
        int n_ours = format(ours, size, fmt, w);
        int n_libc = snprintf(libc, size, fmt, w);
        if (n_ours != n_libc || strcmp(ours, libc) != 0)
            mismatches++;
    }
    CU_ASSERT_EQUAL(mismatches, 0);
}

/* format_args: the entry point the fuzzer uses, with a scripted source. */
struct script {
    struct format_args args;
    uint64_t ints[4];
    unsigned next_int_i, bits_seen[4];
    const void *ptr;
};

static uint64_t script_int(struct format_args *a, unsigned bits, int is_signed)
{
    struct script *s = (struct script *)a;
    (void)is_signed;
    s->bits_seen[s->next_int_i] = bits;
    return s->ints[s->next_int_i++];
}

static const void *script_ptr(struct format_args *a)
{
    return ((struct script *)a)->ptr;
}

static void test_format_args_source_gets_argument_widths(void)
{
    struct script s = { .args = { script_int, script_ptr },
                        .ints = { 5, (uint64_t)-3, 0x1122334455667788ull }, .ptr = "str" };
    char buf[64];

    CU_ASSERT_EQUAL(format_args(buf, sizeof(buf), "%*d|%lx|%s", &s.args), 26);
    CU_ASSERT_STRING_EQUAL(buf, "   -3|1122334455667788|str");
    CU_ASSERT_EQUAL(s.bits_seen[0], 32);
    CU_ASSERT_EQUAL(s.bits_seen[1], 32);
    CU_ASSERT_EQUAL(s.bits_seen[2], 64);
}

int main(void)
{
    static const struct unit_case cases[] = {
        UNIT_CASE(plain_text_and_percent),
        UNIT_CASE(signed_decimal),
        UNIT_CASE(unsigned_conversions),
        UNIT_CASE(char_length_modifiers),
        UNIT_CASE(width_and_flags),
        UNIT_CASE(precision_on_integers),
        UNIT_CASE(star_width_and_precision),
        UNIT_CASE(strings_and_chars),
        UNIT_CASE(pointers),
        UNIT_CASE(string_precision_does_not_read_past),
        UNIT_CASE(truncation_keeps_snprintf_contract),
        UNIT_CASE(every_buffer_size_is_a_prefix),
        UNIT_CASE(unknown_and_truncated_conversions),
        UNIT_CASE(huge_width_is_capped),
        UNIT_CASE(random_integer_conversions_match_libc),
        UNIT_CASE(random_string_conversions_match_libc),
        UNIT_CASE(format_args_source_gets_argument_widths),
    };

    unit_begin();
    UNIT_SUITE("format", cases);
    return unit_end();
}
