# Tests, fuzzing and benchmarks of xenstore-lite (included by ../Makefile).
check:
	@echo "xenstore-lite: no tests yet"
check-slow:
	@echo "xenstore-lite: nothing for check-slow"
bench:
	@echo "xenstore-lite: no bench yet"
fuzz:
	@echo "xenstore-lite: no fuzz yet"
