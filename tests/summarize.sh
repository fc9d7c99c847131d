#!/bin/sh
# Reads the results file every test suite appends to (one line per test:
# "PASS name" or "FAIL name"), lists the failures and prints the closing
# summary line. Exits non-zero if anything failed or nothing ran.
set -eu
results=${1:?usage: summarize.sh RESULTS}
[ -f "$results" ] || { echo "0 passed, 1 failed"; echo "no test results in $results" >&2; exit 1; }
passed=$(grep -c '^PASS ' "$results" || true)
failed=$(grep -c '^FAIL ' "$results" || true)
if [ "$failed" -gt 0 ]; then
    echo "Failed tests:"
    grep '^FAIL ' "$results" | sed 's/^FAIL /  /'
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
