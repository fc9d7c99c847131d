#!/bin/sh
# Fills a fresh seed corpus for one fuzzer: the golden configs, the spec
# strings, or synthetic kernels from make_seeds.
# usage: seed.sh FUZZER DIR TESTS_DIR MAKE_SEEDS
set -eu
fuzzer=$1 dir=$2 tests=$3 make_seeds=$4
rm -rf "$dir"
mkdir -p "$dir"
case $fuzzer in
xlcfg) cp "$tests"/golden/cases/*.cfg "$dir"/ ;;
domxml) cp "$tests"/golden/cases/*.xml "$dir"/ ;;
json) cp "$tests"/golden/cases/*.json "$dir"/ ;;
devspec)
    i=0
    while IFS= read -r line; do
        i=$((i + 1))
        printf '%s' "$line" > "$dir/s$i"
    done < "$tests/fuzz/devspec.seeds" ;;
*) "$make_seeds" "$dir" ;;
esac
