# Run in dom0 (Tessera's dom0 image, on Tessera or on Xen 4.17: the same
# image, the same tl, only the hypervisor differs) by io_bench.py: the
# block and network benchmark. Two domUs of the example's kernel: "bench-s"
# serves iperf3, "bench-c" runs io/run.sh's block tests on xvdc (a raw file
# here over a loop device, through xen-blkback) and iperf3 to dom0 both
# ways and to bench-s, over xenbr0 and xen-netback. Then dom0 does the
# same block and iperf3 work itself ("native"). Every result is a
# "BENCH-IO name ..." line on this console; the last line is
# "BENCH-IO dom0-done" or "BENCH-IO error: ...". Exits 42 (the runner tells
# the script's end from any other).
cfg=/etc/tessera/examples/debian-pv.cfg
tools=/var/lib/tessera/io-tools.img
target=/var/lib/tessera/io-target.img
secs=${BENCH_SECS:-5}
logdir=/var/log/tessera/console
fail() { echo "BENCH-IO error: $*"; exit 42; }
wait_for() {
    t=$(($1 * 5)); shift
    while [ $t -gt 0 ]; do "$@" && return 0; sleep 0.2; t=$((t - 1)); done
    return 1
}
[ -f "$tools" ] || fail "no $tools"
# dom0's image has no ext4 driver: debugfs copies the tools out instead.
mkdir -p /opt/bench && /usr/sbin/debugfs -R "rdump / /opt/bench" "$tools" >/dev/null 2>&1 &&
    [ -x /opt/bench/bin/randio ] || fail "cannot copy the tools out of $tools"
T=/opt/bench
iperf3() { "$T/lib/ld-linux-x86-64.so.2" --library-path "$T/lib" "$T/bin/iperf3" "$@"; }
dd if=/dev/zero of="$target" bs=1M count=72 2>/dev/null || fail "cannot make $target"
iperf3 -s -D -B 10.99.0.1 --logfile /tmp/iperf3-dom0.log || fail "iperf3 server in dom0"

opts="console=hvc0 loglevel=4 tessera_domu=run:xvdb tessera_bench_secs=$secs"
tl create "$cfg" 'name="bench-s"' "disk=['$tools,raw,xvdb,ro']" \
    "extra=\"$opts tessera_bench=server\"" || fail "tl create bench-s exited $?"
wait_for 300 grep -q "BENCH-IO server-ready" "$logdir/bench-s.log" ||
    fail "bench-s not ready: $(tail -c 400 "$logdir/bench-s.log")"
peer=$(sed -n 's/.*BENCH-IO server-ready ip=\([0-9.]*\).*/\1/p' "$logdir/bench-s.log" | tail -n 1)
tl create "$cfg" 'name="bench-c"' "disk=['$tools,raw,xvdb,ro','$target,raw,xvdc,rw']" \
    "extra=\"$opts tessera_bench=client:${peer:-none}\"" || fail "tl create bench-c exited $?"
wait_for $((300 + 12 * secs)) grep -q "BENCH-IO client-done\|TESSERA-DOMU-RUN" "$logdir/bench-c.log" ||
    fail "bench-c did not finish: $(tail -c 400 "$logdir/bench-c.log")"
grep -a "BENCH-IO" "$logdir/bench-c.log" | grep -v "client-done" | sed 's/BENCH-IO /BENCH-IO domu-/'
grep -q "BENCH-IO client-done" "$logdir/bench-c.log" ||
    echo "BENCH-IO error: bench-c did not finish its run: $(tail -c 600 "$logdir/bench-c.log" | tr '\n' ' ')"
tl destroy bench-s
wait_for 30 sh -c '! tl domid bench-c >/dev/null 2>&1' || tl destroy bench-c

# dom0 natively: the same file through a loop device, the same tools.
loop=$(losetup -f) && losetup "$loop" "$target" || fail "losetup of $target"
mib=$(($(cat /sys/block/${loop#/dev/}/size) / 2048 - 8))
seq_io() {
    # busybox's dd prints no rate: the time around it from /proc/uptime
    # (10 ms steps; a run takes seconds).
    name=$1; shift
    t0=$(cut -d' ' -f1 /proc/uptime)
    if out=$(dd "$@" 2>&1); then
        t1=$(cut -d' ' -f1 /proc/uptime)
        echo "BENCH-IO native-$name bytes=$((mib * 1048576)) seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
    else
        echo "BENCH-IO error: native $name: $(echo "$out" | tail -n 1)"
    fi
}
seq_io seq-write if=/dev/zero of="$loop" bs=1M count=$mib oflag=direct conv=fsync
seq_io seq-read if="$loop" of=/dev/null bs=1M count=$mib iflag=direct
for op in read write; do
    r=$("$T/bin/randio" "$loop" $op "$secs" 2>&1)
    case $r in randio*iops=*) echo "BENCH-IO native-rand-$op ${r#randio $op }" ;;
    *) echo "BENCH-IO error: native rand-$op: $r" ;; esac
done
losetup -d "$loop"
# A server of its own on loopback: dom0's first one has served the domUs.
ip link set lo up
iperf3 -s -D -1 -B 127.0.0.1 -p 5202 --logfile /tmp/iperf3-native.log || fail "iperf3 loopback server"
sleep 0.5
out=$(iperf3 -f m -t "$secs" -c 127.0.0.1 -p 5202 2>&1)
mbps=$(echo "$out" | awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") print $i }')
[ -n "$mbps" ] && echo "BENCH-IO native-net-loopback mbps=$mbps" ||
    echo "BENCH-IO error: native net: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
echo "BENCH-IO dom0-done"
exit 42
