#!/bin/sh
# Differential tests against Debian's xl, run through the shim that lets it
# work without Xen:
#   xl-create-n: for every valid xl.cfg golden case (except the Tessera
#     extensions in tl-only.txt), "tl create -n" and "xl create -n" print
#     the same configuration, up to what json_compare.py documents;
#   xl-rejects-too: the invalid golden configs in both-reject.txt are
#     refused by xl as well (the others are Tessera being stricter);
#   xl-list: "xl list" (plain, -v, -Z) of the fake domains in
#     fake_domains.h is byte for byte what tl's printer writes.
#
# usage: run.sh TL SHIM.so LIST_PRINTER RESULTS WORKDIR
set -u
tl=$1 shim=$2 list_printer=$3 results=$4 work=$5
here=$(cd "$(dirname "$0")" && pwd)
xl=/usr/lib/xen-4.17/bin/xl
mkdir -p "$work"
cd "$here/../golden/cases" || exit 1
for cfg in *.cfg; do
    name=${cfg%.cfg}
    [ -f "$name.err" ] && continue
    grep -qx "$name" "$here/tl-only.txt" && continue
    test=dom0-tools/peer/xl-create-n/$name
    if [ ! -x "$xl" ] || [ ! -f "$shim" ]; then
        echo "FAIL $test" >> "$results"
        echo "$test: needs $xl (xen-utils-4.17) and $shim" >&2
        continue
    fi
    "$tl" create -n "$cfg" > "$work/$name.tl.json" 2>/dev/null
    LD_PRELOAD=$shim "$xl" create -n "$cfg" > "$work/$name.xl.json" 2> "$work/$name.xl.err"
    if python3 "$here/json_compare.py" "$work/$name.tl.json" "$work/$name.xl.json"; then
        echo "PASS $test" >> "$results"
    else
        echo "FAIL $test" >> "$results"
        echo "$test: tl and xl disagree (above)" >&2
    fi
done

while read -r name; do
    test=dom0-tools/peer/xl-rejects-too/$name
    LD_PRELOAD=$shim "$xl" create -n "$name.cfg" > /dev/null 2>&1
    xl_rc=$?
    "$tl" create -n "$name.cfg" > /dev/null 2>&1
    tl_rc=$?
    # 139 and the like would be a crash, not a refusal.
    if [ -x "$xl" ] && [ $xl_rc -eq 1 ] && [ $tl_rc -eq 1 ]; then
        echo "PASS $test" >> "$results"
    else
        echo "FAIL $test" >> "$results"
        echo "$test: xl exit $xl_rc, tl exit $tl_rc" >&2
    fi
done < "$here/both-reject.txt"

for opt in plain -v -Z; do
    test=dom0-tools/peer/xl-list/$opt
    flag=$opt
    [ "$opt" = plain ] && flag=
    # shellcheck disable=SC2086
    if [ -x "$xl" ] && LD_PRELOAD=$shim "$xl" list $flag > "$work/xl-list$opt.txt" 2>&1 &&
       "$list_printer" $flag > "$work/tl-list$opt.txt" &&
       cmp -s "$work/xl-list$opt.txt" "$work/tl-list$opt.txt"; then
        echo "PASS $test" >> "$results"
    else
        echo "FAIL $test" >> "$results"
        diff "$work/xl-list$opt.txt" "$work/tl-list$opt.txt" >&2
    fi
done
exit 0
