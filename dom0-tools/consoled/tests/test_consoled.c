/*
 * tessera-consoled's logic without a hypervisor: the console ring seen from
 * the daemon (a guest's indices checked), the bounded pty queue and the
 * log's size limit.
 */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console.h"
#include "console_ring.h"
#include "cunit_results.h"
#include "outbuf.h"

/* The guest's side: put bytes on the output ring as a PV kernel does. */
static void guest_write(struct xencons_interface *r, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        r->out[MASK_XENCONS_IDX(r->out_prod + i, r->out)] = s[i];
    r->out_prod += (XENCONS_RING_IDX)n;
}

static void test_read_simple(void)
{
    static struct xencons_interface r;
    char buf[4096];
    size_t lost;
    memset(&r, 0, sizeof(r));
    guest_write(&r, "hello", 5);
    CU_ASSERT_EQUAL(console_ring_read(&r, buf, sizeof(buf), &lost), 5);
    CU_ASSERT_EQUAL(lost, 0);
    CU_ASSERT_EQUAL(memcmp(buf, "hello", 5), 0);
    CU_ASSERT_EQUAL(r.out_cons, 5);
    CU_ASSERT_EQUAL(console_ring_read(&r, buf, sizeof(buf), &lost), 0);
}

static void test_read_wraps_and_max(void)
{
    static struct xencons_interface r;
    char buf[4096], want[3000];
    size_t lost;
    memset(&r, 0, sizeof(r));
    /* Indices near the 32-bit wrap and the ring's end at once. */
    r.out_cons = r.out_prod = 0xfffffc00u;
    for (size_t i = 0; i < sizeof(r.out); i++)
        want[i] = (char)('a' + i % 26);
    guest_write(&r, want, sizeof(r.out));
    CU_ASSERT_EQUAL(console_ring_read(&r, buf, 100, &lost), 100);
    CU_ASSERT_EQUAL(memcmp(buf, want, 100), 0);
    CU_ASSERT_EQUAL(console_ring_read(&r, buf, sizeof(buf), &lost), sizeof(r.out) - 100);
    CU_ASSERT_EQUAL(memcmp(buf, want + 100, sizeof(r.out) - 100), 0);
    CU_ASSERT_EQUAL(r.out_cons, r.out_prod);
}

static void test_read_corrupt_producer(void)
{
    static struct xencons_interface r;
    char buf[8192];
    size_t lost;
    memset(&r, 0, sizeof(r));
    r.out_prod = 1000000;   /* far more than a ring ahead of out_cons */
    size_t n = console_ring_read(&r, buf, sizeof(buf), &lost);
    CU_ASSERT_EQUAL(n, sizeof(r.out));
    CU_ASSERT_EQUAL(lost, 1000000 - sizeof(r.out));
    CU_ASSERT_EQUAL(r.out_cons, 1000000);
    /* A producer behind the consumer looks the same: at most a ring is read. */
    r.out_prod = r.out_cons - 1;
    CU_ASSERT(console_ring_read(&r, buf, sizeof(buf), &lost) <= sizeof(r.out));
}

static void test_write_space(void)
{
    static struct xencons_interface r;
    char big[2048];
    memset(&r, 0, sizeof(r));
    memset(big, 'x', sizeof(big));
    CU_ASSERT_EQUAL(console_ring_space(&r), sizeof(r.in));
    CU_ASSERT_EQUAL(console_ring_write(&r, "ab", 2), 2);
    CU_ASSERT_EQUAL(r.in_prod, 2);
    CU_ASSERT_EQUAL(r.in[0], 'a');
    CU_ASSERT_EQUAL(console_ring_write(&r, big, sizeof(big)), sizeof(r.in) - 2);
    CU_ASSERT_EQUAL(console_ring_space(&r), 0);
    CU_ASSERT_EQUAL(console_ring_write(&r, "c", 1), 0);
    r.in_cons = 10;   /* the guest took ten */
    CU_ASSERT_EQUAL(console_ring_space(&r), 10);
    CU_ASSERT_EQUAL(console_ring_write(&r, "0123456789", 10), 10);
    CU_ASSERT_EQUAL(r.in[MASK_XENCONS_IDX(sizeof(r.in), r.in)], '0');
    /* A guest index claiming more than a ring in use: no room at all. */
    r.in_cons = r.in_prod + 5;
    CU_ASSERT_EQUAL(console_ring_space(&r), 0);
    CU_ASSERT_EQUAL(console_ring_write(&r, "d", 1), 0);
}

static void test_outbuf_keeps_newest(void)
{
    struct outbuf b;
    size_t len;
    const char *p;
    CU_ASSERT_EQUAL(outbuf_init(&b, 8), 0);
    CU_ASSERT_PTR_NULL(outbuf_peek(&b, &len));
    outbuf_append(&b, "abcde", 5);
    outbuf_append(&b, "fghij", 5);   /* two too many: a and b go */
    CU_ASSERT_EQUAL(b.len, 8);
    CU_ASSERT_EQUAL(b.dropped, 2);
    char got[16];
    size_t n = 0;
    while ((p = outbuf_peek(&b, &len))) {
        memcpy(got + n, p, len);
        n += len;
        outbuf_consume(&b, len);
    }
    CU_ASSERT_EQUAL(n, 8);
    CU_ASSERT_EQUAL(memcmp(got, "cdefghij", 8), 0);
    /* An append larger than the whole buffer keeps its own tail. */
    outbuf_append(&b, "xy", 2);
    outbuf_append(&b, "0123456789AB", 12);
    CU_ASSERT_EQUAL(b.dropped, 2 + 2 + 4);
    p = outbuf_peek(&b, &len);
    CU_ASSERT_EQUAL(len, 8);
    CU_ASSERT_EQUAL(memcmp(p, "456789AB", 8), 0);
    outbuf_consume(&b, 3);
    outbuf_append(&b, "CDE", 3);   /* wraps around the end */
    n = 0;
    while ((p = outbuf_peek(&b, &len))) {
        memcpy(got + n, p, len);
        n += len;
        outbuf_consume(&b, len);
    }
    CU_ASSERT_EQUAL(n, 8);
    CU_ASSERT_EQUAL(memcmp(got, "789ABCDE", 8), 0);
    outbuf_free(&b);
}

static void test_log_limit(void)
{
    char dir[] = "/tmp/consoled-test.XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    struct console_env env = { .log_dir = dir, .log_max = 100 };
    struct console c = { .log_fd = -1 };
    snprintf(c.name, sizeof(c.name), "guest");
    char path[256], old[256];
    snprintf(path, sizeof(path), "%s/guest.log", dir);
    snprintf(old, sizeof(old), "%s/guest.log.old", dir);
    c.log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0640);
    CU_ASSERT_FATAL(c.log_fd >= 0);
    char line[40];
    memset(line, 'x', sizeof(line));
    for (int i = 0; i < 10; i++)   /* 400 bytes into a 100-byte limit */
        console_log(&c, &env, line, sizeof(line));
    struct stat st;
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT(st.st_size <= 100 && st.st_size > 0);
    CU_ASSERT_EQUAL(stat(old, &st), 0);
    CU_ASSERT(st.st_size <= 100);
    CU_ASSERT_EQUAL(c.logged, 400);
    close(c.log_fd);
    unlink(path);
    unlink(old);
    rmdir(dir);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite s = CU_add_suite("ring", NULL, NULL);
    CU_add_test(s, "read_simple", test_read_simple);
    CU_add_test(s, "read_wraps_and_max", test_read_wraps_and_max);
    CU_add_test(s, "read_corrupt_producer", test_read_corrupt_producer);
    CU_add_test(s, "write_space", test_write_space);
    s = CU_add_suite("buffers", NULL, NULL);
    CU_add_test(s, "outbuf_keeps_newest", test_outbuf_keeps_newest);
    CU_add_test(s, "log_limit", test_log_limit);
    return cunit_run_and_record("dom0-tools/consoled/unit");
}
