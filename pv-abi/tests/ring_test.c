/*
 * Unit tests for pvabi/io/ring.h: behaviour a split driver relies on, and a
 * differential run of the same exchange against Debian's Xen ring.h.
 */
#include <CUnit/Basic.h>
#include <string.h>
#include <pvabi/io/ring.h>
#include <pvabi/io/blkif.h>
#include <pvabi/io/netif.h>
#include "cunit_results.h"

unsigned ring_script_ours(void *page, unsigned bytes, RING_IDX start,
                          unsigned rounds, unsigned batch, unsigned char *notes);
unsigned ring_script_xen(void *page, unsigned bytes, RING_IDX start,
                         unsigned rounds, unsigned batch, unsigned char *notes);

static _Alignas(4096) unsigned char page_a[4 * 4096];
static _Alignas(4096) unsigned char page_b[4 * 4096];

static void compare_scripts(unsigned bytes, RING_IDX start, unsigned rounds, unsigned batch)
{
    unsigned char notes_a[4 * 64], notes_b[4 * 64];
    unsigned na = ring_script_ours(page_a, bytes, start, rounds, batch, notes_a);
    unsigned nb = ring_script_xen(page_b, bytes, start, rounds, batch, notes_b);
    CU_ASSERT_EQUAL(na, nb);
    CU_ASSERT_EQUAL(memcmp(notes_a, notes_b, na), 0);
    CU_ASSERT_EQUAL(memcmp(page_a, page_b, bytes), 0);
}

static void test_same_as_xen_small_batches(void) { compare_scripts(4096, 0, 40, 3); }
static void test_same_as_xen_full_ring(void)     { compare_scripts(4096, 0, 8, 200); }
static void test_same_as_xen_index_wrap(void)    { compare_scripts(4096, 0xfffffff0u, 30, 5); }
static void test_same_as_xen_multi_page(void)    { compare_scripts(4 * 4096, 0xffffff00u, 20, 77); }

static void test_slot_counts(void)
{
    CU_ASSERT_EQUAL(__CONST_RING_SIZE(blkif, 4096), 32);
    CU_ASSERT_EQUAL(__CONST_RING_SIZE(netif_tx, 4096), 256);
    CU_ASSERT_EQUAL(__CONST_RING_SIZE(netif_rx, 4096), 256);
    struct blkif_sring *s = (struct blkif_sring *)page_a;
    struct blkif_front_ring f;
    XEN_FRONT_RING_INIT(&f, s, 4096);
    CU_ASSERT_EQUAL(RING_SIZE(&f), 32);
    CU_ASSERT_EQUAL(s->req_event, 1);
    CU_ASSERT_EQUAL(s->rsp_event, 1);
    CU_ASSERT_EQUAL(RING_FREE_REQUESTS(&f), 32);
}

static void test_first_push_notifies_then_quiet(void)
{
    struct blkif_sring *s = (struct blkif_sring *)page_a;
    struct blkif_front_ring f;
    int notify = -1;
    XEN_FRONT_RING_INIT(&f, s, 4096);
    f.req_prod_pvt++;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, notify);
    CU_ASSERT_EQUAL(notify, 1);         /* req_event 1 lies in (0, 1] */
    f.req_prod_pvt++;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, notify);
    CU_ASSERT_EQUAL(notify, 0);         /* backend did not ask again */
}

static void test_hostile_req_prod_is_capped(void)
{
    struct blkif_sring *s = (struct blkif_sring *)page_a;
    struct blkif_back_ring b;
    SHARED_RING_INIT(s);
    BACK_RING_INIT(&b, s, 4096);
    s->req_prod = 100000;               /* a frontend claiming far too much */
    CU_ASSERT_EQUAL(RING_HAS_UNCONSUMED_REQUESTS(&b), 32);
    CU_ASSERT_TRUE(RING_REQUEST_PROD_OVERFLOW(&b, s->req_prod));
    CU_ASSERT_FALSE(RING_REQUEST_PROD_OVERFLOW(&b, 32));
}

static void test_final_check_arms_event(void)
{
    struct blkif_sring *s = (struct blkif_sring *)page_a;
    struct blkif_back_ring b;
    int more = -1;
    SHARED_RING_INIT(s);
    BACK_RING_ATTACH(&b, s, 7, 4096);
    s->req_prod = 7;
    RING_FINAL_CHECK_FOR_REQUESTS(&b, more);
    CU_ASSERT_EQUAL(more, 0);
    CU_ASSERT_EQUAL(s->req_event, 8);   /* wake me on the next request */
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("ring", NULL, NULL);
    CU_add_test(s, "slot_counts", test_slot_counts);
    CU_add_test(s, "first_push_notifies_then_quiet", test_first_push_notifies_then_quiet);
    CU_add_test(s, "hostile_req_prod_is_capped", test_hostile_req_prod_is_capped);
    CU_add_test(s, "final_check_arms_event", test_final_check_arms_event);
    CU_add_test(s, "same_as_xen_small_batches", test_same_as_xen_small_batches);
    CU_add_test(s, "same_as_xen_full_ring", test_same_as_xen_full_ring);
    CU_add_test(s, "same_as_xen_index_wrap", test_same_as_xen_index_wrap);
    CU_add_test(s, "same_as_xen_multi_page", test_same_as_xen_multi_page);
    return cunit_run_and_record("pv-abi/unit");
}
