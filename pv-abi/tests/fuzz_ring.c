/*
 * libFuzzer target: a backend consuming a shared ring whose page a hostile
 * frontend controls entirely (indices, event counters, slot contents).
 * The backend is written the robust way the ring macros support: read
 * req_prod once, reject a producer index that claims more than the ring
 * holds (RING_REQUEST_PROD_OVERFLOW: reset the device), and stop on
 * RING_REQUEST_CONS_OVERFLOW. With that, no pass may consume more than the
 * ring size or touch memory outside the page, whatever the page says.
 * (RING_HAS_UNCONSUMED_REQUESTS alone caps only the *outstanding* requests:
 * a backend answering each request at once could be kept looping by a huge
 * req_prod, which the first version of this target found.)
 * ASan/UBSan report any out-of-bounds access; the asserts the rest.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pvabi/io/blkif.h>

#define PAGE 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Heap page of exactly one page, so ASan sees any overrun. */
    unsigned char *page = malloc(PAGE);
    struct blkif_sring *s = (struct blkif_sring *)page;
    struct blkif_back_ring back;
    RING_IDX start = 0;

    if (!page)
        return 0;
    memset(page, 0, PAGE);
    if (size >= sizeof(start))
        memcpy(&start, data, sizeof(start));
    memcpy(page, data, size < PAGE ? size : PAGE);
    BACK_RING_ATTACH(&back, s, start, PAGE);
    assert(RING_SIZE(&back) == 32);

    for (int pass = 0; pass < 4; pass++) {
        unsigned int consumed = 0;
        RING_IDX rp = __atomic_load_n(&s->req_prod, __ATOMIC_ACQUIRE);   /* read once */
        if (RING_REQUEST_PROD_OVERFLOW(&back, rp))
            break;      /* malformed: a real backend resets the device here */
        while (back.req_cons != rp && !RING_REQUEST_CONS_OVERFLOW(&back, back.req_cons)) {
            struct blkif_request req;
            RING_COPY_REQUEST(&back, back.req_cons, &req);
            back.req_cons++;
            consumed++;
            assert(consumed <= RING_SIZE(&back));
            struct blkif_response *rsp = RING_GET_RESPONSE(&back, back.rsp_prod_pvt);
            assert((unsigned char *)rsp >= page + 64 &&
                   (unsigned char *)(rsp + 1) <= page + PAGE);
            rsp->id = req.id;
            rsp->operation = req.operation;
            rsp->status = req.nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST ?
                          BLKIF_RSP_ERROR : BLKIF_RSP_OKAY;
            back.rsp_prod_pvt++;
        }
        int more;
        RING_FINAL_CHECK_FOR_REQUESTS(&back, more);
        assert(more >= 0 && (unsigned int)more <= RING_SIZE(&back));
        int notify;
        RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&back, notify);
        (void)notify;
        /* The frontend moves on: let the input's later bytes be its next
         * req_prod, as a racing guest would. */
        if (size >= 8 + 4 * (size_t)(pass + 1))
            memcpy(&s->req_prod, data + 8 + 4 * pass, 4);
    }
    free(page);
    return 0;
}
