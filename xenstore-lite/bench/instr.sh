#!/bin/bash
# Instructions each daemon executes per operation, counted by callgrind, so
# the number does not depend on what else the machine is doing (rates and
# CPU times do). Sourced by run-bench.sh after daemons.sh.
#
# The daemon runs under valgrind --tool=callgrind; for each xsbench phase
# the client runs twice, with N0 and N0+N iterations, and callgrind dumps its
# counters (and zeroes them) after each run. The difference of the two
# dumps is N iterations' work with the client's set-up (connect, rm, write
# of its base) cancelled out: Ir per op = (dump(N0+N) - dump(N0)) / N.

INSTR_N0=${INSTR_N0:-50}

# instr_start ours|c DIR: the daemon under callgrind; sets INSTR_PID.
instr_start() {
    local kind=$1 dir=$2 peers=${PEERS_DIR:-/work/shared/peers}
    mkdir -p "$dir/rings"
    case $kind in
    ours)
        taskset -c 1 valgrind --tool=callgrind --callgrind-out-file="$dir/cg.out" \
            "$O/opt/xenstored-lite" -s "$dir/socket" -N >"$dir/vg.txt" 2>&1 & ;;
    c)
        gcc -O2 -shared -fPIC -o "$dir/fakexen.so" "$peers/fakexen.c" -ldl || return 1
        (cd "$dir" && LD_PRELOAD=$dir/fakexen.so XENSTORED_RUNDIR=$dir exec taskset -c 1 \
            valgrind --tool=callgrind --callgrind-out-file="$dir/cg.out" \
            /usr/lib/xen-4.17/bin/xenstored -N >"$dir/vg.txt" 2>&1) & ;;
    esac
    INSTR_PID=$!
    daemon_pids+=("$INSTR_PID")
    for _ in $(seq 100); do [ -S "$dir/socket" ] && return 0; sleep 0.1; done
    return 1
}

# instr_dump DIR: dumps the counters, prints the instructions since the last dump.
instr_dump() {
    local dir=$1 before after f
    before=$(ls "$dir"/cg.out.* 2>/dev/null | wc -l)
    callgrind_control -d "$INSTR_PID" >/dev/null 2>&1 || return 1
    for _ in $(seq 100); do
        after=$(ls "$dir"/cg.out.* 2>/dev/null | wc -l)
        [ "$after" -gt "$before" ] && break
        sleep 0.1
    done
    f=$(ls -v "$dir"/cg.out.* | tail -1)
    for _ in $(seq 50); do grep -q '^totals:' "$f" && break; sleep 0.1; done
    sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$f"
}

# instr_phase DIR PHASE N NAME: prints "NAME ir_per_op=X".
instr_phase() {
    local dir=$1 phase=$2 n=$3 name=$4 a b
    instr_dump "$dir" >/dev/null
    XENSTORED_PATH=$dir/socket taskset -c 0 "$b_dir/xsbench" -n "$INSTR_N0" -t 100000 -p "$phase" >/dev/null || return 1
    a=$(instr_dump "$dir")
    XENSTORED_PATH=$dir/socket taskset -c 0 "$b_dir/xsbench" -n $((INSTR_N0 + n)) -t 100000 -p "$phase" >/dev/null || return 1
    b=$(instr_dump "$dir")
    [ -n "$a" ] && [ -n "$b" ] || return 1
    echo "$name ir_per_op=$(( (b - a) / n ))"
}

# instr_daemon ours|c DIR: all phases against one daemon under callgrind.
instr_daemon() {
    local kind=$1 dir=$2 fan
    instr_start "$kind" "$dir" || { echo "instr: $kind failed to start under callgrind" >&2; return 1; }
    instr_phase "$dir" wr 2000 irwr
    instr_phase "$dir" dir 2000 irdir
    instr_phase "$dir" ta10 200 irta10
    taskset -c 0 python3 "$SRC/bench/watchfan.py" "$dir/socket" 2000 >"$dir/fan.txt" 2>&1 &
    fan=$!
    for _ in $(seq 600); do grep -q ready "$dir/fan.txt" && break; sleep 0.1; done
    instr_phase "$dir" wr 2000 irwr2k
    kill "$fan" 2>/dev/null; wait "$fan" 2>/dev/null
    # valgrind writes its last dump on the way out: let it, then reap it.
    kill "$INSTR_PID" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$INSTR_PID" 2>/dev/null || break; sleep 0.1; done
    stop_daemons
}
