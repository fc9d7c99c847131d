/*
 * A malicious front end against dom0's back ends (Linux's xen-blkback and
 * xen-netback): it connects as blkfront and netfront do, proves each path,
 * then sends what a broken or hostile guest could (vbd.c, vif.c). After
 * each attack one line says what the back end did; a device the back end
 * stopped serving is reconnected. dom0's side of the test
 * (guest-patches/dom0-domu-hostile.sh) checks that dom0, the other guests
 * and the disk outside the guest's legal writes are untouched.
 * docs/hostile-frontends.md lists the attacks and the answers.
 *
 * With "flood" on its command line it ends by submitting disk I/O until
 * it is destroyed; otherwise it ends as every test kernel does.
 */
#include "hostile_front.h"

const char test_title[] = "hostile front end (blkback, netback)";

char data_pages[NR_DATA_PAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static unsigned int attacks, unexpected;

void wait_port(evtchn_port_t port, uint64_t ns)
{
    struct sched_poll poll = { .nr_ports = 1, .timeout = system_time_ns() + ns };
    set_xen_guest_handle(poll.ports, &port);
    hyp_sched_op(SCHEDOP_poll, &poll);
    evtchn_test_and_clear_pending(port);
}

long node_long(const char *dir, const char *key)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", dir, key);
    return xs_read_long(path, -1);
}

long set_node(const char *dir, const char *key, long value)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", dir, key);
    return xs_write_long(path, value);
}

long wait_state(const char *dir, long want, uint64_t ms)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/state", dir);
    return xs_wait_long(path, &want, 1, ms * NS_PER_MS);
}

void report_attack(const char *kind, const char *dev, const char *attack, const char *got,
                   const char *want, const char *note, const char *after, bool as_expected,
                   bool alive)
{
    attacks++;
    if (!as_expected || !alive)
        unexpected++;
    printk("hostile_front: %s %s %s: %s (expected %s)%s%s, %s: %s\n", kind, dev, attack, got,
           want, note ? ", " : "", note ? note : "", after,
           as_expected && alive ? "ok" : "UNEXPECTED");
    if (!alive)
        test_fail("%s %s: %s left the device dead", kind, dev, attack);
}

void test_main(void)
{
    long rc = xs_init();
    if (rc == 0)
        rc = gnttab_init();
    if (rc != 0) {
        test_skip("no xenstore ring or grant table (%ld): run me as a domU with disks", rc);
        return;
    }
    vbd_attacks();
    if (!cmdline_has("novif"))
        vif_attacks();
    printk("hostile_front: summary: %u attacks, %u unexpected, result %s\n", attacks, unexpected,
           test_current_result() == RESULT_SUCCESS ? "SUCCESS" : "FAILURE");
    if (cmdline_has("flood") && test_current_result() == RESULT_SUCCESS)
        vbd_flood();
}
