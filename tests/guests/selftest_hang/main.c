/*
 * Proves a hang is a failure: this kernel never reaches its verdict. The
 * runner must give up at its timeout and report ERROR; run-tests.sh records
 * "PASS guests/xen/selftest_hang" only when that happens.
 */
#include "guest.h"

const char test_title[] = "harness self-test: a kernel that hangs";

void test_main(void)
{
    printk("selftest_hang: blocking for ever with events masked\n");
    for (;;)
        hyp_sched_op(SCHEDOP_block, NULL);
}
