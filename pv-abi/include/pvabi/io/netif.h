/*
 * Tessera guest ABI: the PV network device protocol (netfront/netback).
 *
 * Two rings per queue: tx (guest -> backend packets, frontend grants the
 * pages) and rx (frontend posts granted empty pages, backend fills them);
 * optionally a control ring. Packets longer than one slot continue in the
 * following slots (NETTXF_more_data / NETRXF_more_data); extra-info slots
 * (GSO, multicast, hash) follow a slot flagged *_extra_info.
 *
 * xenstore keys. Frontend, /local/domain/<front>/device/vif/<devid>/:
 *   tx-ring-ref, rx-ring-ref    grant refs of the two ring pages
 *   event-channel               one port for both rings, or
 *   event-channel-tx, event-channel-rx   separate ports (feature-split-event-channels)
 *   multi-queue-num-queues and queue-<n>/{tx-ring-ref,rx-ring-ref,event-channel*}
 *   ctrl-ring-ref, event-channel-ctrl    the optional control ring
 *   request-rx-copy             1: backend copies into rx pages (the only mode now)
 *   feature-rx-notify           1: frontend sends an event after posting rx slots
 *   feature-sg, feature-gso-tcpv4, feature-gso-tcpv6, feature-ipv6-csum-offload,
 *   feature-no-csum-offload, feature-multicast-control
 *   state, backend, backend-id
 * Backend, /local/domain/<back>/backend/vif/<front>/<devid>/:
 *   mac                         "aa:bb:cc:dd:ee:ff"
 *   handle                      the device id
 *   feature-rx-copy, feature-sg, feature-gso-tcpv4, feature-gso-tcpv6,
 *   feature-ipv6-csum-offload, feature-split-event-channels,
 *   feature-ctrl-ring, feature-dynamic-multicast-control
 *   multi-queue-max-queues
 *   state, frontend, frontend-id
 */
#ifndef PVABI_IO_NETIF_H
#define PVABI_IO_NETIF_H

#include <pvabi/io/ring.h>
#include <pvabi/grant_table.h>

/* A packet may need at most this many tx slots before the backend drops it. */
#define XEN_NETIF_NR_SLOTS_MIN 18
#define XEN_NETIF_MAX_TX_SIZE  0xFFFF

/* tx request flags */
#define _NETTXF_csum_blank     0
#define NETTXF_csum_blank      (1U << _NETTXF_csum_blank)
#define _NETTXF_data_validated 1
#define NETTXF_data_validated  (1U << _NETTXF_data_validated)
#define _NETTXF_more_data      2
#define NETTXF_more_data       (1U << _NETTXF_more_data)
#define _NETTXF_extra_info     3
#define NETTXF_extra_info      (1U << _NETTXF_extra_info)

/* rx response flags */
#define _NETRXF_data_validated 0
#define NETRXF_data_validated  (1U << _NETRXF_data_validated)
#define _NETRXF_csum_blank     1
#define NETRXF_csum_blank      (1U << _NETRXF_csum_blank)
#define _NETRXF_more_data      2
#define NETRXF_more_data       (1U << _NETRXF_more_data)
#define _NETRXF_extra_info     3
#define NETRXF_extra_info      (1U << _NETRXF_extra_info)
#define _NETRXF_gso_prefix     4
#define NETRXF_gso_prefix      (1U << _NETRXF_gso_prefix)

#define XEN_NETIF_EXTRA_TYPE_NONE      0
#define XEN_NETIF_EXTRA_TYPE_GSO       1
#define XEN_NETIF_EXTRA_TYPE_MCAST_ADD 2
#define XEN_NETIF_EXTRA_TYPE_MCAST_DEL 3
#define XEN_NETIF_EXTRA_TYPE_HASH      4
#define XEN_NETIF_EXTRA_TYPE_MAX       5
#define _XEN_NETIF_EXTRA_FLAG_MORE     0
#define XEN_NETIF_EXTRA_FLAG_MORE      (1U << _XEN_NETIF_EXTRA_FLAG_MORE)

#define XEN_NETIF_GSO_TYPE_NONE  0
#define XEN_NETIF_GSO_TYPE_TCPV4 1
#define XEN_NETIF_GSO_TYPE_TCPV6 2

#define NETIF_RSP_DROPPED -2
#define NETIF_RSP_ERROR   -1
#define NETIF_RSP_OKAY     0
#define NETIF_RSP_NULL     1    /* no packet: padding for an extra-info slot */

/* Control ring */
#define XEN_NETIF_CTRL_TYPE_INVALID               0
#define XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS        1
#define XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS        2
#define XEN_NETIF_CTRL_TYPE_SET_HASH_KEY          3
#define XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE 4
#define XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE 5
#define XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING      6
#define XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM    7
#define XEN_NETIF_CTRL_TYPE_GET_GREF_MAPPING_SIZE 8
#define XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING      9
#define XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING     10
#define XEN_NETIF_CTRL_STATUS_SUCCESS           0
#define XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED     1
#define XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER 2
#define XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW   3
#define XEN_NETIF_CTRL_HASH_ALGORITHM_NONE      0
#define XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ  1
#define _XEN_NETIF_CTRL_HASH_TYPE_IPV4     0
#define XEN_NETIF_CTRL_HASH_TYPE_IPV4      (1 << _XEN_NETIF_CTRL_HASH_TYPE_IPV4)
#define _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP 1
#define XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP  (1 << _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP)
#define _XEN_NETIF_CTRL_HASH_TYPE_IPV6     2
#define XEN_NETIF_CTRL_HASH_TYPE_IPV6      (1 << _XEN_NETIF_CTRL_HASH_TYPE_IPV6)
#define _XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP 3
#define XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP  (1 << _XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP)
#define _XEN_NETIF_CTRLF_GREF_readonly 0
#define XEN_NETIF_CTRLF_GREF_readonly  (1U << _XEN_NETIF_CTRLF_GREF_readonly)

#ifndef __ASSEMBLY__

struct xen_netif_ctrl_request {
    uint16_t id;
    uint16_t type;          /* XEN_NETIF_CTRL_TYPE_* */
    uint32_t data[3];
};

struct xen_netif_ctrl_response {
    uint16_t id;
    uint16_t type;
    uint32_t status;        /* XEN_NETIF_CTRL_STATUS_* */
    uint32_t data;
};

struct xen_netif_gref {
    grant_ref_t ref;
    uint16_t flags;         /* XEN_NETIF_CTRLF_GREF_* */
    uint16_t status;
};

DEFINE_RING_TYPES(xen_netif_ctrl, struct xen_netif_ctrl_request,
                  struct xen_netif_ctrl_response);

struct netif_tx_request {
    grant_ref_t gref;       /* page holding the data */
    uint16_t offset;        /* data offset in it */
    uint16_t flags;         /* NETTXF_* */
    uint16_t id;            /* echoed in the response */
    uint16_t size;          /* first slot: packet size; others: this slot's */
};
typedef struct netif_tx_request netif_tx_request_t;

struct netif_extra_info {
    uint8_t type;           /* XEN_NETIF_EXTRA_TYPE_* */
    uint8_t flags;          /* XEN_NETIF_EXTRA_FLAG_* */
    union {
        struct {
            uint16_t size;      /* maximum segment size */
            uint8_t type;       /* XEN_NETIF_GSO_TYPE_* */
            uint8_t pad;
            uint16_t features;
        } gso;
        struct {
            uint8_t addr[6];
        } mcast;
        struct {
            uint8_t type;
            uint8_t algorithm;
            uint8_t value[4];
        } hash;
        uint16_t pad[3];
    } u;
};
typedef struct netif_extra_info netif_extra_info_t;

struct netif_tx_response {
    uint16_t id;
    int16_t  status;        /* NETIF_RSP_* */
};
typedef struct netif_tx_response netif_tx_response_t;

struct netif_rx_request {
    uint16_t id;
    uint16_t pad;
    grant_ref_t gref;       /* empty page for the backend to fill */
};
typedef struct netif_rx_request netif_rx_request_t;

struct netif_rx_response {
    uint16_t id;
    uint16_t offset;        /* data offset in the page */
    uint16_t flags;         /* NETRXF_* */
    int16_t  status;        /* bytes received, or NETIF_RSP_* if negative */
};
typedef struct netif_rx_response netif_rx_response_t;

DEFINE_RING_TYPES(netif_tx, struct netif_tx_request, struct netif_tx_response);
DEFINE_RING_TYPES(netif_rx, struct netif_rx_request, struct netif_rx_response);

_Static_assert(sizeof(struct netif_tx_request) == 12, "netif_tx_request");
_Static_assert(sizeof(struct netif_extra_info) == 8, "netif_extra_info");
_Static_assert(sizeof(struct netif_tx_response) == 4, "netif_tx_response");
_Static_assert(sizeof(struct netif_rx_request) == 8, "netif_rx_request");
_Static_assert(sizeof(struct netif_rx_response) == 8, "netif_rx_response");
_Static_assert(__CONST_RING_SIZE(netif_tx, 4096) == 256, "netif tx slots per page");
_Static_assert(__CONST_RING_SIZE(netif_rx, 4096) == 256, "netif rx slots per page");
_Static_assert(sizeof(struct xen_netif_ctrl_request) == 16, "xen_netif_ctrl_request");
_Static_assert(sizeof(struct xen_netif_ctrl_response) == 12, "xen_netif_ctrl_response");

#endif /* !__ASSEMBLY__ */
#endif /* PVABI_IO_NETIF_H */
