/*
 * Xenstore over the shared ring (pvabi/io/xenstore_ring.h): a request is
 * the 16-byte xsd_sockmsg header and its payload copied into req[], then
 * an event to the daemon; the reply comes the same way in rsp[]. Indices
 * run freely and are masked into the 1 KiB rings. We never register
 * watches, so any watch event met in rsp[] is skipped.
 */
#include "guest.h"
#include "xenstore.h"
#include <pvabi/io/xenstore_ring.h>
#include <pvabi/io/xs_wire.h>

static struct xenstore_domain_interface *store;
static evtchn_port_t store_port;
static uint32_t next_req_id = 1;
static char store_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
/* One reply at a time: the largest payload the protocol allows. */
static char reply[XENSTORE_PAYLOAD_MAX + 1];

long xs_init(void)
{
    const start_info_t *si = guest_start_info;

    if (store)
        return 0;
    if (si->store_mfn == 0)
        return -XEN_ENODEV;
    long rc = map_machine_page(store_page, si->store_mfn, PTE_KERNEL_RW);
    if (rc != 0)
        return rc;
    store = (struct xenstore_domain_interface *)store_page;
    store_port = si->store_evtchn;
    return 0;
}

/* Waits for the store port (or the timeout); events stay masked. */
static void poll_port(uint64_t timeout_ns)
{
    evtchn_port_t port = store_port;
    struct sched_poll poll = { .nr_ports = 1, .timeout = system_time_ns() + timeout_ns };

    set_xen_guest_handle(poll.ports, &port);
    hyp_sched_op(SCHEDOP_poll, &poll);
    evtchn_test_and_clear_pending(store_port);
}

void xs_poll_sleep_ns(uint64_t ns)
{
    uint64_t end = system_time_ns() + ns;
    for (uint64_t now = system_time_ns(); now < end; now = system_time_ns())
        poll_port(end - now);
}

#define RING_WAIT_NS (5ULL * 1000 * 1000 * 1000)

static long ring_put(const void *data, size_t len)
{
    const char *p = data;
    uint64_t deadline = system_time_ns() + RING_WAIT_NS;

    while (len) {
        XENSTORE_RING_IDX cons = __atomic_load_n(&store->req_cons, __ATOMIC_ACQUIRE);
        XENSTORE_RING_IDX prod = store->req_prod;
        if (prod - cons > XENSTORE_RING_SIZE)
            return -XEN_EIO;            /* the daemon's index is nonsense */
        size_t room = XENSTORE_RING_SIZE - (prod - cons);
        if (room == 0) {
            if (system_time_ns() > deadline)
                return -XEN_ETIME;
            evtchn_send_port(store_port);
            poll_port(10 * 1000 * 1000);
            continue;
        }
        size_t n = len < room ? len : room;
        for (size_t i = 0; i < n; i++)
            store->req[MASK_XENSTORE_IDX(prod + i)] = p[i];
        __atomic_store_n(&store->req_prod, prod + (XENSTORE_RING_IDX)n, __ATOMIC_RELEASE);
        evtchn_send_port(store_port);
        p += n;
        len -= n;
    }
    return 0;
}

static long ring_get(void *data, size_t len)
{
    char *p = data;
    uint64_t deadline = system_time_ns() + RING_WAIT_NS;

    while (len) {
        XENSTORE_RING_IDX prod = __atomic_load_n(&store->rsp_prod, __ATOMIC_ACQUIRE);
        XENSTORE_RING_IDX cons = store->rsp_cons;
        if (prod - cons > XENSTORE_RING_SIZE)
            return -XEN_EIO;
        size_t avail = prod - cons;
        if (avail == 0) {
            if (system_time_ns() > deadline)
                return -XEN_ETIME;
            poll_port(10 * 1000 * 1000);
            continue;
        }
        size_t n = len < avail ? len : avail;
        for (size_t i = 0; i < n; i++)
            p[i] = store->rsp[MASK_XENSTORE_IDX(cons + i)];
        __atomic_store_n(&store->rsp_cons, cons + (XENSTORE_RING_IDX)n, __ATOMIC_RELEASE);
        evtchn_send_port(store_port);
        p += n;
        len -= n;
    }
    return 0;
}

static long error_number(const char *name)
{
    static const struct xs_error_name names[] = XS_ERROR_NAMES_INIT;
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        if (strncmp(names[i].name, name, 12) == 0)
            return -names[i].errnum;
    return -XEN_EIO;
}

/*
 * Sends one request made of `nparts` strings (each with its NUL when
 * with_nul says so) and reads its reply into reply[]; the reply's payload
 * length, or -XEN_E*.
 */
static long request(uint32_t type, const char *const *parts, const size_t *lens,
                    unsigned int nparts)
{
    struct xsd_sockmsg msg = { .type = type, .req_id = next_req_id++ };
    long rc;

    if (!store && (rc = xs_init()) != 0)
        return rc;
    for (unsigned int i = 0; i < nparts; i++)
        msg.len += (uint32_t)lens[i];
    if (msg.len > XENSTORE_PAYLOAD_MAX)
        return -XEN_E2BIG;
    if ((rc = ring_put(&msg, sizeof(msg))) != 0)
        return rc;
    for (unsigned int i = 0; i < nparts; i++)
        if ((rc = ring_put(parts[i], lens[i])) != 0)
            return rc;
    for (;;) {
        struct xsd_sockmsg hdr;
        if ((rc = ring_get(&hdr, sizeof(hdr))) != 0)
            return rc;
        if (hdr.len > XENSTORE_PAYLOAD_MAX)
            return -XEN_EIO;
        if ((rc = ring_get(reply, hdr.len)) != 0)
            return rc;
        reply[hdr.len] = '\0';
        if (hdr.type == XS_WATCH_EVENT || hdr.req_id != msg.req_id)
            continue;               /* not ours: a stray event or an old reply */
        if (hdr.type == XS_ERROR)
            return error_number(reply);
        if (hdr.type != type)
            return -XEN_EIO;
        return hdr.len;
    }
}

long xs_read(const char *path, char *buf, size_t size)
{
    const char *parts[] = { path };
    size_t lens[] = { strlen(path) + 1 };
    long n = request(XS_READ, parts, lens, 1);
    if (n < 0)
        return n;
    if (size == 0 || (size_t)n >= size)
        return -XEN_E2BIG;
    memcpy(buf, reply, (size_t)n);
    buf[n] = '\0';
    return n;
}

long xs_read_long(const char *path, long dflt)
{
    char buf[32];
    if (xs_read(path, buf, sizeof(buf)) <= 0)
        return dflt;
    const char *p = buf;
    bool neg = *p == '-';
    p += neg;
    if (*p < '0' || *p > '9')
        return dflt;
    long v = 0;
    for (; *p >= '0' && *p <= '9'; p++)
        v = v * 10 + (*p - '0');
    return *p ? dflt : neg ? -v : v;
}

long xs_write(const char *path, const char *value)
{
    const char *parts[] = { path, value };
    size_t lens[] = { strlen(path) + 1, strlen(value) };   /* the value has no NUL */
    long n = request(XS_WRITE, parts, lens, 2);
    return n < 0 ? n : 0;
}

long xs_write_long(const char *path, long value)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "%ld", value);
    return xs_write(path, buf);
}

long xs_rm(const char *path)
{
    const char *parts[] = { path };
    size_t lens[] = { strlen(path) + 1 };
    long n = request(XS_RM, parts, lens, 1);
    return n < 0 ? n : 0;
}

long xs_directory(const char *path, char *buf, size_t size)
{
    const char *parts[] = { path };
    size_t lens[] = { strlen(path) + 1 };
    long n = request(XS_DIRECTORY, parts, lens, 1);
    if (n < 0)
        return n;
    if ((size_t)n > size)
        return -XEN_E2BIG;
    memcpy(buf, reply, (size_t)n);
    return n;
}

long xs_wait_long(const char *path, const long *want, unsigned int n, uint64_t timeout_ns)
{
    uint64_t end = system_time_ns() + timeout_ns;
    long v;

    for (;;) {
        v = xs_read_long(path, -1);
        for (unsigned int i = 0; i < n; i++)
            if (v == want[i])
                return v;
        if (system_time_ns() > end)
            return v;
        xs_poll_sleep_ns(20 * 1000 * 1000);
    }
}
