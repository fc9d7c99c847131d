#!/bin/sh
# Runs xs_domain_test against xenstore-lite's daemon on a private socket.
# usage: xs_domain_test.sh DAEMON TEST WORK_DIR
set -u
daemon=$1 test=$2 work=$3
rm -rf "$work"; mkdir -p "$work/rings"
"$daemon" -s "$work/socket" -r "$work/rings" > "$work/daemon.log" 2>&1 &
pid=$!
i=0
while [ ! -S "$work/socket" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
XENSTORED_PATH=$work/socket "$test"
rc=$?
kill "$pid"
wait "$pid" 2>/dev/null
exit $rc
