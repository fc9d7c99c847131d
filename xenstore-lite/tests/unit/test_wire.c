#include <errno.h>
#include <string.h>

#include "harness.h"
#include "request.h"

static void setup(void) { th_reset(); }

static void header_fields_echoed(void)
{
    struct xsd_conn *c = th_conn(0, true);
    uint32_t t = th_tx_start(c);
    struct reply r = th_callv(c, XS_READ, t, "/tool", NULL);
    CU_ASSERT_EQUAL(r.type, XS_READ);
    CU_ASSERT_EQUAL(r.tx_id, t);
    r = th_callv(c, XS_READ, 0, "/nothing", NULL);
    CU_ASSERT_EQUAL(r.type, XS_ERROR);
    CU_ASSERT_EQUAL(r.len, 7);   /* "ENOENT" and its nul */
}

static void byte_by_byte_input(void)
{
    struct xsd_conn *c = th_conn(0, true);
    char msg[64];
    struct xsd_sockmsg h = { .type = XS_WRITE, .req_id = 9, .len = 7 };
    memcpy(msg, &h, sizeof(h));
    memcpy(msg + sizeof(h), "/bb\0xyz", 7);
    for (size_t i = 0; i < sizeof(h) + 7; i++) {
        CU_ASSERT_EQUAL(th_queued(c), 0);
        CU_ASSERT_EQUAL(xsd_conn_input(c, msg + i, 1), 1);
    }
    CU_ASSERT_EQUAL(th_queued(c), 1);
    struct reply r;
    CU_ASSERT_TRUE(th_take_reply(c, &r));
    CU_ASSERT_EQUAL(r.req_id, 9);
    CU_ASSERT_STRING_EQUAL(r.body, "OK");
    CU_ASSERT_STRING_EQUAL(th_read(c, 0, "/bb"), "xyz");
}

static void several_messages_in_one_chunk(void)
{
    struct xsd_conn *c = th_conn(0, true);
    char buf[128];
    size_t len = 0;
    for (int i = 0; i < 3; i++) {
        struct xsd_sockmsg h = { .type = XS_GET_DOMAIN_PATH, .req_id = 100u + (uint32_t)i, .len = 2 };
        memcpy(buf + len, &h, sizeof(h));
        memcpy(buf + len + sizeof(h), "3", 2);
        len += sizeof(h) + 2;
    }
    CU_ASSERT_EQUAL(xsd_conn_input(c, buf, len), (long)len);
    CU_ASSERT_EQUAL(c->out_replies, 3);
}

static void oversized_payload_breaks_connection(void)
{
    struct xsd_conn *c = th_conn(0, true);
    struct xsd_sockmsg h = { .type = XS_WRITE, .len = XENSTORE_PAYLOAD_MAX + 1 };
    CU_ASSERT_TRUE(xsd_conn_input(c, &h, sizeof(h)) < 0);
    CU_ASSERT_TRUE(c->broken);
    CU_ASSERT_TRUE(xsd_conn_input(c, &h, sizeof(h)) < 0);
    /* Exactly the maximum is fine. */
    struct xsd_conn *ok = th_conn(0, true);
    static char big[XENSTORE_PAYLOAD_MAX];
    memset(big, 'a', sizeof(big));
    memcpy(big, "/max", 5);
    struct reply r = th_call(ok, XS_WRITE, 0, big, sizeof(big));
    ASSERT_OK(r);
}

static void unknown_and_reply_only_types(void)
{
    struct xsd_conn *c = th_conn(0, true);
    ASSERT_ERR(th_callv(c, 20, 0, "x", NULL), "ENOSYS");
    ASSERT_ERR(th_callv(c, XS_TYPE_COUNT, 0, "x", NULL), "ENOSYS");
    ASSERT_ERR(th_callv(c, 0xffffffffu, 0, "x", NULL), "ENOSYS");
    ASSERT_ERR(th_callv(c, XS_WATCH_EVENT, 0, "x", "y", NULL), "ENOSYS");
    ASSERT_ERR(th_callv(c, XS_ERROR, 0, "x", NULL), "ENOSYS");
}

static void malformed_arguments(void)
{
    struct xsd_conn *c = th_conn(0, true);
    ASSERT_ERR(th_call(c, XS_READ, 0, "/tool", 5), "EINVAL");     /* no nul */
    ASSERT_ERR(th_call(c, XS_READ, 0, "", 0), "EINVAL");          /* empty */
    ASSERT_ERR(th_call(c, XS_READ, 0, "/a\0/b", 6), "EINVAL");    /* two strings */
    ASSERT_ERR(th_call(c, XS_WRITE, 0, "/nonul", 6), "EINVAL");
    ASSERT_ERR(th_callv(c, XS_WATCH, 0, "/only-path", NULL), "EINVAL");
    ASSERT_ERR(th_callv(c, XS_INTRODUCE, 0, "1", "2", NULL), "EINVAL");
    ASSERT_ERR(th_callv(c, XS_INTRODUCE, 0, "x", "2", "3", NULL), "EINVAL");
    ASSERT_ERR(th_callv(c, XS_INTRODUCE, 0, "40000", "2", "3", NULL), "EINVAL");
    ASSERT_ERR(th_callv(c, XS_DIRECTORY_PART, 0, "/", "notanumber", NULL), "EINVAL");
    ASSERT_ERR(th_callv(c, XS_CONTROL, 0, "frobnicate", NULL), "EINVAL");
}

static void error_names(void)
{
    CU_ASSERT_STRING_EQUAL(xs_errno_name(ENOENT), "ENOENT");
    CU_ASSERT_STRING_EQUAL(xs_errno_name(EAGAIN), "EAGAIN");
    CU_ASSERT_STRING_EQUAL(xs_errno_name(E2BIG), "E2BIG");
    CU_ASSERT_STRING_EQUAL(xs_errno_name(EISCONN), "EISCONN");
    CU_ASSERT_STRING_EQUAL(xs_errno_name(12345), "EINVAL");
}

static void partial_output_consume(void)
{
    struct xsd_conn *c = th_conn(0, true);
    th_callv(c, XS_DIRECTORY, 0, "/", NULL);   /* popped by the harness */
    struct xsd_sockmsg h = { .type = XS_GET_DOMAIN_PATH, .len = 2 };
    char buf[32];
    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), "1", 2);
    xsd_conn_input(c, buf, sizeof(h) + 2);
    size_t n;
    const char *p = xsd_conn_output_peek(c, &n);
    CU_ASSERT_EQUAL(n, sizeof(h) + 16);   /* "/local/domain/1" and its nul */
    xsd_conn_output_consume(c, 5);
    const char *q = xsd_conn_output_peek(c, &n);
    CU_ASSERT_EQUAL(q, p + 5);
    CU_ASSERT_EQUAL(n, sizeof(h) + 11);
    xsd_conn_output_consume(c, n);
    CU_ASSERT_PTR_NULL(xsd_conn_output_peek(c, &n));
    CU_ASSERT_EQUAL(c->out_bytes, 0);
}

void register_wire_tests(void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("wire", th_setup, th_teardown, setup, NULL);
    CU_add_test(s, "header_fields_echoed", header_fields_echoed);
    CU_add_test(s, "byte_by_byte_input", byte_by_byte_input);
    CU_add_test(s, "several_messages_in_one_chunk", several_messages_in_one_chunk);
    CU_add_test(s, "oversized_payload_breaks_connection", oversized_payload_breaks_connection);
    CU_add_test(s, "unknown_and_reply_only_types", unknown_and_reply_only_types);
    CU_add_test(s, "malformed_arguments", malformed_arguments);
    CU_add_test(s, "error_names", error_names);
    CU_add_test(s, "partial_output_consume", partial_output_consume);
}
