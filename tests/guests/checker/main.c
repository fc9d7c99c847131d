/*
 * The hostile guest's witness: booted next to tests/guests/hostile, it
 * fills 2 MiB of its own memory with a pattern that changes every round
 * and checks, round after round, that nothing else wrote it while the
 * hostile domain ran. It also grants that domain pages of the pattern
 * read-only (refs 0-7) and one spare page writable (ref 8), so that the
 * hostile guest's grant operations on "the peer" reach real grants: a
 * write through a read-only grant shows up as a changed word.
 *
 * Command line: peer=N (the hostile domain, default 1), seconds=S (give
 * up waiting for it after S seconds, default 900). It stops when the
 * hostile guest says it is done: "HSTLDONE", its seed and a hash of the
 * seed copied into the spare page through the grant (a random copy cannot
 * forge the hash, which the hostile guest computes only at its end), or
 * when a domain shut down (VIRQ_DOM_EXC: the peer is the only other one)
 * or the peer is gone. It checks once more, and reports the rounds.
 */
#include "guest.h"

const char test_title[] = "checker: own memory intact while a hostile guest runs";

#define PATTERN_BYTES (2UL << 20)
#define GRANTED_RO 8
#define SPARE_REF  8

static uint64_t pattern[PATTERN_BYTES / 8] __attribute__((aligned(PAGE_SIZE)));
static char spare[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char gnttab_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static uint64_t word(uint64_t i, uint64_t round)
{
    uint64_t z = i * 0x9e3779b97f4a7c15UL + round * 0xbf58476d1ce4e5b9UL;
    return z ^ (z >> 29);
}

static void fill(uint64_t round)
{
    for (uint64_t i = 0; i < ARRAY_SIZE(pattern); i++)
        pattern[i] = word(i, round);
}

/* The number of words that differ from round's pattern (the first few are printed). */
static unsigned long verify(uint64_t round)
{
    unsigned long bad = 0;
    for (uint64_t i = 0; i < ARRAY_SIZE(pattern); i++) {
        if (pattern[i] == word(i, round))
            continue;
        if (bad++ < 4)
            printk("checker: word %lu (page %lu) is %#lx, want %#lx\n", (unsigned long)i,
                   (unsigned long)(i * 8 / PAGE_SIZE), (unsigned long)pattern[i],
                   (unsigned long)word(i, round));
    }
    return bad;
}

static void grant_to_peer(domid_t peer)
{
    unsigned long frame;
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
    st.frame_list.p = &frame;
    if (hyp_grant_table_op(GNTTABOP_setup_table, &st, 1) || st.status != GNTST_okay ||
        map_machine_page(gnttab_page, frame, PTE_KERNEL_RW)) {
        test_error("cannot set up our grant table");
        return;
    }
    grant_entry_v1_t *gt = (grant_entry_v1_t *)gnttab_page;
    for (unsigned r = 0; r < GRANTED_RO; r++) {
        gt[r].domid = peer;
        gt[r].frame = (uint32_t)virt_to_mfn((char *)pattern + r * PAGE_SIZE);
        barrier();
        gt[r].flags = GTF_permit_access | GTF_readonly;
    }
    gt[SPARE_REF].domid = peer;
    gt[SPARE_REF].frame = (uint32_t)virt_to_mfn(spare);
    barrier();
    gt[SPARE_REF].flags = GTF_permit_access;
}

/* The hostile guest's end-of-run note (tests/guests/hostile writes it). */
static bool peer_done(void)
{
    const uint64_t *note = (const uint64_t *)spare;
    uint64_t magic;
    memcpy(&magic, "HSTLDONE", 8);
    return note[0] == magic && note[2] == (note[1] ^ 0x5bd1e9955bd1e995UL) * 0x9e3779b97f4a7c15UL;
}

static bool peer_alive(domid_t peer)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = peer };
    long rc = hyp_event_channel_op(EVTCHNOP_alloc_unbound, &a);
    if (rc == 0)
        evtchn_close_port(a.port);
    return rc != -XEN_ESRCH;
}

void test_main(void)
{
    domid_t peer = (domid_t)cmdline_number("peer", 1);
    uint64_t limit_ns = (uint64_t)cmdline_number("seconds", 900) * 1000000000UL;
    uint64_t start = system_time_ns(), round = 0;
    unsigned long bad = 0;

    fill(round);
    grant_to_peer(peer);
    struct evtchn_bind_virq dom_exc = { .virq = VIRQ_DOM_EXC, .vcpu = 0 };
    if (hyp_event_channel_op(EVTCHNOP_bind_virq, &dom_exc))
        dom_exc.port = 0;       /* not the control domain: only the note and -ESRCH then */
    printk("checker: watching %lu KiB for domain %u\n", PATTERN_BYTES >> 10, peer);
    for (;;) {
        bool exited = dom_exc.port && evtchn_test_and_clear_pending(dom_exc.port);
        bool alive = !exited && peer_alive(peer) && !peer_done();
        bad += verify(round);
        if (bad || !alive)
            break;
        if (system_time_ns() - start > limit_ns) {
            test_fail("domain %u still running after %lu s", peer,
                      (unsigned long)(limit_ns / 1000000000UL));
            break;
        }
        fill(++round);
        guest_sleep_ns(20000000);
    }
    printk("checker: %lu rounds over %lu ms, %lu words changed\n", (unsigned long)round + 1,
           (unsigned long)((system_time_ns() - start) / 1000000), bad);
    CHECK(bad == 0, "%lu words of our memory changed while domain %u ran", bad, peer);
}
