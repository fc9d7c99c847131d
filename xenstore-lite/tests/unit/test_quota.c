#include <stdio.h>
#include <string.h>

#include "harness.h"

static struct xsd_conn *dom0;

static void setup(void)
{
    th_reset();
    dom0 = th_conn(0, true);
    th_write(dom0, 0, "/local/domain/5", "");
    th_callv(dom0, XS_SET_PERMS, 0, "/local/domain/5", "n5", NULL);
}

static void nodes_quota_is_all_or_nothing(void)
{
    struct xsd_conn *g = th_conn(5, false);
    ASSERT_OK(th_callv(dom0, XS_CONTROL, 0, "quota", "set", "nodes", "4", NULL));
    /* The domain already owns its home node: three more fit. */
    CU_ASSERT_TRUE(th_write(g, 0, "a", "1"));
    CU_ASSERT_TRUE(th_write(g, 0, "b", "1"));
    size_t before = th->store.count;
    ASSERT_ERR(th_callv(g, XS_MKDIR, 0, "c/d", NULL), "ENOSPC");
    CU_ASSERT_EQUAL(th->store.count, before);
    CU_ASSERT_TRUE(th_write(g, 0, "c", "1"));
    CU_ASSERT_FALSE(th_write(g, 0, "e", "1"));
    /* Removing frees quota again. */
    ASSERT_OK(th_callv(g, XS_RM, 0, "a", NULL));
    CU_ASSERT_TRUE(th_write(g, 0, "e", "1"));
    /* dom0 is not limited. */
    for (int i = 0; i < 20; i++) {
        char p[32];
        snprintf(p, sizeof(p), "/z/%d", i);
        CU_ASSERT_TRUE(th_write(dom0, 0, p, ""));
    }
}

static void node_size_quota(void)
{
    struct xsd_conn *g = th_conn(5, false);
    static char big[2100];
    memset(big, 'v', 2049);
    CU_ASSERT_FALSE(th_write(g, 0, "big", big));
    big[2048] = '\0';
    CU_ASSERT_TRUE(th_write(g, 0, "big", big));
    memset(big, 'v', 2099);
    CU_ASSERT_TRUE(th_write(dom0, 0, "/local/domain/5/dom0big", big));
}

static void watch_quota(void)
{
    struct xsd_conn *g = th_conn(5, false);
    ASSERT_OK(th_callv(dom0, XS_CONTROL, 0, "quota", "set", "watches", "2", NULL));
    ASSERT_OK(th_callv(g, XS_WATCH, 0, "a", "1", NULL));
    ASSERT_OK(th_callv(g, XS_WATCH, 0, "b", "2", NULL));
    ASSERT_ERR(th_callv(g, XS_WATCH, 0, "c", "3", NULL), "E2BIG");
    ASSERT_OK(th_callv(g, XS_UNWATCH, 0, "a", "1", NULL));
    ASSERT_OK(th_callv(g, XS_WATCH, 0, "c", "3", NULL));
}

static void transaction_quota(void)
{
    struct xsd_conn *g = th_conn(5, false);
    for (int i = 0; i < 10; i++)
        CU_ASSERT_EQUAL(th_callv(g, XS_TRANSACTION_START, 0, "", NULL).type, XS_TRANSACTION_START);
    ASSERT_ERR(th_callv(g, XS_TRANSACTION_START, 0, "", NULL), "ENOSPC");
}

static void transaction_nodes_quota(void)
{
    struct xsd_conn *g = th_conn(5, false);
    ASSERT_OK(th_callv(dom0, XS_CONTROL, 0, "quota", "set", "transaction-nodes", "3", NULL));
    uint32_t t = th_tx_start(g);
    CU_ASSERT_TRUE(th_write(g, t, "a", "1"));   /* touches a and its parent: 2 */
    CU_ASSERT_TRUE(th_write(g, t, "b", "1"));
    CU_ASSERT_FALSE(th_write(g, t, "c", "1"));
    ASSERT_OK(th_callv(g, XS_TRANSACTION_END, t, "F", NULL));
}

static void permissions_quota(void)
{
    struct xsd_conn *g = th_conn(5, false);
    th_write(g, 0, "p", "");
    ASSERT_OK(th_callv(g, XS_SET_PERMS, 0, "p", "n5", "r1", "r2", "r3", "r4", "r6", NULL));
    ASSERT_ERR(th_callv(g, XS_SET_PERMS, 0, "p", "n5", "r1", "r2", "r3", "r4", "r6", "r7", NULL), "ENOSPC");
}

static void control_quota_show_and_set(void)
{
    struct reply r = th_callv(dom0, XS_CONTROL, 0, "quota", NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "nodes            :     1000 Nodes per domain\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "memory           :  2621440 "));
    ASSERT_OK(th_callv(dom0, XS_CONTROL, 0, "quota", "set", "node-size", "100", NULL));
    r = th_callv(dom0, XS_CONTROL, 0, "quota", NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "node-size        :      100 "));
    ASSERT_ERR(th_callv(dom0, XS_CONTROL, 0, "quota", "set", "bogus", "1", NULL), "EINVAL");
    ASSERT_ERR(th_callv(dom0, XS_CONTROL, 0, "quota", "set", "nodes", "-3", NULL), "EINVAL");
    r = th_callv(dom0, XS_CONTROL, 0, "quota-soft", NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "memory           :  2097152 "));
    ASSERT_ERR(th_callv(dom0, XS_CONTROL, 0, "quota", "5", NULL), "ENOENT");
    ASSERT_OK(th_callv(dom0, XS_INTRODUCE, 0, "5", "1", "1", NULL));
    r = th_callv(dom0, XS_CONTROL, 0, "quota", "5", NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "Domain 5:\nnodes           :        1\n"));
}

static void unread_replies_stop_input(void)
{
    struct xsd_conn *g = th_conn(5, false);
    char buf[64 * 40];
    size_t len = 0;
    for (int i = 0; i < 40; i++) {
        struct xsd_sockmsg h = { .type = XS_GET_DOMAIN_PATH, .req_id = (uint32_t)i, .len = 2 };
        memcpy(buf + len, &h, sizeof(h));
        memcpy(buf + len + sizeof(h), "5", 2);
        len += sizeof(h) + 2;
    }
    long used = xsd_conn_input(g, buf, len);
    CU_ASSERT_EQUAL(g->out_replies, 20);
    CU_ASSERT_EQUAL(used, 20 * 18);
    CU_ASSERT_FALSE(xsd_conn_wants_input(g));
    /* Reading one reply lets one more request in. */
    size_t n;
    xsd_conn_output_peek(g, &n);
    xsd_conn_output_consume(g, n);
    CU_ASSERT_TRUE(xsd_conn_wants_input(g));
    CU_ASSERT_EQUAL(xsd_conn_input(g, buf + used, len - (size_t)used), 18);
}

static void watch_flood_is_capped(void)
{
    struct xsd_conn *g = th_conn(5, false);
    ASSERT_OK(th_callv(g, XS_WATCH, 0, "flood", "t", NULL));
    for (int i = 0; i < 1500; i++)
        th_write(dom0, 0, "/local/domain/5/flood", "x");
    CU_ASSERT_EQUAL(g->out_events, 1024);
    CU_ASSERT_TRUE(g->events_dropped >= 1500 + 1 - 1024);
}

void register_quota_tests(void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("quota", th_setup, th_teardown, setup, NULL);
    CU_add_test(s, "nodes_quota_is_all_or_nothing", nodes_quota_is_all_or_nothing);
    CU_add_test(s, "node_size_quota", node_size_quota);
    CU_add_test(s, "watch_quota", watch_quota);
    CU_add_test(s, "transaction_quota", transaction_quota);
    CU_add_test(s, "transaction_nodes_quota", transaction_nodes_quota);
    CU_add_test(s, "permissions_quota", permissions_quota);
    CU_add_test(s, "control_quota_show_and_set", control_quota_show_and_set);
    CU_add_test(s, "unread_replies_stop_input", unread_replies_stop_input);
    CU_add_test(s, "watch_flood_is_capped", watch_flood_is_capped);
}
