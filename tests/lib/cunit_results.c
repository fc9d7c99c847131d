#include "cunit_results.h"

#include <CUnit/Basic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static bool test_failed(CU_pTest test)
{
    for (CU_pFailureRecord f = CU_get_failure_list(); f; f = f->pNext)
        if (f->pTest == test)
            return true;
    return false;
}

static bool suite_failed_setup(CU_pSuite suite)
{
    /* A failed suite initialisation is recorded against the suite, no test. */
    for (CU_pFailureRecord f = CU_get_failure_list(); f; f = f->pNext)
        if (f->pSuite == suite && f->pTest == NULL)
            return true;
    return false;
}

int cunit_run_and_record(const char *prefix)
{
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();

    const char *path = getenv("RESULTS");
    FILE *out = path ? fopen(path, "a") : NULL;
    unsigned failures = 0;

    for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext) {
        bool setup_failed = suite_failed_setup(s);
        for (CU_pTest t = s->pTest; t; t = t->pNext) {
            bool failed = setup_failed || test_failed(t);
            failures += failed;
            if (out)
                fprintf(out, "%s %s/%s/%s\n", failed ? "FAIL" : "PASS",
                        prefix, s->pName, t->pName);
        }
    }
    if (out)
        fclose(out);
    failures += CU_get_number_of_failures() && !failures;
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
