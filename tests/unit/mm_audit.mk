# The PV memory audit's check (hypervisor/arch/x86/pv/mm_audit_check.c),
# included by the Makefile beside this file: pure code that reads frames
# through callbacks, compiled for the host with the x86 headers.
#
#   test_mm_audit   CUnit suite on a fake machine (results unit/mm_audit/...)

AUDIT_OUT := $(OUT)/mm_audit
AUDIT_SRC := $(HV)/arch/x86/pv/mm_audit_check.c
AUDIT_INC := -I$(HV)/arch/x86/include

.PHONY: mm-audit-run-tests

$(AUDIT_OUT)/mm_audit_check.o: $(AUDIT_SRC) $(HV)/arch/x86/include/asm/pv_mm_audit.h \
                               $(HV)/arch/x86/include/asm/pv_mm.h
	@mkdir -p $(dir $@)
	$(CC) $(HV_HOST_CFLAGS) $(AUDIT_INC) -MMD -MP -c -o $@ $<

$(OUT)/test_mm_audit: $(UNIT)/test_mm_audit.c $(UNIT)/unit.h $(AUDIT_OUT)/mm_audit_check.o \
                      $(OUT)/libhv.a $(SUPPORT_OBJS)
	$(CC) $(HOST_CFLAGS) $(AUDIT_INC) -o $@ $< $(AUDIT_OUT)/mm_audit_check.o $(SUPPORT_OBJS) \
	    $(OUT)/libhv.a -lcunit

mm-audit-run-tests:
	@mkdir -p $(OUT); touch $(RESULTS)
	@if ! $(MAKE) --no-print-directory $(OUT)/test_mm_audit >$(OUT)/build-mm_audit.log 2>&1; then \
	    cat $(OUT)/build-mm_audit.log; echo "FAIL unit/mm_audit/build" >> $(RESULTS); \
	else \
	    echo "== unit/mm_audit"; \
	    RESULTS=$(RESULTS) $(OUT)/test_mm_audit || echo "FAIL unit/mm_audit/run" >> $(RESULTS); \
	fi

all: $(OUT)/test_mm_audit
check: mm-audit-run-tests
