/* CUnit runner of xenstore-lite's unit tests. */
#include <CUnit/Basic.h>

#include "cunit_results.h"
#include "harness.h"

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    register_path_tests();
    register_store_tests();
    register_node_tests();
    register_perms_tests();
    register_txn_tests();
    register_quota_tests();
    register_wire_tests();
    register_watch_tests();
    register_ring_tests();
    register_dump_tests();
    register_domain_tests();
    return cunit_run_and_record("xenstore/unit");
}
