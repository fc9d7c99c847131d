# CPU policies in Xen 4.17's serialised form (hypervisor/common/cpu_policy.c),
# included by the Makefile beside this file. It uses the toolstack types of
# pv-abi (xen_cpuid_leaf_t, xen_msr_entry_t), hence its own include path.
#
# Results: unit/cpu_policy/build, unit/cpu_policy/run (its cases),
# unit/cpu_policy/freestanding-compile.

CPUPOL_SRCS := common/cpu_policy.c
CPUPOL_OUT  := $(OUT)/cpu_policy
CPUPOL_INC  := -I$(TOP)/pv-abi/include
CPUPOL_OBJS := $(patsubst %.c,$(CPUPOL_OUT)/%.o,$(CPUPOL_SRCS))

$(CPUPOL_OUT)/%.o: $(HV)/%.c $(HV)/include/tessera/cpu_policy.h
	@mkdir -p $(dir $@)
	$(CC) $(HV_HOST_CFLAGS) $(CPUPOL_INC) -MMD -MP -c -o $@ $<

$(OUT)/test_cpu_policy: $(UNIT)/test_cpu_policy.c $(UNIT)/unit.h $(CPUPOL_OBJS) $(OUT)/libhv.a $(SUPPORT_OBJS)
	$(CC) $(HOST_CFLAGS) $(CPUPOL_INC) -o $@ $< $(CPUPOL_OBJS) $(SUPPORT_OBJS) $(OUT)/libhv.a -lcunit

.PHONY: cpu-policy-all cpu-policy-check

cpu-policy-all: $(OUT)/test_cpu_policy

cpu-policy-check:
	@mkdir -p $(OUT); touch $(RESULTS)
	@$(call unit_program,cpu_policy)
	$(call freestanding_check,unit/cpu_policy/freestanding-compile,$(CPUPOL_SRCS),$(CPUPOL_OUT)/freestanding,$(CPUPOL_INC))

all: cpu-policy-all
check: cpu-policy-check
