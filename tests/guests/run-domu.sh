#!/bin/sh
# Boots Xen with a Linux dom0 that starts test kernels as domUs with xl
# (domu/dom0-init.sh), one boot per group, JOBS boots at a time. A group is
# "kernel" or "kernel+kernel..." (started together, e.g. the two ends of
# two_domains). Appends "PASS|FAIL <prefix>/<group>" to RESULTS from the
# combined verdict of the group.
#
# usage: run-domu.sh HYPERVISOR DOM0_KERNEL DOM0_INITRD OUT_DIR RESULTS PREFIX JOBS TIMEOUT GROUP...
set -u
hv=$1 dom0=$2 initrd=$3 out=$4 results=$5 prefix=$6 jobs=$7 timeout=$8
shift 8
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/logs"

run_group() {
    group=$1
    log=$out/logs/domu-$group.log
    python3 "$here/run-guest.py" --hypervisor "$hv" --dom0 "$dom0" --dom0-initrd "$initrd" \
        --guests "$(echo "$group" | tr '+' ',')" --timeout "$timeout" --quiet --log "$log" \
        > "$log.verdict" 2>&1
    verdict=$(awk '/^RESULT / { print $2 " " $3 }' "$log.verdict")
    case $verdict in
    SUCCESS*) echo "PASS $prefix/$group" >> "$results"; echo "  $group (domU): $verdict s" ;;
    *)        echo "FAIL $prefix/$group" >> "$results"
              echo "  $group (domU): ${verdict:-no verdict} -- log $log"
              grep -E 'Failure|Error|PANIC|result|dom0:' "$log" | tail -10 ;;
    esac
}

running=0
for group in "$@"; do
    run_group "$group" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
done
wait
