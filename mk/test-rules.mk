# How every test makefile runs a test and records it: one rule file, so a
# crash, a hang or a missing result line is a FAIL everywhere alike. Each
# expands to one shell command for a recipe; all of them end with status 0
# once the outcome is in $(RESULTS) (the results file is the verdict, and
# make goes on to the next test). See docs/testing.md.
#
#   $(call test_run,NAME,SECONDS,COMMAND[,EXTRA])
#       COMMAND appends its own PASS/FAIL lines to $RESULTS (CUnit programs
#       through tests/lib/cunit_results.c, the scripts and runners). A time
#       limit hit, a crash, a non-zero exit with no FAIL line of its own, or
#       no result line at all adds "FAIL NAME (why)". EXTRA: more options of
#       mk/run-test.sh, e.g. --expect-name N (repeatable), --expect-names FILE.
#   $(call test_status,NAME,SECONDS,COMMAND[,LOG])
#       COMMAND's exit status is the verdict: "PASS NAME" or "FAIL NAME (why)".
#       With LOG, its output goes there (the tail is shown on failure).
#   $(call test_fuzz,NAME,FUZZER,SECONDS,ARGS,LOG)
#       a libFuzzer binary for SECONDS (-max_total_time), stopped a minute
#       later if it does not stop itself; its status is the verdict.
#   $(call test_build,NAME,TARGETS,LOG)
#       a shell condition: makes TARGETS (output in LOG), or shows LOG,
#       records "FAIL NAME" and is false. Use as: if $(call test_build,...); then ...; fi
#
# TOP and RESULTS must be set before this file is included.

RUN_TEST := sh $(TOP)/mk/run-test.sh --results $(RESULTS)

test_run    = $(RUN_TEST) --timeout $(2) $(4) $(1) -- $(3)
test_status = $(RUN_TEST) --status --timeout $(2) $(if $(4),--log $(4)) $(1) -- $(3)
test_fuzz   = $(RUN_TEST) --status --timeout $$(($(3) + 60)) --log $(5) $(1) -- \
              $(2) -max_total_time=$(3) $(4)
test_build  = { mkdir -p $(dir $(3)); $(MAKE) --no-print-directory $(2) >$(3) 2>&1 || \
              { cat $(3); echo "FAIL $(1)" >> $(RESULTS); false; }; }
