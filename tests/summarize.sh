#!/bin/sh
# Reads the results file every test suite appends to (one line per test:
# "PASS name", "FAIL name [(why)]" or "SKIP name"), lists the failures and
# prints the closing summary line, alone on its line (CI reads it):
#
#   N passed, N failed, N skipped
#
# Exits non-zero if anything failed or nothing passed: a skip never counts
# as a pass, so a run of skips alone fails too.
set -eu
results=${1:?usage: summarize.sh RESULTS}
[ -f "$results" ] || { echo "0 passed, 1 failed, 0 skipped"; echo "no test results in $results" >&2; exit 1; }
passed=$(grep -c '^PASS ' "$results" || :)
failed=$(grep -c '^FAIL ' "$results" || :)
skipped=$(grep -c '^SKIP ' "$results" || :)
if [ "$failed" -gt 0 ]; then
    echo "Failed tests:"
    grep '^FAIL ' "$results" | sed 's/^FAIL /  /'
fi
if [ "$skipped" -gt 0 ]; then
    echo "Skipped tests:"
    grep '^SKIP ' "$results" | sed 's/^SKIP /  /'
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
