# tessera-consoled (dom0-tools/consoled/), included by ../Makefile: its
# build joins dom0-tools' `all`, its unit tests dom0-tools' `check`. Its run
# on real Xen 4.17 (with xenstored-lite and Debian's xl) is xenstore-lite's
# check-slow (xenstore-lite/tests/xen/).
#
#   $(O)/opt/tessera-consoled   what dom0 ships
#   $(O)/san/tessera-consoled   ASan/UBSan build
#   $(O)/san/consoled-tests     CUnit tests of the ring, buffers and log

CD_SRC   := $(SRC)/consoled
CD_XSD   := $(TOP)/xenstore-lite
CD_INCS  := -I$(CD_SRC) -I$(CD_XSD)/daemon -I$(CD_XSD)/include -I$(TOP)/pv-abi/include
CD_SRCS  := main console console_ring outbuf
CD_SHARED := xen_dev xen_domctl      # dom0 device calls, shared with xenstored-lite
CD_HDRS  := $(wildcard $(CD_SRC)/*.h) $(CD_XSD)/daemon/xen_dev.h $(CD_XSD)/daemon/xen_domctl.h \
            $(wildcard $(TOP)/pv-abi/include/pvabi/linux/*.h) $(TOP)/pv-abi/include/pvabi/io/console.h

cd_objs = $(addprefix $(O)/$(1)/consoled/,$(addsuffix .o,$(CD_SRCS) $(CD_SHARED)))
cd_core = $(addprefix $(O)/$(1)/consoled/,$(addsuffix .o,console console_ring outbuf $(CD_SHARED)))
cd_flags = $(if $(filter san,$(1)),$(SAN),$(OPT))

$(O)/opt/consoled/%.o: $(CD_SRC)/%.c $(CD_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(OPT) $(CD_INCS) -c $< -o $@
$(O)/san/consoled/%.o: $(CD_SRC)/%.c $(CD_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(SAN) $(CD_INCS) -c $< -o $@
$(O)/%/consoled/xen_dev.o: $(CD_XSD)/daemon/xen_dev.c $(CD_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(call cd_flags,$*) $(CD_INCS) -c $< -o $@
$(O)/%/consoled/xen_domctl.o: $(CD_XSD)/daemon/xen_domctl.c $(CD_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(call cd_flags,$*) $(CD_INCS) -c $< -o $@

# The xenstore client library comes from xenstore-lite's own build.
$(BUILD)/xenstore-lite/%/libxenstore.a: FORCE_XSLIB
	@$(MAKE) -s --no-print-directory -C $(CD_XSD) $@
.PHONY: FORCE_XSLIB consoled-all consoled-check
FORCE_XSLIB:

$(O)/opt/tessera-consoled: $(call cd_objs,opt) $(BUILD)/xenstore-lite/opt/libxenstore.a
	$(CC) $(OPT) -o $@ $^ -lpthread
$(O)/san/tessera-consoled: $(call cd_objs,san) $(BUILD)/xenstore-lite/san/libxenstore.a
	$(CC) $(SAN) -o $@ $^ -lpthread
$(O)/san/consoled-tests: $(CD_SRC)/tests/test_consoled.c $(call cd_core,san) $(O)/san/test/cunit_results.o
	$(CC) $(CSTD) $(SAN) $(CD_INCS) -I$(TOP)/tests/lib -o $@ $^ -lcunit

all: consoled-all
consoled-all: $(O)/opt/tessera-consoled

check: consoled-check
consoled-check:
	@if $(call test_build,dom0-tools/consoled/build,$(O)/opt/tessera-consoled $(O)/san/tessera-consoled \
	    $(O)/san/consoled-tests,$(O)/build-consoled.log); then \
	    $(call test_run,dom0-tools/consoled/unit,120,$(O)/san/consoled-tests); \
	fi
