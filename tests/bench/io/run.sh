# /run.sh of the block and network benchmark's tools disk (mk-io-tools.sh),
# run by a domU started with tessera_domu=run:xvdb (guest-patches/domu-init.sh)
# and tessera_bench=ROLE on its command line (dom0-io.sh chooses):
#   server        iperf3 server for the other domU; prints its address
#   client:PEER   block benchmarks on xvdc, network to dom0 (10.99.0.1)
#                 both ways, then to the server domU at PEER
# Each result is one "BENCH-IO name ..." line on the console, which
# dom0-io.sh copies to the serial line for io_bench.py.
T=/opt PREFIX=""
. "$T/lib.sh"
role=$(sed -n 's/.*tessera_bench=\([a-z0-9.:]*\).*/\1/p' /proc/cmdline)
secs=$(sed -n 's/.*tessera_bench_secs=\([0-9]*\).*/\1/p' /proc/cmdline)
secs=${secs:-5}
# The address dom0's DHCP gave eth0 (domu-init.sh asks in the background).
address() { ip -4 -o addr show dev eth0 2>/dev/null | awk '{ split($4, a, "/"); print a[1] }'; }
i=0
while [ -z "$(address)" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ -n "$(address)" ] || { echo "BENCH-IO error: eth0 got no address"; exit 1; }

case $role in
server)
    echo "BENCH-IO server-ready ip=$(address)"
    iperf3 -s ;;
client:*)
    peer=${role#client:}
    if [ -b /dev/xvdc ]; then block_io /dev/xvdc
    else echo "BENCH-IO error: no /dev/xvdc"; fi
    net net-domu-to-dom0 -c 10.99.0.1
    net net-dom0-to-domu -c 10.99.0.1 -R
    [ "$peer" = none ] || net net-domu-to-domu -c "$peer"
    echo "BENCH-IO client-done" ;;
*)
    echo "BENCH-IO error: no tessera_bench= role on the command line" ;;
esac
