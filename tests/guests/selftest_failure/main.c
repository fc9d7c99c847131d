/*
 * Proves the harness can fail: this kernel reports a failure (and a skip,
 * which must not mask it), so the verdict must be FAILURE. run-tests.sh
 * records "PASS guests/xen/selftest_failure" only when it sees exactly that.
 */
#include "guest.h"

const char test_title[] = "harness self-test: a failing kernel";

void test_main(void)
{
    test_skip("a skip first");
    test_fail("deliberate failure");
    test_skip("a skip after the failure does not lower the verdict");
}
