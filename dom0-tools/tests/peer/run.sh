#!/bin/sh
# Differential test against Debian's xl: for every valid xl.cfg golden case
# (except the Tessera extensions in tl-only.txt), "tl create -n" and the
# real "xl create -n" (run through xl_dryrun_shim.so) must print the same
# configuration, up to what json_compare.py documents.
#
# usage: run.sh TL SHIM.so RESULTS WORKDIR
set -u
tl=$1 shim=$2 results=$3 work=$4
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
exit 0
