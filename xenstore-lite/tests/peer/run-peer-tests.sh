#!/bin/bash
# Peer, differential and bad-input tests: our daemon against Debian's
# xenstore tools, pyxs and Xen's test-xenstore; our client library against
# Xen's C xenstored and oxenstored; our replies against the C daemon's.
# Every daemon started here is stopped on exit, whatever happens. Each
# command runs under a time limit through mk/run-test.sh; exits 1 if any
# FAIL line was recorded, so whoever runs it sees the failure too.
#
#   run-peer-tests.sh BUILD_DIR RESULTS
set -u
O=$1 RESULTS=$2
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
run_test="$src/../mk/run-test.sh"
peers=$(cd "$src/../../shared/peers" 2>/dev/null && pwd || echo /work/shared/peers)
[ -d "$peers" ] || peers=/work/shared/peers
# A directory of our own: someone else's make check may run at the same time.
run=$O/run.$$
touch "$RESULTS"
first_line=$(($(wc -l < "$RESULTS") + 1))
failures() { tail -n +"$first_line" "$RESULTS" | grep -c '^FAIL '; }
XEN_BIN=/usr/lib/xen-4.17/bin
PY=/usr/bin/python3          # Debian's python: the one with pyxs
source "$here/../daemons.sh"
PEERS_DIR=$peers
finish() {
    stop_daemons
    # Keep the logs of a failed run; a clean run leaves nothing behind.
    if [ "$(failures)" = 0 ]; then rm -rf "$run"; else echo "logs kept in $run"; fi
}
trap finish EXIT
trap 'exit 143' INT TERM

record() {  # record NAME STATUS
    if [ "$2" = 0 ]; then echo "PASS $1" >>"$RESULTS"
    else echo "FAIL $1" >>"$RESULTS"; echo "FAIL $1"; fi
}

# check NAME COMMAND...: runs the command under a time limit, output in
# $run/logs/NAME.log; its exit status is the verdict. The commands that
# record result lines of their own also give an exit status.
check() {
    local name=$1; shift
    sh "$run_test" --results "$RESULTS" --status --timeout 180 \
        --log "$run/logs/${name//\//_}.log" "$name" -- "$@"
}

mkdir -p "$run/logs"

# ---- start the daemons
start_ours "$O/san/xenstored-lite" "$run/ours"; record xenstore/peer/ours-starts $?
ours_pid=$OURS_PID
start_ref c "$run/c"; record xenstore/peer/reference-c-starts $?
start_ref ocaml "$run/ocaml"; record xenstore/peer/reference-ocaml-starts $?

OURS=$run/ours/socket C=$run/c/socket OCAML=$run/ocaml/socket

# ---- Debian's xenstore-utils (Debian's libxenstore) against our daemon
check xenstore/peer/xenstore-utils env XENSTORED_PATH="$OURS" bash "$here/xenstore-utils.sh" /usr/bin
check xenstore/peer/xenstore-control env XENSTORED_PATH="$OURS" bash "$here/xenstore-control.sh"
check xenstore/peer/xenstore-control-on-c env XENSTORED_PATH="$C" bash "$here/xenstore-control.sh"
# ---- pyxs against our daemon
check xenstore/peer/pyxs env XENSTORED_PATH="$OURS" $PY "$here/pyxs_peer.py" "$OURS"
# ---- Xen's own test suite against our daemon: every test, then random
check xenstore/peer/test-xenstore env XENSTORED_PATH="$OURS" "$XEN_BIN/test-xenstore"
check xenstore/peer/test-xenstore-random env XENSTORED_PATH="$OURS" "$XEN_BIN/test-xenstore" -r 3

# ---- our client library (and our tools) against the reference daemons, and ours
for d in ours c ocaml; do
    sock=$run/$d/socket
    if [ ! -x "$O/san/client-tests" ]; then record "xenstore/client/$d/build" 1; continue; fi
    # Its own result lines, one per test; a crash or a hang is one more FAIL.
    XENSTORED_PATH=$sock sh "$run_test" --results "$RESULTS" --timeout 180 \
        --log "$run/logs/client-$d.log" "xenstore/client/$d" -- "$O/san/client-tests" "xenstore/client/$d"
    # Xen's test-xenstore, run on our libxenstore.so.4 instead of Debian's
    check "xenstore/ourlib/test-xenstore-$d" env LD_LIBRARY_PATH="$O/opt" XENSTORED_PATH="$sock" "$XEN_BIN/test-xenstore"
    check "xenstore/ourlib/xenstore-utils-$d" env LD_LIBRARY_PATH="$O/opt" XENSTORED_PATH="$sock" bash "$here/xenstore-utils.sh" /usr/bin
    check "xenstore/tools/$d" env XENSTORED_PATH="$sock" bash "$here/xenstore-utils.sh" "$O/san"
done

# ---- differential: the same recorded sequence against the C daemon and ours
check xenstore/diff/c-vs-ours python3 "$src/tests/py/xsdiff.py" "$C" "$OURS" \
    --results "$RESULTS" --prefix xenstore/diff/step

# ---- bad input and the ring transport against our daemon
check xenstore/badinput python3 "$src/tests/py/badinput.py" "$OURS" --results "$RESULTS" --prefix xenstore/badinput
check xenstore/ring-host python3 "$src/tests/py/ring_host.py" "$OURS" "$run/ours/rings" \
    --results "$RESULTS" --prefix xenstore/ring-host \
    --live-update "$O/san/xenstore-lite" "$O/san/xenstored-lite"

# ---- out of file descriptors: no busy loop, waiting clients served later
mkdir -p "$run/fdlimit"
bash -c "ulimit -n 24; exec '$O/san/xenstored-lite' -s '$run/fdlimit/socket'" >"$run/fdlimit/out.txt" 2>&1 &
fd_pid=$!
daemon_pids+=("$fd_pid")
for _ in $(seq 50); do [ -S "$run/fdlimit/socket" ] && break; sleep 0.1; done
check xenstore/badinput/out-of-descriptors python3 "$src/tests/py/fdlimit.py" "$run/fdlimit/socket" "$fd_pid" 40
kill "$fd_pid"; wait "$fd_pid" 2>/dev/null

# ---- live restart: the state goes to a dump, a successor restores it
export XENSTORED_PATH=$OURS
"$O/san/xenstore-write" /restart/a kept /restart/b/c deep >/dev/null 2>&1
"$O/san/xenstore-chmod" /restart/a n0 r4 >/dev/null 2>&1
"$O/san/xenstore-lite" control dump "$run/ours/state.dump" >"$run/logs/dump.log" 2>&1
record xenstore/restart/dump $?
unset XENSTORED_PATH

# ---- our daemon survived all that, and exits cleanly (ASan: no leaks)
kill -0 "$ours_pid" 2>/dev/null; record xenstore/peer/ours-still-running $?
kill "$ours_pid"; wait "$ours_pid" 2>/dev/null; rc=$?
record xenstore/peer/ours-clean-exit $rc
[ $rc = 0 ] || tail -30 "$run/ours/out.txt"

"$O/san/xenstored-lite" -s "$run/ours/socket" -p "$run/ours/pid2" -R "$run/ours/state.dump" >"$run/ours/out2.txt" 2>&1 &
succ=$!
daemon_pids+=("$succ")
for _ in $(seq 50); do [ -S "$run/ours/socket" ] && break; sleep 0.1; done
check xenstore/restart/values-kept bash -c '
    [ "$(XENSTORED_PATH='"$OURS"' /usr/bin/xenstore-read /restart/a /restart/b/c | tr "\n" " ")" = "kept deep " ] &&
    XENSTORED_PATH='"$OURS"' /usr/bin/xenstore-ls -p /restart | grep -q "a = \"kept\".*n0.*r4"'
# ---- live update: exec a successor that keeps the connections
check xenstore/restart/live-update python3 "$src/tests/py/live_update.py" "$run/ours/socket" \
    "$run/ours/pid2" "$O/san/xenstore-lite" "$O/san/xenstored-lite"
kill "$succ"; wait "$succ" 2>/dev/null; rc=$?
record xenstore/restart/successor-clean-exit $rc
[ "$(failures)" = 0 ]
