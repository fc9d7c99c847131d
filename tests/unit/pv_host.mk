# PV arch code with no hypervisor dependencies, tested as host C like the
# common code; included by the Makefile beside this file.
#
#   test_pt_insn    the page-table write decoder (pv/pt_insn.c): the
#                   instructions kernels use, refusals, bounds
#   fuzz_pt_insn    any bytes at a guest's RIP (libFuzzer, ASan)
#   test_linear_pt  linear page-table counts (pv/linear_pt.c): Xen's rule,
#                   and the hash against a model
#   test_hvm_insn   the HVM exits' instruction-length decoder (hvm/insn.c)
#   test_vmx_controls  VT-x control values and fixed CR bits from the
#                   capability MSRs (hvm/vmx/vmx_controls.c)
#
# Results: unit/pt_insn/<test>, unit/linear_pt/<test>, unit/<name>/build,
# unit/fuzz/pt_insn.

PV_HOST_INC := -I$(HV)/arch/x86/include
PV_HOST_DIR := $(HV)/arch/x86/pv
PV_HOST_TESTS := pt_insn linear_pt hvm_insn vmx_controls

.PHONY: pv-host-run-tests

$(OUT)/test_pt_insn: $(UNIT)/test_pt_insn.c $(UNIT)/unit.h $(PV_HOST_DIR)/pt_insn.c \
                     $(HV)/arch/x86/include/asm/pt_insn.h $(SUPPORT_OBJS)
	$(CC) $(HOST_CFLAGS) $(PV_HOST_INC) -o $@ $< $(PV_HOST_DIR)/pt_insn.c $(SUPPORT_OBJS) -lcunit

$(OUT)/test_linear_pt: $(UNIT)/test_linear_pt.c $(UNIT)/unit.h $(PV_HOST_DIR)/linear_pt.c \
                       $(HV)/arch/x86/include/asm/linear_pt.h $(SUPPORT_OBJS)
	$(CC) $(HOST_CFLAGS) $(PV_HOST_INC) -o $@ $< $(PV_HOST_DIR)/linear_pt.c $(SUPPORT_OBJS) -lcunit

$(OUT)/test_hvm_insn: $(UNIT)/test_hvm_insn.c $(UNIT)/unit.h $(HV)/arch/x86/hvm/insn.c \
                      $(HV)/arch/x86/include/asm/hvm_insn.h $(SUPPORT_OBJS)
	$(CC) $(HOST_CFLAGS) $(PV_HOST_INC) -o $@ $< $(HV)/arch/x86/hvm/insn.c $(SUPPORT_OBJS) -lcunit

VMX_DIR := $(HV)/arch/x86/hvm/vmx
$(OUT)/test_vmx_controls: $(UNIT)/test_vmx_controls.c $(UNIT)/unit.h $(VMX_DIR)/vmx_controls.c \
                          $(VMX_DIR)/vmx_controls.h $(SUPPORT_OBJS)
	$(CC) $(HOST_CFLAGS) -I$(VMX_DIR) -o $@ $< $(VMX_DIR)/vmx_controls.c $(SUPPORT_OBJS) -lcunit

$(OUT)/fuzz_pt_insn: $(UNIT)/fuzz/fuzz_pt_insn.c $(PV_HOST_DIR)/pt_insn.c \
                     $(HV)/arch/x86/include/asm/pt_insn.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(PV_HOST_INC) -o $@ $< $(PV_HOST_DIR)/pt_insn.c

pv-host-run-tests:
	@mkdir -p $(OUT); touch $(RESULTS)
	@for t in $(PV_HOST_TESTS); do $(call unit_program,$$t); done

check: pv-host-run-tests
FUZZERS += pt_insn
