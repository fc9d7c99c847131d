#!/bin/sh
# xenstored-lite on Tessera: boots Tessera with Debian's Linux as dom0 the
# way `make run DOM0_CMD=...` does (the dom0 image starts xenstored-lite and
# tessera-consoled) and runs dom0-check.sh there. Each "xsd-check: PASS|FAIL
# name" becomes "PASS|FAIL xenstore/tessera/name" in RESULTS, and
# xenstore/tessera/run says whether the whole run ended with
# "XSD-TESSERA-CHECK ok". About a minute once the image is built.
#
# usage: run.sh TOP BUILD RESULTS
set -u
top=$1 build=$2 results=$3
out=$build/xenstore-lite/tessera
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
make --no-print-directory -C "$top" run DOM0_CMD="$(cat "$here/dom0-check.sh")" > "$out/run.log" 2>&1
sed -n 's/^xsd-check: \(PASS\|FAIL\) \([^ ]*\).*/\1 xenstore\/tessera\/\2/p' "$out/run.log" >> "$results"
if grep -q "^XSD-TESSERA-CHECK ok" "$out/run.log"; then
    echo "PASS xenstore/tessera/run" >> "$results"
else
    echo "FAIL xenstore/tessera/run" >> "$results"
    echo "tessera: no 'XSD-TESSERA-CHECK ok'; log $out/run.log"
    grep -E "xsd-check: FAIL|XSD-TESSERA-CHECK|run-dom0|\*\*\*" "$out/run.log" | tail -20
fi
