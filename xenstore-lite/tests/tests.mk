# Tests, fuzzing and benchmarks of xenstore-lite (included by ../Makefile).
#
#   check       unit tests (CUnit, ASan/UBSan), a short fuzz run, and the peer,
#               differential and bad-input tests against live daemons
#   fuzz        a long libFuzzer run on the message handler
#   bench       ours and both reference daemons side by side

UNIT_SRCS := harness main test_path test_store test_perms test_txn test_quota \
             test_wire test_watch test_ring test_dump
UNIT_OBJS := $(addprefix $(O)/san/obj/tests/unit/,$(addsuffix .o,$(UNIT_SRCS)))
CUNIT_RES := $(O)/san/obj/cunit_results.o

$(O)/san/obj/tests/unit/%.o: $(SRC)/tests/unit/%.c $(wildcard $(SRC)/tests/unit/*.h) $(wildcard $(SRC)/daemon/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(SAN) $(INCS) -I$(TOP)/tests/lib -c $< -o $@

$(CUNIT_RES): $(TOP)/tests/lib/cunit_results.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(SAN) -I$(TOP)/tests/lib -c $< -o $@

$(O)/san/unit-tests: $(UNIT_OBJS) $(CUNIT_RES) $(call core_objs,san)
	$(CC) $(SAN) -o $@ $^ -lcunit

# The client test program: our library's behaviour, run against any daemon.
$(O)/san/client-tests: $(SRC)/tests/client/client_tests.c $(CUNIT_RES) $(O)/san/libxenstore.a
	$(CC) $(CSTD) $(SAN) $(INCS) -I$(TOP)/tests/lib -o $@ $< $(CUNIT_RES) $(O)/san/libxenstore.a -lcunit -lpthread

# libFuzzer on the message handler, built with clang.
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
$(O)/fuzz/fuzz-%: $(SRC)/fuzz/fuzz_%.c $(addprefix $(SRC)/daemon/,$(addsuffix .c,$(DAEMON_CORE)))
	@mkdir -p $(dir $@)
	$(CLANG) $(CSTD) $(FUZZ_FLAGS) $(INCS) -o $@ $^

# Each step records its own FAIL line when it cannot even build or run.
define record_build
	@$(MAKE) --no-print-directory $(1) >$(O)/build-$(2).log 2>&1 || \
	    { echo "FAIL xenstore/$(2)/build"; echo "FAIL xenstore/$(2)/build" >> $(RESULTS); cat $(O)/build-$(2).log; }
endef

check:
	@mkdir -p $(O)
	$(call record_build,all $(O)/san/unit-tests,unit)
	@if [ -x $(O)/san/unit-tests ]; then RESULTS=$(RESULTS) $(O)/san/unit-tests || true; fi
	$(call record_build,$(O)/fuzz/fuzz-handler $(O)/fuzz/fuzz-restore,fuzz)
	@if [ -x $(O)/fuzz/fuzz-handler ]; then sh $(SRC)/tests/run-fuzz.sh $(O)/fuzz/fuzz-handler 10 $(RESULTS) xenstore/fuzz/handler-short "-seed=1 -runs=30000 -timeout=20"; fi
	@if [ -x $(O)/fuzz/fuzz-restore ]; then sh $(SRC)/tests/run-fuzz.sh $(O)/fuzz/fuzz-restore 5 $(RESULTS) xenstore/fuzz/restore-short "-seed=1 -runs=30000 -timeout=20"; fi
	$(call record_build,$(O)/san/client-tests,client)
	@bash $(SRC)/tests/peer/run-peer-tests.sh $(O) $(RESULTS)

check-slow:
	@echo "xenstore-lite: nothing for check-slow (all tests run in check)"

fuzz: $(O)/fuzz/fuzz-handler $(O)/fuzz/fuzz-restore
	sh $(SRC)/tests/run-fuzz.sh $(O)/fuzz/fuzz-handler 600 $(RESULTS) xenstore/fuzz/handler-long
	sh $(SRC)/tests/run-fuzz.sh $(O)/fuzz/fuzz-restore 300 $(RESULTS) xenstore/fuzz/restore-long

bench: all
	@bash $(SRC)/bench/run-bench.sh $(O) $(SRC)
