/*
 * Runs every registered CUnit test and reports each one to the project's
 * results file, so CUnit suites count in make check's closing summary.
 */
#ifndef TESSERA_CUNIT_RESULTS_H
#define TESSERA_CUNIT_RESULTS_H

/*
 * Runs the registry with CUnit's basic interface (its own summary is
 * printed), then appends "PASS prefix/suite/test" or "FAIL ..." for each
 * test to the file named by $RESULTS, if set. Returns 0 when all passed.
 * Cleans up the registry.
 */
int cunit_run_and_record(const char *prefix);

#endif
