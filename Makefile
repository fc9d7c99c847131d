# Tessera: the one build entry point.
#
#   make run         build everything, boot Tessera + Debian's Linux as dom0, a shell
#                    on the serial console here (`exit` powers off)
#   make run DOM0_CMD='tl list; ...'   the commands in dom0 instead, their output,
#                    then power-off; fails with the commands' exit status
#   make run-xl      the same with Debian's own xl, xenstored and xenconsoled in
#                    dom0 instead of Tessera's tools (docs/xen-tools.md)
#   make run-virt    the same plus libvirtd and virsh (virsh -c xen:///)
#   make run-bare    the hypervisor alone, at its `tessera>` prompt
#   make check       every test; ends with "N passed, N failed, N skipped"
#   make check-slow  emulator runs too slow for check (Bochs, big guests)
#   make bench       benchmarks, side by side with the reference implementations
#   make bench-dom0  only Tessera's dom0 boot and tl create against Xen 4.17's
#                    dom0 and xl create (tests/bench, docs/benchmarks.md)
#   make fuzz        long fuzzing campaigns
#
# Each component folder has its own Makefile with the targets all, check,
# check-slow, bench, fuzz and clean. Test targets append one line per test,
# "PASS name", "FAIL name" or "SKIP name", to $(RESULTS), running every test
# program through mk/test-rules.mk (a time limit; a crash, a hang or a
# missing result line is a FAIL); tests/summarize.sh counts them.

TOP     := $(CURDIR)
BUILD   := $(TOP)/build
RESULTS := $(BUILD)/test-results.txt
export TOP BUILD RESULTS

# Order matters only for readability of the log; components build independently.
COMPONENTS := pv-abi hypervisor xenstore-lite dom0-tools guest-patches tests
PRESENT    := $(foreach c,$(COMPONENTS),$(if $(wildcard $(c)/Makefile),$(c)))

SUBMAKE := $(MAKE) --no-print-directory

# DOM0_CMD is shell text: taken as written, `$` included (no make expansion).
override DOM0_CMD := $(value DOM0_CMD)
export DOM0_CMD

.PHONY: all deps run run-xl run-virt run-bare run-linux check check-slow bench bench-dom0 fuzz clean $(PRESENT)

all: deps
	@set -e; for c in $(PRESENT); do $(SUBMAKE) -C $$c all; done

deps:
	@sh mk/install-deps.sh

# Debian's Linux as Tessera's control domain on the dom0 image
# (guest-patches/): Tessera's tools, a shell; DOM0_CMD='...' runs commands.
run: all
	@$(SUBMAKE) -C guest-patches run

run-linux: run

# The same machine with Debian's Xen userspace in dom0 (xl, xenstored, ...).
run-xl: all
	@$(SUBMAKE) -C guest-patches run-xl

# ... and libvirt's daemon with its Xen driver and virsh too (a bigger image).
run-virt: all
	@$(SUBMAKE) -C guest-patches run-virt

# The hypervisor on its own, its console prompt `tessera>`.
run-bare: all
	@$(SUBMAKE) -C tests run

# Keeps going past a failing component so one run reports everything.
define run_tests
	@mkdir -p $(BUILD); rm -f $(RESULTS); touch $(RESULTS)
	@for c in $(PRESENT); do \
	    $(SUBMAKE) -C $$c $(1) || echo "FAIL $$c/make-$(1)" >> $(RESULTS); \
	done
	@sh tests/summarize.sh $(RESULTS)
endef

check: deps
	$(call run_tests,check)

check-slow: deps
	$(call run_tests,check-slow)

bench: deps
	@for c in $(PRESENT); do $(SUBMAKE) -C $$c bench || exit 1; done

bench-dom0: deps
	@$(SUBMAKE) -C tests/bench bench

fuzz: deps
	@for c in $(PRESENT); do $(SUBMAKE) -C $$c fuzz || exit 1; done

clean:
	rm -rf $(BUILD)
