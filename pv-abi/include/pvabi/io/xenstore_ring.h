/*
 * The xenstore shared page: one page a guest shares with the xenstore
 * daemon, holding a request ring (guest produces) and a response ring
 * (daemon produces, also carrying watch events). Indices run freely and are
 * masked into the 1024-byte rings; the other side is told of progress
 * through the domain's xenstore event channel.
 */
#ifndef PVABI_IO_XENSTORE_RING_H
#define PVABI_IO_XENSTORE_RING_H

#include <stddef.h>
#include <stdint.h>

#define XENSTORE_RING_SIZE 1024
typedef uint32_t XENSTORE_RING_IDX;
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))

struct xenstore_domain_interface {
    char req[XENSTORE_RING_SIZE];  /* guest -> daemon requests */
    char rsp[XENSTORE_RING_SIZE];  /* daemon -> guest replies and events */
    XENSTORE_RING_IDX req_cons;    /* advanced by the daemon */
    XENSTORE_RING_IDX req_prod;    /* advanced by the guest */
    XENSTORE_RING_IDX rsp_cons;    /* advanced by the guest */
    XENSTORE_RING_IDX rsp_prod;    /* advanced by the daemon */
    uint32_t server_features;      /* XENSTORE_SERVER_FEATURE_*, set by daemon */
    uint32_t connection;           /* XENSTORE_CONNECTED / _RECONNECT */
    uint32_t error;                /* XENSTORE_ERROR_*, set by daemon */
};

_Static_assert(offsetof(struct xenstore_domain_interface, rsp) == 1024, "rsp ring offset");
_Static_assert(offsetof(struct xenstore_domain_interface, req_cons) == 2048, "req_cons offset");
_Static_assert(offsetof(struct xenstore_domain_interface, rsp_prod) == 2060, "rsp_prod offset");
_Static_assert(offsetof(struct xenstore_domain_interface, server_features) == 2064, "features offset");
_Static_assert(offsetof(struct xenstore_domain_interface, connection) == 2068, "connection offset");
_Static_assert(offsetof(struct xenstore_domain_interface, error) == 2072, "error offset");
_Static_assert(sizeof(struct xenstore_domain_interface) == 2076, "interface size");

/* server_features bits */
#define XENSTORE_SERVER_FEATURE_RECONNECTION 1  /* guest may ask to reset the ring */
#define XENSTORE_SERVER_FEATURE_ERROR        2  /* the error field is meaningful */

/* connection values */
#define XENSTORE_CONNECTED 0  /* steady state */
#define XENSTORE_RECONNECT 1  /* guest asked for a reset; daemon clears it */

/* error values */
#define XENSTORE_ERROR_NONE    0
#define XENSTORE_ERROR_COMM    1  /* communication problem */
#define XENSTORE_ERROR_RINGIDX 2  /* indices out of range */
#define XENSTORE_ERROR_PROTO   3  /* payload too long or malformed */

#endif /* PVABI_IO_XENSTORE_RING_H */
