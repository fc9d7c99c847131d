/* The ring transport on ordinary memory standing in for a guest's page. */
#include <string.h>

#include "harness.h"
#include "transport_ring.h"

static struct xenstore_domain_interface page;
static unsigned notified;
static struct ring_conn *rc;

static void on_notify(void *opaque)
{
    (void)opaque;
    notified++;
}

static void setup(void)
{
    th_reset();
    memset(&page, 0, sizeof(page));
    notified = 0;
    rc = ring_conn_new(th, 5, &page, on_notify, NULL);
}

static void teardown(void)
{
    ring_conn_free(rc);
    rc = NULL;
}

/* Guest side: put bytes on the request ring (space permitting). */
static size_t guest_put(const void *data, size_t len)
{
    size_t done = 0;
    while (done < len && page.req_prod - page.req_cons < XENSTORE_RING_SIZE) {
        page.req[MASK_XENSTORE_IDX(page.req_prod)] = ((const char *)data)[done++];
        page.req_prod++;
    }
    return done;
}

static size_t guest_get(void *buf, size_t len)
{
    size_t done = 0;
    while (done < len && page.rsp_cons != page.rsp_prod) {
        ((char *)buf)[done++] = page.rsp[MASK_XENSTORE_IDX(page.rsp_cons)];
        page.rsp_cons++;
    }
    return done;
}

static void guest_request(uint32_t type, const char *payload, uint32_t len)
{
    struct xsd_sockmsg h = { .type = type, .req_id = 77, .len = len };
    CU_ASSERT_EQUAL(guest_put(&h, sizeof(h)), sizeof(h));
    CU_ASSERT_EQUAL(guest_put(payload, len), len);
}

static void request_and_reply(void)
{
    CU_ASSERT_EQUAL(page.server_features, 3);
    guest_request(XS_GET_DOMAIN_PATH, "5", 2);
    ring_conn_kick(rc);
    CU_ASSERT_TRUE(notified > 0);
    CU_ASSERT_EQUAL(page.req_cons, page.req_prod);
    struct xsd_sockmsg h;
    char body[64];
    CU_ASSERT_EQUAL_FATAL(guest_get(&h, sizeof(h)), sizeof(h));
    CU_ASSERT_EQUAL(h.type, XS_GET_DOMAIN_PATH);
    CU_ASSERT_EQUAL(h.req_id, 77);
    CU_ASSERT_EQUAL(guest_get(body, h.len), h.len);
    CU_ASSERT_STRING_EQUAL(body, "/local/domain/5");
}

static void guest_is_unprivileged(void)
{
    guest_request(XS_READ, "/tool", 6);
    ring_conn_kick(rc);
    struct xsd_sockmsg h;
    char body[64];
    guest_get(&h, sizeof(h));
    guest_get(body, h.len);
    CU_ASSERT_EQUAL(h.type, XS_ERROR);
    CU_ASSERT_STRING_EQUAL(body, "EACCES");
}

static void reply_bigger_than_ring_space(void)
{
    struct xsd_conn *dom0 = th_conn(0, true);
    static char big[3000 + 8];
    memcpy(big, "/big", 5);
    memset(big + 5, 'q', 3000);
    CU_ASSERT_EQUAL(th_call(dom0, XS_WRITE, 0, big, 5 + 3000).type, XS_WRITE);
    th_callv(dom0, XS_SET_PERMS, 0, "/big", "r0", NULL);
    guest_request(XS_READ, "/big", 5);
    ring_conn_kick(rc);
    /* Only one ring's worth fits; the rest follows as the guest reads. */
    CU_ASSERT_EQUAL(page.rsp_prod - page.rsp_cons, XENSTORE_RING_SIZE);
    static char got[4096];
    size_t n = 0;
    for (int i = 0; i < 10 && n < sizeof(struct xsd_sockmsg) + 3000; i++) {
        n += guest_get(got + n, sizeof(got) - n);
        ring_conn_kick(rc);
    }
    CU_ASSERT_EQUAL(n, sizeof(struct xsd_sockmsg) + 3000);
    CU_ASSERT_EQUAL(got[sizeof(struct xsd_sockmsg) + 2999], 'q');
}

static void bad_index_is_reported(void)
{
    page.req_prod = 5000;   /* more than a ring ahead of req_cons */
    ring_conn_kick(rc);
    CU_ASSERT_EQUAL(page.error, XENSTORE_ERROR_RINGIDX);
    CU_ASSERT_TRUE(ring_conn_xsd_conn(rc)->broken);
}

static void oversized_payload_is_reported(void)
{
    struct xsd_sockmsg h = { .type = XS_WRITE, .len = 5000 };
    guest_put(&h, sizeof(h));
    ring_conn_kick(rc);
    CU_ASSERT_EQUAL(page.error, XENSTORE_ERROR_PROTO);
}

static void reconnect_resets_connection(void)
{
    guest_request(XS_WATCH, "/a\0t", 5);
    ring_conn_kick(rc);
    CU_ASSERT_EQUAL(th->nwatches, 1);
    page.req_prod = 5000;
    ring_conn_kick(rc);
    CU_ASSERT_EQUAL(page.error, XENSTORE_ERROR_RINGIDX);
    page.connection = XENSTORE_RECONNECT;
    ring_conn_kick(rc);
    CU_ASSERT_EQUAL(page.connection, XENSTORE_CONNECTED);
    CU_ASSERT_EQUAL(page.error, XENSTORE_ERROR_NONE);
    CU_ASSERT_EQUAL(page.req_prod, 0);
    CU_ASSERT_EQUAL(page.rsp_prod, 0);
    CU_ASSERT_EQUAL(th->nwatches, 0);
    /* And it works again. */
    guest_request(XS_GET_DOMAIN_PATH, "5", 2);
    ring_conn_kick(rc);
    struct xsd_sockmsg h;
    CU_ASSERT_EQUAL(guest_get(&h, sizeof(h)), sizeof(h));
    CU_ASSERT_EQUAL(h.type, XS_GET_DOMAIN_PATH);
}

static void wraps_around_the_ring(void)
{
    for (int i = 0; i < 200; i++) {
        guest_request(XS_GET_DOMAIN_PATH, "5", 2);
        ring_conn_kick(rc);
        struct xsd_sockmsg h;
        char body[64];
        CU_ASSERT_EQUAL_FATAL(guest_get(&h, sizeof(h)), sizeof(h));
        CU_ASSERT_EQUAL_FATAL(guest_get(body, h.len), h.len);
        CU_ASSERT_STRING_EQUAL(body, "/local/domain/5");
    }
    CU_ASSERT_TRUE(page.req_prod > 3 * XENSTORE_RING_SIZE);
}

void register_ring_tests(void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("ring", th_setup, th_teardown, setup, teardown);
    CU_add_test(s, "request_and_reply", request_and_reply);
    CU_add_test(s, "guest_is_unprivileged", guest_is_unprivileged);
    CU_add_test(s, "reply_bigger_than_ring_space", reply_bigger_than_ring_space);
    CU_add_test(s, "bad_index_is_reported", bad_index_is_reported);
    CU_add_test(s, "oversized_payload_is_reported", oversized_payload_is_reported);
    CU_add_test(s, "reconnect_resets_connection", reconnect_resets_connection);
    CU_add_test(s, "wraps_around_the_ring", wraps_around_the_ring);
}
