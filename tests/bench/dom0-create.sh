# Runs in dom0, the same text on Tessera (TOOL tl) and on Xen 4.17 (TOOL xl):
# dom0_create_bench.py puts it in the image as /etc/tessera/dom0-cmd after a
# `set -- TOOL CONSOLE_LOG CREATES` line, and dom0's /init runs it.
# CREATES times: create the example domU, wait for its /init's marker in
# the console log the console daemon writes, destroy it, wait until it is
# gone. Each step prints a BENCH- line with dom0's uptime; the host
# timestamps those lines as they come out of the serial port.
#
# The waiting must not load dom0: a loop of grep and sleep forks a few
# processes a poll, and under TCG a PV fork costs dom0 tenths of a second of
# CPU that the domU being timed competes for (a first version of this
# script managed one poll in 0.4 s instead of 0.05 s). So the marker wait
# uses shell builtins only: the log is read with `read`, dom0's uptime too,
# and a nap is a `read -t` on a FIFO that nobody writes to.
tool=$1 log=$2 creates=${3:-3}
cfg=/etc/tessera/examples/debian-pv.cfg
name=debian-pv
marker=TESSERA-DOMU-INIT
cr=$(printf '\r')
mkfifo /tmp/bench-nap
exec 4<>/tmp/bench-nap

nap() { read -r -t "$1" _ <&4; }
# Sets $now to dom0's uptime (seconds).
uptime_now() { read -r now _ </proc/uptime; }
fail() { echo "BENCH-FAIL n=$i $*"; echo "BENCH-DONE failed"; exit 1; }

# scan_log WANT: reads the console log from its start, counting the lines
# that hold the marker; at its end, naps 0.05 s and reads on, until WANT
# such lines were read (WANT 0: until the end, to count them). Sets $count,
# $found (the last marker line) and $polls; fails after 3600 naps (~3 min).
scan_log() {
    count=0 found="" partial="" polls=0
    while [ ! -e "$log" ]; do
        [ "$1" -gt 0 ] || return 0
        polls=$((polls + 1))
        [ $polls -lt 3600 ] || return 1
        nap 0.05
    done
    exec 3<"$log"
    while :; do
        # At the end, read fails with what there was of an unfinished line
        # in $chunk: keep it, the rest of the line comes with the next read.
        if IFS= read -r chunk <&3; then
            chunk=$partial$chunk partial=""
            case $chunk in
            *"$marker"*)
                count=$((count + 1)) found=${chunk%"$cr"}
                [ "$1" -eq 0 ] || [ $count -lt "$1" ] || break;;
            esac
        else
            partial=$partial$chunk
            [ "$1" -gt 0 ] || break
            polls=$((polls + 1))
            [ $polls -lt 3600 ] || { exec 3<&-; return 1; }
            nap 0.05
        fi
    done
    exec 3<&-
    return 0
}

uptime_now
echo "BENCH-DOM0-READY uptime=$now tool=$tool hv=$(cat /sys/hypervisor/type 2>/dev/null)"
# What the CPU offers dom0's programs (glibc picks its string functions by it).
echo "BENCH-DOM0-CPU $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' |
    grep -x -E 'sse4_2|avx|avx2|avx512f|xsave|fsgsbase|pku' | tr '\n' ' ')"
# The hypervisor's memory as its toolstack reports it (MiB), dom0 booted.
mem_row() { $tool info 2>/dev/null | while IFS=': ' read -r k v; do [ "$k" = "$1" ] && echo "$v"; done; }
echo "BENCH-MEM total=$(mem_row total_memory) free=$(mem_row free_memory)"
i=1
while [ "$i" -le "$creates" ]; do
    scan_log 0
    before=$count
    uptime_now
    echo "BENCH-CREATE-START n=$i uptime=$now"
    # The example's disk and vif need xl's hotplug scripts, which Xen's
    # dom0 image lacks: both create the same domU without them.
    $tool create "$cfg" 'disk=[]' 'vif=[]' >/tmp/create.out 2>&1 || fail "$tool create exited $?: $(tail -c 300 /tmp/create.out)"
    uptime_now
    echo "BENCH-CREATE-RETURNED n=$i uptime=$now"
    scan_log $((before + 1)) || fail "no new $marker in $log: $(tail -c 300 "$log" 2>/dev/null)"
    uptime_now
    echo "BENCH-DOMU-SEEN n=$i uptime=$now polls=$polls domu: $found"
    sed 's/^/  create: /' /tmp/create.out
    uptime_now
    echo "BENCH-DESTROY-START n=$i uptime=$now"
    $tool destroy $name >/tmp/destroy.out 2>&1 || fail "$tool destroy exited $?: $(tail -c 300 /tmp/destroy.out)"
    polls=0
    while $tool domid $name >/dev/null 2>&1; do
        polls=$((polls + 1))
        [ $polls -lt 300 ] || fail "$name still there 60 s after $tool destroy"
        nap 0.2
    done
    uptime_now
    echo "BENCH-DESTROYED n=$i uptime=$now"
    i=$((i + 1))
done
echo "BENCH-DONE ok"
