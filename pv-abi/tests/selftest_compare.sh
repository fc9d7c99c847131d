#!/bin/sh
# Shows the layout comparison can fail: feeds compare_layouts.sh our table
# with one value changed and one entry dropped, and expects exactly those
# two entries named as FAIL lines.
# usage: selftest_compare.sh BUILD_DIR RESULTS
set -u
o=$1 results=$2
name=pv-abi/layout-selftest/detects-mismatch
scratch=$o/selftest-results.txt
: > "$scratch"
awk 'NR == 1 { $3 = $3 + 8 } NR != 2 { print }' "$o/layout_ours.txt" > "$o/layout_mutated.txt"
first=$(awk 'NR == 1 { print "pv-abi/layout/" $1 "." $2 }' "$o/layout_ours.txt")
second=$(awk 'NR == 2 { print "pv-abi/layout/" $1 "." $2 }' "$o/layout_ours.txt")
if sh "$(dirname "$0")/compare_layouts.sh" "$o/layout_mutated.txt" "$o/layout_ours.txt" "$scratch" 2>/dev/null; then
    echo "FAIL $name" >> "$results"; exit 1
fi
if grep -qx "FAIL $first" "$scratch" && grep -qx "FAIL $second" "$scratch" &&
   [ "$(grep -c '^FAIL' "$scratch")" -eq 2 ]; then
    echo "PASS $name" >> "$results"
else
    echo "FAIL $name" >> "$results"; exit 1
fi
