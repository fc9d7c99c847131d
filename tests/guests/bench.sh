#!/bin/sh
# Runs each benchmark kernel on real Xen and, if given, on other hypervisor
# images, then prints one table per kernel: cycles/iteration on each and the
# ratio to Xen (below 1.00 = faster than Xen; for MB/s above 1.00 is
# faster). Also the boot time, QEMU start to the kernel's first line, in ms. The load average is printed
# with every run: the machines are shared and the numbers move with it.
#
# usage: bench.sh OUT_DIR TIMEOUT XEN_IMAGE [OTHER_IMAGE...] -- KERNEL...
set -u
out=$1 timeout=$2
shift 2
images=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do images="$images $1"; shift; done
[ $# -gt 0 ] && shift
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/logs/bench"

# Two CPUs for every image, said here rather than left to run-guest.py's
# default: bench_hypercall's vCPU ping-pong needs them, and each hypervisor
# gives its first domain one vCPU per CPU.
smp=2

for t in "$@"; do
    table=$out/logs/bench/$t.table
    : > "$table"
    for hv in $images; do
        name=$(basename "$hv")
        log=$out/logs/bench/$t.$name.log
        load=$(cut -d' ' -f1-3 /proc/loadavg)
        verdict=$(python3 "$here/run-guest.py" --hypervisor "$hv" --kernel "$out/$t.elf" \
                  --smp "$smp" --timeout "$timeout" --quiet --log "$log" | tail -1)
        echo "== $t on $name: $verdict (load $load)"
        grep -o 'bench: [a-z_0-9]* [0-9]* cycles/iter [0-9]* ns/iter' "$log" |
            awk -v hv="$name" '{ print hv, $2, $3, $5 }' >> "$table"
        # Boot time: QEMU start to the kernel's first console line, in ms.
        awk -v hv="$name" '/--- Tessera PV test kernel/ {
                 t = substr($0, 2, index($0, "]") - 2); printf "%s boot_to_first_line_ms %d 0\n", hv, t * 1000; exit }' \
            "$log" >> "$table"
        grep -o 'bench: grant_copy_throughput [0-9]* MB/s' "$log" |
            awk -v hv="$name" '{ print hv, "grant_copy_MB/s", $3, 0 }' >> "$table"
    done
    awk 'NR == 1 { base = $1 }
         { cyc[$1 " " $2] = $3; ns[$1 " " $2] = $4; if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 }
           if (!($1 in hvs)) { hvs[$1] = 1; hvorder[++m] = $1 } }
         END {
             printf "%-28s", "benchmark"
             for (j = 1; j <= m; j++) printf " %22s", hvorder[j]
             for (j = 2; j <= m; j++) printf " %10s", "ratio"
             printf "\n"
             for (i = 1; i <= n; i++) {
                 b = order[i]; printf "%-28s", b
                 for (j = 1; j <= m; j++) printf " %22s", cyc[hvorder[j] " " b]
                 for (j = 2; j <= m; j++) {
                     x = cyc[base " " b]; y = cyc[hvorder[j] " " b]
                     if (x > 0 && y > 0) printf " %10.2f", y / x; else printf " %10s", "-"
                 }
                 printf "\n"
             }
         }' "$table"
done
