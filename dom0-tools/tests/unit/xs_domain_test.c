/*
 * The xenstore entries tl writes for a domain, against xenstore-lite's
 * daemon on a private socket (tests/unit/xs_domain_test.sh starts it and
 * points XENSTORED_PATH at it): every value and owner xl would leave, the
 * guest's own nodes writable by it, and nothing left after removal. Also a
 * split-driver device's backend/frontend pair (xs_device.c).
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "cunit_results.h"
#include "domain_disks.h"
#include "xs_device.h"
#include "xs_domain.h"

static struct xs_handle *xs;
static struct domcfg cfg;
static const uint8_t uuid[16] = { 0x6f, 0x1e, 0x6b, 0x7a, 0x2c, 0x4d, 0x4e, 0x8f,
                                  0x9a, 0x1b, 0x3c, 0x5d, 0x7e, 0x9f, 0x0a, 0x12 };
#define VM "/vm/6f1e6b7a-2c4d-4e8f-9a1b-3c5d7e9f0a12"

static void setup_cfg(void)
{
    domcfg_init(&cfg);
    domcfg_set_str(&cfg.name, "guest-one");
    domcfg_set_str(&cfg.kernel, "/boot/vmlinuz");
    domcfg_set_str(&cfg.cmdline, "console=hvc0");
    cfg.max_vcpus = 3;
    cfg.vcpus = 2;
    cfg.max_memkb = 262144;
    cfg.target_memkb = 131072;
}

static char *rd(const char *path)
{
    return xs_read(xs, XBT_NULL, path, NULL);
}

static void expect(const char *path, const char *value)
{
    char *v = rd(path);
    CU_ASSERT_PTR_NOT_NULL(v);
    if (v && strcmp(v, value))
        fprintf(stderr, "%s = '%s', expected '%s'\n", path, v, value);
    CU_ASSERT(v && strcmp(v, value) == 0);
    free(v);
}

/* Owner and the access of the second entry, as xenstore-ls -p shows "n0,r7". */
static void expect_perms(const char *path, unsigned owner, unsigned other, unsigned other_perms)
{
    unsigned n = 0;
    struct xs_permissions *p = xs_get_permissions(xs, XBT_NULL, path, &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_EQUAL(p[0].id, owner);
    CU_ASSERT_EQUAL(p[0].perms, XS_PERM_NONE);
    if (n == 2) {
        CU_ASSERT_EQUAL(p[1].id, other);
        CU_ASSERT_EQUAL(p[1].perms, other_perms);
    }
    free(p);
}

static void test_entries(void)
{
    struct built_domain b = { .domid = 7, .created = true, .console_port = 1, .store_port = 2,
                              .console_mfn = 0x12345, .store_mfn = 0x12346, .nr_pages = 32768 };
    char why[256] = "";
    setup_cfg();
    CU_ASSERT_EQUAL_FATAL(xs_domain_write(xs, &cfg, uuid, &b, why, sizeof(why)), 0);

    expect("/local/domain/7/name", "guest-one");
    expect("/local/domain/7/domid", "7");
    expect("/local/domain/7/vm", VM);
    expect("/local/domain/7/memory/static-max", "262144");
    expect("/local/domain/7/memory/target", "131072");
    expect("/local/domain/7/cpu/0/availability", "online");
    expect("/local/domain/7/cpu/1/availability", "online");
    expect("/local/domain/7/cpu/2/availability", "offline");
    expect("/local/domain/7/store/port", "2");
    expect("/local/domain/7/store/ring-ref", "74566");
    expect("/local/domain/7/console/port", "1");
    expect("/local/domain/7/console/ring-ref", "74565");
    expect("/local/domain/7/console/type", "xenconsoled");
    expect("/local/domain/7/console/backend", "/local/domain/0/backend/console/7/0");
    expect("/local/domain/7/control/shutdown", "");
    expect("/local/domain/0/backend/console/7/0/frontend", "/local/domain/7/console");
    expect("/local/domain/0/backend/console/7/0/frontend-id", "7");
    expect(VM "/uuid", "6f1e6b7a-2c4d-4e8f-9a1b-3c5d7e9f0a12");
    expect(VM "/name", "guest-one");
    expect(VM "/image/kernel", "/boot/vmlinuz");
    expect(VM "/image/cmdline", "console=hvc0");
    expect("/libxl/7/type", "pv");

    /* dom0 owns, the guest reads; the guest owns what it writes. */
    expect_perms("/local/domain/7", 0, 7, XS_PERM_READ);
    expect_perms("/local/domain/7/memory/target", 0, 7, XS_PERM_READ);
    expect_perms("/local/domain/7/store/ring-ref", 0, 7, XS_PERM_READ);
    expect_perms("/local/domain/7/control/shutdown", 7, 0, XS_PERM_READ);
    expect_perms("/local/domain/7/data", 7, 0, XS_PERM_READ);
    expect_perms("/local/domain/7/console/tty", 7, 0, XS_PERM_READ);
    expect_perms("/local/domain/0/backend/console/7/0/state", 0, 7, XS_PERM_READ);
    expect_perms(VM "/name", 0, 7, XS_PERM_READ);

    CU_ASSERT_EQUAL(xs_domain_rename(xs, 7, "guest-two"), 0);
    expect("/local/domain/7/name", "guest-two");
    expect(VM "/name", "guest-two");
    char *name = xs_domain_name_of(xs, 7);
    CU_ASSERT_STRING_EQUAL(name, "guest-two");
    free(name);

    xs_domain_remove(xs, 7);
    char *gone[] = { rd("/local/domain/7"), rd(VM), rd("/local/domain/0/backend/console/7"),
                     rd("/libxl/7") };
    for (size_t i = 0; i < 4; i++) {
        CU_ASSERT_PTR_NULL(gone[i]);
        free(gone[i]);
    }
    /* Removing again (a failed create cleaning up) is harmless. */
    xs_domain_remove(xs, 7);
    domcfg_free(&cfg);
}

/* A vbd pair as libxl writes it: links both ways, keys, owners, states. */
static void test_device(void)
{
    struct xs_device d = { .kind = "vbd", .backend_domid = 0, .domid = 9, .devid = 51728 };
    const struct xs_kv back[] = { { "params", "/img" }, { "mode", "w" }, { "state", "1" } };
    const struct xs_kv front[] = { { "virtual-device", "51728" }, { "state", "1" } };
    char why[256], be[160], fe[160];
    xs_device_backend_path(&d, be, sizeof(be));
    xs_device_frontend_path(&d, fe, sizeof(fe));
    CU_ASSERT_STRING_EQUAL(be, "/local/domain/0/backend/vbd/9/51728");
    CU_ASSERT_STRING_EQUAL(fe, "/local/domain/9/device/vbd/51728");

    CU_ASSERT_EQUAL_FATAL(xs_device_add(xs, &d, back, 3, front, 2, why, sizeof(why)), 0);
    expect("/local/domain/0/backend/vbd/9/51728/frontend", fe);
    expect("/local/domain/0/backend/vbd/9/51728/frontend-id", "9");
    expect("/local/domain/0/backend/vbd/9/51728/params", "/img");
    expect("/local/domain/9/device/vbd/51728/backend", be);
    expect("/local/domain/9/device/vbd/51728/backend-id", "0");
    expect("/local/domain/9/device/vbd/51728/virtual-device", "51728");
    /* dom0 owns the backend, the guest reads it; the guest owns its frontend. */
    expect_perms(be, 0, 9, XS_PERM_READ);
    expect_perms("/local/domain/0/backend/vbd/9/51728/mode", 0, 9, XS_PERM_READ);
    expect_perms(fe, 9, 0, XS_PERM_READ);
    expect_perms("/local/domain/9/device/vbd/51728/state", 9, 0, XS_PERM_READ);

    /* The same device twice is refused, and the first is left as it was. */
    CU_ASSERT_EQUAL(xs_device_add(xs, &d, back, 3, front, 2, why, sizeof(why)), -EEXIST);
    CU_ASSERT_STRING_EQUAL(why, "the domain has vbd device 51728 already");
    expect("/local/domain/0/backend/vbd/9/51728/params", "/img");

    int last;
    CU_ASSERT_EQUAL(xs_device_wait_state(xs, be, XENBUS_INITIALISING, 0, &last), 1);
    CU_ASSERT_EQUAL(xs_device_wait_state(xs, be, XENBUS_INIT_WAIT, 100, &last), -ETIMEDOUT);
    CU_ASSERT_EQUAL(last, 1);
    CU_ASSERT(xs_write(xs, XBT_NULL, "/local/domain/0/backend/vbd/9/51728/state", "4", 1));
    CU_ASSERT_EQUAL(xs_device_wait_state(xs, be, XENBUS_INIT_WAIT, 100, &last), 4);

    /* Detach: a front end that never closes leaves the disk as it was... */
    CU_ASSERT_EQUAL(domain_disk_detach(xs, 9, 51728, false, 200, why, sizeof(why)), -ETIMEDOUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "did not close it"));
    expect("/local/domain/0/backend/vbd/9/51728/online", "1");
    expect("/local/domain/0/backend/vbd/9/51728/state", "4");
    expect("/local/domain/9/device/vbd/51728/virtual-device", "51728");
    /* ...unless forced; a disk the domain does not have is -ENOENT. */
    CU_ASSERT_EQUAL(domain_disk_detach(xs, 9, 51728, true, 200, why, sizeof(why)), 0);
    char *detached[] = { rd(be), rd(fe) };
    CU_ASSERT_PTR_NULL(detached[0]);
    CU_ASSERT_PTR_NULL(detached[1]);
    free(detached[0]);
    free(detached[1]);
    CU_ASSERT_EQUAL(domain_disk_detach(xs, 9, 51728, false, 200, why, sizeof(why)), -ENOENT);
    CU_ASSERT_EQUAL_FATAL(xs_device_add(xs, &d, back, 3, front, 2, why, sizeof(why)), 0);

    /* domain_disks_remove takes every vbd of the domain, nodes and all. */
    domain_disks_remove(xs, 9);
    char *gone[] = { rd(be), rd(fe), rd("/local/domain/0/backend/vbd/9") };
    for (size_t i = 0; i < 3; i++) {
        CU_ASSERT_PTR_NULL(gone[i]);
        free(gone[i]);
    }
    CU_ASSERT_EQUAL(xs_device_wait_state(xs, be, XENBUS_INIT_WAIT, 0, &last), -ENOENT);
    xs_rm(xs, XBT_NULL, "/local/domain/9");
}

int main(void)
{
    xs = xs_open(0);
    if (!xs) {
        perror("xs_open (is XENSTORED_PATH set to a running daemon?)");
        return 2;
    }
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite s = CU_add_suite("xs_domain", NULL, NULL);
    CU_add_test(s, "entries_owners_rename_remove", test_entries);
    CU_add_test(s, "device_pair", test_device);
    int rc = cunit_run_and_record("dom0-tools/unit");
    xs_close(xs);
    return rc;
}
