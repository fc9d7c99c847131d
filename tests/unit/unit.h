/*
 * Shared by the unit test programs: registering a table of CUnit tests
 * as one suite and running everything through cunit_run_and_record.
 */
#ifndef TESSERA_UNIT_H
#define TESSERA_UNIT_H

#include <CUnit/Basic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include "cunit_results.h"

struct unit_case {
    const char *name;
    CU_TestFunc fn;
};

#define UNIT_CASE(name) { #name, test_##name }

static inline void unit_add_suite(const char *suite, const struct unit_case *cases, size_t n)
{
    CU_pSuite s = CU_add_suite(suite, NULL, NULL);

    if (!s) {
        fprintf(stderr, "cannot add suite %s\n", suite);
        exit(2);
    }
    for (size_t i = 0; i < n; i++)
        CU_add_test(s, cases[i].name, cases[i].fn);
}

#define UNIT_SUITE(name, table) unit_add_suite(name, table, sizeof(table) / sizeof((table)[0]))

static inline int unit_begin(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "CUnit registry failed\n");
        exit(2);
    }
    return 0;
}

static inline int unit_end(void)
{
    return cunit_run_and_record("unit");
}

#endif
