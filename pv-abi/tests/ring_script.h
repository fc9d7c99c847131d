/*
 * One fixed exchange over a shared ring, written only with the ring macros,
 * compiled twice: once against pvabi/io/ring.h (ring_script_ours.c) and once
 * against Debian's xen/io/ring.h (ring_script_xen.c). ring_test.c checks
 * that both leave the same bytes in the shared page and make the same
 * notification decisions, i.e. that our macros produce Xen's layout and
 * protocol. The includer defines RING_SCRIPT_FN to name the function.
 */
struct script_req { uint64_t id; uint32_t op; uint32_t arg; };
struct script_rsp { uint64_t id; int32_t status; uint32_t pad; };
DEFINE_RING_TYPES(script, struct script_req, struct script_rsp);

/*
 * Runs `rounds` rounds of: frontend queues `batch` requests, backend answers
 * all of them, frontend consumes the answers, with indices starting at
 * `start` (so a start near 2^32 exercises wrap-around). Writes one
 * notification decision per push into notes[] and returns how many.
 */
unsigned RING_SCRIPT_FN(void *page, unsigned page_bytes, RING_IDX start,
                        unsigned rounds, unsigned batch, unsigned char *notes)
{
    struct script_sring *s = page;
    struct script_front_ring front;
    struct script_back_ring back;
    unsigned n = 0;
    int notify, more;

    memset(page, 0, page_bytes);
    SHARED_RING_INIT(s);
    s->req_prod = s->rsp_prod = start;
    s->req_event = s->rsp_event = start + 1;
    FRONT_RING_ATTACH(&front, s, start, page_bytes);
    BACK_RING_ATTACH(&back, s, start, page_bytes);

    for (unsigned r = 0; r < rounds; r++) {
        for (unsigned i = 0; i < batch && !RING_FULL(&front); i++) {
            struct script_req *req = RING_GET_REQUEST(&front, front.req_prod_pvt);
            req->id = (uint64_t)r << 32 | i;
            req->op = r;
            req->arg = i * 7;
            front.req_prod_pvt++;
        }
        RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&front, notify);
        notes[n++] = (unsigned char)notify;

        RING_FINAL_CHECK_FOR_REQUESTS(&back, more);
        while (more) {
            while (RING_HAS_UNCONSUMED_REQUESTS(&back)) {
                struct script_req req;
                RING_COPY_REQUEST(&back, back.req_cons, &req);
                back.req_cons++;
                struct script_rsp *rsp = RING_GET_RESPONSE(&back, back.rsp_prod_pvt);
                rsp->id = req.id;
                rsp->status = (int32_t)(req.arg - req.op);
                back.rsp_prod_pvt++;
            }
            RING_FINAL_CHECK_FOR_REQUESTS(&back, more);
        }
        RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&back, notify);
        notes[n++] = (unsigned char)notify;

        RING_FINAL_CHECK_FOR_RESPONSES(&front, more);
        while (more) {
            while (RING_HAS_UNCONSUMED_RESPONSES(&front))
                front.rsp_cons++;
            RING_FINAL_CHECK_FOR_RESPONSES(&front, more);
        }
        notes[n++] = (unsigned char)RING_SIZE(&front);
        notes[n++] = (unsigned char)RING_FREE_REQUESTS(&front);
    }
    return n;
}
