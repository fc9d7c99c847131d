#!/bin/sh
# Runs a fuzzer (build/.../fuzz-NAME) for SECS seconds on a corpus kept under
# the build directory, seeded from fuzz/seeds/NAME/, and records one result line.
#   run-fuzz.sh FUZZER SECS RESULTS NAME [LIBFUZZER-FLAGS]
# The short runs in make check pass a fixed seed and run count, so that a
# run passing here passes on every machine.
set -u
fuzzer=$1 secs=$2 results=$3 name=$4 flags=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
target=$(basename "$fuzzer"); target=${target#fuzz-}
corpus=$(dirname "$fuzzer")/corpus-$target
mkdir -p "$corpus"
cp -n "$here/../fuzz/seeds/$target"/* "$corpus"/ 2>/dev/null || true
# Crash reproducers go next to the fuzzer, never into the source tree.
# shellcheck disable=SC2086
if "$fuzzer" -max_total_time="$secs" $flags -max_len=9000 -print_final_stats=0 \
        -artifact_prefix="$(dirname "$fuzzer")/" "$corpus" \
        >"$(dirname "$fuzzer")/$(basename "$name").log" 2>&1; then
    echo "PASS $name" >>"$results"
else
    echo "FAIL $name" >>"$results"
    tail -40 "$(dirname "$fuzzer")/$(basename "$name").log"
fi
