# Tests, fuzzing and benchmarks of dom0-tools (included by ../Makefile).
check:
	@echo "dom0-tools: no tests yet"
check-slow:
	@echo "dom0-tools: nothing for check-slow"
bench:
	@echo "dom0-tools: no bench yet"
fuzz:
	@echo "dom0-tools: no fuzz yet"
