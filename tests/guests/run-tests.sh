#!/bin/sh
# Boots each named test kernel on one hypervisor image, JOBS at a time, and
# appends "PASS|FAIL <prefix>/<test>" to RESULTS (SKIP counts as neither:
# it is printed, not recorded as a pass). Kernels that failed to build
# (no .elf) are skipped here; the Makefile already recorded them.
#
# usage: run-tests.sh HYPERVISOR OUT_DIR RESULTS PREFIX JOBS TIMEOUT TEST... [APPEND=ARGS]
# (APPEND= replaces the hypervisor command line, default: run-guest.py's Xen one)
set -u
hv=$1 out=$2 results=$3 prefix=$4 jobs=$5 timeout=$6
shift 6
append=""
tests=""
for arg in "$@"; do
    case $arg in
    APPEND=*) append=${arg#APPEND=} ;;
    *) tests="$tests $arg" ;;
    esac
done
here=$(cd "$(dirname "$0")" && pwd)
# Logs per hypervisor (guests/xen -> logs/xen/), so runs do not overwrite each other.
logs=$out/logs/$(basename "$prefix")
mkdir -p "$logs"

run_one() {
    t=$1
    limit=$timeout
    [ "$t" = selftest_hang ] && limit=8     # it is meant to time out; keep that short
    if [ -n "$append" ]; then
        python3 "$here/run-guest.py" --hypervisor "$hv" --kernel "$out/$t.elf" --append "$append" \
            --timeout "$limit" --quiet --log "$logs/$t.log" > "$logs/$t.verdict" 2>&1
    else
        python3 "$here/run-guest.py" --hypervisor "$hv" --kernel "$out/$t.elf" \
            --timeout "$limit" --quiet --log "$logs/$t.log" > "$logs/$t.verdict" 2>&1
    fi
    verdict=$(awk '/^RESULT / { print $2 " " $3 }' "$logs/$t.verdict")
    # selftest_failure must fail, and is a pass for the harness when it does.
    case $t:$verdict in
    selftest_failure:FAILURE*) verdict="SUCCESS (failed as it must)" ;;
    selftest_failure:*)        verdict="FAILURE (harness missed a failing kernel: ${verdict})" ;;
    selftest_hang:ERROR*)      verdict="SUCCESS (timed out as it must)" ;;
    selftest_hang:*)           verdict="FAILURE (harness missed a hang: ${verdict})" ;;
    esac
    case $verdict in
    SUCCESS*) echo "PASS $prefix/$t" >> "$results"; echo "  $t: $verdict s" ;;
    SKIP*)    echo "  $t: $verdict s (skipped, not counted)" ;;
    *)        echo "FAIL $prefix/$t" >> "$results"
              echo "  $t: ${verdict:-no verdict} -- log $logs/$t.log"
              grep -E 'Failure|Error|PANIC|Test result' "$logs/$t.log" | tail -8 ;;
    esac
}

running=0
for t in $tests; do
    [ -f "$out/$t.elf" ] || continue
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
done
wait
