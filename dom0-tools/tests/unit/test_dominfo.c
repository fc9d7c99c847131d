/*
 * The xl output formats tl will print for running domains: uptime strings
 * and the "list -l" JSON array. ("list" itself is compared byte for byte
 * with Debian's xl by tests/peer.)
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "config_load.h"
#include "dominfo.h"
#include "unit.h"

static void test_uptime_strings(void)
{
    static const struct { uint64_t secs; bool short_mode; const char *want; } cases[] = {
        { 0, false, " 0:00:00" }, { 59, false, " 0:00:59" }, { 3661, false, " 1:01:01" },
        { 86399, false, "23:59:59" }, { 86400, false, "1 day,  0:00:00" },
        { 2 * 86400 + 3600 * 5 + 7, false, "2 days,  5:00:07" }, { 3661, true, " 1:01" },
        { 86400 + 60, true, "1 day,  0:01" }, { 400 * 86400ULL, true, "400 days,  0:00" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[64];
        dominfo_format_uptime(cases[i].secs, cases[i].short_mode, out, sizeof(out));
        CU_ASSERT_STRING_EQUAL(out, cases[i].want);
    }
}

static void test_uptime_table(void)
{
    struct tl_dominfo doms[2] = { { .domid = 0, .name = "Domain-0", .start_time = 1000 },
                                  { .domid = 5, .name = "web", .start_time = 1000 + 86400 } };
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    dominfo_print_uptime(f, doms, 2, 1000 + 2 * 86400 + 61, false);
    fclose(f);
    CU_ASSERT_STRING_EQUAL(buf, "Name                                ID Uptime\n"
                                "Domain-0                             0 2 days,  0:01:01\n"
                                "web                                  5 1 day,  0:01:01\n");
    free(buf);
}

static void test_list_json(void)
{
    struct domcfg cfg;
    struct diag d;
    const char *text = "name='j'\nkernel='/k'\nmemory=64\n";
    domcfg_init(&cfg);
    diag_init(&d, "j.cfg", NULL);
    CU_ASSERT_EQUAL_FATAL(config_load_text(text, strlen(text), NULL, 0, &cfg, &d), 0);
    struct tl_dominfo dom = { .domid = 3, .name = "j" };
    const struct domcfg *cfgs[] = { &cfg };
    char *json = dominfo_list_json(&dom, cfgs, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(json);
    CU_ASSERT_EQUAL(strncmp(json, "[\n    {\n        \"domid\": 3,\n        \"config\": {\n", 47), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "            \"c_info\": {\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"target_memkb\": 65536"));
    CU_ASSERT_EQUAL(json[strlen(json) - 2], ']');
    free(json);
    json = dominfo_list_json(NULL, NULL, 0);
    CU_ASSERT_STRING_EQUAL(json, "[\n\n]\n");
    free(json);
    domcfg_free(&cfg);
}

void register_dominfo_tests(void)
{
    CU_pSuite s = CU_add_suite("dominfo", NULL, NULL);
    CU_add_test(s, "uptime_strings", test_uptime_strings);
    CU_add_test(s, "uptime_table", test_uptime_table);
    CU_add_test(s, "list_json", test_list_json);
}
