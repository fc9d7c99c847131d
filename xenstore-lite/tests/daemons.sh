# Starting and stopping the daemons the tests and the benchmark talk to.
# Sourced by bash scripts; every daemon started is remembered in $daemon_pids
# and stop_daemons (run it from an EXIT trap) ends each one by its pid.

daemon_pids=()

# start_ours BIN DIR: our daemon on DIR/socket (with DIR/rings for rings).
# Sets OURS_PID.
start_ours() {
    local bin=$1 dir=$2
    mkdir -p "$dir/rings"
    "$bin" -s "$dir/socket" -r "$dir/rings" >"$dir/out.txt" 2>&1 &
    OURS_PID=$!
    daemon_pids+=("$OURS_PID")
    for _ in $(seq 50); do [ -S "$dir/socket" ] && return 0; sleep 0.1; done
    return 1
}

# start_ref c|ocaml DIR: a reference daemon through the shared script.
# Its pid file names a wrapper shell; the daemon is the wrapper's child.
# Sets REF_PID to the daemon itself.
start_ref() {
    local kind=$1 dir=$2 peers=${PEERS_DIR:-/work/shared/peers}
    bash "$peers/reference-xenstored.sh" "$kind" "$dir" >"$dir.start.log" 2>&1 || return 1
    local wrapper child
    wrapper=$(cat "$dir/pid")
    daemon_pids+=("$wrapper")
    REF_PID=$wrapper
    for child in $(pgrep -P "$wrapper"); do
        daemon_pids+=("$child")
        REF_PID=$child
    done
    return 0
}

stop_daemons() {
    local p
    for p in "${daemon_pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${daemon_pids[@]}"; do
        for _ in $(seq 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
        kill -9 "$p" 2>/dev/null
    done
    daemon_pids=()
}
