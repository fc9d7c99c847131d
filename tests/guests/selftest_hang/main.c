/*
 * Proves a hang is a failure: this kernel never reaches its verdict. It
 * stays alive, printing a heartbeat twice a second (blocked on its timer in
 * between, so it costs the host nothing), so that the runner can tell a
 * real hang from a broken run: run-guest.py --expect-hang passes it only
 * when the time limit is hit while the heartbeat still arrives, and
 * run-tests.sh records "PASS guests/xen/selftest_hang" only then. A
 * missing file, QEMU exiting or a hypervisor panic is not a hang.
 */
#include "guest.h"

const char test_title[] = "harness self-test: a kernel that hangs";

void test_main(void)
{
    for (unsigned long beat = 0;; beat++) {
        printk("selftest_hang: still running (%lu)\n", beat);
        guest_sleep_ns(500000000ull);
    }
}
