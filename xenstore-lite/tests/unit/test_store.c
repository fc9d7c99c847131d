#include <stdio.h>
#include <string.h>

#include "harness.h"

static void setup(void) { th_reset(); }

static void write_read(void)
{
    struct xsd_conn *c = th_conn(0, true);
    CU_ASSERT_TRUE(th_write(c, 0, "/a", "hello"));
    CU_ASSERT_STRING_EQUAL(th_read(c, 0, "/a"), "hello");
    CU_ASSERT_TRUE(th_write(c, 0, "/a", ""));
    struct reply r = th_callv(c, XS_READ, 0, "/a", NULL);
    CU_ASSERT_EQUAL(r.type, XS_READ);
    CU_ASSERT_EQUAL(r.len, 0);
}

static void write_binary_value(void)
{
    struct xsd_conn *c = th_conn(0, true);
    char buf[16] = "/bin";
    memcpy(buf + 5, "\0\1\2\0x", 5);
    struct reply r = th_call(c, XS_WRITE, 0, buf, 10);
    ASSERT_OK(r);
    r = th_callv(c, XS_READ, 0, "/bin", NULL);
    CU_ASSERT_EQUAL(r.len, 5);
    CU_ASSERT_EQUAL(memcmp(r.body, "\0\1\2\0x", 5), 0);
}

static void write_creates_parents(void)
{
    struct xsd_conn *c = th_conn(0, true);
    CU_ASSERT_TRUE(th_write(c, 0, "/x/y/z", "1"));
    CU_ASSERT_STRING_EQUAL(th_read(c, 0, "/x/y"), "");
    struct reply r = th_callv(c, XS_DIRECTORY, 0, "/x", NULL);
    CU_ASSERT_EQUAL(r.len, 2);
    CU_ASSERT_STRING_EQUAL(r.body, "y");
}

static void directory_keeps_creation_order(void)
{
    struct xsd_conn *c = th_conn(0, true);
    th_write(c, 0, "/d/c", "");
    th_write(c, 0, "/d/a", "");
    th_write(c, 0, "/d/b", "");
    struct reply r = th_callv(c, XS_DIRECTORY, 0, "/d", NULL);
    CU_ASSERT_EQUAL(r.len, 6);
    CU_ASSERT_EQUAL(memcmp(r.body, "c\0a\0b\0", 6), 0);
    th_callv(c, XS_RM, 0, "/d/a", NULL);
    r = th_callv(c, XS_DIRECTORY, 0, "/d", NULL);
    CU_ASSERT_EQUAL(memcmp(r.body, "c\0b\0", 4), 0);
}

static void directory_part_pages_big_lists(void)
{
    struct xsd_conn *c = th_conn(0, true);
    char path[64];
    for (int i = 0; i < 400; i++) {
        snprintf(path, sizeof(path), "/big/child-number-%04d", i);
        CU_ASSERT_TRUE(th_write(c, 0, path, ""));
    }
    struct reply r = th_callv(c, XS_DIRECTORY, 0, "/big", NULL);
    ASSERT_ERR(r, "E2BIG");
    unsigned long off = 0, seen = 0;
    for (int round = 0; round < 10; round++) {
        char offs[16];
        snprintf(offs, sizeof(offs), "%lu", off);
        r = th_callv(c, XS_DIRECTORY_PART, 0, "/big", offs, NULL);
        CU_ASSERT_EQUAL_FATAL(r.type, XS_DIRECTORY_PART);
        CU_ASSERT_TRUE(r.len <= XENSTORE_PAYLOAD_MAX);
        size_t gl = strlen(r.body) + 1;
        size_t p = gl;
        bool end = false;
        while (p < r.len) {
            size_t l = strlen(r.body + p);
            if (l == 0) {
                end = true;
                break;
            }
            seen++;
            off += l + 1;
            p += l + 1;
        }
        if (end)
            break;
    }
    CU_ASSERT_EQUAL(seen, 400);
}

static void mkdir_existing_is_ok(void)
{
    struct xsd_conn *c = th_conn(0, true);
    th_write(c, 0, "/m", "keep");
    ASSERT_OK(th_callv(c, XS_MKDIR, 0, "/m", NULL));
    CU_ASSERT_STRING_EQUAL(th_read(c, 0, "/m"), "keep");
    ASSERT_OK(th_callv(c, XS_MKDIR, 0, "/n/o", NULL));
    CU_ASSERT_STRING_EQUAL(th_read(c, 0, "/n/o"), "");
}

static void rm_subtree_and_missing(void)
{
    struct xsd_conn *c = th_conn(0, true);
    th_write(c, 0, "/r/a/b", "1");
    th_write(c, 0, "/r/c", "2");
    size_t before = th->store.count;
    ASSERT_OK(th_callv(c, XS_RM, 0, "/r", NULL));
    CU_ASSERT_EQUAL(th->store.count, before - 4);
    ASSERT_ERR(th_callv(c, XS_READ, 0, "/r/a/b", NULL), "ENOENT");
    /* Missing node with an existing parent: fine. Missing parent: ENOENT. */
    ASSERT_OK(th_callv(c, XS_RM, 0, "/r", NULL));
    ASSERT_ERR(th_callv(c, XS_RM, 0, "/r/x", NULL), "ENOENT");
    ASSERT_ERR(th_callv(c, XS_RM, 0, "/", NULL), "EINVAL");
}

static void domain_paths(void)
{
    struct xsd_conn *c = th_conn(0, true);
    struct reply r = th_callv(c, XS_GET_DOMAIN_PATH, 0, "12", NULL);
    CU_ASSERT_STRING_EQUAL(r.body, "/local/domain/12");
    ASSERT_ERR(th_callv(c, XS_GET_DOMAIN_PATH, 0, "x", NULL), "EINVAL");
}

static void initial_tree(void)
{
    struct xsd_conn *c = th_conn(0, true);
    struct reply r = th_callv(c, XS_DIRECTORY, 0, "/", NULL);
    CU_ASSERT_EQUAL(r.len, 5);
    CU_ASSERT_STRING_EQUAL(r.body, "tool");
    r = th_callv(c, XS_GET_PERMS, 0, "/tool/xenstored", NULL);
    CU_ASSERT_STRING_EQUAL(r.body, "n0");
}

/* The hash table against a plain array model, through growth and deletes. */
static void node_table_matches_model(void)
{
    enum { N = 3000 };
    static struct node *nodes[N];
    static bool present[N];
    struct node_table t;
    const struct xsd_perm p = { 0, 0 };
    unsigned seed = 12345;

    CU_ASSERT_EQUAL_FATAL(node_table_init(&t, 16), 0);
    for (int i = 0; i < N; i++) {
        char path[32];
        snprintf(path, sizeof(path), "/k/%d", i * 7919 % 100003);
        nodes[i] = node_new(path, &p, 1, NULL, 0);
        present[i] = false;
    }
    for (int step = 0; step < 40000; step++) {
        seed = seed * 1103515245u + 12345u;
        int i = (int)((seed >> 8) % N);
        if (present[i])
            node_table_remove(&t, nodes[i]);
        else
            CU_ASSERT_EQUAL(node_table_insert(&t, nodes[i]), 0);
        present[i] = !present[i];
        if (step % 997 == 0) {
            size_t count = 0;
            for (int k = 0; k < N; k++) {
                struct node *f = node_table_find(&t, node_path(nodes[k]), nodes[k]->hash);
                CU_ASSERT_EQUAL(f, present[k] ? nodes[k] : NULL);
                count += present[k];
            }
            CU_ASSERT_EQUAL(t.count, count);
        }
    }
    size_t pos = 0, seen = 0;
    while (node_table_next(&t, &pos))
        seen++;
    CU_ASSERT_EQUAL(seen, t.count);
    node_table_destroy(&t);
    for (int i = 0; i < N; i++)
        node_free(nodes[i]);
}

void register_store_tests(void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("store", th_setup, th_teardown, setup, NULL);
    CU_add_test(s, "write_read", write_read);
    CU_add_test(s, "write_binary_value", write_binary_value);
    CU_add_test(s, "write_creates_parents", write_creates_parents);
    CU_add_test(s, "directory_keeps_creation_order", directory_keeps_creation_order);
    CU_add_test(s, "directory_part_pages_big_lists", directory_part_pages_big_lists);
    CU_add_test(s, "mkdir_existing_is_ok", mkdir_existing_is_ok);
    CU_add_test(s, "rm_subtree_and_missing", rm_subtree_and_missing);
    CU_add_test(s, "domain_paths", domain_paths);
    CU_add_test(s, "initial_tree", initial_tree);
    CU_add_test(s, "node_table_matches_model", node_table_matches_model);
}
