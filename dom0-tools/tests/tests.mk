# Tests, fuzzing and benchmarks of dom0-tools (included by ../Makefile).
#
# check: unit tests (CUnit, ASan/UBSan), golden files, command-line tests,
#        the loader's freestanding build, and a few seconds of each fuzzer.
# fuzz:  long libFuzzer runs (FUZZ_SECONDS each), corpora kept in $(O)/fuzz.

T            := $(SRC)/tests
include $(TOP)/mk/test-rules.mk
UNIT_SRCS    := main test_guest_elf test_xlcfg test_domxml test_image test_kernel_cache test_console test_dominfo test_pvbuild test_vdev test_nics elf_builder
UNIT_OBJS    := $(addprefix $(O)/san/test/,$(addsuffix .o,$(UNIT_SRCS))) $(O)/san/test/cunit_results.o
TEST_INCS    := -I$(T)/unit -I$(TOP)/tests/lib
FUZZERS      := guest_elf xlcfg domxml json devspec kernel_image
FUZZ_CFLAGS  := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_LDFLAGS := -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
CHECK_FUZZ_SECONDS ?= 3
# In check, a fixed sequence (seed 1, bounded runs; the time limit can only
# cut it short), so CI never fails on a bug only a lucky run finds.
CHECK_FUZZ_RUNS ?= 20000
FUZZ_SECONDS ?= 300

$(O)/san/test/%.o: $(T)/unit/%.c $(HEADERS) $(T)/unit/unit.h $(T)/unit/elf_builder.h
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(SAN) $(INCS) $(TEST_INCS) -c $< -o $@
$(O)/san/test/cunit_results.o: $(TOP)/tests/lib/cunit_results.c $(TOP)/tests/lib/cunit_results.h
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(SAN) $(TEST_INCS) -c $< -o $@
$(O)/san/unit-tests: $(UNIT_OBJS) $(call lib_objs,san) $(XS_LIB_san)
	$(CC) $(SAN) -o $@ $^ $(LIBS) -lcunit -lutil -lpthread

# xs_domain.c against xenstore-lite's daemon (tests/unit/xs_domain_test.sh).
XSD_SAN := $(BUILD)/xenstore-lite/san/xenstored-lite
$(XSD_SAN): $(wildcard $(TOP)/xenstore-lite/daemon/*.[ch])
	$(MAKE) -C $(TOP)/xenstore-lite BUILD=$(BUILD) $@
$(O)/san/xs-domain-test: $(O)/san/test/xs_domain_test.o $(O)/san/test/cunit_results.o \
                         $(call lib_objs,san) $(XS_LIB_san)
	$(CC) $(SAN) -o $@ $^ $(LIBS) -lcunit -lpthread

$(O)/fuzz/obj/%.o: $(SRC)/src/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CSTD) $(FUZZ_CFLAGS) $(INCS) -c $< -o $@
$(O)/fuzz/obj/guest_elf.o: $(GUEST_ELF) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CSTD) $(FUZZ_CFLAGS) $(INCS) -c $< -o $@
$(O)/fuzz/fuzz_%: $(T)/fuzz/fuzz_%.c $(call lib_objs,fuzz) $(XS_LIB_opt)
	$(CLANG) $(CSTD) $(FUZZ_LDFLAGS) $(INCS) -o $@ $^ $(LIBS) -lpthread
$(O)/fuzz/make_seeds: $(T)/fuzz/make_seeds.c $(T)/unit/elf_builder.c $(T)/unit/elf_builder.h
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) $(INCS) $(TEST_INCS) -o $@ $(T)/fuzz/make_seeds.c $(T)/unit/elf_builder.c -lz -llzma

# Lets Debian's xl run "create -n" and "list" without Xen, as a reference
# (tests/peer); list_printer is tl's side of the "list" comparison.
PEER_SHIM := $(O)/peer/xl_peer_shim.so
$(PEER_SHIM): $(T)/peer/xl_dryrun_shim.c $(T)/peer/xl_list_shim.c $(T)/peer/fake_domains.h
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) -I$(T)/peer -shared -fPIC -o $@ $(T)/peer/xl_dryrun_shim.c $(T)/peer/xl_list_shim.c
$(O)/peer/list_printer: $(T)/peer/list_printer.c $(T)/peer/fake_domains.h $(call lib_objs,san) $(XS_LIB_san)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(SAN) $(INCS) -I$(T)/peer -o $@ $< $(call lib_objs,san) $(XS_LIB_san) $(LIBS) -lpthread

FUZZ_BINS := $(addprefix $(O)/fuzz/fuzz_,$(FUZZERS)) $(O)/fuzz/make_seeds

tl-builds: $(O)/san/tl $(O)/san/xl $(O)/opt/tl $(O)/opt/xl
unit-build: $(O)/san/unit-tests $(O)/san/xs-domain-test $(XSD_SAN)
fuzz-build: $(FUZZ_BINS)

.PHONY: tl-builds unit-build fuzz-build check-xen check-xen-tessera-stack

# Every step through mk/test-rules.mk: a build that fails, a program that
# crashes, hangs or records nothing is a FAIL line. A step whose build
# failed does not run a binary left from an earlier build.
check:
	@mkdir -p $(O)/work
	@if $(call test_build,dom0-tools/build/tl,tl-builds,$(O)/build-tl.log); then \
	    $(call test_run,dom0-tools/golden,300,sh $(T)/golden/run.sh $(O)/san/tl $(RESULTS) $(O)/work/golden); \
	    $(call test_run,dom0-tools/cli,300,sh $(T)/cli/run.sh $(O)/san $(RESULTS) $(O)/work/cli); \
	    if $(call test_build,dom0-tools/peer/build,$(PEER_SHIM) $(O)/peer/list_printer,$(O)/build-peer.log); then \
	        $(call test_run,dom0-tools/peer,300,sh $(T)/peer/run.sh $(O)/san/tl $(PEER_SHIM) \
	            $(O)/peer/list_printer $(RESULTS) $(O)/work/peer); \
	    fi; \
	fi
	@if $(call test_build,dom0-tools/build/unit-tests,unit-build,$(O)/build-unit.log); then \
	    $(call test_run,dom0-tools/unit,300,$(O)/san/unit-tests); \
	    $(call test_run,dom0-tools/unit/xs_domain,120,sh $(T)/unit/xs_domain_test.sh $(XSD_SAN) \
	        $(O)/san/xs-domain-test $(O)/work/xsd); \
	fi
	@$(call test_run,dom0-tools/freestanding,300,sh $(T)/freestanding.sh $(TOP) $(O)/work $(RESULTS))
	@if $(call test_build,dom0-tools/build/fuzzers,fuzz-build,$(O)/build-fuzz.log); then \
	    for f in $(FUZZERS); do \
	        corpus=$(O)/work/corpus-$$f; \
	        sh $(T)/fuzz/seed.sh $$f $$corpus $(T) $(O)/fuzz/make_seeds; \
	        $(call test_fuzz,dom0-tools/fuzz/$$f,$(O)/fuzz/fuzz_$$f,$(CHECK_FUZZ_SECONDS),-seed=1 \
	            -runs=$(CHECK_FUZZ_RUNS) -timeout=20 -rss_limit_mb=2048 \
	            -artifact_prefix=$(O)/work/crash-$$f- $$corpus,$(O)/work/fuzz-$$f.log); \
	    done; \
	fi

# tl driving a domU on real Xen 4.17 under QEMU (several minutes): create,
# list, pause, rename, destroy, a create that fails half way (tests/xen/).
check-xen:
	@if $(call test_build,dom0-tools/build/tl-opt,$(O)/opt/tl $(O)/san/tl,$(O)/build-tl-opt.log); then \
	    $(call test_run,dom0-tools/xen,1800,sh $(T)/xen/run.sh $(TOP) $(O)/opt/tl $(O)/san/tl \
	        $(O)/work/xen $(RESULTS)); \
	fi

# The same with Tessera's dom0 daemons (xenstored-lite, tessera-consoled)
# instead of Debian's: the whole Tessera dom0 userspace on Xen 4.17.
XSD_OPT := $(BUILD)/xenstore-lite/opt/xenstored-lite
$(XSD_OPT): $(wildcard $(TOP)/xenstore-lite/daemon/*.[ch])
	$(MAKE) -C $(TOP)/xenstore-lite BUILD=$(BUILD) $@
check-xen-tessera-stack:
	@if $(call test_build,dom0-tools/build/tessera-stack,$(O)/opt/tl $(O)/san/tl $(XSD_OPT) \
	        $(O)/opt/tessera-consoled,$(O)/build-tessera-stack.log); then \
	    $(call test_run,dom0-tools/xen-tessera-stack,1800,sh $(T)/xen/run.sh $(TOP) $(O)/opt/tl \
	        $(O)/san/tl $(O)/work/xen-tessera-stack $(RESULTS) dom0-tools/xen-tessera-stack \
	        $(XSD_OPT) $(O)/opt/tessera-consoled); \
	fi

check-slow: check-xen check-xen-tessera-stack

bench: $(O)/opt/tl
	@sh $(T)/bench.sh $(O)/opt/tl $(O)/work/bench

fuzz: fuzz-build
	@mkdir -p $(O)/fuzz/corpus
	@for f in $(FUZZERS); do \
	    corpus=$(O)/fuzz/corpus/$$f; \
	    if [ ! -d $$corpus ]; then sh $(T)/fuzz/seed.sh $$f $$corpus $(T) $(O)/fuzz/make_seeds; fi; \
	    echo "dom0-tools: fuzzing $$f for $(FUZZ_SECONDS) s"; \
	    $(O)/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
	        -artifact_prefix=$(O)/fuzz/crash-$$f- $$corpus || exit 1; \
	done
