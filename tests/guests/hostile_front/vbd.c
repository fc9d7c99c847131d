/*
 * The block attacks, against Linux's xen-blkback: connect as blkfront
 * does, prove the path with a good read and a legal write, then segments
 * and sectors out of range, grants never given or taken back in flight,
 * writes to a read-only disk, bad operations, a producer index far past
 * the ring, a ring never drained, the xenbus state jumping about.
 *
 * Expects two disks: xvda (51712) writable, xvdb (51728) read-only, made
 * by dom0 with "TESSERA-HOSTILE-DISK" at the start of sector 0. The only
 * sectors it writes legally are LEGAL_SECTOR..+7 of xvda.
 */
#include "hostile_front.h"
#include <pvabi/io/blkif.h>

#define LEGAL_SECTOR 64             /* the one page the guest may write */
#define DISK_MAGIC "TESSERA-HOSTILE-DISK"
#define WRITE_MAGIC "HOSTILE-FRONT-LEGAL-WRITE"
/* Data pages the block attacks use (the vif ones use the rest). */
#define VBD_DATA_PAGES 12

static char ring_pages[2][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

struct vbd {
    const char *name;
    unsigned int devid;
    grant_ref_t ring_ref;
    blkif_front_ring_t ring;
    blkif_sring_t *sring;
    evtchn_port_t port;
    char fe[64], be[96];
    long sectors;
    uint64_t next_id;
};

static struct vbd disks[2] = {
    { .name = "xvda", .devid = 51712, .ring_ref = REF_VBD_RING },
    { .name = "xvdb", .devid = 51728, .ring_ref = REF_VBD_RING + 1 },
};

/* ---- connecting as blkfront does ---- */

static bool vbd_connect(struct vbd *d)
{
    char path[128];
    long st;

    st = wait_state(d->be, XenbusStateInitWait, 30000);
    if (st != XenbusStateInitWait) {
        printk("hostile_front: %s: back end in state %ld, not InitWait\n", d->name, st);
        return false;
    }
    d->sring = (blkif_sring_t *)ring_pages[d - disks];
    memset(d->sring, 0, PAGE_SIZE);
    SHARED_RING_INIT(d->sring);
    FRONT_RING_INIT(&d->ring, d->sring, PAGE_SIZE);
    gnttab_grant(d->ring_ref, BACKEND_DOM, d->sring, false);

    struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF, .remote_dom = BACKEND_DOM };
    if (hyp_event_channel_op(EVTCHNOP_alloc_unbound, &alloc) != 0) {
        printk("hostile_front: %s: alloc_unbound failed\n", d->name);
        return false;
    }
    d->port = alloc.port;
    snprintf(path, sizeof(path), "%s/protocol", d->fe);
    if (set_node(d->fe, "ring-ref", d->ring_ref) || set_node(d->fe, "event-channel", d->port) ||
        xs_write(path, "x86_64-abi") || set_node(d->fe, "state", XenbusStateInitialised)) {
        printk("hostile_front: %s: cannot write the front end's nodes\n", d->name);
        return false;
    }
    st = wait_state(d->be, XenbusStateConnected, 30000);
    if (st != XenbusStateConnected) {
        printk("hostile_front: %s: back end in state %ld, not Connected\n", d->name, st);
        return false;
    }
    d->sectors = node_long(d->be, "sectors");
    return set_node(d->fe, "state", XenbusStateConnected) == 0;
}

/* Closing, Closed, Initialising and a new connection, as blkfront does
 * when its back end went away; false if the back end did not follow. */
static bool vbd_reconnect(struct vbd *d)
{
    long st;

    set_node(d->fe, "state", XenbusStateClosing);
    st = wait_state(d->be, XenbusStateClosing, 10000);
    set_node(d->fe, "state", XenbusStateClosed);
    st = wait_state(d->be, XenbusStateClosed, 10000);
    if (st != XenbusStateClosed) {
        printk("hostile_front: %s: back end stuck in state %ld on close\n", d->name, st);
        return false;
    }
    /* The back end has unmapped the ring and unbound its port. */
    evtchn_close_port(d->port);
    if (!gnttab_end(d->ring_ref, false))
        printk("hostile_front: %s: ring grant still mapped after Closed\n", d->name);
    set_node(d->fe, "state", XenbusStateInitialising);
    return vbd_connect(d);
}

/* ---- requests ---- */

static blkif_request_t *next_slot(struct vbd *d)
{
    blkif_request_t *r = RING_GET_REQUEST(&d->ring, d->ring.req_prod_pvt);
    d->ring.req_prod_pvt++;
    memset(r, 0, sizeof(*r));
    return r;
}

static void push(struct vbd *d)
{
    RING_PUSH_REQUESTS(&d->ring);
    evtchn_send_port(d->port);
}

/* A request for sectors [sector, sector + 8 * nseg) on data pages from `first`. */
static uint64_t fill_rw(struct vbd *d, blkif_request_t *r, uint8_t op, uint64_t sector,
                        unsigned int first, unsigned int nseg)
{
    r->operation = op;
    r->nr_segments = (uint8_t)nseg;
    r->handle = (blkif_vdev_t)d->devid;
    r->id = ++d->next_id;
    r->sector_number = sector;
    for (unsigned int i = 0; i < nseg && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
        unsigned int p = (first + i) % VBD_DATA_PAGES;
        gnttab_grant(REF_DATA + p, BACKEND_DOM, data_pages[p], op != BLKIF_OP_READ);
        r->seg[i] = (struct blkif_request_segment){ .gref = REF_DATA + p, .first_sect = 0,
                                                    .last_sect = 7 };
    }
    return r->id;
}

#define NO_RESPONSE 1000

/* Consumes responses until the one for `id` (its status), or NO_RESPONSE
 * after ms milliseconds. Other responses are counted in *others. */
static int wait_response(struct vbd *d, uint64_t id, uint64_t ms, unsigned int *others)
{
    uint64_t end = system_time_ns() + ms * NS_PER_MS;

    for (;;) {
        RING_IDX prod = __atomic_load_n(&d->sring->rsp_prod, __ATOMIC_ACQUIRE);
        if (prod - d->ring.rsp_cons > RING_SIZE(&d->ring)) {
            printk("hostile_front: %s: back end's rsp_prod %u is past the ring (cons %u)\n",
                   d->name, prod, d->ring.rsp_cons);
            d->ring.rsp_cons = prod;
        }
        while (d->ring.rsp_cons != prod) {
            blkif_response_t rsp;
            RING_COPY_RESPONSE(&d->ring, d->ring.rsp_cons, &rsp);
            d->ring.rsp_cons++;
            if (rsp.id == id)
                return rsp.status;
            if (others)
                (*others)++;
        }
        d->sring->rsp_event = d->ring.rsp_cons + 1;
        xen_mb();
        if (__atomic_load_n(&d->sring->rsp_prod, __ATOMIC_ACQUIRE) != prod)
            continue;
        uint64_t now = system_time_ns();
        if (now >= end)
            return NO_RESPONSE;
        wait_port(d->port, end - now);
    }
}

static int do_rw(struct vbd *d, uint8_t op, uint64_t sector, unsigned int page, uint64_t ms)
{
    blkif_request_t *r = next_slot(d);
    uint64_t id = fill_rw(d, r, op, sector, page, 1);
    push(d);
    return wait_response(d, id, ms, NULL);
}

static const char *status_name(int st)
{
    switch (st) {
    case BLKIF_RSP_OKAY: return "OKAY";
    case BLKIF_RSP_ERROR: return "ERROR";
    case BLKIF_RSP_EOPNOTSUPP: return "EOPNOTSUPP";
    case NO_RESPONSE: return "no response";
    default: return "?";
    }
}

/* A good read of sector 0: the path works (and the disk is dom0's). */
static bool probe(struct vbd *d)
{
    memset(data_pages[0], 0, PAGE_SIZE);
    int st = do_rw(d, BLKIF_OP_READ, 0, 0, 1000);
    return st == BLKIF_RSP_OKAY && memcmp(data_pages[0], DISK_MAGIC, strlen(DISK_MAGIC)) == 0;
}

/* After an attack: whether the device still serves a good read,
 * reconnecting it when it does not; reported as one line. */
static void verdict(struct vbd *d, const char *attack, int got, int want, const char *note)
{
    bool alive = probe(d);
    const char *after = alive ? "still serving" : "stopped serving";

    if (!alive) {
        alive = vbd_reconnect(d) && probe(d);
        after = alive ? "stopped serving, reconnected" : "stopped serving, reconnect FAILED";
    }
    report_attack("vbd", d->name, attack, status_name(got), status_name(want), note, after,
                  got == want, alive);
}

/* ---- the attacks ---- */

static void attack_segments(struct vbd *d)
{
    static const struct { const char *what; uint8_t nseg, first, last; } bad[] = {
        { "nr_segments=0", 0, 0, 7 },
        { "nr_segments=12", 12, 0, 7 },
        { "nr_segments=255", 255, 0, 7 },
        { "first_sect>last_sect", 1, 5, 2 },
        { "last_sect=8", 1, 0, 8 },
        { "last_sect=255", 1, 0, 255 },
    };
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        blkif_request_t *r = next_slot(d);
        uint64_t id = fill_rw(d, r, BLKIF_OP_READ, 0, 1, 1);
        r->nr_segments = bad[i].nseg;
        for (unsigned int s = 1; s < BLKIF_MAX_SEGMENTS_PER_REQUEST; s++)
            r->seg[s] = r->seg[0];
        r->seg[0].first_sect = bad[i].first;
        r->seg[0].last_sect = bad[i].last;
        push(d);
        verdict(d, bad[i].what, wait_response(d, id, 5000, NULL), BLKIF_RSP_ERROR, NULL);
    }
}

static void attack_sectors(struct vbd *d)
{
    const struct { const char *what; uint8_t op; uint64_t sector; } bad[] = {
        { "read across the end", BLKIF_OP_READ, (uint64_t)d->sectors - 4 },
        { "read past the end", BLKIF_OP_READ, (uint64_t)d->sectors },
        { "read at sector 2^63", BLKIF_OP_READ, 1ULL << 63 },
        { "write across the end", BLKIF_OP_WRITE, (uint64_t)d->sectors - 4 },
        { "write far past the end", BLKIF_OP_WRITE, 1ULL << 40 },
        { "write wrapping sector 2^64", BLKIF_OP_WRITE, ~0ULL - 3 },
    };
    memset(data_pages[2], 0xEE, PAGE_SIZE);
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
        verdict(d, bad[i].what, do_rw(d, bad[i].op, bad[i].sector, 2, 5000),
                BLKIF_RSP_ERROR, NULL);
}

static void attack_grants(struct vbd *d)
{
    static const struct { const char *what; grant_ref_t ref; uint8_t op; } bad[] = {
        { "read into a ref never granted", REF_NEVER_GRANTED, BLKIF_OP_READ },
        { "write from a ref never granted", REF_NEVER_GRANTED, BLKIF_OP_WRITE },
        { "read into a ref past the table", 1u << 20, BLKIF_OP_READ },
        { "read into a ref granted to another domain", REF_FOREIGN, BLKIF_OP_READ },
        { "read into our read-only grant", REF_DATA + 3, BLKIF_OP_READ },
    };
    gnttab_grant(REF_FOREIGN, (domid_t)(guest_domid + 100), data_pages[4], false);
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        blkif_request_t *r = next_slot(d);
        uint64_t id = fill_rw(d, r, bad[i].op, 0, 3, 1);
        if (bad[i].ref == REF_DATA + 3)
            gnttab_grant(REF_DATA + 3, BACKEND_DOM, data_pages[3], true);
        r->seg[0].gref = bad[i].ref;
        push(d);
        verdict(d, bad[i].what, wait_response(d, id, 5000, NULL), BLKIF_RSP_ERROR, NULL);
    }
    gnttab_end(REF_FOREIGN, true);

    /* Grants taken back while the request is in flight: either the back end
     * mapped first (OKAY) or it finds the grant gone (ERROR); nothing else. */
    static const char *const revoke[] = { "grant revoked in flight", "grant re-pointed in flight" };
    for (unsigned int k = 0; k < ARRAY_SIZE(revoke); k++) {
        unsigned int okay = 0, error = 0, other = 0;
        for (unsigned int round = 0; round < 16; round++) {
            blkif_request_t *r = next_slot(d);
            uint64_t id = fill_rw(d, r, BLKIF_OP_READ, 0, 5, 1);
            push(d);
            gnttab_end(REF_DATA + 5, true);
            if (k == 1)
                gnttab_grant(REF_DATA + 5, BACKEND_DOM, data_pages[6], false);
            int st = wait_response(d, id, 5000, NULL);
            okay += st == BLKIF_RSP_OKAY;
            error += st == BLKIF_RSP_ERROR;
            other += st != BLKIF_RSP_OKAY && st != BLKIF_RSP_ERROR;
        }
        char note[64];
        snprintf(note, sizeof(note), "16 rounds: %u OKAY, %u ERROR, %u other", okay, error, other);
        verdict(d, revoke[k], other ? NO_RESPONSE : BLKIF_RSP_OKAY, BLKIF_RSP_OKAY, note);
    }
}

static void attack_operations(struct vbd *d)
{
    static const struct { const char *what; uint8_t op; int want; } bad[] = {
        { "operation 4 (reserved)", BLKIF_OP_RESERVED_1, BLKIF_RSP_EOPNOTSUPP },
        { "operation 99", 99, BLKIF_RSP_EOPNOTSUPP },
    };
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        blkif_request_t *r = next_slot(d);
        uint64_t id = fill_rw(d, r, bad[i].op, 0, 1, 1);
        push(d);
        verdict(d, bad[i].what, wait_response(d, id, 5000, NULL), bad[i].want, NULL);
    }
    /* Indirect requests: more segments than the back end offers, and
     * indirect pages that were never granted. */
    static const struct { const char *what; uint16_t nseg; grant_ref_t ref; } ind[] = {
        { "indirect with 4096 segments", 4096, REF_DATA + 7 },
        { "indirect with 0 segments", 0, REF_DATA + 7 },
        { "indirect page never granted", 8, REF_NEVER_GRANTED },
    };
    for (unsigned int i = 0; i < ARRAY_SIZE(ind); i++) {
        struct blkif_request_segment *segs = (void *)data_pages[7];
        for (unsigned int s = 0; s < PAGE_SIZE / sizeof(*segs); s++)
            segs[s] = (struct blkif_request_segment){ .gref = REF_DATA + 8, .last_sect = 7 };
        gnttab_grant(REF_DATA + 7, BACKEND_DOM, data_pages[7], true);
        gnttab_grant(REF_DATA + 8, BACKEND_DOM, data_pages[8], false);
        blkif_request_indirect_t *r = (blkif_request_indirect_t *)next_slot(d);
        r->operation = BLKIF_OP_INDIRECT;
        r->indirect_op = BLKIF_OP_READ;
        r->nr_segments = ind[i].nseg;
        r->id = ++d->next_id;
        r->handle = (blkif_vdev_t)d->devid;
        for (unsigned int g = 0; g < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; g++)
            r->indirect_grefs[g] = ind[i].ref;
        uint64_t id = r->id;
        push(d);
        verdict(d, ind[i].what, wait_response(d, id, 5000, NULL), BLKIF_RSP_ERROR, NULL);
    }
}

/* Producer indices the ring cannot hold: blkback stops reading the ring
 * ("Halting ring processing"); the device must come back on reconnect. */
static void attack_producer(struct vbd *d)
{
    static const struct { const char *what; uint32_t ahead; } bad[] = {
        { "req_prod 1000 ahead", 1000 },
        { "req_prod 2^31 ahead", 1u << 31 },
        { "req_prod 33 ahead", 33 },
    };
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        RING_IDX before = d->sring->rsp_prod;
        d->sring->req_prod = d->ring.req_prod_pvt + bad[i].ahead;
        evtchn_send_port(d->port);
        xs_poll_sleep_ns(500 * NS_PER_MS);
        RING_IDX answered = __atomic_load_n(&d->sring->rsp_prod, __ATOMIC_ACQUIRE) - before;
        /* Our own producer index back to where we are; the back end may
         * have stopped reading anyway. */
        d->sring->req_prod = d->ring.req_prod_pvt;
        char note[64];
        snprintf(note, sizeof(note), "%u responses to slots never filled", answered);
        verdict(d, bad[i].what, answered ? BLKIF_RSP_OKAY : NO_RESPONSE, NO_RESPONSE, note);
    }
}

/* A ring whose responses we never read: we keep filling every slot with
 * new requests over the unread responses, 8 rings' worth. */
static void attack_never_drain(struct vbd *d)
{
    RING_IDX start = d->sring->rsp_prod;
    unsigned int size = RING_SIZE(&d->ring);

    for (unsigned int round = 0; round < 8; round++) {
        for (unsigned int i = 0; i < size; i++) {
            blkif_request_t *r = next_slot(d);
            fill_rw(d, r, BLKIF_OP_READ, (uint64_t)i * 8 % 4096, i % 8, 1);
        }
        push(d);
        uint64_t end = system_time_ns() + 10000 * NS_PER_MS;
        while (d->sring->rsp_prod != d->ring.req_prod_pvt && system_time_ns() < end)
            wait_port(d->port, 100 * NS_PER_MS);
    }
    RING_IDX answered = d->sring->rsp_prod - start;
    d->ring.rsp_cons = d->sring->rsp_prod;
    char note[64];
    snprintf(note, sizeof(note), "%u of %u requests answered", answered, 8 * size);
    verdict(d, "ring never drained", answered == 8 * size ? BLKIF_RSP_OKAY : NO_RESPONSE,
            BLKIF_RSP_OKAY, note);
}

/* The front end's state jumping about without waiting for the back end. */
static void attack_states(struct vbd *d)
{
    static const long jumps[] = { XenbusStateInitialising, XenbusStateInitialised,
                                  XenbusStateClosed, XenbusStateConnected,
                                  XenbusStateInitWait, XenbusStateClosing, 1000,
                                  XenbusStateConnected, XenbusStateInitialised };
    for (unsigned int i = 0; i < ARRAY_SIZE(jumps); i++)
        set_node(d->fe, "state", jumps[i]);
    xs_poll_sleep_ns(1000 * NS_PER_MS);
    char note[48];
    snprintf(note, sizeof(note), "back end then in state %ld", node_long(d->be, "state"));
    /* Any answer is acceptable here; what matters is what follows. */
    verdict(d, "state 4-1-3-6-4-2-5-1000-4-3", NO_RESPONSE, NO_RESPONSE, note);
}

/* ---- setup and the legal part ---- */

static bool vbd_find(struct vbd *d)
{
    char path[96];
    snprintf(d->fe, sizeof(d->fe), "/local/domain/%u/device/vbd/%u", guest_domid, d->devid);
    snprintf(path, sizeof(path), "%s/backend", d->fe);
    return xs_read(path, d->be, sizeof(d->be)) > 0;
}

static void legal_write(struct vbd *d)
{
    memset(data_pages[9], 0, PAGE_SIZE);
    for (unsigned int i = 0; i < PAGE_SIZE; i += 512)
        memcpy(data_pages[9] + i, WRITE_MAGIC, strlen(WRITE_MAGIC));
    int w = do_rw(d, BLKIF_OP_WRITE, LEGAL_SECTOR, 9, 5000);
    memset(data_pages[10], 0, PAGE_SIZE);
    int r = do_rw(d, BLKIF_OP_READ, LEGAL_SECTOR, 10, 5000);
    bool same = memcmp(data_pages[9], data_pages[10], PAGE_SIZE) == 0;
    printk("hostile_front: vbd %s legal write of sectors %u-%u: %s, read back %s%s\n", d->name,
           LEGAL_SECTOR, LEGAL_SECTOR + 7, status_name(w), status_name(r),
           same ? ", same bytes" : ", DIFFERENT bytes");
    CHECK(w == BLKIF_RSP_OKAY && r == BLKIF_RSP_OKAY && same, "%s: legal write", d->name);
}

void vbd_attacks(void)
{
    struct vbd *rw = &disks[0], *ro = &disks[1];

    for (unsigned int i = 0; i < ARRAY_SIZE(disks); i++) {
        struct vbd *d = &disks[i];
        if (!vbd_find(d) || !vbd_connect(d)) {
            test_fail("%s: could not connect to its back end", d->name);
            return;
        }
        bool ok = probe(d);
        printk("hostile_front: vbd %s connected (%ld sectors, back end %s), good read %s\n",
               d->name, d->sectors, d->be, ok ? "ok" : "FAILED");
        if (!ok) {
            test_fail("%s: the first good read failed", d->name);
            return;
        }
    }
    legal_write(rw);
    memset(data_pages[2], 0xEE, PAGE_SIZE);
    verdict(ro, "write to a read-only disk", do_rw(ro, BLKIF_OP_WRITE, LEGAL_SECTOR, 2, 5000),
            BLKIF_RSP_ERROR, NULL);
    attack_segments(rw);
    attack_sectors(rw);
    attack_grants(rw);
    attack_operations(rw);
    attack_never_drain(rw);
    attack_producer(rw);
    attack_states(rw);
    attack_states(ro);
    /* Still the same disk, and our legal write still there. */
    memset(data_pages[10], 0, PAGE_SIZE);
    int r = do_rw(rw, BLKIF_OP_READ, LEGAL_SECTOR, 10, 5000);
    CHECK(r == BLKIF_RSP_OKAY && memcmp(data_pages[10], WRITE_MAGIC, strlen(WRITE_MAGIC)) == 0,
          "xvda: the legal write is not there at the end (%s)", status_name(r));
}

/* Reads and legal writes without end, never waiting: dom0 destroys us
 * in the middle of them. */
void vbd_flood(void)
{
    struct vbd *d = &disks[0];
    unsigned long rounds = 0;

    for (unsigned int i = 0; i < PAGE_SIZE; i += 512)
        memcpy(data_pages[9] + i, WRITE_MAGIC, strlen(WRITE_MAGIC));
    printk("hostile_front: flooding xvda until destroyed\n");
    console_flush();
    for (;;) {
        while (RING_FREE_REQUESTS(&d->ring) > 0) {
            blkif_request_t *r = next_slot(d);
            if (d->next_id % 4 == 0)
                fill_rw(d, r, BLKIF_OP_WRITE, LEGAL_SECTOR, 9, 1);
            else
                fill_rw(d, r, BLKIF_OP_READ, (d->next_id * 8) % 4096, d->next_id % 8, 1);
        }
        push(d);
        wait_port(d->port, 50 * NS_PER_MS);
        d->ring.rsp_cons = d->sring->rsp_prod;
        if (++rounds % 200 == 0)
            printk("hostile_front: flood round %lu\n", rounds);
    }
}
