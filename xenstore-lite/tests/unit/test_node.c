/*
 * The compact node: permissions packed or wide, values and lists that
 * outgrow their allocation, the live tree's child links, and a random walk
 * over the whole store (live and in transactions) against a model, with
 * the tree and the quota accounts checked after every step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void setup(void) { th_reset(); }

static bool perms_equal(const struct node *n, const struct xsd_perm *p, uint32_t count)
{
    if (node_nperms(n) != count)
        return false;
    struct xsd_perm buf[NODE_PACK_MAX];
    const struct xsd_perm *got = node_perms(n, buf);
    for (uint32_t i = 0; i < count; i++)
        if (got[i].domid != p[i].domid || got[i].perm != p[i].perm ||
            node_perm(n, i).domid != p[i].domid || node_perm(n, i).perm != p[i].perm)
            return false;
    return true;
}

static void perms_packed_and_wide(void)
{
    const struct xsd_perm one[] = { { 5, XSD_PERM_READ } };
    const struct xsd_perm big[] = { { 0, 0 }, { 0x40000000u, XSD_PERM_BOTH }, { 0xffffffffu, XSD_PERM_WRITE } };
    struct xsd_perm many[NODE_PACK_MAX + 1];
    for (uint32_t i = 0; i < NODE_PACK_MAX + 1; i++)
        many[i] = (struct xsd_perm){ i * 3, i & 3 };

    struct node *a = node_new("/a/b", one, 1, "v", 1);
    struct node *b = node_new("/a/b", big, 3, "vv", 2);
    struct node *c = node_new("/a/b", many, NODE_PACK_MAX + 1, NULL, 0);
    CU_ASSERT_FATAL(a && b && c);
    CU_ASSERT_FALSE(a->bits & NODE_WIDE);
    CU_ASSERT_TRUE(b->bits & NODE_WIDE);
    CU_ASSERT_TRUE(c->bits & NODE_WIDE);
    CU_ASSERT_TRUE(perms_equal(a, one, 1));
    CU_ASSERT_TRUE(perms_equal(b, big, 3));
    CU_ASSERT_TRUE(perms_equal(c, many, NODE_PACK_MAX + 1));
    CU_ASSERT_STRING_EQUAL(node_path(b), "/a/b");
    CU_ASSERT_EQUAL(memcmp(node_value(b), "vv", 2), 0);
    CU_ASSERT_STRING_EQUAL(node_name(a), "b");
    /* The quota charges the logical list, however it is kept. */
    CU_ASSERT_EQUAL(node_memory(a), 4 + 1 + 1 * sizeof(struct xsd_perm));
    CU_ASSERT_EQUAL(node_memory(b), 4 + 2 + 3 * sizeof(struct xsd_perm));
    CU_ASSERT_EQUAL(node_memory(c), 4 + 0 + (NODE_PACK_MAX + 1) * sizeof(struct xsd_perm));
    node_free(a);
    node_free(b);
    node_free(c);
}

static void values_and_lists_outgrow_the_node(void)
{
    const struct xsd_perm one[] = { { 7, XSD_PERM_NONE } };
    const struct xsd_perm big[] = { { 7, 0 }, { 0x80000000u, XSD_PERM_READ } };
    char large[3000];
    memset(large, 'x', sizeof(large));
    int err = 0;

    struct node *n = node_new("/some/node", one, 1, "short", 5);
    CU_ASSERT_FATAL(n != NULL);
    n->gen = 42;
    struct node *m = node_with_value(n, large, sizeof(large), &err);
    CU_ASSERT_FATAL(m != NULL);
    CU_ASSERT_PTR_NOT_EQUAL(m, n);            /* moved: n is untouched */
    CU_ASSERT_EQUAL(n->value_len, 5);
    CU_ASSERT_EQUAL(memcmp(node_value(n), "short", 5), 0);
    CU_ASSERT_EQUAL(m->gen, 42);
    CU_ASSERT_EQUAL(m->hash, node_hash("/some/node"));
    CU_ASSERT_EQUAL(m->value_len, sizeof(large));
    CU_ASSERT_EQUAL(memcmp(node_value(m), large, sizeof(large)), 0);
    CU_ASSERT_STRING_EQUAL(node_path(m), "/some/node");
    node_free(n);
    /* Smaller values change in place. */
    CU_ASSERT_PTR_EQUAL(node_with_value(m, "ab", 2, &err), m);
    CU_ASSERT_EQUAL(m->value_len, 2);
    CU_ASSERT_EQUAL(memcmp(node_value(m), "ab", 2), 0);
    /* A list kept another way moves the path and value along. */
    struct node *w = node_with_perms(m, big, 2, &err);
    CU_ASSERT_FATAL(w != NULL);
    if (w != m)
        node_free(m);
    CU_ASSERT_TRUE(perms_equal(w, big, 2));
    CU_ASSERT_STRING_EQUAL(node_path(w), "/some/node");
    CU_ASSERT_EQUAL(memcmp(node_value(w), "ab", 2), 0);
    struct node *back = node_with_perms(w, one, 1, &err);
    CU_ASSERT_FATAL(back != NULL);
    if (back != w)
        node_free(w);
    CU_ASSERT_TRUE(perms_equal(back, one, 1));
    CU_ASSERT_EQUAL(memcmp(node_value(back), "ab", 2), 0);
    /* Same layout: changed in place. */
    const struct xsd_perm other[] = { { 9, XSD_PERM_BOTH } };
    CU_ASSERT_PTR_EQUAL(node_with_perms(back, other, 1, &err), back);
    CU_ASSERT_TRUE(perms_equal(back, other, 1));
    node_free(back);
}

static void live_children_links(void)
{
    const struct xsd_perm one[] = { { 0, 0 } };
    struct node *p = node_new("/p", one, 1, NULL, 0);
    struct node *a = node_new("/p/a", one, 1, NULL, 0);
    struct node *bb = node_new("/p/bb", one, 1, NULL, 0);
    struct node *c = node_new("/p/c", one, 1, NULL, 0);
    struct node *c2 = node_new("/p/c", one, 1, "2", 1);
    char buf[32];

    node_link_child(p, a);
    node_link_child(p, bb);
    node_link_child(p, c);
    CU_ASSERT_EQUAL(p->children_len, 7);
    CU_ASSERT_EQUAL(memcmp(node_children(p, buf), "a\0bb\0c", 7), 0);
    /* A transaction's copy gets the names in the same order. */
    struct node *t = node_copy(p, true);
    CU_ASSERT_FATAL(t != NULL);
    CU_ASSERT_TRUE(t->bits & NODE_TX);
    CU_ASSERT_EQUAL(t->children_len, 7);
    CU_ASSERT_EQUAL(memcmp(node_children(t, NULL), "a\0bb\0c", 7), 0);
    CU_ASSERT_EQUAL(tnode_add_child(t, "d"), 0);
    tnode_remove_child(t, "bb");
    CU_ASSERT_EQUAL(t->children_len, 6);
    CU_ASSERT_EQUAL(memcmp(node_children(t, NULL), "a\0c\0d", 6), 0);
    node_free(t);

    node_unlink_child(p, bb);
    CU_ASSERT_EQUAL(p->children_len, 4);
    CU_ASSERT_EQUAL(memcmp(node_children(p, buf), "a\0c", 4), 0);
    node_relink_child(p, c, c2);
    CU_ASSERT_PTR_EQUAL(p->first_child, c2);
    CU_ASSERT_PTR_EQUAL(c2->next_sibling, a);
    CU_ASSERT_EQUAL(memcmp(node_children(p, buf), "a\0c", 4), 0);
    node_unlink_child(p, a);
    node_unlink_child(p, c2);
    CU_ASSERT_EQUAL(p->children_len, 0);
    CU_ASSERT_PTR_NULL(p->first_child);
    node_free(p);
    node_free(a);
    node_free(bb);
    node_free(c);
    node_free(c2);
}

/* ---- the whole store against a model ---- */

/* Paths /m, /m/0../m/3, /m/i/0../m/i/3: 21 of them; 0 is /m. */
#define NPATHS 21
struct model {
    bool exists[NPATHS];
    unsigned long born[NPATHS];     /* creation order */
    char value[NPATHS][64];
    size_t len[NPATHS];
    unsigned long clock;
};

static int parent_of(int i)
{
    return i == 0 ? -1 : i <= 4 ? 0 : 1 + (i - 5) / 4;
}

static void path_of(int i, char *out)
{
    if (i == 0)
        strcpy(out, "/m");
    else if (i <= 4)
        sprintf(out, "/m/%d", i - 1);
    else
        sprintf(out, "/m/%d/%d", (i - 5) / 4, (i - 5) % 4);
}

static void model_create(struct model *m, int i, const char *v, size_t len)
{
    if (parent_of(i) >= 0 && !m->exists[parent_of(i)])
        model_create(m, parent_of(i), "", 0);
    if (!m->exists[i])
        m->born[i] = ++m->clock;
    m->exists[i] = true;
    memcpy(m->value[i], v, len);
    m->len[i] = len;
}

static void model_rm(struct model *m, int i)
{
    for (int k = 0; k < NPATHS; k++)
        if (k == i || parent_of(k) == i)
            m->exists[k] = false;
    if (i == 0)
        for (int k = 5; k < NPATHS; k++)
            m->exists[k] = false;
}

/* The live tree is whole and every domain's account is what it owns. */
static void check_store(void)
{
    static long nodes[XSD_MAX_DOMID], memory[XSD_MAX_DOMID];
    size_t pos = 0, linked = 0;
    struct node *n;

    memset(nodes, 0, sizeof(nodes));
    memset(memory, 0, sizeof(memory));
    while ((n = node_table_next(&th->store, &pos))) {
        uint32_t len = 0;
        for (struct node *c = n->first_child; c; c = c->next_sibling) {
            len += (uint32_t)strlen(node_name(c)) + 1;
            linked++;
            CU_ASSERT_PTR_EQUAL(node_table_find(&th->store, node_path(c), c->hash), c);
        }
        CU_ASSERT_EQUAL(len, n->children_len);
        unsigned owner = node_perm(n, 0).domid;
        if (owner < XSD_MAX_DOMID) {
            nodes[owner]++;
            memory[owner] += (long)node_memory(n);
        }
    }
    CU_ASSERT_EQUAL(linked + 1, th->store.count);   /* all but "/" */
    unsigned wrong = 0;
    for (unsigned d = 0; d < XSD_MAX_DOMID; d++) {
        struct domain *dom = th->domains[d];
        wrong += (dom ? dom->nodes : 0) != nodes[d] || (dom ? dom->memory : 0) != memory[d];
    }
    CU_ASSERT_EQUAL(wrong, 0);
}

static void check_model(struct xsd_conn *c, const struct model *m)
{
    char path[32];
    for (int i = 0; i < NPATHS; i++) {
        path_of(i, path);
        struct reply r = th_callv(c, XS_READ, 0, path, NULL);
        if (!m->exists[i]) {
            CU_ASSERT_STRING_EQUAL(r.body, "ENOENT");
            continue;
        }
        CU_ASSERT_EQUAL(r.type, XS_READ);
        CU_ASSERT_EQUAL(r.len, m->len[i]);
        CU_ASSERT_EQUAL(memcmp(r.body, m->value[i], m->len[i]), 0);
        /* Children in creation order. */
        char want[256];
        size_t wlen = 0;
        unsigned long last = 0;
        for (;;) {
            int next = -1;
            for (int k = 0; k < NPATHS; k++)
                if (parent_of(k) == i && m->exists[k] && m->born[k] > last &&
                    (next < 0 || m->born[k] < m->born[next]))
                    next = k;
            if (next < 0)
                break;
            char cp[32];
            path_of(next, cp);
            const char *name = strrchr(cp, '/') + 1;
            memcpy(want + wlen, name, strlen(name) + 1);
            wlen += strlen(name) + 1;
            last = m->born[next];
        }
        r = th_callv(c, XS_DIRECTORY, 0, path, NULL);
        CU_ASSERT_EQUAL(r.len, wlen);
        CU_ASSERT_EQUAL(memcmp(r.body, want, wlen), 0);
    }
}

static void store_matches_model(void)
{
    struct xsd_conn *c = th_conn(0, true);
    static struct model m;
    unsigned seed = 777;
    char path[32], value[64], msg[128];

    memset(&m, 0, sizeof(m));
    for (int step = 0; step < 3000; step++) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = seed >> 8;
        int i = (int)(r % NPATHS);
        path_of(i, path);
        uint32_t tx = (r >> 5) % 4 == 0 ? th_tx_start(c) : 0;
        int ops = tx ? 1 + (int)((r >> 7) % 4) : 1;
        struct model after = m;
        for (int o = 0; o < ops; o++) {
            seed = seed * 1103515245u + 12345u;
            r = seed >> 8;
            i = (int)(r % NPATHS);
            path_of(i, path);
            switch ((r >> 5) % 4) {
            case 0:
            case 1: {
                /* Values of every size: some fit where the old one was, some move the node. */
                size_t len = (r >> 8) % 60;
                for (size_t k = 0; k < len; k++)
                    value[k] = (char)('a' + (k + step) % 26);
                size_t plen = strlen(path) + 1;
                memcpy(msg, path, plen);
                memcpy(msg + plen, value, len);
                ASSERT_OK(th_call(c, XS_WRITE, tx, msg, (uint32_t)(plen + len)));
                model_create(&after, i, value, len);
                break;
            }
            case 2: {
                struct reply rr = th_callv(c, XS_RM, tx, path, NULL);
                if (after.exists[i]) {
                    CU_ASSERT_EQUAL(rr.type, XS_RM);
                    model_rm(&after, i);
                } else if (parent_of(i) < 0 || after.exists[parent_of(i)]) {
                    CU_ASSERT_EQUAL(rr.type, XS_RM);     /* nothing there: fine */
                } else {
                    CU_ASSERT_STRING_EQUAL(rr.body, "ENOENT");
                }
                break;
            }
            case 3:
                if (after.exists[i]) {
                    /* Lists kept packed, wide (a big domid) or long, on nodes with children. */
                    char d1[16], d2[16];
                    snprintf(d1, sizeof(d1), "b%u", (r >> 9) % 3);
                    snprintf(d2, sizeof(d2), "r%u", (r >> 11) % 2 ? 3000000000u : 7u);
                    if ((r >> 12) % 3 == 0)
                        ASSERT_OK(th_callv(c, XS_SET_PERMS, tx, path, d1, d2, "n1", "n2", "n3", "n4",
                                           "n5", "n6", "n7", "n8", NULL));
                    else
                        ASSERT_OK(th_callv(c, XS_SET_PERMS, tx, path, d1, d2, NULL));
                }
                break;
            }
        }
        if (tx)
            ASSERT_OK(th_callv(c, XS_TRANSACTION_END, tx, "T", NULL));
        m = after;
        check_store();
        if (step % 50 == 0 || tx)
            check_model(c, &m);
    }
    check_model(c, &m);
}

void register_node_tests(void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("node", th_setup, th_teardown, setup, NULL);
    CU_add_test(s, "perms_packed_and_wide", perms_packed_and_wide);
    CU_add_test(s, "values_and_lists_outgrow_the_node", values_and_lists_outgrow_the_node);
    CU_add_test(s, "live_children_links", live_children_links);
    CU_add_test(s, "store_matches_model", store_matches_model);
}
