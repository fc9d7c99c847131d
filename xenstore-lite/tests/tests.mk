# Tests, fuzzing and benchmarks of xenstore-lite (included by ../Makefile).
#
#   check       unit tests (CUnit, ASan/UBSan), a short fuzz run, and the peer,
#               differential and bad-input tests against live daemons
#   fuzz        a long libFuzzer run on the message handler
#   bench       ours and both reference daemons side by side

UNIT_SRCS := harness main test_path test_store test_node test_perms test_txn test_quota \
             test_wire test_watch test_ring test_dump test_domains
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

include $(TOP)/mk/test-rules.mk

# fuzz_run NAME RUN SECONDS FLAGS: fuzz/fuzz-NAME on a corpus kept under the
# build directory plus fuzz/seeds/NAME, recorded as xenstore/fuzz/NAME-RUN;
# crash reproducers go next to the fuzzer.
fuzz_run = $(call test_fuzz,xenstore/fuzz/$(1)-$(2),$(O)/fuzz/fuzz-$(1),$(3),$(4) -max_len=9000 \
	-print_final_stats=0 -artifact_prefix=$(O)/fuzz/ $(O)/fuzz/corpus-$(1) $(SRC)/fuzz/seeds/$(1),$(O)/fuzz/$(1)-$(2).log)

# Each step records its own FAIL line when it cannot build, run, or finish
# (mk/test-rules.mk). The short fuzz runs pass a fixed seed and run count,
# so that a run passing here passes on every machine. A client-tests binary
# left from an earlier build is removed when the build fails: the peer
# tests then record it as not built.
check:
	@mkdir -p $(O)/fuzz/corpus-handler $(O)/fuzz/corpus-restore
	@if $(call test_build,xenstore/unit/build,all $(O)/san/unit-tests,$(O)/build-unit.log); then \
	    $(call test_run,xenstore/unit,300,$(O)/san/unit-tests); fi
	@if $(call test_build,xenstore/fuzz/build,$(O)/fuzz/fuzz-handler $(O)/fuzz/fuzz-restore,$(O)/build-fuzz.log); then \
	    $(call fuzz_run,handler,short,10,-seed=1 -runs=30000 -timeout=20); \
	    $(call fuzz_run,restore,short,5,-seed=1 -runs=30000 -timeout=20); fi
	@$(call test_build,xenstore/client/build,$(O)/san/client-tests,$(O)/build-client.log) || rm -f $(O)/san/client-tests
	@$(call test_run,xenstore/peer,900,bash $(SRC)/tests/peer/run-peer-tests.sh $(O) $(RESULTS))
	@$(call test_run,xenstore/tessera,900,sh $(SRC)/tests/tessera/run.sh $(TOP) $(BUILD) $(RESULTS))

# xenstored-lite on dom0's own ring on Tessera (tests/tessera/), booted as
# the top-level `make run DOM0_CMD=...` does; part of check.
check-tessera:
	@$(call test_run,xenstore/tessera,900,sh $(SRC)/tests/tessera/run.sh $(TOP) $(BUILD) $(RESULTS))

# Both dom0 daemons on real Xen 4.17 with Debian's xl (tests/xen/, ~5-8 min).
check-slow: check-xen
check-xen:
	@if $(call test_build,xenstore/xen/build,all,$(O)/build-xen.log) && \
	    $(call test_build,xenstore/xen/build-consoled,-C $(TOP)/dom0-tools consoled-all,$(O)/build-xen-consoled.log); then \
	    $(call test_run,xenstore/xen,1200,sh $(SRC)/tests/xen/run.sh $(TOP) $(BUILD) $(RESULTS)); \
	fi

fuzz: $(O)/fuzz/fuzz-handler $(O)/fuzz/fuzz-restore
	@mkdir -p $(O)/fuzz/corpus-handler $(O)/fuzz/corpus-restore
	@$(call fuzz_run,handler,long,600,)
	@$(call fuzz_run,restore,long,300,)

bench: all
	@bash $(SRC)/bench/run-bench.sh $(O) $(SRC)
