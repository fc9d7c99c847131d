#!/bin/bash
# Our daemon and both reference daemons side by side, in one run: Xen's
# xsbench workload (built against our client library, the same client for
# all three), memory per node for a 100,000-node store, and the write+read
# loop with 2000 idle watches registered. Three rounds,
# daemons interleaved so machine noise hits all alike; prints the medians.
# The daemon runs on CPU 1 and every client on CPU 0 (taskset), so the two
# do not compete for a core; each rate comes with the daemon's CPU time per
# operation. Then each of ours and the C daemon runs once under callgrind
# for the instructions it executes per operation (bench/instr.sh), the one
# number the other engineers' load on this machine cannot change.
# xsbench waits for each reply before its next request, so its rates are
# round trips (wake-ups and the client's work, the same for every daemon);
# bench/xspipe.c sends 32 requests at a time on the raw protocol, which keeps
# the daemon busy: its rates are the daemon's capacity ("pipelined" rows).
#
#   run-bench.sh BUILD_DIR SRC_DIR [ROUNDS]
set -u
O=$1 SRC=$2 ROUNDS=${3:-3}
PEERS_DIR=${PEERS_DIR:-$(cd "$SRC/../../shared/peers" 2>/dev/null && pwd || echo /work/shared/peers)}
source "$SRC/tests/daemons.sh"
source "$SRC/bench/instr.sh"
# A signal ends the run (a trap on TERM alone would stop the daemons and
# carry on); the EXIT trap then stops the daemons.
trap stop_daemons EXIT
trap 'exit 1' INT TERM

b=$O/bench
b_dir=$b
DCPU=1 CCPU=0
rm -rf "$b"; mkdir -p "$b"
cc -O2 -Wall -o "$b/xsbench" "$PEERS_DIR/xsbench.c" -I"$SRC/include" -I"$SRC/../pv-abi/include" \
    "$O/opt/libxenstore.a" -lpthread || { echo "cannot build xsbench"; exit 1; }
cc -O2 -Wall -Wextra -Werror -std=gnu11 -o "$b/xspipe" "$SRC/bench/xspipe.c" -I"$SRC/../pv-abi/include" \
    || { echo "cannot build xspipe"; exit 1; }
raw=$b/raw.txt
: >"$raw"
echo "LOAD before: $(uptime)" >>"$raw"
for round in $(seq "$ROUNDS"); do
    for d in ours c ocaml; do
        dir=$b/$round-$d
        mkdir -p "$dir"
        if [ $d = ours ]; then
            start_ours "$O/opt/xenstored-lite" "$dir" || { echo "ours failed to start"; continue; }
            pid=$OURS_PID
        else
            start_ref $d "$dir" || { echo "$d failed to start"; continue; }
            pid=$REF_PID
        fi
        taskset -apc $DCPU "$pid" >/dev/null
        XENSTORED_PATH=$dir/socket XSBENCH_DAEMON_PID=$pid taskset -c $CCPU "$b/xsbench" -n 1000000 -t 2 \
            >"$dir/xsbench.txt" 2>&1 || echo "xsbench against $d failed: $(tail -1 "$dir/xsbench.txt")"
        XENSTORED_PATH=$dir/socket XSBENCH_DAEMON_PID=$pid taskset -c $CCPU "$b/xspipe" -d 32 -t 2 \
            >>"$dir/xsbench.txt" 2>&1 || echo "xspipe against $d failed: $(tail -1 "$dir/xsbench.txt")"
        taskset -c $CCPU python3 "$SRC/bench/memnodes.py" "$dir/socket" "$pid" 100000 >>"$dir/xsbench.txt" 2>&1 \
            || echo "memnodes against $d failed: $(tail -1 "$dir/xsbench.txt")"
        # The write+read loop again, with 2000 idle watches registered.
        taskset -c $CCPU python3 "$SRC/bench/watchfan.py" "$dir/socket" 2000 >"$dir/fan.txt" 2>&1 &
        fan=$!
        for _ in $(seq 300); do grep -q ready "$dir/fan.txt" && break; sleep 0.1; done
        XENSTORED_PATH=$dir/socket XSBENCH_DAEMON_PID=$pid taskset -c $CCPU "$b/xsbench" -n 1000000 -t 2 -p wr 2>&1 \
            | sed 's/^wr /wr2k /' >>"$dir/xsbench.txt"
        XENSTORED_PATH=$dir/socket XSBENCH_DAEMON_PID=$pid taskset -c $CCPU "$b/xspipe" -d 32 -t 2 -p wr 2>&1 \
            | sed 's/^pwr /pwr2k /' >>"$dir/xsbench.txt"
        kill "$fan" 2>/dev/null; wait "$fan" 2>/dev/null
        sed "s/^/RUN $round $d /" "$dir/xsbench.txt" >>"$raw"
        stop_daemons
    done
    echo "LOAD after round $round: $(uptime)" >>"$raw"
done
for d in ours c; do
    dir=$b/instr-$d
    mkdir -p "$dir"
    instr_daemon $d "$dir" >"$dir/instr.txt" 2>&1 || echo "callgrind run against $d failed: $(tail -1 "$dir/instr.txt")"
    sed "s/^/RUN 1 $d /" "$dir/instr.txt" >>"$raw"
done
echo "LOAD after callgrind runs: $(uptime)" >>"$raw"
python3 "$SRC/bench/table.py" "$raw"
echo "raw numbers: $raw"
