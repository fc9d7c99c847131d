/*
 * libFuzzer target: the daemon's message handling, fed arbitrary bytes.
 *
 * The input is a list of chunks, each "<conn><len lo><len hi><bytes>": conn
 * picks one of four connections (privileged dom0, two unprivileged guests,
 * one of them on an in-memory ring) and the bytes are what that client
 * sends. Queued output is drained now and then, as a client would read it.
 * Any crash, leak or sanitizer report is a bug; so is a broken invariant.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport_ring.h"
#include "xsd.h"

static struct xsd xsd;

static void drain(struct xsd_conn *c, size_t max)
{
    size_t n;
    while (max && xsd_conn_output_peek(c, &n)) {
        if (n > max)
            n = max;
        xsd_conn_output_consume(c, n);
        max -= n;
    }
}

static void nop_notify(void *opaque)
{
    (void)opaque;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct xenstore_domain_interface page;

    if (xsd_init(&xsd))
        return 0;
    memset(&page, 0, sizeof(page));
    struct xsd_conn *conns[3] = {
        xsd_conn_new(&xsd, 0, true, NULL, NULL),
        xsd_conn_new(&xsd, 5, false, NULL, NULL),
        xsd_conn_new(&xsd, 6, false, NULL, NULL),
    };
    struct ring_conn *rc = ring_conn_new(&xsd, 7, &page, nop_notify, NULL);

    while (size >= 3) {
        unsigned which = data[0] & 3;
        size_t len = (size_t)data[1] | ((size_t)data[2] << 8);
        data += 3;
        size -= 3;
        if (len > size)
            len = size;
        if (which < 3) {
            if (conns[which]->broken)
                conns[which] = xsd_conn_new(&xsd, which == 0 ? 0 : 4 + which, which == 0, NULL, NULL);
            xsd_conn_input(conns[which], data, len);
            drain(conns[which], len * 3);
        } else if (rc) {
            /* Guest side of the ring: write what fits, let the daemon run. */
            for (size_t i = 0; i < len && page.req_prod - page.req_cons < XENSTORE_RING_SIZE; i++)
                page.req[MASK_XENSTORE_IDX(page.req_prod++)] = (char)data[i];
            page.rsp_cons = page.rsp_prod;
            ring_conn_kick(rc);
        }
        data += len;
        size -= len;
        /* Invariant: nothing is queued beyond the limits. */
        for (struct xsd_conn *c = xsd.conns; c; c = c->next)
            if (c->out_events > 65536 || (!c->privileged && c->out_replies > xsd.quota.outstanding + 1))
                abort();
    }
    xsd_destroy(&xsd);
    return 0;
}
