/* Saving state and restoring it in a successor (live restart). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "harness.h"

static void setup(void) { th_reset(); }

/* Every node of a and b equal: value, permissions, children in order. */
static bool same_tree(struct xsd *a, struct xsd *b)
{
    size_t pos = 0;
    struct node *n;
    if (a->store.count != b->store.count)
        return false;
    while ((n = node_table_next(&a->store, &pos))) {
        struct node *m = node_table_find(&b->store, node_path(n), n->hash);
        if (!m || m->value_len != n->value_len || node_nperms(m) != node_nperms(n) ||
            m->children_len != n->children_len ||
            (n->value_len && memcmp(node_value(m), node_value(n), n->value_len)))
            return false;
        for (uint32_t i = 0; i < node_nperms(n); i++)
            if (node_perm(m, i).domid != node_perm(n, i).domid ||
                node_perm(m, i).perm != node_perm(n, i).perm)
                return false;
        char *na = malloc(n->children_len + 1), *nb = malloc(n->children_len + 1);
        bool same = na && nb &&
                    memcmp(node_children(n, na), node_children(m, nb), n->children_len) == 0;
        free(na);
        free(nb);
        if (!same)
            return false;
    }
    return true;
}

static void round_trip(void)
{
    static struct xsd copy;
    struct xsd_conn *c = th_conn(0, true);
    char bin[] = "/bin\0a\nb\0c";
    ASSERT_OK(th_call(c, XS_WRITE, 0, bin, sizeof(bin) - 1));
    th_write(c, 0, "/local/domain/5/device/vif/0/mac", "00:16:3e");
    th_callv(c, XS_SET_PERMS, 0, "/local/domain/5", "n5", "r0", NULL);
    th_write(c, 0, "/z/y/x", "");
    th_write(c, 0, "/a", "first-after-z");
    th_callv(c, XS_CONTROL, 0, "quota", "set", "nodes", "77", NULL);
    th_callv(c, XS_SET_PERMS, 0, "@releaseDomain", "n0", "r5", NULL);
    th_callv(c, XS_INTRODUCE, 0, "5", "1234", "9", NULL);
    th_callv(c, XS_INTRODUCE, 0, "6", "99", "2", NULL);
    th_callv(c, XS_SET_TARGET, 0, "6", "5", NULL);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CU_ASSERT_EQUAL_FATAL(xsd_dump(th, f), 0);
    fclose(f);

    CU_ASSERT_EQUAL_FATAL(xsd_init(&copy), 0);
    f = fmemopen(buf, len, "r");
    CU_ASSERT_EQUAL(xsd_restore(&copy, f), 0);
    fclose(f);
    CU_ASSERT_TRUE(same_tree(th, &copy));
    CU_ASSERT_EQUAL(copy.quota.nodes, 77);
    CU_ASSERT_EQUAL(copy.special_nperms[1], 2);
    CU_ASSERT_EQUAL(copy.special_perms[1][1].domid, 5);
    CU_ASSERT_TRUE(copy.domains[5] && copy.domains[5]->introduced);
    CU_ASSERT_EQUAL(copy.domains[5]->mfn, 1234);
    CU_ASSERT_TRUE(copy.domains[6]->has_target);
    CU_ASSERT_EQUAL(copy.domains[6]->target, 5);
    CU_ASSERT_EQUAL(copy.domains[5]->nodes, th->domains[5]->nodes);
    xsd_destroy(&copy);
    free(buf);
}

static void bad_dumps_are_refused(void)
{
    static struct xsd copy;
    const char *bad[] = {
        "not a dump\n",
        "xenstore-lite-dump 1\nN 4 0 n0\n/a/b\n",        /* parent missing */
        "xenstore-lite-dump 1\nN 3 0 n0\n/a/\n",          /* bad path */
        "xenstore-lite-dump 1\nN 2 9 n0\n/a12\n",         /* truncated value */
        "xenstore-lite-dump 1\nN 2 0 q0\n/a\n",           /* bad perm */
        "xenstore-lite-dump 1\nD 0 1 1 -1\n",             /* dom0 is not introduced */
        "xenstore-lite-dump 1\nX\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CU_ASSERT_EQUAL_FATAL(xsd_init(&copy), 0);
        FILE *f = fmemopen((void *)bad[i], strlen(bad[i]), "r");
        CU_ASSERT_EQUAL(xsd_restore(&copy, f), -EINVAL);
        fclose(f);
        xsd_destroy(&copy);
    }
}

void register_dump_tests(void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("dump", th_setup, th_teardown, setup, NULL);
    CU_add_test(s, "round_trip", round_trip);
    CU_add_test(s, "bad_dumps_are_refused", bad_dumps_are_refused);
}
