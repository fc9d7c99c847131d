#!/bin/sh
# Host self-test of privcmd-trace.so: selftest_caller's ioctls on /dev/null
# (refused with ENOTTY) must come out decoded, one PASS/FAIL line each.
# usage: selftest.sh SHIM CALLER RESULTS
set -u
shim=$1 caller=$2 results=$3
out=$(mktemp)
trap 'rm -f "$out"' EXIT
PRIVCMD_TRACE=$out PRIVCMD_TRACE_ANY_FD=1 LD_PRELOAD=$shim "$caller" > /dev/null
expect() { # NAME REGEX
    if grep -Eq "$2" "$out"; then
        echo "PASS privcmd-trace/$1" >> "$results"
    else
        echo "FAIL privcmd-trace/$1 (no line matching '$2')" >> "$results"
        sed 's/^/    /' "$out"
    fi
}
expect exec-line "^PCT [0-9]+ [^ ]+ exec .*$(basename "$caller")$"
expect domctl '^PCT [0-9]+ [^ ]+ domctl getdomaininfo\(5\) v=0x15 dom=7 = ENOTTY$'
expect sysctl '^PCT [0-9]+ [^ ]+ sysctl cpupool_op\(18\) op=3 pool=1 v=0x15 = ENOTTY$'
expect multicall '^PCT [0-9]+ [^ ]+ multicall>memory_op claim_pages\(24\) dom=3 nr=256 order=0 = ENOTTY$'
expect xen-version '^PCT [0-9]+ [^ ]+ xen_version build_id\(10\) = ENOTTY$'
expect other-ioctl '^PCT [0-9]+ [^ ]+ ioctl:PRIVCMD_UNIMPLEMENTED = ENOTTY$'
# The caller sees the real ioctl's results through the shim: -1 each.
if [ "$(PRIVCMD_TRACE=/dev/null PRIVCMD_TRACE_ANY_FD=1 LD_PRELOAD=$shim "$caller")" = "-1 -1 -1 -1 -1" ]; then
    echo "PASS privcmd-trace/results-passed-through" >> "$results"
else
    echo "FAIL privcmd-trace/results-passed-through" >> "$results"
fi
