#include <string.h>

#include "harness.h"

static void setup(void) { th_reset(); }

static struct xsd_conn *dom0;

static void make_home(unsigned domid)
{
    char path[64], owner[16];
    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    snprintf(owner, sizeof(owner), "n%u", domid);
    th_write(dom0, 0, path, "");
    ASSERT_OK(th_callv(dom0, XS_SET_PERMS, 0, path, owner, NULL));
}

static void default_perm_none_hides_nodes(void)
{
    dom0 = th_conn(0, true);
    struct xsd_conn *g = th_conn(5, false);
    th_write(dom0, 0, "/secret", "s");
    ASSERT_ERR(th_callv(g, XS_READ, 0, "/secret", NULL), "EACCES");
    CU_ASSERT_FALSE(th_write(g, 0, "/secret", "x"));
    ASSERT_ERR(th_callv(g, XS_DIRECTORY, 0, "/", NULL), "EACCES");
    CU_ASSERT_STRING_EQUAL(th_read(dom0, 0, "/secret"), "s");
}

static void explicit_entries_and_default(void)
{
    dom0 = th_conn(0, true);
    struct xsd_conn *g5 = th_conn(5, false), *g6 = th_conn(6, false);
    th_write(dom0, 0, "/p", "v");
    ASSERT_OK(th_callv(dom0, XS_SET_PERMS, 0, "/p", "n0", "r5", "w6", NULL));
    CU_ASSERT_STRING_EQUAL(th_read(g5, 0, "/p"), "v");
    CU_ASSERT_FALSE(th_write(g5, 0, "/p", "x"));
    ASSERT_ERR(th_callv(g6, XS_READ, 0, "/p", NULL), "EACCES");
    CU_ASSERT_TRUE(th_write(g6, 0, "/p", "from6"));
    /* Default for everyone not listed. */
    ASSERT_OK(th_callv(dom0, XS_SET_PERMS, 0, "/p", "r0", NULL));
    CU_ASSERT_STRING_EQUAL(th_read(th_conn(9, false), 0, "/p"), "from6");
}

static void creator_owns_new_nodes(void)
{
    dom0 = th_conn(0, true);
    struct xsd_conn *g = th_conn(5, false);
    make_home(5);
    CU_ASSERT_TRUE(th_write(g, 0, "data/x", "1"));
    struct reply r = th_callv(g, XS_GET_PERMS, 0, "/local/domain/5/data/x", NULL);
    CU_ASSERT_STRING_EQUAL(r.body, "n5");
    /* dom0-created nodes inherit the parent's list as it is. */
    th_write(dom0, 0, "/local/domain/5/byzero", "");
    r = th_callv(dom0, XS_GET_PERMS, 0, "/local/domain/5/byzero", NULL);
    CU_ASSERT_STRING_EQUAL(r.body, "n5");
}

static void owner_keeps_ownership(void)
{
    dom0 = th_conn(0, true);
    struct xsd_conn *g = th_conn(5, false);
    make_home(5);
    th_write(g, 0, "mine", "");
    ASSERT_OK(th_callv(g, XS_SET_PERMS, 0, "mine", "n5", "r7", NULL));
    ASSERT_ERR(th_callv(g, XS_SET_PERMS, 0, "mine", "n7", NULL), "EPERM");
    ASSERT_ERR(th_callv(g, XS_SET_PERMS, 0, "mine", "q5", NULL), "EINVAL");
}

static void privileged_operations_refused(void)
{
    struct xsd_conn *g = th_conn(5, false);
    ASSERT_ERR(th_callv(g, XS_INTRODUCE, 0, "7", "1", "1", NULL), "EACCES");
    ASSERT_ERR(th_callv(g, XS_RELEASE, 0, "7", NULL), "EACCES");
    ASSERT_ERR(th_callv(g, XS_SET_TARGET, 0, "7", "5", NULL), "EACCES");
    ASSERT_ERR(th_callv(g, XS_CONTROL, 0, "quota", NULL), "EACCES");
    ASSERT_ERR(th_callv(g, XS_IS_DOMAIN_INTRODUCED, 0, "0", NULL), "EACCES");
}

static void set_target_grants_owner_rights(void)
{
    dom0 = th_conn(0, true);
    struct xsd_conn *dm = th_conn(6, false);
    ASSERT_OK(th_callv(dom0, XS_INTRODUCE, 0, "5", "100", "1", NULL));
    ASSERT_OK(th_callv(dom0, XS_INTRODUCE, 0, "6", "101", "2", NULL));
    make_home(5);
    th_write(dom0, 0, "/local/domain/5/dev", "d");
    ASSERT_ERR(th_callv(dm, XS_READ, 0, "/local/domain/5/dev", NULL), "EACCES");
    ASSERT_OK(th_callv(dom0, XS_SET_TARGET, 0, "6", "5", NULL));
    CU_ASSERT_STRING_EQUAL(th_read(dm, 0, "/local/domain/5/dev"), "d");
    CU_ASSERT_TRUE(th_write(dm, 0, "/local/domain/5/dev", "by-dm"));
    ASSERT_ERR(th_callv(dom0, XS_SET_TARGET, 0, "6", "99", NULL), "ENOENT");
}

void register_perms_tests(void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("perms", th_setup, th_teardown, setup, NULL);
    CU_add_test(s, "default_perm_none_hides_nodes", default_perm_none_hides_nodes);
    CU_add_test(s, "explicit_entries_and_default", explicit_entries_and_default);
    CU_add_test(s, "creator_owns_new_nodes", creator_owns_new_nodes);
    CU_add_test(s, "owner_keeps_ownership", owner_keeps_ownership);
    CU_add_test(s, "privileged_operations_refused", privileged_operations_refused);
    CU_add_test(s, "set_target_grants_owner_rights", set_target_grants_owner_rights);
}
