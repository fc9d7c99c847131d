#!/bin/sh
# Compares two layout tables ("group key value" per line), the one printed
# from our pvabi headers and the one printed from Debian's Xen headers, entry
# by entry. Appends to RESULTS one "PASS pv-abi/layout/<group>" per group
# whose entries all match, and one "FAIL pv-abi/layout/<group>.<key>" per
# entry that differs or exists on one side only. Exits 1 on any mismatch.
#
# usage: compare_layouts.sh OURS XEN RESULTS
set -eu
ours=$1 xen=$2 results=$3

[ -s "$ours" ] || { echo "FAIL pv-abi/layout/ours-table-empty" >> "$results"; exit 1; }
[ -s "$xen" ]  || { echo "FAIL pv-abi/layout/xen-table-empty" >> "$results"; exit 1; }

awk -v results="$results" '
    FNR == NR { ours[$1 " " $2] = $3; groups[$1] = 1; order[++n] = $1 " " $2; next }
    {
        key = $1 " " $2; groups[$1] = 1
        if (!(key in ours)) { bad[$1] = 1; fails[++nf] = $1 "." $2 " (only in Xen: " $3 ")"; next }
        seen[key] = 1
        if (ours[key] != $3) { bad[$1] = 1; fails[++nf] = $1 "." $2 " (ours " ours[key] ", Xen " $3 ")" }
    }
    END {
        for (i = 1; i <= n; i++) {
            if (!(order[i] in seen)) {
                split(order[i], kv, " "); bad[kv[1]] = 1
                fails[++nf] = kv[1] "." kv[2] " (only in ours: " ours[order[i]] ")"
            }
        }
        for (i = 1; i <= nf; i++) {
            split(fails[i], words, " ")
            print "FAIL pv-abi/layout/" words[1] >> results
            print "layout mismatch: " fails[i] > "/dev/stderr"
        }
        for (g in groups)
            if (!(g in bad)) { print "PASS pv-abi/layout/" g >> results; ok++ }
        printf "layout: %d groups match, %d mismatching entries\n", ok, nf > "/dev/stderr"
        exit nf > 0
    }' "$ours" "$xen"
