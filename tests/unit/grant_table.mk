# Grant tables (hypervisor/common/grant_table*.c), included by the Makefile
# beside this file. Built with their own flags (they need the guest ABI
# headers and the domain list) and their own doubles, which live in the test
# and fuzzer sources themselves; grant_table_arch_weak.c (the link-time
# fallbacks for the hypervisor image) is left out so the doubles are used.
#
#   test_grant_table   CUnit suite against fake domains and frames (with test_grant_table_v2.inc)
#   fuzz_grant_table   random op sequences on two fake domains (libFuzzer)
#   freestanding check each source compiled with the hypervisor's flags
#
# Results: unit/grant_table/<test>, unit/grant_table/build,
# unit/grant_table/freestanding-compile, unit/fuzz/grant_table.

GNT_ALL_SRCS := $(patsubst $(HV)/%,%,$(wildcard $(HV)/common/grant_table*.c))
GNT_SRCS := $(filter-out common/grant_table_arch_weak.c,$(GNT_ALL_SRCS))
# Linked into the tests, not ours: the domain list and its references.
GNT_DEPS := common/domain.c
GNT_INC  := -I$(TOP)/pv-abi/include
GNT_OUT  := $(OUT)/gnttab

GNT_HOST_OBJS := $(patsubst %.c,$(GNT_OUT)/host/%.o,$(GNT_SRCS) $(GNT_DEPS))
GNT_FUZZ_OBJS := $(patsubst %.c,$(GNT_OUT)/fuzz/%.o,$(GNT_SRCS) $(GNT_DEPS))
GNT_HDRS := $(HV)/include/tessera/grant_table.h $(HV)/include/tessera/domain.h \
            $(TOP)/pv-abi/include/pvabi/grant_table.h

.PHONY: gnttab-all gnttab-check gnttab-fuzz gnttab-run-tests gnttab-freestanding

$(GNT_OUT)/host/%.o: $(HV)/%.c $(GNT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HV_HOST_CFLAGS) $(GNT_INC) -MMD -MP -c -o $@ $<

$(OUT)/test_grant_table: $(UNIT)/test_grant_table.c $(UNIT)/test_grant_table_v2.inc $(UNIT)/unit.h $(GNT_HOST_OBJS) \
                         $(OUT)/libhv.a $(SUPPORT_OBJS)
	$(CC) $(HOST_CFLAGS) $(GNT_INC) -o $@ $< $(GNT_HOST_OBJS) $(SUPPORT_OBJS) $(OUT)/libhv.a -lcunit

$(GNT_OUT)/fuzz/%.o: $(HV)/%.c $(GNT_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_HV_CFLAGS) $(GNT_INC) -MMD -MP -c -o $@ $<

$(OUT)/fuzz_grant_table: $(UNIT)/fuzz/fuzz_grant_table.c $(GNT_FUZZ_OBJS) \
                         $(OUT)/fuzzhv/libhv.a $(OUT)/fuzzhv/arch_stubs.o
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(GNT_INC) -o $@ $< $(GNT_FUZZ_OBJS) \
	    $(OUT)/fuzzhv/arch_stubs.o $(OUT)/fuzzhv/libhv.a

gnttab-all: $(OUT)/test_grant_table

gnttab-run-tests:
	@mkdir -p $(OUT); touch $(RESULTS)
	@$(call unit_program,grant_table)

gnttab-freestanding:
	$(call freestanding_check,unit/grant_table/freestanding-compile,$(GNT_ALL_SRCS),$(GNT_OUT)/freestanding,$(GNT_INC))

# No seed folder: the fuzzer's input is a list of ops, and libFuzzer finds
# its own from an empty corpus.
GNT_FUZZ_FLAGS := -max_len=512 -len_control=0

gnttab-check: gnttab-freestanding gnttab-run-tests
	@mkdir -p $(OUT); touch $(RESULTS)
	@$(call run_fuzzer,grant_table,$(FUZZ_CHECK_SECONDS),$(FUZZ_CHECK_FLAGS) $(GNT_FUZZ_FLAGS))

gnttab-fuzz:
	@mkdir -p $(OUT); touch $(RESULTS)
	@$(call run_fuzzer,grant_table,$(FUZZ_SECONDS),$(GNT_FUZZ_FLAGS))

# --- benchmark: the same test program, optimised, without sanitizers -------

GNT_BENCH_OBJS := $(patsubst %.c,$(GNT_OUT)/bench/%.o,$(GNT_SRCS) $(GNT_DEPS))

$(GNT_OUT)/bench/%.o: $(HV)/%.c $(GNT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -include $(UNIT)/stubs/hv_names.h $(GNT_INC) -MMD -MP -c -o $@ $<

$(GNT_OUT)/bench/cunit_results.o: $(TOP)/tests/lib/cunit_results.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -I$(TOP)/tests/lib -MMD -MP -c -o $@ $<

$(OUT)/bench_grant_table: $(UNIT)/test_grant_table.c $(UNIT)/test_grant_table_v2.inc $(GNT_BENCH_OBJS) $(GNT_OUT)/bench/cunit_results.o \
                          $(OUT)/benchhv/libhv.a $(OUT)/benchhv/arch_stubs.o
	$(CC) $(BENCH_CFLAGS) -pthread -I$(TOP)/tests/lib $(GNT_INC) -o $@ $< $(GNT_BENCH_OBJS) \
	    $(GNT_OUT)/bench/cunit_results.o $(OUT)/benchhv/arch_stubs.o $(OUT)/benchhv/libhv.a -lcunit

.PHONY: gnttab-bench
gnttab-bench: $(OUT)/bench_grant_table
	@$(OUT)/bench_grant_table --bench

all: gnttab-all
bench: gnttab-bench
check: gnttab-check
freestanding-compile-check: gnttab-freestanding
fuzz: gnttab-fuzz
