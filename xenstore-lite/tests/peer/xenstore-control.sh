#!/bin/bash
# Xen's xenstore-control against the daemon at $XENSTORED_PATH: quota
# listing and setting, check, help. Restores the quota it changes.
#   xenstore-control.sh
set -eu
ctl=/usr/lib/xen-4.17/bin/xenstore-control
fail() { echo "FAILED: $*" >&2; exit 1; }
out=$($ctl quota) || fail "quota"
echo "$out" | grep -q '^nodes            :     1000 Nodes per domain$' || fail "quota listing: $out"
echo "$out" | grep -q '^transaction-nodes:     1024 ' || fail "quota listing: $out"
$ctl quota set nodes 1234 || fail "quota set"
$ctl quota | grep -q '^nodes            :     1234 ' || fail "quota not set"
$ctl quota set nodes 1000
$ctl quota-soft | grep -q '^memory           :  2097152 ' || fail "quota-soft"
$ctl check || fail "check"
$ctl help | grep -q '^quota' || fail "help"
! $ctl no-such-command 2>/dev/null || fail "unknown command accepted"
echo OK
