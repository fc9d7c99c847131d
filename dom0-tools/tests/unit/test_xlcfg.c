/*
 * xl.cfg syntax, key handling, the disk and vif specification strings and
 * the model's value parsers.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "domcfg.h"
#include "xlcfg.h"
#include "unit.h"

static int parse_text(const char *text, struct xlcfg_file *f, struct diag *d)
{
    diag_init(d, "t.cfg", NULL);
    memset(f, 0, sizeof(*f));
    return xlcfg_parse(text, strlen(text), f, d);
}

static void test_syntax_values(void)
{
    struct xlcfg_file f;
    struct diag d;
    const char *text =
        "# comment\n"
        "a = \"dq \\\"x\\\" \\t\\x41\\101\" # trailing\n"
        "b='single'\n"
        "c = 0x1F ; d = 42\n"
        "e = [ 'one', \"two\",\n"
        "      3, # comment inside\n"
        "    ]\n"
        "f = [] \\\n"
        "\n"
        "g += \"more\"\r\n";
    CU_ASSERT_EQUAL_FATAL(parse_text(text, &f, &d), 0);
    CU_ASSERT_EQUAL_FATAL(f.nr_settings, 7);
    CU_ASSERT_STRING_EQUAL(f.settings[0].scalar.text, "dq \"x\" \tAA");
    CU_ASSERT_EQUAL(f.settings[0].scalar.kind, XLCFG_STRING);
    CU_ASSERT_STRING_EQUAL(f.settings[1].scalar.text, "single");
    CU_ASSERT_EQUAL(f.settings[2].kind, XLCFG_NUMBER);
    CU_ASSERT_STRING_EQUAL(f.settings[2].scalar.text, "0x1F");
    CU_ASSERT_STRING_EQUAL(f.settings[3].key, "d");
    CU_ASSERT_EQUAL(f.settings[3].line, 4);
    CU_ASSERT_EQUAL(f.settings[3].col, 12);
    CU_ASSERT_EQUAL(f.settings[4].kind, XLCFG_LIST);
    CU_ASSERT_EQUAL(f.settings[4].nr_items, 3);
    CU_ASSERT_STRING_EQUAL(f.settings[4].items[1].text, "two");
    CU_ASSERT_EQUAL(f.settings[4].items[2].kind, XLCFG_NUMBER);
    CU_ASSERT_EQUAL(f.settings[4].items[2].line, 6);
    CU_ASSERT_EQUAL(f.settings[5].nr_items, 0);
    CU_ASSERT_TRUE(f.settings[6].append);
    xlcfg_file_free(&f);
}

static void expect_error(const char *text, const char *message)
{
    struct xlcfg_file f;
    struct diag d;
    CU_ASSERT_EQUAL(parse_text(text, &f, &d), -22);
    CU_ASSERT_STRING_EQUAL(d.error, message);
    xlcfg_file_free(&f);
}

static void test_syntax_errors(void)
{
    expect_error("a = 'x", "t.cfg:1:5: unterminated string: expected a closing ' before end of file");
    expect_error("a", "t.cfg:1:2: expected '=' after 'a', found end of file");
    expect_error("= 3", "t.cfg:1:1: expected a setting name, found '='");
    expect_error("a = 12ab", "t.cfg:1:7: expected a digit, found 'a' in a number");
    expect_error("a = [1 2]", "t.cfg:1:8: expected ',' or ']' in list, found '2'");
    expect_error("a = 1 \\ b", "t.cfg:1:7: stray backslash: a line continuation must end its line");
    expect_error("a = \"\\x00\"", "t.cfg:1:6: \\x escape gives a NUL byte");
    expect_error("a = \"\\777\"", "t.cfg:1:6: octal escape must give a byte from 1 to 255");
    expect_error("a = 0x", "t.cfg:1:5: expected hex digits after 0x");
    expect_error("a = \x01", "t.cfg:1:5: expected a quoted string, a number or a [list], found a control or non-ASCII byte");
}

static int load(const char *text, struct domcfg *cfg, struct diag *d)
{
    domcfg_init(cfg);
    diag_init(d, "t.cfg", NULL);
    return xlcfg_load(text, strlen(text), NULL, 0, cfg, d);
}

static void test_keys_and_defaults(void)
{
    struct domcfg cfg;
    struct diag d;
    CU_ASSERT_EQUAL_FATAL(load("name='a'\nkernel='/k'\nmaxvcpus=4\nmaxmem=64\nroot='/dev/xvda'\n"
                               "unknown_thing=1\nvnc=1\nmemory='48'\nhap=1\n", &cfg, &d), 0);
    CU_ASSERT_EQUAL(cfg.vcpus, 4);
    CU_ASSERT_EQUAL(cfg.max_vcpus, 4);
    CU_ASSERT_EQUAL(cfg.target_memkb, 48 * 1024);
    CU_ASSERT_EQUAL(cfg.max_memkb, 64 * 1024);
    CU_ASSERT_STRING_EQUAL(cfg.cmdline, "root=/dev/xvda");
    CU_ASSERT_EQUAL(cfg.on_reboot, DOMCFG_ACTION_RESTART);
    /* unknown key, ignored key, hap on a PV guest */
    CU_ASSERT_EQUAL(d.nr_warnings, 3);
    domcfg_free(&cfg);

    /* Later settings replace earlier ones; disk= replaces, disk+= appends. */
    CU_ASSERT_EQUAL_FATAL(load("name='a'\nkernel='/k'\nname='b'\ndisk=['/x,,xvda']\ndisk=['/y,,xvdb']\n"
                               "disk+=['/z,,xvdc']\nvif=['']\nvif+=['bridge=br1']\n", &cfg, &d), 0);
    CU_ASSERT_STRING_EQUAL(cfg.name, "b");
    CU_ASSERT_EQUAL_FATAL(cfg.nr_disks, 2);
    CU_ASSERT_STRING_EQUAL(cfg.disks[0].vdev, "xvdb");
    CU_ASSERT_STRING_EQUAL(cfg.disks[1].vdev, "xvdc");
    CU_ASSERT_EQUAL_FATAL(cfg.nr_nics, 2);
    CU_ASSERT_EQUAL(cfg.nics[1].devid, 1);
    domcfg_free(&cfg);

    CU_ASSERT_EQUAL(load("name='a'\nkernel='/k'\nvcpus=0\n", &cfg, &d), -22);
    CU_ASSERT_STRING_EQUAL(d.error, "t.cfg:3:7: 'vcpus' expects a number from 1 to 128");
    domcfg_free(&cfg);
    CU_ASSERT_EQUAL(load("name='a'\nkernel=['/k']\n", &cfg, &d), -22);
    CU_ASSERT_STRING_EQUAL(d.error, "t.cfg:2:1: 'kernel' expects a single quoted string, not a list");
    domcfg_free(&cfg);
    CU_ASSERT_EQUAL(load("name='a'\nkernel='/k'\nmemory=64\nmaxmem=32\n", &cfg, &d), -22);
    CU_ASSERT_STRING_EQUAL(d.error, "t.cfg: memory is larger than maxmem");
    domcfg_free(&cfg);
    CU_ASSERT_EQUAL(load("name='a/b'\nkernel='/k'\n", &cfg, &d), -22);
    domcfg_free(&cfg);
    CU_ASSERT_EQUAL(load("name='123'\nkernel='/k'\n", &cfg, &d), -22);
    domcfg_free(&cfg);
}

static void test_overrides(void)
{
    struct domcfg cfg;
    struct diag d;
    const char *ov[] = { "memory=256", "name=\"over\"" };
    const char *text = "name='a'\nkernel='/k'\nmemory=64\n";
    domcfg_init(&cfg);
    diag_init(&d, "t.cfg", NULL);
    CU_ASSERT_EQUAL_FATAL(xlcfg_load(text, strlen(text), ov, 2, &cfg, &d), 0);
    CU_ASSERT_EQUAL(cfg.target_memkb, 256 * 1024);
    CU_ASSERT_STRING_EQUAL(cfg.name, "over");
    domcfg_free(&cfg);

    const char *bad[] = { "memory=" };
    domcfg_init(&cfg);
    diag_init(&d, "t.cfg", NULL);
    CU_ASSERT_EQUAL(xlcfg_load(text, strlen(text), bad, 1, &cfg, &d), -22);
    CU_ASSERT_PTR_NOT_NULL(strstr(d.error, "override 'memory=': command line:1:8:"));
    domcfg_free(&cfg);
}

static int disk(const char *spec, struct domcfg_disk *out, char *why)
{
    memset(out, 0, sizeof(*out));
    return xlcfg_parse_disk(spec, out, why, 200);
}

static void free_disk(struct domcfg_disk *d)
{
    free(d->target);
    free(d->vdev);
    free(d->script);
    free(d->backend_domname);
}

/* The equivalent forms listed in xl-disk-configuration(5). */
static void test_disk_equivalent_forms(void)
{
    static const char *const forms[] = {
        "/dev/vg/guest-volume,,hda",
        "/dev/vg/guest-volume,raw,hda,rw",
        "format=raw, vdev=hda, access=rw, target=/dev/vg/guest-volume",
        "raw:/dev/vg/guest-volume,hda,w",
    };
    static const char *const cdroms[] = {
        "/root/image.iso,,hdc,cdrom",
        "/root/image.iso,,hdc,,cdrom",
        "/root/image.iso,raw,hdc,devtype=cdrom",
        "format=raw, vdev=hdc, access=ro, devtype=cdrom, target=/root/image.iso",
        "raw:/root/image.iso,hdc:cdrom,ro",
    };
    struct domcfg_disk d;
    char why[200];
    for (size_t i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL_FATAL(disk(forms[i], &d, why), 0);
        CU_ASSERT_STRING_EQUAL(d.target, "/dev/vg/guest-volume");
        CU_ASSERT_STRING_EQUAL(d.vdev, "hda");
        CU_ASSERT_EQUAL(d.format, DOMCFG_DISK_FORMAT_RAW);
        CU_ASSERT_TRUE(d.readwrite);
        CU_ASSERT_FALSE(d.is_cdrom);
        free_disk(&d);
    }
    for (size_t i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL_FATAL(disk(cdroms[i], &d, why), 0);
        CU_ASSERT_STRING_EQUAL(d.target, "/root/image.iso");
        CU_ASSERT_STRING_EQUAL(d.vdev, "hdc");
        CU_ASSERT_FALSE(d.readwrite);
        CU_ASSERT_TRUE(d.is_cdrom);
        free_disk(&d);
    }
    CU_ASSERT_EQUAL_FATAL(disk(",hdc:cdrom,r", &d, why), 0);
    CU_ASSERT_PTR_NULL(d.target);
    CU_ASSERT_TRUE(d.is_cdrom);
    free_disk(&d);
    CU_ASSERT_EQUAL_FATAL(disk("tap:aio:qcow2:/img.q,xvda,w", &d, why), 0);
    CU_ASSERT_EQUAL(d.format, DOMCFG_DISK_FORMAT_QCOW2);
    CU_ASSERT_STRING_EQUAL(d.target, "/img.q");
    free_disk(&d);
    CU_ASSERT_EQUAL_FATAL(disk("vdev=xvda, target=/a b, c=d", &d, why), 0);
    CU_ASSERT_STRING_EQUAL(d.target, "/a b, c=d");
    free_disk(&d);
}

static void test_disk_errors(void)
{
    struct domcfg_disk d;
    char why[200];
    CU_ASSERT_EQUAL(disk("/a,raw,xvda,rw,extra", &d, why), -22);
    CU_ASSERT_STRING_EQUAL(why, "too many positional parameters at 'extra'");
    free_disk(&d);
    CU_ASSERT_EQUAL(disk("vdev=xvda,colo-host=h,target=/a", &d, why), -22);
    free_disk(&d);
    CU_ASSERT_EQUAL(disk("/a,,xvda,rx", &d, why), -22);
    CU_ASSERT_STRING_EQUAL(why, "access must be rw, w, ro or r, not 'rx'");
    free_disk(&d);
    CU_ASSERT_EQUAL(disk("/a,qcow2,xvda,backendtype=phy", &d, why), -22);
    free_disk(&d);
    CU_ASSERT_EQUAL(disk("/a,,XVDA", &d, why), -22);
    free_disk(&d);
    CU_ASSERT_EQUAL(disk("/a,,xvda:floppy", &d, why), -22);
    free_disk(&d);
    CU_ASSERT_EQUAL(disk("bogus=1,/a,,xvda", &d, why), -22);
    CU_ASSERT_STRING_EQUAL(why, "unknown disk parameter 'bogus'");
    free_disk(&d);
}

static void free_nic(struct domcfg_nic *n)
{
    free(n->bridge);
    free(n->ip);
    free(n->script);
    free(n->backend_domname);
    free(n->ifname);
    free(n->model);
}

static void test_vif(void)
{
    struct domcfg_nic n;
    char why[200];
    memset(&n, 0, sizeof(n));
    CU_ASSERT_EQUAL_FATAL(xlcfg_parse_vif(" mac=00:16:3E:0a:0b:0c , bridge=br0,ip=10.0.0.1, script=vif-route,"
                                          "backend=drv, vifname=v1, model=e1000, type=vif, mtu=9000, rate=1MB/s",
                                          &n, why, sizeof(why)), 0);
    CU_ASSERT_TRUE(n.has_mac);
    CU_ASSERT_EQUAL(n.mac[3], 0x0a);
    CU_ASSERT_STRING_EQUAL(n.bridge, "br0");
    CU_ASSERT_STRING_EQUAL(n.backend_domname, "drv");
    CU_ASSERT_EQUAL(n.mtu, 9000);
    CU_ASSERT_EQUAL(n.rate_interval_usecs, 50000);
    CU_ASSERT_EQUAL(n.rate_bytes_per_interval, 50000);   /* 1 MB/s over 50 ms */
    free_nic(&n);

    static const char *const bad[] = { "mac=01:00:5e:00:00:01", "rate=0Mb/s", "rate=10Mb/s@5ks", "mtu=20",
                                       "type=ioemu", "colour=blue", "justaword", "rate=99999999999999999GB/s@9s" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&n, 0, sizeof(n));
        CU_ASSERT_EQUAL(xlcfg_parse_vif(bad[i], &n, why, sizeof(why)), -22);
        free_nic(&n);
    }
}

static void test_value_parsers(void)
{
    uint64_t map[DOMCFG_MAX_CPUS / 64];
    CU_ASSERT_EQUAL(domcfg_cpumap_parse("0-3,8,^2", map), 0);
    CU_ASSERT_EQUAL(map[0], 0x10bULL);
    char *s = domcfg_cpumap_format(map);
    CU_ASSERT_STRING_EQUAL(s, "0-1,3,8");
    free(s);
    CU_ASSERT_EQUAL(domcfg_cpumap_parse("all", map), 0);
    CU_ASSERT_EQUAL(map[3], UINT64_MAX);
    CU_ASSERT_NOT_EQUAL(domcfg_cpumap_parse("3-1", map), 0);
    CU_ASSERT_NOT_EQUAL(domcfg_cpumap_parse("256", map), 0);
    CU_ASSERT_NOT_EQUAL(domcfg_cpumap_parse("1,,2", map), 0);
    CU_ASSERT_NOT_EQUAL(domcfg_cpumap_parse("-1", map), 0);

    uint8_t uuid[16];
    char text[37];
    CU_ASSERT_EQUAL(domcfg_uuid_parse("00112233-4455-6677-8899-AABBCCDDEEFF", uuid), 0);
    domcfg_uuid_format(uuid, text);
    CU_ASSERT_STRING_EQUAL(text, "00112233-4455-6677-8899-aabbccddeeff");
    CU_ASSERT_NOT_EQUAL(domcfg_uuid_parse("00112233-4455-6677-8899-AABBCCDDEEF", uuid), 0);
    CU_ASSERT_NOT_EQUAL(domcfg_uuid_parse("0011223344556677-8899-AABBCCDDEEFF00", uuid), 0);
    CU_ASSERT_NOT_EQUAL(domcfg_uuid_parse("00112233-4455-6677-8899-AABBCCDDEEFG", uuid), 0);

    enum domcfg_action a;
    CU_ASSERT_EQUAL(domcfg_action_parse("rename-restart", &a), 0);
    CU_ASSERT_EQUAL(a, DOMCFG_ACTION_RESTART_RENAME);
    CU_ASSERT_EQUAL(domcfg_action_parse("coredump_destroy", &a), 0);
    CU_ASSERT_STRING_EQUAL(domcfg_action_json_name(a), "coredump_destroy");
    CU_ASSERT_NOT_EQUAL(domcfg_action_parse("reboot", &a), 0);
}

static void test_write_reads_back(void)
{
    struct domcfg cfg, again;
    struct diag d;
    const char *text = "name='w\"q\"\\\\'\nkernel='/k'\ncmdline='a\\tb'\nmaxmem=128\nmemory=64\nvcpus=2\n"
                       "maxvcpus=3\ncpus='1-2'\ncap=50\ncpu_weight=300\non_crash='preserve'\n"
                       "disk=['/a,qcow2,xvda,ro,backendtype=qdisk,backend=dd,script=s,direct-io-safe,no-discard']\n"
                       "vif=['mac=00:16:3e:00:00:01,bridge=b,ip=1.2.3.4,script=s,backend=d,vifname=v,model=m,"
                       "mtu=1400,rate=5Mb/s@10ms']\n";
    CU_ASSERT_EQUAL_FATAL(load(text, &cfg, &d), 0);
    char *out = xlcfg_write(&cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_EQUAL_FATAL(load(out, &again, &d), 0);
    CU_ASSERT_STRING_EQUAL(again.name, "w\"q\"\\");
    CU_ASSERT_STRING_EQUAL(again.cmdline, "a\tb");
    CU_ASSERT_EQUAL(again.max_memkb, cfg.max_memkb);
    CU_ASSERT_EQUAL(again.max_vcpus, 3);
    CU_ASSERT_EQUAL(again.cpumap[0], 6);
    CU_ASSERT_EQUAL(again.sched_cap, 50);
    CU_ASSERT_EQUAL(again.sched_weight, 300);
    CU_ASSERT_EQUAL(again.disks[0].format, DOMCFG_DISK_FORMAT_QCOW2);
    CU_ASSERT_EQUAL(again.disks[0].backend, DOMCFG_DISK_BACKEND_QDISK);
    CU_ASSERT_EQUAL(again.disks[0].discard, DOMCFG_FALSE);
    CU_ASSERT_TRUE(again.disks[0].direct_io_safe);
    CU_ASSERT_FALSE(again.disks[0].readwrite);
    CU_ASSERT_EQUAL(again.nics[0].rate_bytes_per_interval, cfg.nics[0].rate_bytes_per_interval);
    CU_ASSERT_EQUAL(again.nics[0].rate_interval_usecs, 10000);
    CU_ASSERT_EQUAL(again.nics[0].mtu, 1400);
    free(out);
    domcfg_free(&cfg);
    domcfg_free(&again);
}

void register_xlcfg_tests(void)
{
    CU_pSuite s = CU_add_suite("xlcfg", NULL, NULL);
    CU_add_test(s, "syntax_values", test_syntax_values);
    CU_add_test(s, "syntax_errors", test_syntax_errors);
    CU_add_test(s, "keys_and_defaults", test_keys_and_defaults);
    CU_add_test(s, "overrides", test_overrides);
    CU_add_test(s, "disk_equivalent_forms", test_disk_equivalent_forms);
    CU_add_test(s, "disk_errors", test_disk_errors);
    CU_add_test(s, "vif", test_vif);
    CU_add_test(s, "value_parsers", test_value_parsers);
    CU_add_test(s, "write_reads_back", test_write_reads_back);
}
