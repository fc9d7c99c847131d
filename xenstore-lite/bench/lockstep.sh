#!/bin/bash
# Where the time of a lock-step write+read pair goes, with idle watches
# registered: our daemon and the C xenstored run side by side (each on CPU
# 1, every client on CPU 0, each with WATCHES idle watches from
# bench/watchfan.py), and xsbench's write+read loop runs against them in
# turn, ROUNDS times each, so a change in the machine's load hits both
# alike. Each run prints the pairs per second and, per pair: the daemon's
# user and system CPU (/proc/PID/stat), its voluntary context switches
# (times it slept for the next request), and the client's user and system
# CPU (/usr/bin/time). Then the medians.
#
#   lockstep.sh BUILD_DIR SRC_DIR [ROUNDS] [WATCHES] [SECONDS]
set -u
O=$1 SRC=$2 ROUNDS=${3:-7} WATCHES=${4:-2000} SECS=${5:-3}
PEERS_DIR=${PEERS_DIR:-$(cd "$SRC/../../shared/peers" 2>/dev/null && pwd || echo /work/shared/peers)}
source "$SRC/tests/daemons.sh"
trap stop_daemons EXIT
trap 'exit 1' INT TERM

b=$O/lockstep
rm -rf "$b"; mkdir -p "$b"
cc -O2 -Wall -o "$b/xsbench" "$PEERS_DIR/xsbench.c" -I"$SRC/include" -I"$SRC/../pv-abi/include" \
    "$O/opt/libxenstore.a" -lpthread || { echo "cannot build xsbench"; exit 1; }

# cpu_ticks PID: "user system voluntary_switches"
cpu_ticks() {
    local pid=$1 stat rest
    stat=$(cat "/proc/$pid/stat") || return 1
    rest=${stat##*) }
    set -- $rest
    echo "${12} ${13} $(awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$pid/status")"
}

declare -A PID
fans=()
for d in ours c; do
    dir=$b/$d
    mkdir -p "$dir"
    if [ $d = ours ]; then
        start_ours "$O/opt/xenstored-lite" "$dir" || { echo "ours failed to start"; exit 1; }
        PID[$d]=$OURS_PID
    else
        start_ref c "$dir" || { echo "c failed to start"; exit 1; }
        PID[$d]=$REF_PID
    fi
    taskset -apc 1 "${PID[$d]}" >/dev/null
    taskset -c 0 python3 "$SRC/bench/watchfan.py" "$dir/socket" "$WATCHES" >"$dir/fan.txt" 2>&1 &
    fans+=($!)
    for _ in $(seq 300); do grep -q ready "$dir/fan.txt" && break; sleep 0.1; done
    grep -q ready "$dir/fan.txt" || { echo "$d: watches not registered"; exit 1; }
done

hz=$(getconf CLK_TCK)
echo "LOAD before: $(uptime)"
for round in $(seq "$ROUNDS"); do
    for d in ours c; do
        dir=$b/$d pid=${PID[$d]}
        read -r u0 s0 v0 < <(cpu_ticks "$pid")
        XENSTORED_PATH=$dir/socket taskset -c 0 /usr/bin/time -f "client %U %S" \
            "$b/xsbench" -n 1000000 -t "$SECS" -p wr >"$dir/run.txt" 2>&1
        read -r u1 s1 v1 < <(cpu_ticks "$pid")
        iters=$(sed -n 's/.*iters=\([0-9]*\).*/\1/p' "$dir/run.txt")
        rate=$(sed -n 's/.*rate=\([0-9]*\)\/s.*/\1/p' "$dir/run.txt")
        read -r cu cs < <(awk '/^client/ {print $2, $3}' "$dir/run.txt")
        [ -n "$iters" ] && [ "$iters" -gt 0 ] || { echo "$d: xsbench failed: $(tail -1 "$dir/run.txt")"; continue; }
        awk -v d=$d -v r=$round -v rate=$rate -v n=$iters -v hz=$hz -v du=$((u1 - u0)) -v ds=$((s1 - s0)) \
            -v dv=$((v1 - v0)) -v cu=$cu -v cs=$cs 'BEGIN {
            printf "RUN %d %s pairs/s=%d daemon_user_us=%.1f daemon_sys_us=%.1f daemon_sleeps=%.2f client_user_us=%.1f client_sys_us=%.1f\n",
                r, d, rate, du * 1e6 / hz / n, ds * 1e6 / hz / n, dv / n, cu * 1e6 / n, cs * 1e6 / n }'
    done
done | tee "$b/raw.txt"
echo "LOAD after: $(uptime)"
kill "${fans[@]}" 2>/dev/null
python3 - "$b/raw.txt" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] != "RUN":
        continue
    rows.setdefault(f[2], []).append({k: float(v) for k, v in (x.split("=") for x in f[3:])})
keys = ["pairs/s", "daemon_user_us", "daemon_sys_us", "daemon_sleeps", "client_user_us", "client_sys_us"]
print("%-16s %10s %10s %8s" % ("median per pair", "ours", "C", "ours/C"))
for k in keys:
    o = statistics.median(r[k] for r in rows.get("ours", [{k: 0}]))
    c = statistics.median(r[k] for r in rows.get("c", [{k: 0}]))
    better = (o / c if k == "pairs/s" else c / o) if o and c else 0
    print("%-16s %10.1f %10.1f %7.2fx" % (k, o, c, better))
EOF
