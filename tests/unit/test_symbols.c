/*
 * common/symbols.c over a table that hypervisor/tools/gensyms generated
 * from fixtures/sample.nm (see the Makefile), and the generator itself run
 * on good and bad input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <tessera/symbols.h>
#include "unit.h"

#define BASE 0xffff82d040200000ull

static void test_exact_and_inside_lookups(void)
{
    uint64_t off = 99;

    CU_ASSERT_STRING_EQUAL(symbol_lookup(BASE, &off), "_start");
    CU_ASSERT_EQUAL(off, 0);
    CU_ASSERT_STRING_EQUAL(symbol_lookup(BASE + 0x50, &off), "early_setup");
    CU_ASSERT_EQUAL(off, 0x10);
    CU_ASSERT_STRING_EQUAL(symbol_lookup(BASE + 0x3ff, &off), "panic");
    CU_ASSERT_EQUAL(off, 0x3ff - 0x210);
    CU_ASSERT_STRING_EQUAL(symbol_lookup(BASE + 0xfff, &off), "\"odd\\name\"");
    CU_ASSERT_EQUAL(off, 0xbff);
    CU_ASSERT_PTR_NOT_NULL(symbol_lookup(BASE + 0x40, NULL));
}

static void test_one_name_per_address_global_first(void)
{
    CU_ASSERT_EQUAL(symbol_count, 5);
    CU_ASSERT_STRING_EQUAL(symbol_lookup(BASE + 0x100, NULL), "start_tessera");
    CU_ASSERT_STRING_EQUAL(symbol_lookup(BASE, NULL), "_start");
}

static void test_only_text_symbols_kept(void)
{
    uint64_t off;

    /* .Llocal_label (0x200) and some_data (0x300) are not in the table. */
    CU_ASSERT_STRING_EQUAL(symbol_lookup(BASE + 0x200, &off), "start_tessera");
    CU_ASSERT_EQUAL(off, 0x100);
    CU_ASSERT_STRING_EQUAL(symbol_lookup(BASE + 0x300, NULL), "panic");
}

static void test_outside_text_is_null(void)
{
    CU_ASSERT_PTR_NULL(symbol_lookup(BASE - 1, NULL));
    CU_ASSERT_PTR_NULL(symbol_lookup(0, NULL));
    CU_ASSERT_PTR_NULL(symbol_lookup(BASE + 0x1000, NULL));   /* _etext */
    CU_ASSERT_PTR_NULL(symbol_lookup(BASE + 0x3000, NULL));   /* after_text, past _etext */
    CU_ASSERT_PTR_NULL(symbol_lookup(UINT64_MAX, NULL));
    CU_ASSERT_EQUAL(symbol_text_end, BASE + 0x1000);
}

static void test_table_sorted_with_sentinel(void)
{
    for (unsigned i = 1; i < symbol_count; i++)
        CU_ASSERT(symbol_table[i - 1].addr < symbol_table[i].addr);
    CU_ASSERT_EQUAL(symbol_table[symbol_count].addr, 0);
}

static void test_format_address(void)
{
    char buf[64];

    CU_ASSERT_EQUAL(symbol_format(buf, sizeof(buf), BASE + 0x214), 9);
    CU_ASSERT_STRING_EQUAL(buf, "panic+0x4");
    symbol_format(buf, sizeof(buf), 0x1234);
    CU_ASSERT_STRING_EQUAL(buf, "0x0000000000001234");
}

/* Runs the generator on 'input'; returns its exit status, output in out. */
static int run_gensyms(const char *args, const char *input, char *out, size_t size)
{
    char in_path[] = "/tmp/gensyms-in-XXXXXX", cmd[512];
    int fd = mkstemp(in_path);
    FILE *f = fdopen(fd, "w");

    fputs(input, f);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "%s %s < %s 2>&1", GENSYMS_PATH, args, in_path);
    FILE *p = popen(cmd, "r");
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    remove(in_path);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_generator_sorts_and_uses_end_symbol(void)
{
    static char out[8192];
    const char *input =
        "0000000000001300 T zeta\n"
        "0000000000001100 t alpha\n"
        "0000000000001200 T beta\n"
        "0000000000001800 A my_end\n";

    CU_ASSERT_EQUAL(run_gensyms("--end-symbol my_end", input, out, sizeof(out)), 0);
    char *a = strstr(out, "0x0000000000001100ull"), *b = strstr(out, "0x0000000000001200ull"),
         *z = strstr(out, "0x0000000000001300ull");
    CU_ASSERT(a && b && z && a < b && b < z);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"alpha\\0\"\n    \"beta\\0\"\n    \"zeta\\0\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "symbol_count = 3;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "symbol_text_end = 0x0000000000001800ull;"));
}

static void test_generator_rejects_bad_input(void)
{
    static char out[8192];

    CU_ASSERT_EQUAL(run_gensyms("", "not an nm line\n", out, sizeof(out)), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "line 1: expected 'ADDRESS TYPE NAME'"));
    CU_ASSERT_EQUAL(run_gensyms("", "0000000000001000 T\n", out, sizeof(out)), 1);
    CU_ASSERT_EQUAL(run_gensyms("", "0000000000001000 T f\n", out, sizeof(out)), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "end symbol '_etext' not found"));
    CU_ASSERT_EQUAL(run_gensyms("--bogus", "", out, sizeof(out)), 1);
}

static void test_generator_empty_input_for_first_link(void)
{
    static char out[8192];

    CU_ASSERT_EQUAL(run_gensyms("", "", out, sizeof(out)), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "symbol_count = 0;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "{ 0, 0, 0 }"));
    /* Undefined symbols alone also make an empty table. */
    CU_ASSERT_EQUAL(run_gensyms("", "                 U memcpy\n", out, sizeof(out)), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "symbol_count = 0;"));
}

int main(void)
{
    static const struct unit_case cases[] = {
        UNIT_CASE(exact_and_inside_lookups),
        UNIT_CASE(one_name_per_address_global_first),
        UNIT_CASE(only_text_symbols_kept),
        UNIT_CASE(outside_text_is_null),
        UNIT_CASE(table_sorted_with_sentinel),
        UNIT_CASE(format_address),
        UNIT_CASE(generator_sorts_and_uses_end_symbol),
        UNIT_CASE(generator_rejects_bad_input),
        UNIT_CASE(generator_empty_input_for_first_link),
    };

    unit_begin();
    UNIT_SUITE("symbols", cases);
    return unit_end();
}
