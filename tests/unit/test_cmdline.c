/* common/cmdline.c: the option table, values, quoting and the messages. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <tessera/cmdline.h>
#include <tessera/errno.h>
#include <tessera/log.h>
#include "unit.h"

static bool opt_smp, opt_sync;
static uint64_t opt_cpus, opt_mem;
static char opt_console[16];

static const struct cmdline_option table[] = {
    CMDLINE_BOOL("smp", opt_smp, "bring up secondary CPUs"),
    CMDLINE_BOOL("sync_console", opt_sync, "write the console synchronously"),
    CMDLINE_UINT("maxcpus", opt_cpus, "use at most this many CPUs"),
    CMDLINE_SIZE("dom0_mem", opt_mem, "memory for dom0"),
    CMDLINE_STRING("console", opt_console, "console devices"),
    CMDLINE_CUSTOM("loglvl", log_set_level_str, "err|warn|info|debug|all", "log threshold"),
};

static char messages[2048];
static unsigned nmsg;

static void collect(void *ctx, const char *msg)
{
    (void)ctx;
    strcat(messages, msg);
    strcat(messages, "\n");
    nmsg++;
}

static int parse(const char *line)
{
    messages[0] = '\0';
    nmsg = 0;
    opt_smp = opt_sync = false;
    opt_cpus = opt_mem = 0;
    strcpy(opt_console, "unset");
    log_set_level(LOG_INFO);
    return cmdline_parse(line, table, sizeof(table) / sizeof(table[0]), collect, NULL);
}

static void test_typical_line(void)
{
    CU_ASSERT_EQUAL(parse("smp maxcpus=4 dom0_mem=512M console=com1,vga loglvl=debug"), 0);
    CU_ASSERT_TRUE(opt_smp);
    CU_ASSERT_EQUAL(opt_cpus, 4);
    CU_ASSERT_EQUAL(opt_mem, 512ull << 20);
    CU_ASSERT_STRING_EQUAL(opt_console, "com1,vga");
    CU_ASSERT_EQUAL(log_get_level(), LOG_DEBUG);
    CU_ASSERT_EQUAL(nmsg, 0);
}

static void test_bool_forms(void)
{
    static const char *const truthy[] = { "smp", "smp=1", "smp=yes", "smp=on", "smp=true", "smp=enable" };
    static const char *const falsy[] = { "smp=0", "smp=no", "smp=off", "smp=false", "smp=disable", "smp no-smp" };

    for (unsigned i = 0; i < 6; i++) {
        CU_ASSERT_EQUAL(parse(truthy[i]), 0);
        CU_ASSERT_TRUE(opt_smp);
    }
    for (unsigned i = 0; i < 6; i++) {
        opt_smp = true;
        CU_ASSERT_EQUAL(cmdline_parse(falsy[i], table, 6, collect, NULL), 0);
        CU_ASSERT_FALSE(opt_smp);
    }
}

static void test_bad_bool_value(void)
{
    CU_ASSERT_EQUAL(parse("smp=maybe"), 1);
    CU_ASSERT_STRING_EQUAL(messages, "smp: expected yes|no|on|off|true|false|1|0, got 'maybe'\n");
    CU_ASSERT_FALSE(opt_smp);
    CU_ASSERT_EQUAL(parse("smp="), 1);
    CU_ASSERT_STRING_EQUAL(messages, "smp: expected yes|no|on|off|true|false|1|0, got ''\n");
}

static void test_no_prefix_only_for_bools(void)
{
    CU_ASSERT_EQUAL(parse("no-maxcpus"), 1);
    CU_ASSERT_STRING_EQUAL(messages, "unknown option 'no-maxcpus' ignored\n");
    CU_ASSERT_EQUAL(parse("no-smp=1"), 1);
    CU_ASSERT_STRING_EQUAL(messages, "unknown option 'no-smp' ignored\n");
}

static void test_unknown_option_reported_and_skipped(void)
{
    CU_ASSERT_EQUAL(parse("foo smp bar=3 maxcpus=2"), 2);
    CU_ASSERT_STRING_EQUAL(messages, "unknown option 'foo' ignored\nunknown option 'bar' ignored\n");
    CU_ASSERT_TRUE(opt_smp);
    CU_ASSERT_EQUAL(opt_cpus, 2);
}

static void test_custom_option_message(void)
{
    CU_ASSERT_EQUAL(parse("loglvl=x"), 1);
    CU_ASSERT_STRING_EQUAL(messages, "loglvl: expected err|warn|info|debug|all, got 'x'\n");
    CU_ASSERT_EQUAL(log_get_level(), LOG_INFO);
    CU_ASSERT_EQUAL(parse("loglvl"), 1);
    CU_ASSERT_STRING_EQUAL(messages, "loglvl: expected err|warn|info|debug|all\n");
    CU_ASSERT_EQUAL(parse("loglvl=0"), 0);
    CU_ASSERT_EQUAL(log_get_level(), LOG_ERR);
}

static void test_numbers(void)
{
    CU_ASSERT_EQUAL(parse("maxcpus=0x10"), 0);
    CU_ASSERT_EQUAL(opt_cpus, 16);
    CU_ASSERT_EQUAL(parse("maxcpus=12abc"), 1);
    CU_ASSERT_STRING_EQUAL(messages, "maxcpus: expected a number, got '12abc'\n");
    CU_ASSERT_EQUAL(opt_cpus, 0);                   /* nothing stored */
    CU_ASSERT_EQUAL(parse("maxcpus=99999999999999999999"), 1);
    CU_ASSERT_STRING_EQUAL(messages, "maxcpus: value '99999999999999999999' is too large\n");
    CU_ASSERT_EQUAL(parse("maxcpus"), 1);
    CU_ASSERT_STRING_EQUAL(messages, "maxcpus: needs a value (maxcpus=...)\n");
    CU_ASSERT_EQUAL(parse("maxcpus=4K"), 1);       /* sizes only for OPT_SIZE */
}

static void test_sizes(void)
{
    CU_ASSERT_EQUAL(parse("dom0_mem=2G"), 0);
    CU_ASSERT_EQUAL(opt_mem, 2ull << 30);
    CU_ASSERT_EQUAL(parse("dom0_mem=4096"), 0);
    CU_ASSERT_EQUAL(opt_mem, 4096);
    CU_ASSERT_EQUAL(parse("dom0_mem=1Q"), 1);
    CU_ASSERT_STRING_EQUAL(messages, "dom0_mem: expected a size such as 512M, got '1Q'\n");
    CU_ASSERT_EQUAL(parse("dom0_mem=99999999T"), 1);
    CU_ASSERT_STRING_EQUAL(messages, "dom0_mem: value '99999999T' is too large\n");
}

static void test_strings_and_quotes(void)
{
    CU_ASSERT_EQUAL(parse("console=\"com1 vga\" smp"), 0);
    CU_ASSERT_STRING_EQUAL(opt_console, "com1 vga");
    CU_ASSERT_TRUE(opt_smp);
    CU_ASSERT_EQUAL(parse("\"console=a\tb\""), 0);
    CU_ASSERT_STRING_EQUAL(opt_console, "a\tb");
    CU_ASSERT_EQUAL(parse("console=\"\""), 0);
    CU_ASSERT_STRING_EQUAL(opt_console, "");
    CU_ASSERT_EQUAL(parse("console=a=b"), 0);       /* only the first '=' splits */
    CU_ASSERT_STRING_EQUAL(opt_console, "a=b");
}

static void test_string_too_long_or_missing(void)
{
    CU_ASSERT_EQUAL(parse("console=0123456789abcdef"), 1);
    CU_ASSERT_STRING_EQUAL(messages, "console: value is too long (at most 15 characters)\n");
    CU_ASSERT_STRING_EQUAL(opt_console, "unset");
    CU_ASSERT_EQUAL(parse("console=0123456789abcde"), 0);
    CU_ASSERT_EQUAL(parse("console"), 1);
    CU_ASSERT_STRING_EQUAL(messages, "console: needs a value (console=...)\n");
}

static void test_unbalanced_quote(void)
{
    CU_ASSERT_EQUAL(parse("console=\"com1 smp"), 1);
    CU_ASSERT_STRING_EQUAL(messages, "missing closing quote in 'console=com1 smp'\n");
    CU_ASSERT_STRING_EQUAL(opt_console, "com1 smp");
    CU_ASSERT_FALSE(opt_smp);
}

static void test_last_setting_wins(void)
{
    CU_ASSERT_EQUAL(parse("maxcpus=1 maxcpus=8 smp no-smp smp"), 0);
    CU_ASSERT_EQUAL(opt_cpus, 8);
    CU_ASSERT_TRUE(opt_smp);
}

static void test_whitespace_and_empty_lines(void)
{
    CU_ASSERT_EQUAL(parse(""), 0);
    CU_ASSERT_EQUAL(parse("   \t  "), 0);
    CU_ASSERT_EQUAL(cmdline_parse(NULL, table, 6, collect, NULL), 0);
    CU_ASSERT_EQUAL(parse("\t smp \t\tmaxcpus=3\n"), 0);
    CU_ASSERT_TRUE(opt_smp);
    CU_ASSERT_EQUAL(opt_cpus, 3);
}

static void test_nameless_and_overlong_words(void)
{
    char line[CMDLINE_WORD_MAX + 40];

    CU_ASSERT_EQUAL(parse("=5 smp"), 1);
    CU_ASSERT_STRING_EQUAL(messages, "option with no name ('=5') ignored\n");
    CU_ASSERT_TRUE(opt_smp);
    memset(line, 'k', CMDLINE_WORD_MAX + 10);
    strcpy(line + CMDLINE_WORD_MAX + 10, " smp");
    CU_ASSERT_EQUAL(parse(line), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(messages, "longer than 511 characters ignored"));
    CU_ASSERT_TRUE(opt_smp);
}

static void test_string_without_buffer_size_reported(void)
{
    static char buf[8] = "keep";
    static const struct cmdline_option bad[] = {
        { "s", OPT_STRING, buf, NULL, "no size given", 0, NULL },
        { "c", OPT_CUSTOM, NULL, log_set_level_str, "no expects given", 0, NULL },
    };

    messages[0] = '\0';
    CU_ASSERT_EQUAL(cmdline_parse("s=abc c=zzz", bad, 2, collect, NULL), 2);
    CU_ASSERT_STRING_EQUAL(messages, "s: the option table gives this string no buffer size\n"
                                     "c: expected a valid value, got 'zzz'\n");
    CU_ASSERT_STRING_EQUAL(buf, "keep");
}

static void test_null_report_is_allowed(void)
{
    opt_cpus = 0;
    CU_ASSERT_EQUAL(cmdline_parse("bogus maxcpus=7", table, 6, NULL, NULL), 1);
    CU_ASSERT_EQUAL(opt_cpus, 7);
}

static void test_help_lists_every_option(void)
{
    messages[0] = '\0';
    nmsg = 0;
    cmdline_help(table, 6, collect, NULL);
    CU_ASSERT_EQUAL(nmsg, 6);
    CU_ASSERT_PTR_NOT_NULL(strstr(messages, "  smp                          bring up secondary CPUs\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(messages, "  dom0_mem=<size>              memory for dom0\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(messages, "  loglvl=err|warn|info|debug|all log threshold\n"));
}

int main(void)
{
    static const struct unit_case cases[] = {
        UNIT_CASE(typical_line),
        UNIT_CASE(bool_forms),
        UNIT_CASE(bad_bool_value),
        UNIT_CASE(no_prefix_only_for_bools),
        UNIT_CASE(unknown_option_reported_and_skipped),
        UNIT_CASE(custom_option_message),
        UNIT_CASE(numbers),
        UNIT_CASE(sizes),
        UNIT_CASE(strings_and_quotes),
        UNIT_CASE(string_too_long_or_missing),
        UNIT_CASE(unbalanced_quote),
        UNIT_CASE(last_setting_wins),
        UNIT_CASE(whitespace_and_empty_lines),
        UNIT_CASE(nameless_and_overlong_words),
        UNIT_CASE(string_without_buffer_size_reported),
        UNIT_CASE(null_report_is_allowed),
        UNIT_CASE(help_lists_every_option),
    };

    unit_begin();
    UNIT_SUITE("cmdline", cases);
    return unit_end();
}
