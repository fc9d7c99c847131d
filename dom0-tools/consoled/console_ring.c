/* PV console ring, daemon side (see console_ring.h). */
#include "console_ring.h"

size_t console_ring_read(struct xencons_interface *intf, char *buf, size_t max, size_t *lost)
{
    XENCONS_RING_IDX cons = intf->out_cons;
    XENCONS_RING_IDX prod = __atomic_load_n(&intf->out_prod, __ATOMIC_ACQUIRE);
    XENCONS_RING_IDX avail = prod - cons;
    size_t done = 0;

    *lost = 0;
    if (avail > sizeof(intf->out)) {
        *lost = avail - sizeof(intf->out);
        cons = prod - (XENCONS_RING_IDX)sizeof(intf->out);
    }
    while (cons != prod && done < max) {
        buf[done++] = intf->out[MASK_XENCONS_IDX(cons, intf->out)];
        cons++;
    }
    __atomic_store_n(&intf->out_cons, cons, __ATOMIC_RELEASE);
    return done;
}

size_t console_ring_space(struct xencons_interface *intf)
{
    XENCONS_RING_IDX used = intf->in_prod - __atomic_load_n(&intf->in_cons, __ATOMIC_ACQUIRE);
    return used > sizeof(intf->in) ? 0 : sizeof(intf->in) - used;
}

size_t console_ring_write(struct xencons_interface *intf, const char *data, size_t len)
{
    size_t space = console_ring_space(intf);
    XENCONS_RING_IDX prod = intf->in_prod;
    size_t n = len < space ? len : space;

    for (size_t i = 0; i < n; i++) {
        intf->in[MASK_XENCONS_IDX(prod, intf->in)] = data[i];
        prod++;
    }
    __atomic_store_n(&intf->in_prod, prod, __ATOMIC_RELEASE);
    return n;
}
