/*
 * Tests of the client library (libxenstore API), run against whichever
 * daemon $XENSTORED_PATH names: ours, Xen's C xenstored or oxenstored. The
 * result prefix comes from the command line: client_tests PREFIX.
 */
#include <CUnit/Basic.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenstore.h>

#include "cunit_results.h"

static struct xs_handle *h;
static char base[64];

static const char *p(const char *sub)
{
    static char buf[4][256];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof(buf[i]), "%s%s", base, sub);
    return buf[i];
}

static int suite_init(void)
{
    snprintf(base, sizeof(base), "/client-test-%d", (int)getpid());
    h = xs_open(0);
    return h ? 0 : 1;
}

static int suite_clean(void)
{
    xs_rm(h, XBT_NULL, base);
    xs_close(h);
    return 0;
}

static void write_read_rm(void)
{
    unsigned len;
    CU_ASSERT_TRUE(xs_write(h, XBT_NULL, p("/a"), "value", 5));
    char *v = xs_read(h, XBT_NULL, p("/a"), &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(len, 5);
    CU_ASSERT_STRING_EQUAL(v, "value");
    free(v);
    CU_ASSERT_TRUE(xs_rm(h, XBT_NULL, p("/a")));
    CU_ASSERT_PTR_NULL(xs_read(h, XBT_NULL, p("/a"), &len));
    CU_ASSERT_EQUAL(errno, ENOENT);
}

static void binary_and_empty_values(void)
{
    unsigned len;
    CU_ASSERT_TRUE(xs_write(h, XBT_NULL, p("/bin"), "a\0b", 3));
    char *v = xs_read(h, XBT_NULL, p("/bin"), &len);
    CU_ASSERT_EQUAL(len, 3);
    CU_ASSERT_EQUAL(memcmp(v, "a\0b", 3), 0);
    free(v);
    CU_ASSERT_TRUE(xs_write(h, XBT_NULL, p("/empty"), "", 0));
    v = xs_read(h, XBT_NULL, p("/empty"), &len);
    CU_ASSERT_PTR_NOT_NULL(v);
    CU_ASSERT_EQUAL(len, 0);
    free(v);
}

static void directory_and_mkdir(void)
{
    unsigned num;
    CU_ASSERT_TRUE(xs_mkdir(h, XBT_NULL, p("/dir/x")));
    CU_ASSERT_TRUE(xs_mkdir(h, XBT_NULL, p("/dir/x")));
    CU_ASSERT_TRUE(xs_write(h, XBT_NULL, p("/dir/y"), "1", 1));
    char **d = xs_directory(h, XBT_NULL, p("/dir"), &num);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(num, 2);
    bool x = false, y = false;
    for (unsigned i = 0; i < num; i++) {
        x |= strcmp(d[i], "x") == 0;
        y |= strcmp(d[i], "y") == 0;
    }
    CU_ASSERT_TRUE(x && y);
    free(d);
    CU_ASSERT_PTR_NULL(xs_directory(h, XBT_NULL, p("/nodir"), &num));
    CU_ASSERT_EQUAL(errno, ENOENT);
}

static void big_directory(void)
{
    char name[128];
    unsigned num;
    xs_transaction_t t = xs_transaction_start(h);
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof(name), "%s/a-rather-long-child-name-%03d", p("/big"), i);
        CU_ASSERT_TRUE(xs_write(h, t, name, "", 0));
    }
    CU_ASSERT_TRUE(xs_transaction_end(h, t, false));
    char **d = xs_directory(h, XBT_NULL, p("/big"), &num);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(num, 300);
    int found = 0;
    for (unsigned i = 0; i < num; i++)
        found += strncmp(d[i], "a-rather-long-child-name-", 25) == 0;
    CU_ASSERT_EQUAL(found, 300);
    free(d);
}

static void permissions(void)
{
    struct xs_permissions set[3] = { { 0, XS_PERM_NONE }, { 3, XS_PERM_READ },
                                     { 4, XS_PERM_READ | XS_PERM_WRITE } };
    unsigned num;
    CU_ASSERT_TRUE(xs_write(h, XBT_NULL, p("/perm"), "", 0));
    CU_ASSERT_TRUE(xs_set_permissions(h, XBT_NULL, p("/perm"), set, 3));
    struct xs_permissions *got = xs_get_permissions(h, XBT_NULL, p("/perm"), &num);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_EQUAL(num, 3);
    CU_ASSERT_EQUAL(got[1].id, 3);
    CU_ASSERT_EQUAL(got[1].perms, XS_PERM_READ);
    CU_ASSERT_EQUAL(got[2].perms, XS_PERM_READ | XS_PERM_WRITE);
    free(got);
    CU_ASSERT_FALSE(xs_set_permissions(h, XBT_NULL, p("/noperm"), set, 1));
    CU_ASSERT_EQUAL(errno, ENOENT);
}

static char **next_event(struct xs_handle *xh)
{
    unsigned num;
    return xs_read_watch(xh, &num);
}

static void watches(void)
{
    struct xs_handle *w = xs_open(0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_TRUE(xs_watch(w, p("/w"), "tok"));
    char **ev = next_event(w);   /* fires once on registration */
    CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
    CU_ASSERT_STRING_EQUAL(ev[XS_WATCH_PATH], p("/w"));
    CU_ASSERT_STRING_EQUAL(ev[XS_WATCH_TOKEN], "tok");
    free(ev);
    CU_ASSERT_TRUE(xs_write(h, XBT_NULL, p("/w/child"), "1", 1));
    ev = next_event(w);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
    CU_ASSERT_STRING_EQUAL(ev[XS_WATCH_PATH], p("/w/child"));
    free(ev);
    /* Nothing else pending; the fd polls quiet, then readable on a change. */
    CU_ASSERT_PTR_NULL(xs_check_watch(w));
    CU_ASSERT_EQUAL(errno, EAGAIN);
    struct pollfd pfd = { .fd = xs_fileno(w), .events = POLLIN };
    CU_ASSERT_EQUAL(poll(&pfd, 1, 0), 0);
    CU_ASSERT_TRUE(xs_write(h, XBT_NULL, p("/w"), "2", 1));
    CU_ASSERT_EQUAL(poll(&pfd, 1, 5000), 1);
    ev = xs_check_watch(w);
    CU_ASSERT_PTR_NOT_NULL(ev);
    free(ev);
    CU_ASSERT_TRUE(xs_unwatch(w, p("/w"), "tok"));
    CU_ASSERT_FALSE(xs_unwatch(w, p("/w"), "tok"));
    CU_ASSERT_EQUAL(errno, ENOENT);
    xs_close(w);
}

static void unwatch_filter_drops_queued(void)
{
    struct xs_handle *w = xs_open(XS_UNWATCH_FILTER);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_TRUE(xs_watch(w, p("/f"), "f"));
    CU_ASSERT_TRUE(xs_watch(w, p("/g"), "g"));
    free(next_event(w));
    free(next_event(w));
    CU_ASSERT_TRUE(xs_write(h, XBT_NULL, p("/f"), "1", 1));
    CU_ASSERT_TRUE(xs_write(h, XBT_NULL, p("/g"), "1", 1));
    /* Make sure both events have arrived before unwatching. */
    CU_ASSERT_TRUE(xs_write(w, XBT_NULL, p("/sync"), "1", 1));
    usleep(20000);
    CU_ASSERT_TRUE(xs_unwatch(w, p("/f"), "f"));
    char **ev = next_event(w);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
    CU_ASSERT_STRING_EQUAL(ev[XS_WATCH_TOKEN], "g");
    free(ev);
    xs_close(w);
}

static void transactions(void)
{
    unsigned len;
    xs_transaction_t t = xs_transaction_start(h);
    CU_ASSERT_NOT_EQUAL_FATAL(t, XBT_NULL);
    CU_ASSERT_TRUE(xs_write(h, t, p("/t"), "in-tx", 5));
    CU_ASSERT_PTR_NULL(xs_read(h, XBT_NULL, p("/t"), &len));
    CU_ASSERT_TRUE(xs_transaction_end(h, t, false));
    char *v = xs_read(h, XBT_NULL, p("/t"), &len);
    CU_ASSERT_PTR_NOT_NULL(v);
    free(v);

    /* A conflicting change makes the commit fail with EAGAIN. */
    struct xs_handle *other = xs_open(0);
    t = xs_transaction_start(h);
    v = xs_read(h, t, p("/t"), &len);
    free(v);
    CU_ASSERT_TRUE(xs_write(other, XBT_NULL, p("/t"), "other", 5));
    CU_ASSERT_TRUE(xs_write(h, t, p("/t"), "mine", 4));
    CU_ASSERT_FALSE(xs_transaction_end(h, t, false));
    CU_ASSERT_EQUAL(errno, EAGAIN);
    v = xs_read(h, XBT_NULL, p("/t"), &len);
    CU_ASSERT_STRING_EQUAL(v, "other");
    free(v);
    xs_close(other);

    /* Abort. */
    t = xs_transaction_start(h);
    CU_ASSERT_TRUE(xs_rm(h, t, p("/t")));
    CU_ASSERT_TRUE(xs_transaction_end(h, t, true));
    v = xs_read(h, XBT_NULL, p("/t"), &len);
    CU_ASSERT_PTR_NOT_NULL(v);
    free(v);
}

static void domain_queries(void)
{
    char *path = xs_get_domain_path(h, 7);
    CU_ASSERT_STRING_EQUAL(path, "/local/domain/7");
    free(path);
    CU_ASSERT_TRUE(xs_is_domain_introduced(h, 0));
}

static void helpers(void)
{
    struct xs_permissions perms[2];
    CU_ASSERT_TRUE(xs_strings_to_perms(perms, 2, "r5\0b0"));
    CU_ASSERT_EQUAL(perms[0].id, 5);
    CU_ASSERT_EQUAL(perms[0].perms, XS_PERM_READ);
    CU_ASSERT_EQUAL(perms[1].perms, XS_PERM_READ | XS_PERM_WRITE);
    CU_ASSERT_FALSE(xs_strings_to_perms(perms, 1, "z1"));
    CU_ASSERT_TRUE(xs_path_is_subpath("/a", "/a/b"));
    CU_ASSERT_TRUE(xs_path_is_subpath("/a", "/a"));
    CU_ASSERT_FALSE(xs_path_is_subpath("/a", "/ab"));
    CU_ASSERT_FALSE(xs_restrict(h, 1));
}

static void many_handles_in_parallel(void)
{
    struct xs_handle *hs[16];
    for (int i = 0; i < 16; i++) {
        hs[i] = xs_open(0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(hs[i]);
    }
    char path[128], val[16];
    for (int round = 0; round < 20; round++)
        for (int i = 0; i < 16; i++) {
            snprintf(path, sizeof(path), "%s/par/%d", base, i);
            snprintf(val, sizeof(val), "%d", round);
            CU_ASSERT_TRUE(xs_write(hs[i], XBT_NULL, path, val, (unsigned)strlen(val)));
        }
    for (int i = 0; i < 16; i++) {
        unsigned len;
        snprintf(path, sizeof(path), "%s/par/%d", base, i);
        char *v = xs_read(hs[(i + 1) % 16], XBT_NULL, path, &len);
        CU_ASSERT_STRING_EQUAL(v, "19");
        free(v);
    }
    for (int i = 0; i < 16; i++)
        xs_close(hs[i]);
}

struct thread_arg {
    struct xs_handle *h;
    int id;
    int errors;
};

static void *hammer(void *p)
{
    struct thread_arg *a = p;
    char path[128], val[32];
    for (int i = 0; i < 200; i++) {
        unsigned len;
        snprintf(path, sizeof(path), "%s/threads/t%d", base, a->id);
        snprintf(val, sizeof(val), "%d-%d", a->id, i);
        if (!xs_write(a->h, XBT_NULL, path, val, (unsigned)strlen(val)))
            a->errors++;
        char *v = xs_read(a->h, XBT_NULL, path, &len);
        if (!v || strcmp(v, val))
            a->errors++;
        free(v);
    }
    return NULL;
}

/* One handle shared by threads while its reader thread delivers events. */
static void threads_share_a_handle(void)
{
    struct xs_handle *sh = xs_open(0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sh);
    CU_ASSERT_TRUE(xs_watch(sh, p("/threads"), "th"));
    pthread_t tid[4];
    struct thread_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct thread_arg){ sh, i, 0 };
        pthread_create(&tid[i], NULL, hammer, &args[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(tid[i], NULL);
        CU_ASSERT_EQUAL(args[i].errors, 0);
    }
    /* Every write produced an event on the same handle: 1 + 4 * 200. */
    int events = 0;
    char **ev;
    while (events < 801 && (ev = xs_read_watch(sh, &(unsigned){0}))) {
        events++;
        free(ev);
    }
    CU_ASSERT_EQUAL(events, 801);
    CU_ASSERT_PTR_NULL(xs_check_watch(sh));
    xs_close(sh);
}

int main(int argc, char **argv)
{
    const char *prefix = argc > 1 ? argv[1] : "xenstore/client";
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("api", suite_init, suite_clean);
    CU_add_test(s, "write_read_rm", write_read_rm);
    CU_add_test(s, "binary_and_empty_values", binary_and_empty_values);
    CU_add_test(s, "directory_and_mkdir", directory_and_mkdir);
    CU_add_test(s, "big_directory", big_directory);
    CU_add_test(s, "permissions", permissions);
    CU_add_test(s, "watches", watches);
    CU_add_test(s, "unwatch_filter_drops_queued", unwatch_filter_drops_queued);
    CU_add_test(s, "transactions", transactions);
    CU_add_test(s, "domain_queries", domain_queries);
    CU_add_test(s, "helpers", helpers);
    CU_add_test(s, "many_handles_in_parallel", many_handles_in_parallel);
    CU_add_test(s, "threads_share_a_handle", threads_share_a_handle);
    return cunit_run_and_record(prefix);
}
