# Shell functions of the block and network benchmark, on its tools disk
# (mk-io-tools.sh) as /lib.sh: sourced by the domU's /run.sh and by dom0's
# dom0-io.sh, so both measure the same way. Each prints one
# "BENCH-IO PREFIXname ..." line, or "BENCH-IO error: ...".
# Set before use: T (where the tools disk is), secs (seconds per timed run),
# PREFIX ("" in the domU, "native-" in dom0).
iperf3() { "$T/lib/ld-linux-x86-64.so.2" --library-path "$T/lib" "$T/bin/iperf3" "$@"; }

# net NAME IPERF3_ARGS...: iperf3's receiver summary, in Mbit/s
net() {
    name=$1; shift
    out=$(iperf3 -f m -t "$secs" "$@" 2>&1)
    mbps=$(echo "$out" | awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") print $i }')
    if [ -n "$mbps" ]; then echo "BENCH-IO $PREFIX$name mbps=$mbps"
    else echo "BENCH-IO error: $PREFIX$name: $(echo "$out" | tail -n 2 | tr '\n' ' ')"; fi
}

# seq_io NAME MIB DD_ARGS...: MIB MiB moved by dd. busybox's dd prints no
# rate: the time around it from /proc/uptime (10 ms steps; a run takes seconds).
seq_io() {
    name=$1 mib=$2; shift 2
    t0=$(cut -d' ' -f1 /proc/uptime)
    if out=$(dd "$@" 2>&1); then
        t1=$(cut -d' ' -f1 /proc/uptime)
        echo "BENCH-IO $PREFIX$name bytes=$((mib * 1048576)) seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
    else
        echo "BENCH-IO error: $PREFIX$name: $(echo "$out" | tail -n 1)"
    fi
}

# rand_io DEVICE read|write: randio's IOPS
rand_io() {
    r=$("$T/bin/randio" "$1" "$2" "$secs" 2>&1)
    case $r in randio*iops=*) echo "BENCH-IO ${PREFIX}rand-$2 ${r#randio $2 }" ;;
    *) echo "BENCH-IO error: ${PREFIX}rand-$2: $r" ;; esac
}

# block_io DEVICE: sequential write and read of all but 8 MiB, then random reads and writes
block_io() {
    mib=$(($(cat "/sys/block/${1#/dev/}/size") / 2048 - 8))
    seq_io seq-write "$mib" if=/dev/zero of="$1" bs=1M count="$mib" oflag=direct conv=fsync
    seq_io seq-read "$mib" if="$1" of=/dev/null bs=1M count="$mib" iflag=direct
    rand_io "$1" read
    rand_io "$1" write
}
