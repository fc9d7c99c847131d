# Event channels (hypervisor/common/event_channel*.c), included by the
# Makefile beside this file. They need the guest ABI headers and the domain
# list, so they are built here with their own flags rather than through
# libhv.a:
#
#   test_event_channel   CUnit suite against fake domains (stubs/evtchn_fakes.c)
#   fuzz_event_channel   random op sequences on three fake domains (clang libFuzzer)
#   fuzz_event_channel_fifo  a hostile FIFO guest on two fake domains (clang libFuzzer)
#   bench_event_channel  ns per send, VIRQ, bind/close, poll (make bench)
#   freestanding check   each source compiled with the hypervisor's flags
#
# Results: unit/event_channel/<test>, unit/event_channel/build,
# unit/event_channel/freestanding-compile, unit/fuzz/event_channel,
# unit/fuzz/event_channel_fifo.

EVTCHN_SRCS := $(patsubst $(HV)/%,%,$(wildcard $(HV)/common/event_channel*.c)) common/pirq.c \
               common/msix.c
# Linked into the tests, not ours: the domain list and its references.
EVTCHN_DEPS := common/domain.c
EVTCHN_INC  := -I$(TOP)/pv-abi/include
EVTCHN_OUT  := $(OUT)/evtchn

EVTCHN_HOST_OBJS := $(patsubst %.c,$(EVTCHN_OUT)/host/%.o,$(EVTCHN_SRCS) $(EVTCHN_DEPS))
EVTCHN_FUZZ_OBJS := $(patsubst %.c,$(EVTCHN_OUT)/fuzz/%.o,$(EVTCHN_SRCS) $(EVTCHN_DEPS))
EVTCHN_HDRS := $(wildcard $(HV)/common/event_channel*.h) $(HV)/include/tessera/event_channel.h \
               $(HV)/include/tessera/pirq.h $(HV)/include/tessera/msix.h \
               $(HV)/include/tessera/domain.h $(UNIT)/stubs/evtchn_fakes.h

.PHONY: evtchn-all evtchn-check evtchn-fuzz evtchn-bench evtchn-run-tests evtchn-freestanding

$(EVTCHN_OUT)/host/%.o: $(HV)/%.c $(EVTCHN_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HV_HOST_CFLAGS) $(EVTCHN_INC) -MMD -MP -c -o $@ $<

$(EVTCHN_OUT)/host/evtchn_fakes.o: $(UNIT)/stubs/evtchn_fakes.c $(EVTCHN_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(EVTCHN_INC) -MMD -MP -c -o $@ $<

# One program from six files of tests (ports, delivery, threads, FIFO, PIRQs, MSI-X) and their fixtures.
EVTCHN_TEST_SRCS := $(UNIT)/test_event_channel.c $(UNIT)/test_event_channel_delivery.c \
                    $(UNIT)/test_event_channel_threads.c $(UNIT)/test_event_channel_fifo.c \
                    $(UNIT)/test_pirq.c $(UNIT)/test_msix.c $(UNIT)/evtchn_test.c

$(OUT)/test_event_channel: $(EVTCHN_TEST_SRCS) $(UNIT)/evtchn_test.h $(UNIT)/unit.h $(EVTCHN_HOST_OBJS) \
                           $(EVTCHN_OUT)/host/evtchn_fakes.o $(OUT)/libhv.a $(SUPPORT_OBJS)
	$(CC) $(HOST_CFLAGS) $(EVTCHN_INC) -o $@ $(EVTCHN_TEST_SRCS) $(EVTCHN_HOST_OBJS) \
	    $(EVTCHN_OUT)/host/evtchn_fakes.o $(SUPPORT_OBJS) $(OUT)/libhv.a -lcunit

$(EVTCHN_OUT)/fuzz/%.o: $(HV)/%.c $(EVTCHN_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_HV_CFLAGS) $(EVTCHN_INC) -MMD -MP -c -o $@ $<

$(EVTCHN_OUT)/fuzz/evtchn_fakes.o: $(UNIT)/stubs/evtchn_fakes.c $(EVTCHN_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(EVTCHN_INC) -MMD -MP -c -o $@ $<

# The fuzzer checks every answer against a reference model of the hypercall.
EVTCHN_FUZZ_SRCS := $(UNIT)/fuzz/fuzz_event_channel.c $(UNIT)/fuzz/evtchn_model.c

$(OUT)/fuzz_event_channel: $(EVTCHN_FUZZ_SRCS) $(UNIT)/fuzz/evtchn_model.h $(EVTCHN_FUZZ_OBJS) \
                           $(EVTCHN_OUT)/fuzz/evtchn_fakes.o $(OUT)/fuzzhv/libhv.a $(OUT)/fuzzhv/arch_stubs.o
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(EVTCHN_INC) -o $@ $(EVTCHN_FUZZ_SRCS) $(EVTCHN_FUZZ_OBJS) \
	    $(EVTCHN_OUT)/fuzz/evtchn_fakes.o $(OUT)/fuzzhv/arch_stubs.o $(OUT)/fuzzhv/libhv.a

# A hostile guest of the FIFO ABI; no model, invariants and allowed results only.
$(OUT)/fuzz_event_channel_fifo: $(UNIT)/fuzz/fuzz_event_channel_fifo.c $(EVTCHN_FUZZ_OBJS) \
                                $(EVTCHN_OUT)/fuzz/evtchn_fakes.o $(OUT)/fuzzhv/libhv.a $(OUT)/fuzzhv/arch_stubs.o
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(EVTCHN_INC) -o $@ $< $(EVTCHN_FUZZ_OBJS) \
	    $(EVTCHN_OUT)/fuzz/evtchn_fakes.o $(OUT)/fuzzhv/arch_stubs.o $(OUT)/fuzzhv/libhv.a

# Benchmark: optimised, no sanitizers.
EVTCHN_BENCH_OBJS := $(patsubst %.c,$(EVTCHN_OUT)/bench/%.o,$(EVTCHN_SRCS) $(EVTCHN_DEPS))

$(EVTCHN_OUT)/bench/%.o: $(HV)/%.c $(EVTCHN_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -include $(UNIT)/stubs/hv_names.h $(EVTCHN_INC) -MMD -MP -c -o $@ $<

$(EVTCHN_OUT)/bench/evtchn_fakes.o: $(UNIT)/stubs/evtchn_fakes.c $(EVTCHN_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) $(EVTCHN_INC) -MMD -MP -c -o $@ $<

$(OUT)/bench_event_channel: $(UNIT)/bench/bench_event_channel.c $(EVTCHN_BENCH_OBJS) \
                            $(EVTCHN_OUT)/bench/evtchn_fakes.o $(OUT)/benchhv/libhv.a $(OUT)/benchhv/arch_stubs.o
	$(CC) $(BENCH_CFLAGS) $(EVTCHN_INC) -o $@ $< $(EVTCHN_BENCH_OBJS) $(EVTCHN_OUT)/bench/evtchn_fakes.o \
	    $(OUT)/benchhv/arch_stubs.o $(OUT)/benchhv/libhv.a

evtchn-bench: $(OUT)/bench_event_channel
	@$(OUT)/bench_event_channel

evtchn-all: $(OUT)/test_event_channel

evtchn-run-tests:
	@mkdir -p $(OUT); touch $(RESULTS)
	@$(call unit_program,event_channel)

evtchn-freestanding:
	$(call freestanding_check,unit/event_channel/freestanding-compile,$(EVTCHN_SRCS),$(EVTCHN_OUT)/freestanding,$(EVTCHN_INC))

evtchn-check: evtchn-freestanding evtchn-run-tests
	@$(call run_fuzzer,event_channel,$(FUZZ_CHECK_SECONDS),$(FUZZ_CHECK_FLAGS))
	@$(call run_fuzzer,event_channel_fifo,$(FUZZ_CHECK_SECONDS),$(FUZZ_CHECK_FLAGS))

evtchn-fuzz:
	@mkdir -p $(OUT); touch $(RESULTS)
	@$(call run_fuzzer,event_channel,$(FUZZ_SECONDS))
	@$(call run_fuzzer,event_channel_fifo,$(FUZZ_SECONDS))

all: evtchn-all
check: evtchn-check
fuzz: evtchn-fuzz
bench: evtchn-bench
