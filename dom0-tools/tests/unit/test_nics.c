/*
 * The vif checks tl makes before a domain exists, the MACs it gives, and
 * what a network device name may be.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "domain_nics.h"
#include "domcfg_json.h"
#include "netdev.h"
#include "unit.h"
#include "xlcfg.h"

static void add_vif(struct domcfg *cfg, const char *spec)
{
    char why[256];
    struct domcfg_nic *nic = domcfg_add_nic(cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(nic);
    nic->devid = (int)cfg->nr_nics - 1;
    int rc = xlcfg_parse_vif(spec, nic, why, sizeof(why));
    if (rc)
        fprintf(stderr, "vif '%s': %s\n", spec, why);
    CU_ASSERT_EQUAL(rc, 0);
}

static void test_names(void)
{
    CU_ASSERT_TRUE(netdev_name_ok("xenbr0"));
    CU_ASSERT_TRUE(netdev_name_ok("vif12.0"));
    CU_ASSERT_TRUE(netdev_name_ok("fifteen-chars15"));
    CU_ASSERT_FALSE(netdev_name_ok("sixteen-chars-16"));
    CU_ASSERT_FALSE(netdev_name_ok(""));
    CU_ASSERT_FALSE(netdev_name_ok("."));
    CU_ASSERT_FALSE(netdev_name_ok(".."));
    CU_ASSERT_FALSE(netdev_name_ok("a/b"));
    CU_ASSERT_FALSE(netdev_name_ok("eth0:1"));
    CU_ASSERT_FALSE(netdev_name_ok("br 0"));
    /* No device of a bad name exists, and none is a bridge. */
    CU_ASSERT_FALSE(netdev_exists("a/b"));
    CU_ASSERT_FALSE(netdev_is_bridge("../x"));
}

static void test_macs(void)
{
    struct domcfg cfg;
    domcfg_init(&cfg);
    add_vif(&cfg, "bridge=xenbr0");
    add_vif(&cfg, "mac=00:16:3e:12:34:56");
    add_vif(&cfg, "");
    domain_nics_assign_macs(&cfg);
    for (size_t i = 0; i < cfg.nr_nics; i++) {
        const uint8_t *m = cfg.nics[i].mac;
        CU_ASSERT_TRUE(cfg.nics[i].has_mac);
        /* Xen's OUI, a unicast address, the fourth byte below 0x80 as xl. */
        CU_ASSERT_TRUE(m[0] == 0x00 && m[1] == 0x16 && m[2] == 0x3e);
        CU_ASSERT_TRUE(m[3] < 0x80);
    }
    /* A given MAC is kept; two generated ones differ (24 random bits minus one). */
    const uint8_t given[6] = { 0x00, 0x16, 0x3e, 0x12, 0x34, 0x56 };
    CU_ASSERT_EQUAL(memcmp(cfg.nics[1].mac, given, 6), 0);
    CU_ASSERT_NOT_EQUAL(memcmp(cfg.nics[0].mac, cfg.nics[2].mac, 6), 0);
    /* Assigning again changes nothing: a restart keeps them. */
    uint8_t before[6];
    memcpy(before, cfg.nics[0].mac, 6);
    domain_nics_assign_macs(&cfg);
    CU_ASSERT_EQUAL(memcmp(cfg.nics[0].mac, before, 6), 0);
    domcfg_free(&cfg);
}

static void expect_refused(const char *spec1, const char *spec2, int want, const char *reason)
{
    struct domcfg cfg;
    char why[512] = "";
    domcfg_init(&cfg);
    add_vif(&cfg, spec1);
    if (spec2)
        add_vif(&cfg, spec2);
    int rc = domain_nics_check(&cfg, why, sizeof(why));
    if (rc != want || !strstr(why, reason))
        fprintf(stderr, "vifs '%s' '%s': %d '%s', want %d '%s'\n", spec1, spec2 ? spec2 : "", rc,
                why, want, reason);
    CU_ASSERT_EQUAL(rc, want);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, reason));
    domcfg_free(&cfg);
}

static void test_checks(void)
{
    struct domcfg cfg;
    char why[512];
    domcfg_init(&cfg);
    add_vif(&cfg, "bridge=xenbr0,mac=00:16:3e:00:00:01");
    add_vif(&cfg, "bridge=br-lan,vifname=web0,rate=10Mb/s,mtu=9000");
    add_vif(&cfg, "backend=Domain-0");
    CU_ASSERT_EQUAL(domain_nics_check(&cfg, why, sizeof(why)), 0);
    domcfg_free(&cfg);

    expect_refused("bridge=a-bridge-name-too-long", NULL, -EINVAL,
                   "vif 0: bridge 'a-bridge-name-too-long' is not a network device name");
    expect_refused("bridge=xenbr0", "vifname=bad/name", -EINVAL,
                   "vif 1: vifname 'bad/name' is not a network device name");
    expect_refused("backend=3", NULL, -EOPNOTSUPP, "vif 0: backend=3: only dom0 serves");
    expect_refused("mac=00:16:3e:00:00:07", "mac=00:16:3e:00:00:07", -EINVAL,
                   "vif 1: the same MAC (00:16:3e:00:00:07) as vif 0");
    expect_refused("vifname=web0", "vifname=web0", -EINVAL, "vif 1: the same vifname (web0) as vif 0");
    /* lo exists on every Linux host: a vifname may not take it. */
    expect_refused("vifname=lo", NULL, -EEXIST, "vif 0: vifname lo: dom0 has a device of that name");
    /* A script of one's own decides about the bridge itself. */
    domcfg_init(&cfg);
    add_vif(&cfg, "script=vif-openvswitch,bridge=ovs:br0.10");
    CU_ASSERT_EQUAL(domain_nics_check(&cfg, why, sizeof(why)), 0);
    domcfg_free(&cfg);
}

/* A detach removes one vif; the kept config's JSON keeps the others' devids. */
static void test_remove_and_keep_devids(void)
{
    struct domcfg cfg, back;
    domcfg_init(&cfg);
    add_vif(&cfg, "mac=00:16:3e:00:00:01");
    add_vif(&cfg, "mac=00:16:3e:00:00:02,bridge=br1");
    add_vif(&cfg, "mac=00:16:3e:00:00:03");
    domcfg_remove_nic(&cfg, 1);
    CU_ASSERT_EQUAL_FATAL(cfg.nr_nics, 2);
    CU_ASSERT_EQUAL(cfg.nics[0].devid, 0);
    CU_ASSERT_EQUAL(cfg.nics[1].devid, 2);
    CU_ASSERT_EQUAL(cfg.nics[1].mac[5], 3);
    domcfg_remove_nic(&cfg, 5);     /* past the end: nothing */
    CU_ASSERT_EQUAL(cfg.nr_nics, 2);

    char *json = domcfg_to_json(&cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(json);
    struct diag d;
    diag_init(&d, "kept", NULL);
    domcfg_init(&back);
    CU_ASSERT_EQUAL(domcfg_from_json(json, strlen(json), &back, &d), 0);
    CU_ASSERT_EQUAL_FATAL(back.nr_nics, 2);
    CU_ASSERT_EQUAL(back.nics[0].devid, 0);
    CU_ASSERT_EQUAL(back.nics[1].devid, 2);
    CU_ASSERT_EQUAL(back.nics[1].mac[5], 3);
    free(json);
    domcfg_free(&back);

    /* Two nics with one devid: refused. */
    cfg.nics[1].devid = 0;
    json = domcfg_to_json(&cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(json);
    diag_init(&d, "kept", NULL);
    domcfg_init(&back);
    CU_ASSERT_NOT_EQUAL(domcfg_from_json(json, strlen(json), &back, &d), 0);
    free(json);
    domcfg_free(&back);
    domcfg_free(&cfg);
}

void register_nics_tests(void)
{
    CU_pSuite s = CU_add_suite("nics", NULL, NULL);
    CU_add_test(s, "names", test_names);
    CU_add_test(s, "macs", test_macs);
    CU_add_test(s, "checks", test_checks);
    CU_add_test(s, "remove_and_keep_devids", test_remove_and_keep_devids);
}
