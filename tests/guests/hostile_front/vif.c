/*
 * The network attacks, against Linux's xen-netback: connect as netfront
 * does (a tx and an rx ring, one event channel, request-rx-copy and
 * feature-rx-notify), prove the tx path with a good frame, then tx
 * requests with bad grants, frames too short, crossing their page, larger
 * than their first slot says, too many slots, bad extra-info slots, grants
 * ended in flight, a producer index far past the ring and the xenbus
 * state jumping about. Netback answers a bad frame it can drop with
 * NETIF_RSP_ERROR and disables the whole vif on what it calls a fatal
 * error ("fatal error; disabling device" in dom0's log): no response comes
 * after that, and a reconnect does not bring it back (netback clears its
 * "disabled" flag only when it makes the device anew). So the guest has
 * NR_VIFS vifs and moves to the next one when an attack disabled the one
 * it used: the attack is ok when the next one serves.
 *
 * Expects NR_VIFS vifs (device/vif/0..). Frames go to a locally
 * administered unicast address nobody has, with an experimental ether type.
 */
#include "hostile_front.h"
#include <pvabi/io/netif.h>

#define VIF_PAGE_FIRST 12           /* data_pages[12..] are the vif's */
#define FRAME_PAGE (VIF_PAGE_FIRST)
#define SPARE_PAGE (VIF_PAGE_FIRST + 1)
#define NO_RESPONSE 1000
#define ETH_HLEN 14
#define GOOD_FRAME_LEN 60

/* Six attacks disable a vif each: vif 0 for the rest, and one more to end on. */
#define NR_VIFS 7

/* Each vif its own rings: a disabled vif keeps its pages mapped in dom0. */
static char ring_pages[NR_VIFS][2][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static struct {
    unsigned int index;
    char fe[64], be[96];
    netif_tx_front_ring_t tx;
    netif_rx_front_ring_t rx;
    grant_ref_t tx_ref, rx_ref;
    evtchn_port_t port;
    uint16_t next_id;
    uint8_t mac[6];
    char mac_text[24];
    bool tried_reconnect;       /* once, to show that it does not help */
} vif;

static const char *status_name(int st)
{
    switch (st) {
    case NETIF_RSP_OKAY: return "OKAY";
    case NETIF_RSP_ERROR: return "ERROR";
    case NETIF_RSP_DROPPED: return "DROPPED";
    case NETIF_RSP_NULL: return "NULL";
    case NO_RESPONSE: return "no response";
    default: return "?";
    }
}

static bool parse_mac(const char *s, uint8_t mac[6])
{
    for (unsigned int i = 0; i < 6; i++, s += 3) {
        unsigned int v = 0;
        for (unsigned int k = 0; k < 2; k++) {
            char c = s[k];
            unsigned int d = c >= '0' && c <= '9' ? (unsigned int)(c - '0')
                           : c >= 'a' && c <= 'f' ? (unsigned int)(c - 'a' + 10)
                           : c >= 'A' && c <= 'F' ? (unsigned int)(c - 'A' + 10) : 16u;
            if (d > 15)
                return false;
            v = v * 16 + d;
        }
        mac[i] = (uint8_t)v;
        if (i < 5 && s[2] != ':')
            return false;
    }
    return true;
}

static bool vif_connect(void)
{
    char path[128];
    long st = wait_state(vif.be, XenbusStateInitWait, 30000);

    if (st != XenbusStateInitWait) {
        printk("hostile_front: vif %u: back end in state %ld, not InitWait\n", vif.index, st);
        return false;
    }
    netif_tx_sring_t *txs = (netif_tx_sring_t *)ring_pages[vif.index][0];
    netif_rx_sring_t *rxs = (netif_rx_sring_t *)ring_pages[vif.index][1];
    memset(ring_pages[vif.index], 0, sizeof(ring_pages[vif.index]));
    XEN_FRONT_RING_INIT(&vif.tx, txs, PAGE_SIZE);
    XEN_FRONT_RING_INIT(&vif.rx, rxs, PAGE_SIZE);
    vif.tx_ref = REF_VIF_RINGS + 2 * vif.index;
    vif.rx_ref = vif.tx_ref + 1;
    gnttab_grant(vif.tx_ref, BACKEND_DOM, txs, false);
    gnttab_grant(vif.rx_ref, BACKEND_DOM, rxs, false);

    struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF, .remote_dom = BACKEND_DOM };
    if (hyp_event_channel_op(EVTCHNOP_alloc_unbound, &alloc) != 0) {
        printk("hostile_front: vif %u: alloc_unbound failed\n", vif.index);
        return false;
    }
    vif.port = alloc.port;
    if (set_node(vif.fe, "tx-ring-ref", vif.tx_ref) || set_node(vif.fe, "rx-ring-ref", vif.rx_ref) ||
        set_node(vif.fe, "event-channel", vif.port) || set_node(vif.fe, "request-rx-copy", 1) ||
        set_node(vif.fe, "feature-rx-notify", 1) ||
        set_node(vif.fe, "state", XenbusStateConnected)) {
        printk("hostile_front: vif %u: cannot write the front end's nodes\n", vif.index);
        return false;
    }
    st = wait_state(vif.be, XenbusStateConnected, 30000);
    if (st != XenbusStateConnected) {
        snprintf(path, sizeof(path), "%s/error", vif.be);
        char err[96] = "";
        xs_read(path, err, sizeof(err));
        printk("hostile_front: vif %u: back end in state %ld, not Connected (%s)\n", vif.index,
               st, err);
        return false;
    }
    return true;
}

/* Closing, Closed, Initialising and connected again, as netfront does. */
static bool vif_reconnect(void)
{
    set_node(vif.fe, "state", XenbusStateClosing);
    wait_state(vif.be, XenbusStateClosing, 10000);
    set_node(vif.fe, "state", XenbusStateClosed);
    long st = wait_state(vif.be, XenbusStateClosed, 10000);
    if (st != XenbusStateClosed) {
        printk("hostile_front: vif %u: back end stuck in state %ld on close\n", vif.index, st);
        return false;
    }
    evtchn_close_port(vif.port);
    if (!gnttab_end(vif.tx_ref, false) || !gnttab_end(vif.rx_ref, false))
        printk("hostile_front: vif %u: a ring grant still mapped after Closed\n", vif.index);
    set_node(vif.fe, "state", XenbusStateInitialising);
    return vif_connect();
}

/* The next tx slot, zeroed, with a fresh id. */
static netif_tx_request_t *tx_slot(void)
{
    netif_tx_request_t *r = RING_GET_REQUEST(&vif.tx, vif.tx.req_prod_pvt);
    vif.tx.req_prod_pvt++;
    memset(r, 0, sizeof(*r));
    r->id = vif.next_id++;
    return r;
}

static void tx_push(void)
{
    RING_PUSH_REQUESTS(&vif.tx);
    evtchn_send_port(vif.port);
}

/* Consumes tx responses until the one for `id` (its status), or NO_RESPONSE. */
static int tx_wait(uint16_t id, uint64_t ms)
{
    uint64_t end = system_time_ns() + ms * NS_PER_MS;

    for (;;) {
        RING_IDX prod = __atomic_load_n(&vif.tx.sring->rsp_prod, __ATOMIC_ACQUIRE);
        if (prod - vif.tx.rsp_cons > RING_SIZE(&vif.tx))
            vif.tx.rsp_cons = prod - RING_SIZE(&vif.tx);
        while (vif.tx.rsp_cons != prod) {
            netif_tx_response_t rsp;
            RING_COPY_RESPONSE(&vif.tx, vif.tx.rsp_cons, &rsp);
            vif.tx.rsp_cons++;
            if (rsp.id == id)
                return rsp.status;
        }
        vif.tx.sring->rsp_event = vif.tx.rsp_cons + 1;
        xen_mb();
        if (__atomic_load_n(&vif.tx.sring->rsp_prod, __ATOMIC_ACQUIRE) != prod)
            continue;
        uint64_t now = system_time_ns();
        if (now >= end)
            return NO_RESPONSE;
        wait_port(vif.port, end - now);
    }
}

/* A small frame at `offset` of the frame page, to a unicast address nobody has. */
static void write_frame(unsigned int offset, unsigned int len)
{
    static const uint8_t nobody[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
    uint8_t *f = (uint8_t *)data_pages[FRAME_PAGE] + offset;

    memset(f, 0x5a, len);
    memcpy(f, nobody, 6);
    memcpy(f + 6, vif.mac, 6);
    f[12] = 0x88;               /* ether type 0x88b5: local experiment */
    f[13] = 0xb5;
    if (len > ETH_HLEN + 13)
        memcpy(f + ETH_HLEN, "HOSTILE-FRONT", 13);
    gnttab_grant(REF_DATA + FRAME_PAGE, BACKEND_DOM, data_pages[FRAME_PAGE], true);
}

/* One good frame: whether netback answered OKAY. */
static bool vif_probe(void)
{
    write_frame(0, GOOD_FRAME_LEN);
    netif_tx_request_t *r = tx_slot();
    r->gref = REF_DATA + FRAME_PAGE;
    r->size = GOOD_FRAME_LEN;
    uint16_t id = r->id;
    tx_push();
    return tx_wait(id, 1000) == NETIF_RSP_OKAY;
}

/* Finds vif `index` in xenstore and connects it. */
static bool vif_open(unsigned int index)
{
    char path[128];

    vif.index = index;
    snprintf(vif.fe, sizeof(vif.fe), "/local/domain/%u/device/vif/%u", guest_domid, index);
    snprintf(path, sizeof(path), "%s/backend", vif.fe);
    if (xs_read(path, vif.be, sizeof(vif.be)) <= 0) {
        printk("hostile_front: vif %u: not in xenstore (the config has fewer vifs)\n", index);
        return false;
    }
    snprintf(path, sizeof(path), "%s/mac", vif.fe);
    if (xs_read(path, vif.mac_text, sizeof(vif.mac_text)) <= 0 ||
        !parse_mac(vif.mac_text, vif.mac)) {
        printk("hostile_front: vif %u: no MAC in %s\n", index, path);
        return false;
    }
    return vif_connect();
}

/*
 * After an attack: does the vif still carry a good frame? If not, netback
 * disabled it: the first time a reconnect is tried (and reported), then
 * the next vif is connected; the attack is ok when that one serves.
 */
static void verdict(const char *attack, int got, bool disabled_expected, int want,
                    const char *note)
{
    char dev[8], after[96];
    bool alive = vif_probe();
    bool disabled = !alive;

    snprintf(dev, sizeof(dev), "%u", vif.index);
    snprintf(after, sizeof(after), "still serving");
    if (disabled) {
        const char *tried = "";
        if (!vif.tried_reconnect) {
            vif.tried_reconnect = true;
            tried = vif_reconnect() && vif_probe() ? ", a reconnect revived it"
                                                   : ", a reconnect did not revive it";
        }
        unsigned int next = vif.index + 1;
        alive = next < NR_VIFS && vif_open(next) && vif_probe();
        snprintf(after, sizeof(after), "vif disabled%s, vif %u %s", tried, next,
                 alive ? "serving" : "FAILED");
    }
    report_attack("vif", dev, attack, status_name(got), status_name(want), note, after,
                  got == want && disabled == disabled_expected, alive);
}

/* A packet of `nslots` slots all on the frame page: the first slot says
 * `total` bytes, each slot carries `each` bytes. */
static uint16_t send_chain(unsigned int nslots, uint16_t total, uint16_t each)
{
    write_frame(0, PAGE_SIZE / 2);
    uint16_t first = 0;
    for (unsigned int i = 0; i < nslots; i++) {
        netif_tx_request_t *r = tx_slot();
        r->gref = REF_DATA + FRAME_PAGE;
        r->size = i == 0 ? total : each;
        r->flags = i + 1 < nslots ? NETTXF_more_data : 0;
        if (i == 0)
            first = r->id;
    }
    tx_push();
    return first;
}

static void attack_frames(void)
{
    static const struct {
        const char *what;
        grant_ref_t ref;
        uint16_t offset, size;
        int want;
        bool disables;
    } bad[] = {
        { "frame from a ref never granted", REF_NEVER_GRANTED, 0, GOOD_FRAME_LEN,
          NETIF_RSP_ERROR, false },
        { "frame from a ref past the table", 1u << 20, 0, GOOD_FRAME_LEN, NETIF_RSP_ERROR, false },
        { "frame from a ref granted to another domain", REF_FOREIGN, 0, GOOD_FRAME_LEN,
          NETIF_RSP_ERROR, false },
        { "frame of 10 bytes (no Ethernet header)", REF_DATA + FRAME_PAGE, 0, 10,
          NETIF_RSP_ERROR, false },
        { "frame of 0 bytes", REF_DATA + FRAME_PAGE, 0, 0, NETIF_RSP_ERROR, false },
    };
    gnttab_grant(REF_FOREIGN, (domid_t)(guest_domid + 100), data_pages[SPARE_PAGE], true);
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        write_frame(0, GOOD_FRAME_LEN);
        netif_tx_request_t *r = tx_slot();
        r->gref = bad[i].ref;
        r->offset = bad[i].offset;
        r->size = bad[i].size;
        uint16_t id = r->id;
        tx_push();
        verdict(bad[i].what, tx_wait(id, 1000), bad[i].disables, bad[i].want, NULL);
    }
    gnttab_end(REF_FOREIGN, true);
}

/* Chained frames netback takes or drops without disabling the vif. */
static void attack_slots_survived(void)
{
    /* Linux 6.1 carries 19 slots (its fatal limit, fatal_skb_slots, is 20). */
    uint16_t id = send_chain(19, 19 * 64, 64);
    verdict("frame in 19 slots", tx_wait(id, 1000), false, NETIF_RSP_OKAY, NULL);
    /* The first slot's size is the whole packet's: a later slot larger
     * than what is left is dropped ("Packet is bigger than frame"). */
    id = send_chain(2, 100, 200);
    verdict("first slot says 100 bytes, second carries 200", tx_wait(id, 1000), false,
            NETIF_RSP_ERROR, NULL);
}

/* What netback calls fatal: each disables the vif it came on. */
static void attack_fatal(void)
{
    static const struct { const char *what; uint16_t offset, size; } one_slot[] = {
        { "frame crossing its page (offset 4000, 200 bytes)", 4000, 200 },
        { "frame of 65535 bytes in one slot", 0, 65535 },
    };
    for (unsigned int i = 0; i < ARRAY_SIZE(one_slot); i++) {
        write_frame(0, GOOD_FRAME_LEN);
        netif_tx_request_t *r = tx_slot();
        r->gref = REF_DATA + FRAME_PAGE;
        r->offset = one_slot[i].offset;
        r->size = one_slot[i].size;
        uint16_t id = r->id;
        tx_push();
        verdict(one_slot[i].what, tx_wait(id, 1000), true, NO_RESPONSE, NULL);
    }

    /* Past netback's fatal_skb_slots (20): "Malicious frontend using 20 slots". */
    uint16_t id = send_chain(25, 25 * 64, 64);
    verdict("frame in 25 slots", tx_wait(id, 1000), true, NO_RESPONSE, NULL);

    /* An extra-info slot of a type that does not exist. */
    static const uint8_t types[] = { XEN_NETIF_EXTRA_TYPE_NONE, 200 };
    for (unsigned int i = 0; i < ARRAY_SIZE(types); i++) {
        write_frame(0, GOOD_FRAME_LEN);
        netif_tx_request_t *r = tx_slot();
        r->gref = REF_DATA + FRAME_PAGE;
        r->size = GOOD_FRAME_LEN;
        r->flags = NETTXF_extra_info;
        uint16_t id = r->id;
        netif_extra_info_t *x = (netif_extra_info_t *)RING_GET_REQUEST(&vif.tx, vif.tx.req_prod_pvt);
        vif.tx.req_prod_pvt++;
        memset(x, 0, sizeof(*x));
        x->type = types[i];
        tx_push();
        char what[48];
        snprintf(what, sizeof(what), "extra-info slot of type %u", types[i]);
        verdict(what, tx_wait(id, 1000), true, NO_RESPONSE, NULL);
    }

    /* A producer index the ring cannot hold: "Impossible number of requests". */
    RING_IDX before = vif.tx.sring->rsp_prod;
    vif.tx.sring->req_prod = vif.tx.req_prod_pvt + 1000;
    evtchn_send_port(vif.port);
    xs_poll_sleep_ns(300 * NS_PER_MS);
    RING_IDX answered = __atomic_load_n(&vif.tx.sring->rsp_prod, __ATOMIC_ACQUIRE) - before;
    vif.tx.sring->req_prod = vif.tx.req_prod_pvt;
    char note[64];
    snprintf(note, sizeof(note), "%u responses to slots never filled", answered);
    verdict("tx req_prod 1000 ahead", answered ? NETIF_RSP_OKAY : NO_RESPONSE, true, NO_RESPONSE,
            note);
}

static void attack_grants(void)
{
    unsigned int okay = 0, error = 0, other = 0;
    for (unsigned int round = 0; round < 16; round++) {
        write_frame(0, GOOD_FRAME_LEN);
        netif_tx_request_t *r = tx_slot();
        r->gref = REF_DATA + FRAME_PAGE;
        r->size = GOOD_FRAME_LEN;
        uint16_t id = r->id;
        tx_push();
        gnttab_end(REF_DATA + FRAME_PAGE, true);
        int st = tx_wait(id, 1000);
        okay += st == NETIF_RSP_OKAY;
        error += st == NETIF_RSP_ERROR;
        other += st != NETIF_RSP_OKAY && st != NETIF_RSP_ERROR;
    }
    char note[64];
    snprintf(note, sizeof(note), "16 rounds: %u OKAY, %u ERROR, %u other", okay, error, other);
    verdict("frame's grant ended in flight", other ? NO_RESPONSE : NETIF_RSP_OKAY, false,
            NETIF_RSP_OKAY, note);
}

static void attack_states(void)
{
    static const long jumps[] = { XenbusStateInitialising, XenbusStateConnected,
                                  XenbusStateClosed, XenbusStateConnected,
                                  XenbusStateInitWait, XenbusStateClosing, 1000,
                                  XenbusStateReconfiguring, XenbusStateConnected };
    for (unsigned int i = 0; i < ARRAY_SIZE(jumps); i++)
        set_node(vif.fe, "state", jumps[i]);
    xs_poll_sleep_ns(1000 * NS_PER_MS);
    char note[48];
    snprintf(note, sizeof(note), "back end then in state %ld", node_long(vif.be, "state"));
    verdict("state 4-1-4-6-4-2-5-1000-7-4", NO_RESPONSE, false, NO_RESPONSE, note);
}

void vif_attacks(void)
{
    if (!vif_open(0)) {
        test_fail("vif: could not connect vif 0 to its back end");
        return;
    }
    bool ok = vif_probe();
    printk("hostile_front: vif 0 connected (mac %s, back end %s), good frame %s\n", vif.mac_text,
           vif.be, ok ? "ok" : "FAILED");
    if (!ok) {
        test_fail("vif: the first good frame was not answered OKAY");
        return;
    }
    attack_frames();
    attack_slots_survived();
    attack_grants();
    attack_states();
    attack_fatal();
}
