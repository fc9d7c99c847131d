/* libvirt domain XML: reading, units, refusals, and write/read stability. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "config_load.h"
#include "domxml.h"
#include "unit.h"

static int load_xml(const char *xml, struct domcfg *cfg, struct diag *d)
{
    domcfg_init(cfg);
    diag_init(d, "d.xml", NULL);
    return config_load_text(xml, strlen(xml), NULL, 0, cfg, d);
}

static void test_units(void)
{
    static const struct { const char *unit; const char *value; uint64_t kib; } cases[] = {
        { NULL, "1024", 1024 }, { "KiB", "512", 512 }, { "k", "512", 512 }, { "MiB", "2", 2048 },
        { "M", "3", 3072 }, { "GiB", "1", 1048576 }, { "G", "1", 1048576 }, { "b", "1025", 2 },
        { "bytes", "2048", 2 }, { "KB", "1024", 1000 }, { "MB", "1", 977 }, { "GB", "1", 976563 },
        { "TiB", "1", 1ULL << 30 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char xml[512];
        struct domcfg cfg;
        struct diag d;
        snprintf(xml, sizeof(xml),
                 "<domain type='xen'><name>u</name><memory%s%s%s>%s</memory>"
                 "<os><type>linux</type><kernel>/k</kernel></os></domain>",
                 cases[i].unit ? " unit='" : "", cases[i].unit ? cases[i].unit : "",
                 cases[i].unit ? "'" : "", cases[i].value);
        CU_ASSERT_EQUAL(load_xml(xml, &cfg, &d), 0);
        CU_ASSERT_EQUAL(cfg.max_memkb, cases[i].kib);
        CU_ASSERT_EQUAL(cfg.target_memkb, cases[i].kib);
        domcfg_free(&cfg);
    }
}

static void test_refusals(void)
{
    static const struct { const char *xml; const char *error; } cases[] = {
        { "<domain type='xen'><name>x</name><memory>0</memory></domain>",
          "d.xml:1: <memory> expects a positive whole number, not '0'" },
        { "<domain type='xen'><name>x</name><vcpu>200</vcpu></domain>",
          "d.xml:1: <vcpu> expects a number from 1 to 128, not '200'" },
        { "<domain type='xen'><name>x</name><vcpu current='3'>2</vcpu></domain>",
          "d.xml:1: <vcpu current='3'> must be from 1 to the vcpu count" },
        { "<domain type='xen'><name>x</name><features><hyperv/></features></domain>",
          "d.xml:1: <hyperv> is not supported: Tessera offers no Hyper-V enlightenments" },
        { "<domain type='xen'><name>x</name><os><type>exe</type></os></domain>",
          "d.xml:1: <os><type> must be linux (PV), xenpvh or hvm, not 'exe'" },
        { "<domain type='xen'><name>x</name><devices><interface type='network'/></devices></domain>",
          "d.xml:1: <interface type='network'>: only bridge and ethernet are supported" },
        { "<domain type='xen'><name>x</name><devices><interface><mac/></interface></devices></domain>",
          "d.xml:1: <mac> needs its address attribute" },
        { "<domain type='xen'><name>x</name><on_crash>explode</on_crash></domain>",
          "d.xml:1: <on_crash> must be destroy, restart, preserve, rename-restart, coredump-destroy or "
          "coredump-restart, not 'explode'" },
        { "<vm/>", "d.xml:1: expected a <domain> root element" },
        { "<domain", "d.xml:1:8: malformed XML: Couldn't find end of Start Tag domain line 1" },
        { "<domain type='xen'><name>x</name><os><type>linux</type></os></domain>",
          "d.xml: a pv guest needs a kernel" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct domcfg cfg;
        struct diag d;
        CU_ASSERT_EQUAL(load_xml(cases[i].xml, &cfg, &d), -22);
        if (strcmp(d.error, cases[i].error))
            fprintf(stderr, "\n  got:  %s\n  want: %s\n", d.error, cases[i].error);
        CU_ASSERT_STRING_EQUAL(d.error, cases[i].error);
        domcfg_free(&cfg);
    }
}

static void test_write_is_stable(void)
{
    const char *cfgtext = "name='s'\ntype='hvm'\nmemory=100\nmaxmem=200\nvcpus=1\nmaxvcpus=2\ncpus='3'\n"
                          "cap=25\ncpu_weight=9\nhap=0\nfirmware_override='/fw'\n"
                          "disk=['/dev/x,,xvda,ro', 'vdev=hdc,devtype=cdrom', '/i,qcow,sda,backendtype=tap']\n"
                          "vif=['mac=00:16:3e:01:02:03,bridge=br,ip=1.1.1.1,vifname=v,model=m,mtu=1500,"
                          "backend=drv,script=s']\n";
    struct domcfg a, b;
    struct diag d;
    domcfg_init(&a);
    diag_init(&d, "c.cfg", NULL);
    CU_ASSERT_EQUAL_FATAL(config_load_text(cfgtext, strlen(cfgtext), NULL, 0, &a, &d), 0);
    char *x1 = domxml_write(&a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x1);
    CU_ASSERT_EQUAL_FATAL(load_xml(x1, &b, &d), 0);
    char *x2 = domxml_write(&b);
    CU_ASSERT_STRING_EQUAL(x1, x2);
    CU_ASSERT_EQUAL(b.type, DOMCFG_TYPE_HVM);
    CU_ASSERT_EQUAL(b.hap, DOMCFG_FALSE);
    CU_ASSERT_EQUAL(b.sched_cap, 25);
    CU_ASSERT_EQUAL(b.sched_weight, 9);
    CU_ASSERT_EQUAL(b.cpumap[0], 8);
    CU_ASSERT_EQUAL(b.vcpus, 1);
    CU_ASSERT_EQUAL(b.max_vcpus, 2);
    CU_ASSERT_EQUAL(b.target_memkb, 100 * 1024);
    CU_ASSERT_STRING_EQUAL(b.firmware, "/fw");
    CU_ASSERT_EQUAL(b.nr_disks, 3);
    CU_ASSERT_FALSE(b.disks[0].readwrite);
    CU_ASSERT_TRUE(b.disks[1].is_cdrom);
    CU_ASSERT_PTR_NULL(b.disks[1].target);
    CU_ASSERT_EQUAL(b.disks[2].backend, DOMCFG_DISK_BACKEND_TAP);
    CU_ASSERT_EQUAL(b.disks[2].format, DOMCFG_DISK_FORMAT_QCOW);
    CU_ASSERT_STRING_EQUAL(b.nics[0].script, "s");
    CU_ASSERT_STRING_EQUAL(b.nics[0].backend_domname, "drv");
    CU_ASSERT_EQUAL(b.nics[0].mtu, 1500);
    free(x1);
    free(x2);
    domcfg_free(&a);
    domcfg_free(&b);
}

static void test_warnings_counted(void)
{
    struct domcfg cfg;
    struct diag d;
    const char *xml = "<domain type='xen'><name>w</name><os><type>linux</type><kernel>/k</kernel>"
                      "<nvram/></os><devices><graphics/><input/></devices><seclabel/></domain>";
    CU_ASSERT_EQUAL(load_xml(xml, &cfg, &d), 0);
    CU_ASSERT_EQUAL(d.nr_warnings, 4);
    domcfg_free(&cfg);
}

void register_domxml_tests(void)
{
    CU_pSuite s = CU_add_suite("domxml", NULL, NULL);
    CU_add_test(s, "units", test_units);
    CU_add_test(s, "refusals", test_refusals);
    CU_add_test(s, "write_is_stable", test_write_is_stable);
    CU_add_test(s, "warnings_counted", test_warnings_counted);
}

/* JSON input: the third format, read back from what tl prints. */
static void test_json_input(void)
{
    static const struct { const char *json; const char *error; } bad[] = {
        { "{\"c_info\": {\"name\": 5}}", "j.json: JSON c_info.name: expected a string" },
        { "{\"b_info\": {\"max_vcpus\": 999}}", "j.json: JSON b_info.max_vcpus: expected a whole number from 0 to 128" },
        { "{\"b_info\": {\"avail_vcpus\": [1]}}", "j.json: JSON b_info.avail_vcpus: only vCPUs 0 to n-1 can be online at boot" },
        { "{\"b_info\": {\"vcpu_hard_affinity\": [[0], [1]]}}",
          "j.json: JSON b_info.vcpu_hard_affinity: per-vCPU affinities differ: only one CPU set for all vCPUs is supported" },
        { "{\"disks\": [{\"format\": \"vmdk\"}]}", "j.json: JSON disks[0].format: expected a disk format such as \"raw\" or \"qcow2\"" },
        { "{\"nics\": [{\"mac\": \"01:00:00:00:00:00\"}]}", "j.json: JSON nics[0].mac: expected a unicast MAC such as \"00:16:3e:01:02:03\"" },
        { "{\"on_crash\": \"explode\"}", "j.json: JSON on_crash: expected an action such as \"destroy\", \"restart\" or \"preserve\"" },
        { "[1, 2]", "j.json: JSON: a list must hold exactly one {\"domid\", \"config\"} entry" },
        { "{\"c_info\": ", "j.json: malformed JSON: parse error: premature EOF" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct domcfg cfg;
        struct diag d;
        domcfg_init(&cfg);
        diag_init(&d, "j.json", NULL);
        CU_ASSERT_NOT_EQUAL(config_load_text(bad[i].json, strlen(bad[i].json), NULL, 0, &cfg, &d), 0);
        if (strcmp(d.error, bad[i].error))
            fprintf(stderr, "\n  got:  %s\n  want: %s\n", d.error, bad[i].error);
        CU_ASSERT_STRING_EQUAL(d.error, bad[i].error);
        domcfg_free(&cfg);
    }

    /* The "list -l" form, and an unknown field that only warns. */
    const char *list = "[{\"domid\": 4, \"config\": {\"c_info\": {\"name\": \"l\", \"pool_name\": \"p\"},"
                       " \"b_info\": {\"kernel\": \"/k\", \"max_memkb\": 65536, \"type.pv\": {}}}}]";
    struct domcfg cfg;
    struct diag d;
    domcfg_init(&cfg);
    diag_init(&d, "j.json", NULL);
    CU_ASSERT_EQUAL(config_load_text(list, strlen(list), NULL, 0, &cfg, &d), 0);
    CU_ASSERT_STRING_EQUAL(cfg.name, "l");
    CU_ASSERT_EQUAL(cfg.target_memkb, 65536);
    CU_ASSERT_EQUAL(d.nr_warnings, 1);
    domcfg_free(&cfg);
}

void register_json_tests(void)
{
    CU_pSuite s = CU_add_suite("json", NULL, NULL);
    CU_add_test(s, "json_input", test_json_input);
}
