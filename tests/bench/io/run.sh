# /run.sh of the block and network benchmark's tools disk (mk-io-tools.sh),
# run by a domU started with tessera_domu=run:xvdb (guest-patches/domu-init.sh)
# and tessera_bench=ROLE on its command line (dom0-io.sh chooses):
#   server        iperf3 server for the other domU; prints its address
#   client:PEER   block benchmarks on xvdc, network to dom0 (10.99.0.1)
#                 both ways, then to the server domU at PEER
# Each result is one "BENCH-IO name ..." line on the console, which
# dom0-io.sh copies to the serial line for io_bench.py.
T=/opt
iperf3() { "$T/lib/ld-linux-x86-64.so.2" --library-path "$T/lib" "$T/bin/iperf3" "$@"; }
role=$(sed -n 's/.*tessera_bench=\([a-z0-9.:]*\).*/\1/p' /proc/cmdline)
secs=$(sed -n 's/.*tessera_bench_secs=\([0-9]*\).*/\1/p' /proc/cmdline)
secs=${secs:-5}
# The address dom0's DHCP gave eth0 (domu-init.sh asks in the background).
address() { ip -4 -o addr show dev eth0 2>/dev/null | awk '{ split($4, a, "/"); print a[1] }'; }
i=0
while [ -z "$(address)" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ -n "$(address)" ] || { echo "BENCH-IO error: eth0 got no address"; exit 1; }

# receiver_mbps: iperf3's receiver summary, in Mbit/s
receiver_mbps() { awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") print $i }'; }
net() {
    name=$1; shift
    out=$(iperf3 -f m -t "$secs" "$@" 2>&1)
    mbps=$(echo "$out" | receiver_mbps)
    if [ -n "$mbps" ]; then echo "BENCH-IO $name mbps=$mbps"
    else echo "BENCH-IO error: $name: $(echo "$out" | tail -n 2 | tr '\n' ' ')"; fi
}
# dd's last line: "N bytes (...) copied, S seconds, R"
seq_io() {
    # busybox's dd prints no rate: the time around it from /proc/uptime
    # (10 ms steps; a run takes seconds).
    name=$1; shift
    t0=$(cut -d' ' -f1 /proc/uptime)
    if out=$(dd "$@" 2>&1); then
        t1=$(cut -d' ' -f1 /proc/uptime)
        echo "BENCH-IO $name bytes=$((mib * 1048576)) seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
    else
        echo "BENCH-IO error: $name: $(echo "$out" | tail -n 1)"
    fi
}
rand_io() {
    r=$("$T/bin/randio" /dev/xvdc "$1" "$secs" 2>&1)
    case $r in randio*iops=*) echo "BENCH-IO rand-$1 ${r#randio $1 }" ;;
    *) echo "BENCH-IO error: rand-$1: $r" ;; esac
}

case $role in
server)
    echo "BENCH-IO server-ready ip=$(address)"
    iperf3 -s ;;
client:*)
    peer=${role#client:}
    if [ -b /dev/xvdc ]; then
        mib=$(($(cat /sys/block/xvdc/size) / 2048 - 8))
        seq_io seq-write if=/dev/zero of=/dev/xvdc bs=1M count=$mib oflag=direct conv=fsync
        seq_io seq-read if=/dev/xvdc of=/dev/null bs=1M count=$mib iflag=direct
        rand_io read
        rand_io write
    else
        echo "BENCH-IO error: no /dev/xvdc"
    fi
    net net-domu-to-dom0 -c 10.99.0.1
    net net-dom0-to-domu -c 10.99.0.1 -R
    [ "$peer" = none ] || net net-domu-to-domu -c "$peer"
    echo "BENCH-IO client-done" ;;
*)
    echo "BENCH-IO error: no tessera_bench= role on the command line" ;;
esac
