/* The dom0-tools unit tests: every suite, recorded in $RESULTS. */
#include <CUnit/CUnit.h>
#include <stdio.h>

#include "cunit_results.h"
#include "unit.h"

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    register_guest_elf_tests();
    register_xlcfg_tests();
    register_domxml_tests();
    register_image_tests();
    register_kernel_cache_tests();
    register_console_tests();
    register_dominfo_tests();
    register_json_tests();
    register_pvbuild_tests();
    register_vdev_tests();
    register_nics_tests();
    return cunit_run_and_record("dom0-tools/unit");
}
