# The page-table write decoder (hypervisor/arch/x86/pv/pt_insn.c), included
# by the Makefile beside this file: arch code with no hypervisor
# dependencies, so it is tested as host C like the common code.
#
#   test_pt_insn   CUnit suite: the instructions kernels use, refusals, bounds
#   fuzz_pt_insn   any bytes at a guest's RIP (libFuzzer, ASan)
#
# Results: unit/pt_insn/<test>, unit/pt_insn/build, unit/fuzz/pt_insn.

PTI_SRC := $(HV)/arch/x86/pv/pt_insn.c
PTI_INC := -I$(HV)/arch/x86/include
PTI_HDR := $(HV)/arch/x86/include/asm/pt_insn.h

.PHONY: pt-insn-run-tests

$(OUT)/test_pt_insn: $(UNIT)/test_pt_insn.c $(UNIT)/unit.h $(PTI_SRC) $(PTI_HDR) $(SUPPORT_OBJS)
	$(CC) $(HOST_CFLAGS) $(PTI_INC) -o $@ $< $(PTI_SRC) $(SUPPORT_OBJS) -lcunit

$(OUT)/fuzz_pt_insn: $(UNIT)/fuzz/fuzz_pt_insn.c $(PTI_SRC) $(PTI_HDR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(PTI_INC) -o $@ $< $(PTI_SRC)

pt-insn-run-tests:
	@mkdir -p $(OUT); touch $(RESULTS)
	@if ! $(MAKE) --no-print-directory $(OUT)/test_pt_insn >$(OUT)/build-pt_insn.log 2>&1; then \
	    cat $(OUT)/build-pt_insn.log; echo "FAIL unit/pt_insn/build" >> $(RESULTS); \
	else \
	    echo "== unit/pt_insn"; \
	    RESULTS=$(RESULTS) $(OUT)/test_pt_insn || echo "FAIL unit/pt_insn/run" >> $(RESULTS); \
	fi

check: pt-insn-run-tests
FUZZERS += pt_insn
