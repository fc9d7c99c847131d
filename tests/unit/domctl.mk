# The toolstack's domctl and sysctl (hypervisor/common/domctl.c,
# domain_info.c, sysctl.c) and the domain list's zombies (common/domain.c),
# included by the Makefile beside this file. They run against the event
# channel tests' fake domains, so they link those sources too; the
# scheduler and the arch hooks are doubles in test_domctl.c.
#
# Results: unit/domctl/build, unit/domctl/run (its cases),
# unit/domctl/freestanding-compile.

DOMCTL_SRCS := common/domctl.c common/domain_info.c common/sysctl.c
DOMCTL_OUT  := $(OUT)/domctl
DOMCTL_OBJS := $(patsubst %.c,$(DOMCTL_OUT)/%.o,$(DOMCTL_SRCS))
DOMCTL_HDRS := $(HV)/common/control_priv.h $(HV)/include/tessera/control.h \
               $(HV)/include/tessera/domain.h $(wildcard $(TOP)/pv-abi/include/pvabi/control/*.h)

$(DOMCTL_OUT)/%.o: $(HV)/%.c $(DOMCTL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HV_HOST_CFLAGS) $(EVTCHN_INC) -MMD -MP -c -o $@ $<

$(OUT)/test_domctl: $(UNIT)/test_domctl.c $(UNIT)/unit.h $(DOMCTL_OBJS) $(EVTCHN_HOST_OBJS) \
                    $(EVTCHN_OUT)/host/evtchn_fakes.o $(OUT)/libhv.a $(SUPPORT_OBJS)
	$(CC) $(HOST_CFLAGS) $(EVTCHN_INC) -o $@ $< $(DOMCTL_OBJS) $(EVTCHN_HOST_OBJS) \
	    $(EVTCHN_OUT)/host/evtchn_fakes.o $(SUPPORT_OBJS) $(OUT)/libhv.a -lcunit

.PHONY: domctl-all domctl-check

domctl-all: $(OUT)/test_domctl

domctl-check:
	@mkdir -p $(OUT); touch $(RESULTS)
	@$(call unit_program,domctl)
	$(call freestanding_check,unit/domctl/freestanding-compile,$(DOMCTL_SRCS),$(DOMCTL_OUT)/freestanding,$(EVTCHN_INC))

all: domctl-all
check: domctl-check
