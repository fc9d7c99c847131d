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
T=/opt/bench PREFIX=""
. "$T/lib.sh"
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
PREFIX=native-
block_io "$loop"
losetup -d "$loop"
# A server of its own on loopback: dom0's first one has served the domUs.
ip link set lo up
iperf3 -s -D -1 -B 127.0.0.1 -p 5202 --logfile /tmp/iperf3-native.log || fail "iperf3 loopback server"
sleep 0.5
net net-loopback -c 127.0.0.1 -p 5202
echo "BENCH-IO dom0-done"
exit 42
