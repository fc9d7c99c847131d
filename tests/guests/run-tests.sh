#!/bin/sh
# Boots each named test kernel on one hypervisor image, JOBS at a time, and
# appends "PASS|FAIL|SKIP <prefix>/<test>" to RESULTS (a SKIP is counted as
# a skip, never as a pass). Kernels that failed to build (no .elf) are left
# out here; the Makefile already recorded them.
#
# Two kernels prove the harness: selftest_failure must end in FAILURE, and
# selftest_hang must still be running and printing its heartbeat when the
# time limit (HANG_TIMEOUT, 12 s) is hit (run-guest.py --expect-hang); a
# missing file, QEMU exiting or a hypervisor panic is no hang.
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
    set -- --timeout "$timeout"
    # Meant to time out: keep that short, and pass only a live hang.
    [ "$t" = selftest_hang ] &&
        set -- --timeout "${HANG_TIMEOUT:-12}" --expect-hang 'selftest_hang: still running'
    [ -n "$append" ] && set -- "$@" --append "$append"
    python3 "$here/run-guest.py" --hypervisor "$hv" --kernel "$out/$t.elf" "$@" \
        --quiet --log "$logs/$t.log" > "$logs/$t.verdict" 2>&1
    verdict=$(awk '/^RESULT / { print $2 " " $3 " " $4 }' "$logs/$t.verdict")
    # selftest_failure must fail, and is a pass for the harness when it does.
    case $t:$verdict in
    selftest_failure:FAILURE*) verdict="SUCCESS (failed as it must)" ;;
    selftest_failure:*)        verdict="FAILURE (harness missed a failing kernel: ${verdict})" ;;
    selftest_hang:SUCCESS*)    verdict="SUCCESS (hung, alive, as it must)" ;;
    selftest_hang:*)           verdict="FAILURE (not a live hang: ${verdict})" ;;
    esac
    case $verdict in
    SUCCESS*) echo "PASS $prefix/$t" >> "$results"; echo "  $t: $verdict s" ;;
    SKIP*)    echo "SKIP $prefix/$t" >> "$results"; echo "  $t: $verdict s (skipped)" ;;
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
