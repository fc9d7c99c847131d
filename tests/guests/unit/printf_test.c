/*
 * Host unit tests for the guest library's vsnprintf and string routines,
 * built with ASan/UBSan: test output is only as trustworthy as the printf
 * that formats it.
 */
#include <CUnit/Basic.h>
#include "guest.h"
#include "cunit_results.h"

/* printk's sink: the tests capture it here instead of a hypercall. */
static char captured[1024];
void console_write(const char *s, size_t len)
{
    size_t have = strlen(captured);
    if (have + len < sizeof(captured)) {
        memcpy(captured + have, s, len);
        captured[have + len] = '\0';
    }
}

static const char *fmt(const char *f, ...)
{
    static char buf[256];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof(buf), f, ap);
    va_end(ap);
    return buf;
}

static void test_integers(void)
{
    CU_ASSERT_STRING_EQUAL(fmt("%d", 0), "0");
    CU_ASSERT_STRING_EQUAL(fmt("%d", -42), "-42");
    CU_ASSERT_STRING_EQUAL(fmt("%i|%u", 7, 4000000000u), "7|4000000000");
    CU_ASSERT_STRING_EQUAL(fmt("%ld", -9223372036854775807L - 1), "-9223372036854775808");
    CU_ASSERT_STRING_EQUAL(fmt("%lu", 18446744073709551615UL), "18446744073709551615");
    CU_ASSERT_STRING_EQUAL(fmt("%x %X", 0xbeefu, 0xbeefu), "beef BEEF");
    CU_ASSERT_STRING_EQUAL(fmt("%lx", 0xffff800000000000UL), "ffff800000000000");
    CU_ASSERT_STRING_EQUAL(fmt("%zu", (size_t)12), "12");
}

static void test_widths_and_flags(void)
{
    CU_ASSERT_STRING_EQUAL(fmt("[%5d]", 42), "[   42]");
    CU_ASSERT_STRING_EQUAL(fmt("[%-5d]", 42), "[42   ]");
    CU_ASSERT_STRING_EQUAL(fmt("[%05d]", -42), "[-0042]");
    CU_ASSERT_STRING_EQUAL(fmt("[%08x]", 0xabcu), "[00000abc]");
    CU_ASSERT_STRING_EQUAL(fmt("%#x %#lx", 0x10u, 0x0UL), "0x10 0x0");
    CU_ASSERT_STRING_EQUAL(fmt("[%-22s]", "#UD (ud2)"), "[#UD (ud2)             ]");
    CU_ASSERT_STRING_EQUAL(fmt("[%6s]", "ab"), "[    ab]");
}

static void test_strings_and_chars(void)
{
    CU_ASSERT_STRING_EQUAL(fmt("%s", "xen"), "xen");
    CU_ASSERT_STRING_EQUAL(fmt("%s", (char *)NULL), "(null)");
    CU_ASSERT_STRING_EQUAL(fmt("%.3s|", "abcdef"), "abc|");
    CU_ASSERT_STRING_EQUAL(fmt("%.32s", "xen-3.0-x86_64"), "xen-3.0-x86_64");
    CU_ASSERT_STRING_EQUAL(fmt("%c%c", 'o', 'k'), "ok");
    CU_ASSERT_STRING_EQUAL(fmt("100%%"), "100%");
    CU_ASSERT_STRING_EQUAL(fmt("%p", (void *)0x1000), "0x1000");
    CU_ASSERT_STRING_EQUAL(fmt("%q"), "%q");
}

static void test_truncation(void)
{
    char small[8];
    memset(small, 'X', sizeof(small));
    int n = snprintf(small, sizeof(small), "%s", "0123456789");
    CU_ASSERT_EQUAL(n, 10);                 /* the length it wanted */
    CU_ASSERT_STRING_EQUAL(small, "0123456");
    CU_ASSERT_EQUAL(snprintf(small, 1, "abc"), 3);
    CU_ASSERT_EQUAL(small[0], '\0');
    CU_ASSERT_EQUAL(snprintf(NULL, 0, "%d", 12345), 5);
}

static void test_printk_goes_to_console(void)
{
    captured[0] = '\0';
    CU_ASSERT_EQUAL(printk("Test result: %s\n", "SUCCESS"), 21);
    CU_ASSERT_STRING_EQUAL(captured, "Test result: SUCCESS\n");
}

static void test_strings(void)
{
    CU_ASSERT_EQUAL(strlen(""), 0);
    CU_ASSERT_EQUAL(strncmp("xen-3.0", "xen-3.1", 6), 0);
    CU_ASSERT(strncmp("abc", "abd", 3) < 0);
    CU_ASSERT_PTR_NULL(strstr("console=io", "ring"));
    const char *cmd = "console=ring role=server";
    CU_ASSERT_PTR_EQUAL(strstr(cmd, "role"), cmd + 13);
    CU_ASSERT(memcmp("ab\0c", "ab\0d", 4) < 0);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("printf", NULL, NULL);
    CU_add_test(s, "integers", test_integers);
    CU_add_test(s, "widths_and_flags", test_widths_and_flags);
    CU_add_test(s, "strings_and_chars", test_strings_and_chars);
    CU_add_test(s, "truncation", test_truncation);
    CU_add_test(s, "printk_goes_to_console", test_printk_goes_to_console);
    CU_add_test(s, "string_routines", test_strings);
    return cunit_run_and_record("guests/unit");
}
