# The vCPU scheduler (hypervisor/common/sched*.c), included by the Makefile
# beside this file. Built here with its own flags (it needs the guest ABI
# headers) and linked with the discrete-event simulation sched_sim.c:
#
#   test_sched         CUnit suite: fairness, caps, affinity, boost, ...
#   fuzz_sched         random operation sequences, invariants after each
#                      (3 s in check, 120 s in check-slow, FUZZ_SECONDS in fuzz)
#   bench_sched        the simulated fairness table (make bench)
#   freestanding check each source compiled with the hypervisor's flags
#
# Results: unit/sched/<test>, unit/sched/build, unit/sched/freestanding-compile,
# unit/fuzz/sched.

SCHED_SRCS := $(patsubst $(HV)/%,%,$(wildcard $(HV)/common/sched*.c))
SCHED_INC  := -I$(TOP)/pv-abi/include
SCHED_OUT  := $(OUT)/sched
SCHED_HDRS := $(HV)/include/tessera/sched.h $(HV)/include/tessera/domain.h $(UNIT)/sched_sim.h

SCHED_HOST_OBJS  := $(patsubst %.c,$(SCHED_OUT)/host/%.o,$(SCHED_SRCS)) $(SCHED_OUT)/host/sched_sim.o
SCHED_FUZZ_OBJS  := $(patsubst %.c,$(SCHED_OUT)/fuzz/%.o,$(SCHED_SRCS)) $(SCHED_OUT)/fuzz/sched_sim.o
SCHED_BENCH_OBJS := $(patsubst %.c,$(SCHED_OUT)/bench/%.o,$(SCHED_SRCS)) $(SCHED_OUT)/bench/sched_sim.o

SCHED_SLOW_FUZZ_SECONDS ?= 120

.PHONY: sched-all sched-check sched-check-slow sched-fuzz sched-bench sched-run-tests sched-freestanding

$(SCHED_OUT)/host/%.o: $(HV)/%.c $(SCHED_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HV_HOST_CFLAGS) $(SCHED_INC) -MMD -MP -c -o $@ $<

$(SCHED_OUT)/host/sched_sim.o: $(UNIT)/sched_sim.c $(SCHED_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(SCHED_INC) -MMD -MP -c -o $@ $<

$(OUT)/test_sched: $(UNIT)/test_sched.c $(UNIT)/unit.h $(SCHED_HOST_OBJS) $(OUT)/libhv.a $(SUPPORT_OBJS)
	$(CC) $(HOST_CFLAGS) $(SCHED_INC) -o $@ $< $(SCHED_HOST_OBJS) $(SUPPORT_OBJS) $(OUT)/libhv.a -lcunit

$(SCHED_OUT)/fuzz/%.o: $(HV)/%.c $(SCHED_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_HV_CFLAGS) $(SCHED_INC) -MMD -MP -c -o $@ $<

$(SCHED_OUT)/fuzz/sched_sim.o: $(UNIT)/sched_sim.c $(SCHED_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(SCHED_INC) -MMD -MP -c -o $@ $<

$(OUT)/fuzz_sched: $(UNIT)/fuzz/fuzz_sched.c $(SCHED_FUZZ_OBJS) $(OUT)/fuzzhv/libhv.a $(OUT)/fuzzhv/arch_stubs.o
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(SCHED_INC) -o $@ $< $(SCHED_FUZZ_OBJS) \
	    $(OUT)/fuzzhv/arch_stubs.o $(OUT)/fuzzhv/libhv.a

$(SCHED_OUT)/bench/%.o: $(HV)/%.c $(SCHED_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) $(SCHED_INC) -include $(UNIT)/stubs/hv_names.h -MMD -MP -c -o $@ $<

$(SCHED_OUT)/bench/sched_sim.o: $(UNIT)/sched_sim.c $(SCHED_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) $(SCHED_INC) -MMD -MP -c -o $@ $<

$(OUT)/bench_sched: $(UNIT)/bench/bench_sched.c $(SCHED_BENCH_OBJS) $(OUT)/benchhv/libhv.a \
                    $(OUT)/benchhv/arch_stubs.o
	$(CC) $(BENCH_CFLAGS) $(SCHED_INC) -o $@ $< $(SCHED_BENCH_OBJS) \
	    $(OUT)/benchhv/arch_stubs.o $(OUT)/benchhv/libhv.a -lm

sched-all: $(OUT)/test_sched

sched-run-tests:
	@mkdir -p $(OUT); touch $(RESULTS)
	@$(call unit_program,sched)

sched-freestanding:
	$(call freestanding_check,unit/sched/freestanding-compile,$(SCHED_SRCS),$(SCHED_OUT)/freestanding,$(SCHED_INC))

sched-check: sched-freestanding sched-run-tests
	@$(call run_fuzzer,sched,$(FUZZ_CHECK_SECONDS),$(FUZZ_CHECK_FLAGS))

# check-slow: the fuzzer for a couple of minutes.
sched-check-slow:
	@mkdir -p $(OUT); touch $(RESULTS)
	@$(call run_fuzzer,sched,$(SCHED_SLOW_FUZZ_SECONDS))

sched-fuzz:
	@mkdir -p $(OUT); touch $(RESULTS)
	@$(call run_fuzzer,sched,$(FUZZ_SECONDS))

sched-bench:
	@if $(MAKE) --no-print-directory $(OUT)/bench_sched >$(OUT)/build-bench-sched.log 2>&1; then \
	    $(OUT)/bench_sched; \
	else \
	    cat $(OUT)/build-bench-sched.log; echo "bench_sched: build failed"; exit 1; \
	fi

all: sched-all
check: sched-check
check-slow: sched-check-slow
fuzz: sched-fuzz
bench: sched-bench
freestanding-compile-check: sched-freestanding
