/*
 * vdev names to Xen's virtual-device numbers (docs/misc/vbd-interface.txt
 * of Xen, and what libxl computes), and the disk checks tl makes before a
 * domain exists.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain_disks.h"
#include "unit.h"
#include "vdev.h"

static void test_numbers(void)
{
    static const struct { const char *vdev; int32_t want; } cases[] = {
        { "xvda", 51712 }, { "xvdb", 51728 }, { "xvda1", 51713 }, { "xvdp15", 51967 },
        /* past disk 15 or partition 15: the extended form */
        { "xvdq", (1 << 28) | (16 << 8) }, { "xvda16", (1 << 28) | 16 },
        { "xvdz", (1 << 28) | (25 << 8) }, { "xvdaa", (1 << 28) | (26 << 8) },
        { "xvdaa3", (1 << 28) | (26 << 8) | 3 }, { "xvdb255", (1 << 28) | (1 << 8) | 255 },
        /* dDpP spells the same numbers */
        { "d0p0", 51712 }, { "d1p0", 51728 }, { "d16p0", (1 << 28) | (16 << 8) },
        { "d1048575p255", (1 << 28) | (1048575 << 8) | 255 },
        /* IDE: hda/hdb on major 3, hdc/hdd on 22; 64 minors each */
        { "hda", 3 << 8 }, { "hdb", (3 << 8) | 64 }, { "hdc", 22 << 8 }, { "hdd", (22 << 8) | 64 },
        { "hda1", (3 << 8) | 1 }, { "hdd63", (22 << 8) | 64 | 63 },
        /* SCSI: major 8, 16 minors a disk */
        { "sda", 8 << 8 }, { "sdb", (8 << 8) | 16 }, { "sdp15", (8 << 8) | 255 },
        /* a number is taken as it is */
        { "51712", 51712 }, { "0x10", 16 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int32_t got = vdev_number(cases[i].vdev);
        if (got != cases[i].want)
            fprintf(stderr, "vdev %s: %d, want %d\n", cases[i].vdev, got, cases[i].want);
        CU_ASSERT_EQUAL(got, cases[i].want);
    }
}

static void test_refused(void)
{
    static const char *const bad[] = {
        "", "xvd", "xvda0", "xvda01", "xvda256", "xvdA", "xvda1x", "hde", "hda64", "sdq",
        "sda16", "vda", "d1048576p0", "d0p256", "dp1", "d1", "d1p", "-1", "99999999999",
        "xvdaaaaaa",    /* past 2^20 - 1 disks */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int32_t got = vdev_number(bad[i]);
        if (got >= 0)
            fprintf(stderr, "vdev '%s' gave %d\n", bad[i], got);
        CU_ASSERT(got < 0);
    }
    CU_ASSERT(vdev_number(NULL) < 0);
}

static void add_disk(struct domcfg *cfg, const char *target, const char *vdev)
{
    struct domcfg_disk *d = domcfg_add_disk(cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    domcfg_set_str(&d->target, target);
    domcfg_set_str(&d->vdev, vdev);
    d->format = DOMCFG_DISK_FORMAT_RAW;
    d->readwrite = true;
}

/* The checks before the domain is built, each with its reason. */
static void test_disk_checks(void)
{
    char file[] = "/tmp/tl-vdev-test-XXXXXX", why[512];
    int fd = mkstemp(file);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    struct domcfg cfg;

    domcfg_init(&cfg);
    add_disk(&cfg, file, "xvda");
    add_disk(&cfg, file, "xvdb");
    CU_ASSERT_EQUAL(domain_disks_check(&cfg, why, sizeof(why)), 0);
    domcfg_free(&cfg);

    domcfg_init(&cfg);
    add_disk(&cfg, file, "xvdb");
    add_disk(&cfg, file, "d1p0");
    CU_ASSERT_EQUAL(domain_disks_check(&cfg, why, sizeof(why)), -EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "disk d1p0: the same virtual device (51728) as xvdb"));
    domcfg_free(&cfg);

    domcfg_init(&cfg);
    add_disk(&cfg, "/nonexistent/disk.img", "xvda");
    CU_ASSERT_EQUAL(domain_disks_check(&cfg, why, sizeof(why)), -ENOENT);
    CU_ASSERT_STRING_EQUAL(why, "disk xvda: /nonexistent/disk.img: No such file or directory");
    domcfg_free(&cfg);

    domcfg_init(&cfg);
    add_disk(&cfg, file, "vda");
    CU_ASSERT_EQUAL(domain_disks_check(&cfg, why, sizeof(why)), -EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "disk vda: not a name Xen knows"));
    domcfg_free(&cfg);

    domcfg_init(&cfg);
    add_disk(&cfg, file, "xvda");
    cfg.disks[0].format = DOMCFG_DISK_FORMAT_QCOW2;
    /* A qcow2 goes to QEMU's qdisk backend: refused only without a QEMU to run. */
    setenv("TL_DEVICE_MODEL", "/nonexistent/qemu", 1);
    CU_ASSERT_EQUAL(domain_disks_check(&cfg, why, sizeof(why)), -EOPNOTSUPP);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "disk xvda: format qcow2 needs QEMU's qdisk backend: "
                                       "/nonexistent/qemu: No such file or directory"));
    setenv("TL_DEVICE_MODEL", "/bin/true", 1);
    CU_ASSERT_EQUAL(domain_disks_check(&cfg, why, sizeof(why)), 0);
    domcfg_set_str(&cfg.disks[0].script, "block-iscsi");
    CU_ASSERT_EQUAL(domain_disks_check(&cfg, why, sizeof(why)), -EOPNOTSUPP);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "script= with format qcow2: QEMU opens the image itself"));
    domcfg_set_str(&cfg.disks[0].script, NULL);
    unsetenv("TL_DEVICE_MODEL");
    cfg.disks[0].format = DOMCFG_DISK_FORMAT_RAW;
    domcfg_set_str(&cfg.disks[0].backend_domname, "driver-dom");
    CU_ASSERT_EQUAL(domain_disks_check(&cfg, why, sizeof(why)), -EOPNOTSUPP);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "only dom0 serves disks"));
    /* A script finds its own device: the target need not be a file. */
    domcfg_set_str(&cfg.disks[0].backend_domname, NULL);
    domcfg_set_str(&cfg.disks[0].target, "iqn.2001-04.com.example:disk");
    domcfg_set_str(&cfg.disks[0].script, "block-iscsi");
    CU_ASSERT_EQUAL(domain_disks_check(&cfg, why, sizeof(why)), 0);
    domcfg_free(&cfg);
    unlink(file);
}

void register_vdev_tests(void)
{
    CU_pSuite s = CU_add_suite("vdev", NULL, NULL);
    CU_add_test(s, "numbers", test_numbers);
    CU_add_test(s, "refused", test_refused);
    CU_add_test(s, "disk_checks", test_disk_checks);
}
