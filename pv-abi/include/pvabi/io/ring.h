/*
 * Tessera guest ABI: the shared request/response ring used by split drivers.
 *
 * One shared page (or 2^order pages) holds:
 *
 *   offset  0  req_prod   producer index of requests   (written by frontend)
 *   offset  4  req_event  backend wants an event when req_prod passes this
 *   offset  8  rsp_prod   producer index of responses  (written by backend)
 *   offset 12  rsp_event  frontend wants an event when rsp_prod passes this
 *   offset 16  4 bytes private to the protocol, then 44 bytes of padding
 *   offset 64  the slots: a union of one request and one response each
 *
 * The slot count is the largest power of two that fits. Indices are free
 * running 32-bit counters; a slot is index & (size - 1). Each side keeps a
 * private copy of its producer index and publishes it with a write barrier.
 *
 * DEFINE_RING_TYPES(name, req_t, rsp_t) declares union name_sring_entry,
 * struct name_sring (the shared page), and struct name_front_ring /
 * name_back_ring (each side's private view). The macro names are the ones
 * Xen's split drivers use, so driver code ports unchanged.
 */
#ifndef PVABI_IO_RING_H
#define PVABI_IO_RING_H

#include <pvabi/types.h>

#ifndef __ASSEMBLY__

typedef unsigned int RING_IDX;

/* x86 keeps stores ordered and loads ordered; only store->load needs mfence. */
#ifndef xen_mb
#define xen_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif
#ifndef xen_rmb
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#endif
#ifndef xen_wmb
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif

/* Largest power of two <= n (n >= 1); folds to a constant for constant n. */
#define PVABI_POW2_FLOOR(n) \
    ((n) == 0 ? 0u : (1u << (31 - __builtin_clz((unsigned int)(n)))))

/* Offset of the first slot in every shared ring. */
#define PVABI_RING_HEADER_BYTES 64

/* Slots of ring type `name` in `bytes` of shared memory (a constant). */
#define __CONST_RING_SIZE(name, bytes)                                      \
    PVABI_POW2_FLOOR(((bytes) - offsetof(struct name##_sring, ring)) /      \
                     sizeof(((struct name##_sring *)0)->ring[0]))

/* The same for a ring given by pointer. */
#define __RING_SIZE(sring, bytes)                                           \
    PVABI_POW2_FLOOR(((bytes) - offsetof(__typeof__(*(sring)), ring)) /     \
                     sizeof((sring)->ring[0]))

#define DEFINE_RING_TYPES(name, req_t, rsp_t)                               \
union name##_sring_entry {                                                  \
    req_t req;                                                              \
    rsp_t rsp;                                                              \
};                                                                          \
struct name##_sring {                                                       \
    RING_IDX req_prod, req_event;                                           \
    RING_IDX rsp_prod, rsp_event;                                           \
    union {                                                                 \
        struct { uint8_t smartpoll_active; } netif;                         \
        struct { uint8_t msg; } tapif_user;                                 \
        uint8_t pvt_pad[4];                                                 \
    } pvt;                                                                  \
    uint8_t __pad[44];                                                      \
    union name##_sring_entry ring[1]; /* really as many as fit */           \
};                                                                          \
struct name##_front_ring {                                                  \
    RING_IDX req_prod_pvt;  /* next request slot to fill */                 \
    RING_IDX rsp_cons;      /* next response to consume */                  \
    unsigned int nr_ents;                                                   \
    struct name##_sring *sring;                                             \
};                                                                          \
struct name##_back_ring {                                                   \
    RING_IDX rsp_prod_pvt;  /* next response slot to fill */                \
    RING_IDX req_cons;      /* next request to consume */                   \
    unsigned int nr_ents;                                                   \
    struct name##_sring *sring;                                             \
};                                                                          \
typedef struct name##_sring name##_sring_t;                                 \
typedef struct name##_front_ring name##_front_ring_t;                       \
typedef struct name##_back_ring name##_back_ring_t

/* Done once by the frontend on a freshly allocated shared page. */
#define SHARED_RING_INIT(s) do {                                            \
    (s)->req_prod = 0;                                                      \
    (s)->rsp_prod = 0;                                                      \
    (s)->req_event = 1;                                                     \
    (s)->rsp_event = 1;                                                     \
    __builtin_memset((s)->pvt.pvt_pad, 0, sizeof((s)->pvt.pvt_pad));        \
    __builtin_memset((s)->__pad, 0, sizeof((s)->__pad));                    \
} while (0)

#define FRONT_RING_ATTACH(r, s, start, bytes) do {                          \
    (r)->req_prod_pvt = (start);                                            \
    (r)->rsp_cons = (start);                                                \
    (r)->nr_ents = __RING_SIZE(s, bytes);                                   \
    (r)->sring = (s);                                                       \
} while (0)
#define FRONT_RING_INIT(r, s, bytes) FRONT_RING_ATTACH(r, s, 0, bytes)
#define XEN_FRONT_RING_INIT(r, s, bytes) do {                               \
    SHARED_RING_INIT(s);                                                    \
    FRONT_RING_INIT(r, s, bytes);                                           \
} while (0)

#define BACK_RING_ATTACH(r, s, start, bytes) do {                           \
    (r)->rsp_prod_pvt = (start);                                            \
    (r)->req_cons = (start);                                                \
    (r)->nr_ents = __RING_SIZE(s, bytes);                                   \
    (r)->sring = (s);                                                       \
} while (0)
#define BACK_RING_INIT(r, s, bytes) BACK_RING_ATTACH(r, s, 0, bytes)

#define RING_SIZE(r) ((r)->nr_ents)

/* Frontend: request slots not yet answered are not free. */
#define RING_FREE_REQUESTS(r) \
    (RING_SIZE(r) - ((r)->req_prod_pvt - (r)->rsp_cons))
#define RING_FULL(r) (RING_FREE_REQUESTS(r) == 0)

#define XEN_RING_NR_UNCONSUMED_RESPONSES(r) \
    ((r)->sring->rsp_prod - (r)->rsp_cons)

/* Backend: never trust more unconsumed requests than the ring can hold,
 * whatever a (possibly hostile) frontend wrote into req_prod. */
#define XEN_RING_NR_UNCONSUMED_REQUESTS(r) __extension__ ({                 \
    RING_IDX pvabi_seen_ = (r)->sring->req_prod - (r)->req_cons;            \
    RING_IDX pvabi_room_ = RING_SIZE(r) - ((r)->req_cons - (r)->rsp_prod_pvt); \
    pvabi_seen_ < pvabi_room_ ? pvabi_seen_ : pvabi_room_;                  \
})

#define RING_HAS_UNCONSUMED_RESPONSES(r) XEN_RING_NR_UNCONSUMED_RESPONSES(r)
#define RING_HAS_UNCONSUMED_REQUESTS(r)  XEN_RING_NR_UNCONSUMED_REQUESTS(r)

#define RING_GET_REQUEST(r, idx) \
    (&((r)->sring->ring[(idx) & (RING_SIZE(r) - 1)].req))
#define RING_GET_RESPONSE(r, idx) \
    (&((r)->sring->ring[(idx) & (RING_SIZE(r) - 1)].rsp))

/* Copy a slot out of shared memory exactly once (no double fetch). */
#define RING_COPY_REQUEST(r, idx, dst) \
    (*(dst) = *(volatile __typeof__(dst))RING_GET_REQUEST(r, idx))
#define RING_COPY_RESPONSE(r, idx, dst) \
    (*(dst) = *(volatile __typeof__(dst))RING_GET_RESPONSE(r, idx))

#define RING_REQUEST_CONS_OVERFLOW(r, cons) \
    (((cons) - (r)->rsp_prod_pvt) >= RING_SIZE(r))
#define RING_REQUEST_PROD_OVERFLOW(r, prod) \
    (((prod) - (r)->rsp_prod_pvt) > RING_SIZE(r))
#define RING_RESPONSE_PROD_OVERFLOW(r, prod) \
    (((prod) - (r)->rsp_cons) > RING_SIZE(r))

#define RING_PUSH_REQUESTS(r) do {                                          \
    xen_wmb();                                                              \
    (r)->sring->req_prod = (r)->req_prod_pvt;                               \
} while (0)
#define RING_PUSH_RESPONSES(r) do {                                         \
    xen_wmb();                                                              \
    (r)->sring->rsp_prod = (r)->rsp_prod_pvt;                               \
} while (0)

/*
 * Publish and decide whether the other side asked to be notified: it did if
 * its event index lies in (old, new].
 */
#define PVABI_RING_PUSH_NOTIFY(r, prod, pvt, evt, notify) do {              \
    RING_IDX pvabi_old_ = (r)->sring->prod;                                 \
    RING_IDX pvabi_new_ = (r)->pvt;                                         \
    xen_wmb();                                                              \
    (r)->sring->prod = pvabi_new_;                                          \
    xen_mb();                                                               \
    (notify) = (RING_IDX)(pvabi_new_ - (r)->sring->evt) <                   \
               (RING_IDX)(pvabi_new_ - pvabi_old_);                         \
} while (0)
#define RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(r, notify) \
    PVABI_RING_PUSH_NOTIFY(r, req_prod, req_prod_pvt, req_event, notify)
#define RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, notify) \
    PVABI_RING_PUSH_NOTIFY(r, rsp_prod, rsp_prod_pvt, rsp_event, notify)

/*
 * Before sleeping: if nothing is left, ask for an event on the next item and
 * look once more, closing the race with a producer that just pushed.
 */
#define RING_FINAL_CHECK_FOR_REQUESTS(r, work) do {                         \
    (work) = RING_HAS_UNCONSUMED_REQUESTS(r);                               \
    if (work)                                                               \
        break;                                                              \
    (r)->sring->req_event = (r)->req_cons + 1;                              \
    xen_mb();                                                               \
    (work) = RING_HAS_UNCONSUMED_REQUESTS(r);                               \
} while (0)
#define RING_FINAL_CHECK_FOR_RESPONSES(r, work) do {                        \
    (work) = RING_HAS_UNCONSUMED_RESPONSES(r);                              \
    if (work)                                                               \
        break;                                                              \
    (r)->sring->rsp_event = (r)->rsp_cons + 1;                              \
    xen_mb();                                                               \
    (work) = RING_HAS_UNCONSUMED_RESPONSES(r);                              \
} while (0)

#ifndef XEN_PAGE_SHIFT
#define XEN_PAGE_SHIFT 12
#endif
/* Bytes in each direction of a byte-stream ("flex") ring of 2^order pages. */
#define XEN_FLEX_RING_SIZE(order) (1UL << ((order) + XEN_PAGE_SHIFT - 1))

#endif /* !__ASSEMBLY__ */
#endif /* PVABI_IO_RING_H */
