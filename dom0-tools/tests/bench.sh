#!/bin/sh
# Benchmarks of tl's host-side work, printed as numbers (nothing asserted):
#   - opening Debian's kernel: bzImage header, xz decompression, ELF checks
#   - "create -n" of a long real-world config, per invocation
# usage: bench.sh TL WORKDIR
set -eu
tl=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }

kernel=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | head -1)
if [ -n "$kernel" ]; then
    runs=5
    t0=$(now)
    i=0; while [ $i -lt $runs ]; do "$tl" image-info "$kernel" > /dev/null; i=$((i + 1)); done
    t1=$(now)
    size=$(stat -c %s "$kernel")
    printf 'image-info %s (%d bytes, xz): %.3f s per run (%d runs)\n' \
        "$kernel" "$size" "$(calc "($t1 - $t0) / $runs")" "$runs"
fi

runs=200
t0=$(now)
i=0; while [ $i -lt $runs ]; do "$tl" create -n -q "$here/golden/cases/real-world.cfg" > /dev/null; i=$((i + 1)); done
t1=$(now)
printf 'create -n real-world.cfg: %.2f ms per invocation (%d runs)\n' \
    "$(calc "($t1 - $t0) * 1000 / $runs")" "$runs"
t0=$(now)
i=0; while [ $i -lt $runs ]; do "$tl" create -n -q "$here/golden/cases/hvm.xml" > /dev/null; i=$((i + 1)); done
t1=$(now)
printf 'create -n hvm.xml: %.2f ms per invocation (%d runs)\n' \
    "$(calc "($t1 - $t0) * 1000 / $runs")" "$runs"
