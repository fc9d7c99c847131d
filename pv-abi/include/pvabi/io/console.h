/*
 * Tessera guest ABI: the PV console ring.
 *
 * One page (start_info.console.domU.mfn, event channel
 * start_info.console.domU.evtchn) holds two byte rings. The guest writes
 * `out` and advances out_prod; the console daemon (or the hypervisor, for
 * domains created at boot) drains it and advances out_cons. `in` runs the
 * other way. Indices run freely; a byte's slot is MASK_XENCONS_IDX(idx, ring).
 * The writer issues a write barrier before publishing a producer index and
 * notifies the event channel afterwards.
 *
 * xenstore (frontend, /local/domain/<id>/console/): ring-ref (frame),
 * port (event channel), type ("xenconsoled"), limit, tty (set by the daemon).
 */
#ifndef PVABI_IO_CONSOLE_H
#define PVABI_IO_CONSOLE_H

#include <pvabi/types.h>

#ifndef __ASSEMBLY__

typedef uint32_t XENCONS_RING_IDX;

#define MASK_XENCONS_IDX(idx, ring) ((idx) & (sizeof(ring) - 1))

struct xencons_interface {
    char in[1024];                          /* input to the guest */
    char out[2048];                         /* output from the guest */
    XENCONS_RING_IDX in_cons, in_prod;      /* in_prod: daemon; in_cons: guest */
    XENCONS_RING_IDX out_cons, out_prod;    /* out_prod: guest; out_cons: daemon */
};

_Static_assert(offsetof(struct xencons_interface, out) == 1024, "xencons.out");
_Static_assert(offsetof(struct xencons_interface, in_cons) == 3072, "xencons.in_cons");
_Static_assert(offsetof(struct xencons_interface, out_prod) == 3084, "xencons.out_prod");
_Static_assert(sizeof(struct xencons_interface) == 3088, "xencons_interface");

#endif /* !__ASSEMBLY__ */
#endif /* PVABI_IO_CONSOLE_H */
