/*
 * Tessera guest ABI: the PV block device protocol (blkfront/blkback).
 *
 * Requests and responses travel on a ring of type blkif (pvabi/io/ring.h);
 * data pages are granted by the frontend and named by grant references.
 *
 * xenstore keys. Frontend, /local/domain/<front>/device/vbd/<devid>/:
 *   ring-ref               grant ref of the single ring page, or
 *   ring-ref0..N-1         with ring-page-order = log2(N) for a multi-page ring
 *   event-channel          the ring's event channel port
 *   protocol               "x86_64-abi" (only the native 64-bit layout here)
 *   multi-queue-num-queues and queue-<n>/{ring-ref,event-channel} for several rings
 *   feature-persistent     1 if the frontend reuses granted pages
 *   state                  XenbusState number
 *   backend, backend-id    where the backend lives
 * Backend, /local/domain/<back>/backend/vbd/<front>/<devid>/:
 *   sectors                disk size in 512-byte sectors
 *   sector-size            logical sector size in bytes
 *   physical-sector-size   physical sector size in bytes
 *   info                   VDISK_* bits
 *   mode                   "r" or "w"
 *   feature-flush-cache    1 if BLKIF_OP_FLUSH_DISKCACHE works
 *   feature-barrier        1 if BLKIF_OP_WRITE_BARRIER works
 *   feature-discard        1 if BLKIF_OP_DISCARD works (with discard-granularity,
 *                          discard-alignment, discard-secure)
 *   feature-max-indirect-segments  segments per BLKIF_OP_INDIRECT request
 *   max-ring-page-order    largest ring-page-order accepted
 *   multi-queue-max-queues largest number of rings accepted
 *   feature-persistent     1 if the backend keeps grants mapped
 *   state, frontend, frontend-id
 */
#ifndef PVABI_IO_BLKIF_H
#define PVABI_IO_BLKIF_H

#include <pvabi/io/ring.h>
#include <pvabi/grant_table.h>

#ifndef blkif_vdev_t
#define blkif_vdev_t uint16_t
#endif
#define blkif_sector_t uint64_t

#define BLKIF_OP_READ            0
#define BLKIF_OP_WRITE           1
#define BLKIF_OP_WRITE_BARRIER   2
#define BLKIF_OP_FLUSH_DISKCACHE 3
#define BLKIF_OP_RESERVED_1      4   /* never reused */
#define BLKIF_OP_DISCARD         5
#define BLKIF_OP_INDIRECT        6

/* Segments carried directly in a request. */
#define BLKIF_MAX_SEGMENTS_PER_REQUEST 11
/* Pages of segment descriptors an indirect request may name. */
#define BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST 8

#define BLKIF_DISCARD_SECURE (1 << 0)

#define BLKIF_RSP_EOPNOTSUPP -2
#define BLKIF_RSP_ERROR      -1
#define BLKIF_RSP_OKAY        0

/* backend `info` bits */
#define VDISK_CDROM     0x1
#define VDISK_REMOVABLE 0x2
#define VDISK_READONLY  0x4

#ifndef __ASSEMBLY__

/* One granted page and the 512-byte sectors used within it (inclusive). */
struct blkif_request_segment {
    grant_ref_t gref;
    uint8_t     first_sect, last_sect;
};

struct blkif_request {
    uint8_t        operation;   /* BLKIF_OP_* */
    uint8_t        nr_segments; /* 1..BLKIF_MAX_SEGMENTS_PER_REQUEST */
    blkif_vdev_t   handle;      /* only for read/write */
    uint64_t       id;          /* echoed in the response */
    blkif_sector_t sector_number; /* start sector on the disk */
    struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};
typedef struct blkif_request blkif_request_t;

struct blkif_request_discard {
    uint8_t        operation;   /* BLKIF_OP_DISCARD */
    uint8_t        flag;        /* BLKIF_DISCARD_* */
    blkif_vdev_t   handle;
    uint64_t       id;
    blkif_sector_t sector_number;
    uint64_t       nr_sectors;
};
typedef struct blkif_request_discard blkif_request_discard_t;

struct blkif_request_indirect {
    uint8_t        operation;   /* BLKIF_OP_INDIRECT */
    uint8_t        indirect_op; /* BLKIF_OP_READ or BLKIF_OP_WRITE */
    uint16_t       nr_segments;
    uint64_t       id;
    blkif_sector_t sector_number;
    blkif_vdev_t   handle;
    grant_ref_t    indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
};
typedef struct blkif_request_indirect blkif_request_indirect_t;

struct blkif_response {
    uint64_t id;                /* copied from the request */
    uint8_t  operation;         /* copied from the request */
    int16_t  status;            /* BLKIF_RSP_* */
};
typedef struct blkif_response blkif_response_t;

DEFINE_RING_TYPES(blkif, struct blkif_request, struct blkif_response);

_Static_assert(sizeof(struct blkif_request_segment) == 8, "blkif_request_segment");
_Static_assert(offsetof(struct blkif_request, id) == 8, "blkif_request.id");
_Static_assert(offsetof(struct blkif_request, sector_number) == 16, "blkif_request.sector");
_Static_assert(offsetof(struct blkif_request, seg) == 24, "blkif_request.seg");
_Static_assert(sizeof(struct blkif_request) == 112, "blkif_request");
_Static_assert(sizeof(struct blkif_request_discard) == 32, "blkif_request_discard");
_Static_assert(offsetof(struct blkif_request_indirect, indirect_grefs) == 28, "indirect.grefs");
_Static_assert(sizeof(struct blkif_request_indirect) == 64, "blkif_request_indirect");
_Static_assert(sizeof(struct blkif_response) == 16, "blkif_response");
_Static_assert(offsetof(struct blkif_sring, ring) == 64, "blkif_sring.ring");
_Static_assert(__CONST_RING_SIZE(blkif, 4096) == 32, "blkif slots per page");

#endif /* !__ASSEMBLY__ */
#endif /* PVABI_IO_BLKIF_H */
