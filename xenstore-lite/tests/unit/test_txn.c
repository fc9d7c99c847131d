#include <stdio.h>
#include <string.h>

#include "harness.h"

static void setup(void) { th_reset(); }

static void commit_publishes(void)
{
    struct xsd_conn *c = th_conn(0, true);
    uint32_t t = th_tx_start(c);
    CU_ASSERT_NOT_EQUAL(t, 0);
    CU_ASSERT_TRUE(th_write(c, t, "/t/a", "1"));
    CU_ASSERT_STRING_EQUAL(th_read(c, t, "/t/a"), "1");
    CU_ASSERT_STRING_EQUAL(th_read(c, 0, "/t/a"), "ENOENT");
    ASSERT_OK(th_callv(c, XS_TRANSACTION_END, t, "T", NULL));
    CU_ASSERT_STRING_EQUAL(th_read(c, 0, "/t/a"), "1");
    struct reply r = th_callv(c, XS_DIRECTORY, 0, "/t", NULL);
    CU_ASSERT_STRING_EQUAL(r.body, "a");
}

static void abort_discards(void)
{
    struct xsd_conn *c = th_conn(0, true);
    th_write(c, 0, "/k", "keep");
    uint32_t t = th_tx_start(c);
    ASSERT_OK(th_callv(c, XS_RM, t, "/k", NULL));
    th_write(c, t, "/new", "n");
    ASSERT_OK(th_callv(c, XS_TRANSACTION_END, t, "F", NULL));
    CU_ASSERT_STRING_EQUAL(th_read(c, 0, "/k"), "keep");
    CU_ASSERT_STRING_EQUAL(th_read(c, 0, "/new"), "ENOENT");
    ASSERT_ERR(th_callv(c, XS_TRANSACTION_END, t, "T", NULL), "ENOENT");
}

static void snapshot_and_conflict(void)
{
    struct xsd_conn *c = th_conn(0, true), *other = th_conn(0, true);
    th_write(c, 0, "/v", "a");
    uint32_t t = th_tx_start(c);
    CU_ASSERT_STRING_EQUAL(th_read(c, t, "/v"), "a");
    th_write(other, 0, "/v", "b");
    /* The transaction keeps seeing what it first saw. */
    CU_ASSERT_STRING_EQUAL(th_read(c, t, "/v"), "a");
    th_write(c, t, "/v", "c");
    ASSERT_ERR(th_callv(c, XS_TRANSACTION_END, t, "T", NULL), "EAGAIN");
    CU_ASSERT_STRING_EQUAL(th_read(c, 0, "/v"), "b");
}

static void conflict_on_created_node(void)
{
    struct xsd_conn *c = th_conn(0, true), *other = th_conn(0, true);
    uint32_t t = th_tx_start(c);
    CU_ASSERT_STRING_EQUAL(th_read(c, t, "/late"), "ENOENT");
    th_write(other, 0, "/late", "x");
    th_write(c, t, "/other", "y");
    ASSERT_ERR(th_callv(c, XS_TRANSACTION_END, t, "T", NULL), "EAGAIN");
    CU_ASSERT_STRING_EQUAL(th_read(c, 0, "/other"), "ENOENT");
}

static void unrelated_change_commits(void)
{
    struct xsd_conn *c = th_conn(0, true), *other = th_conn(0, true);
    th_write(c, 0, "/u1", "1");
    th_write(c, 0, "/u2", "2");
    uint32_t t = th_tx_start(c);
    th_write(c, t, "/u1", "tx");
    th_write(other, 0, "/u2", "other");
    ASSERT_OK(th_callv(c, XS_TRANSACTION_END, t, "T", NULL));
    CU_ASSERT_STRING_EQUAL(th_read(c, 0, "/u1"), "tx");
    CU_ASSERT_STRING_EQUAL(th_read(c, 0, "/u2"), "other");
}

static void rm_in_transaction(void)
{
    struct xsd_conn *c = th_conn(0, true);
    th_write(c, 0, "/tr/a/b", "1");
    size_t before = th->store.count;
    uint32_t t = th_tx_start(c);
    ASSERT_OK(th_callv(c, XS_RM, t, "/tr", NULL));
    CU_ASSERT_STRING_EQUAL(th_read(c, t, "/tr/a"), "ENOENT");
    CU_ASSERT_STRING_EQUAL(th_read(c, 0, "/tr/a/b"), "1");
    ASSERT_OK(th_callv(c, XS_TRANSACTION_END, t, "T", NULL));
    CU_ASSERT_EQUAL(th->store.count, before - 3);
    struct reply r = th_callv(c, XS_DIRECTORY, 0, "/", NULL);
    CU_ASSERT_STRING_EQUAL(r.body, "tool");
}

static void bad_ids_and_nesting(void)
{
    struct xsd_conn *c = th_conn(0, true), *other = th_conn(0, true);
    uint32_t t = th_tx_start(c);
    ASSERT_ERR(th_callv(c, XS_READ, 777, "/", NULL), "ENOENT");
    /* Transactions belong to their connection. */
    ASSERT_ERR(th_callv(other, XS_READ, t, "/", NULL), "ENOENT");
    ASSERT_ERR(th_callv(c, XS_TRANSACTION_START, t, "", NULL), "EBUSY");
    ASSERT_ERR(th_callv(c, XS_TRANSACTION_END, t, "maybe", NULL), "EINVAL");
    ASSERT_OK(th_callv(c, XS_TRANSACTION_END, t, "F", NULL));
}

static void disconnect_mid_transaction(void)
{
    struct xsd_conn *c = th_conn(0, true), *other = th_conn(0, true);
    uint32_t t = th_tx_start(c);
    th_write(c, t, "/gone", "x");
    xsd_conn_free(c);
    CU_ASSERT_STRING_EQUAL(th_read(other, 0, "/gone"), "ENOENT");
}

static void failed_operation_is_never_half_committed(void)
{
    struct xsd_conn *dom0 = th_conn(0, true), *g = th_conn(5, false);
    th_write(dom0, 0, "/local/domain/5", "");
    th_callv(dom0, XS_SET_PERMS, 0, "/local/domain/5", "n5", NULL);
    char p[64];
    for (int i = 0; i < 10; i++) {
        snprintf(p, sizeof(p), "tree/n%d", i);
        CU_ASSERT_TRUE(th_write(g, 0, p, "x"));
    }
    size_t before = th->store.count;
    th_callv(dom0, XS_CONTROL, 0, "quota", "set", "transaction-nodes", "6", NULL);
    uint32_t t = th_tx_start(g);
    /* The removal runs out of transaction-nodes quota part way through. */
    ASSERT_ERR(th_callv(g, XS_RM, t, "tree", NULL), "ENOSPC");
    ASSERT_ERR(th_callv(g, XS_TRANSACTION_END, t, "T", NULL), "ENOSPC");
    CU_ASSERT_EQUAL(th->store.count, before);
    CU_ASSERT_STRING_EQUAL(th_read(g, 0, "tree/n9"), "x");
    /* A failure that changed nothing leaves the transaction usable. */
    t = th_tx_start(g);
    ASSERT_ERR(th_callv(g, XS_READ, t, "nothing", NULL), "ENOENT");
    CU_ASSERT_TRUE(th_write(g, t, "tree/n0", "y"));
    ASSERT_OK(th_callv(g, XS_TRANSACTION_END, t, "T", NULL));
}

void register_txn_tests(void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("txn", th_setup, th_teardown, setup, NULL);
    CU_add_test(s, "commit_publishes", commit_publishes);
    CU_add_test(s, "abort_discards", abort_discards);
    CU_add_test(s, "snapshot_and_conflict", snapshot_and_conflict);
    CU_add_test(s, "conflict_on_created_node", conflict_on_created_node);
    CU_add_test(s, "unrelated_change_commits", unrelated_change_commits);
    CU_add_test(s, "rm_in_transaction", rm_in_transaction);
    CU_add_test(s, "bad_ids_and_nesting", bad_ids_and_nesting);
    CU_add_test(s, "disconnect_mid_transaction", disconnect_mid_transaction);
    CU_add_test(s, "failed_operation_is_never_half_committed", failed_operation_is_never_half_committed);
}
