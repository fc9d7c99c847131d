#!/bin/sh
# Runs tl against real Xen 4.17 under QEMU: boots Xen with Debian's kernel
# as dom0 and mkdom0.sh's initramfs, whose /init (dom0-init.sh) drives a
# domU with tl. Appends one "PASS|FAIL dom0-tools/xen/<check>" line per
# check to RESULTS, and a FAIL line when the run itself gives no verdict.
#
# usage: run.sh TOP TL_BINARY TL_SAN_BINARY WORK_DIR RESULTS [PREFIX XENSTORED_LITE TESSERA_CONSOLED]
# With the last three, dom0 runs Tessera's xenstored-lite and tessera-consoled
# instead of Debian's daemons, and the results are named PREFIX/<check>.
set -u
top=$1 tl=$2 tl_san=$3 work=$4 results=$5 prefix=${6:-dom0-tools/xen} xsd=${7:-} consoled=${8:-}
mkdir -p "$work"
kernel=$(ls /boot/vmlinuz-*-amd64 | sort -V | tail -1)
kver=${kernel#/boot/vmlinuz-}
zcat /boot/xen-4.17-amd64.gz > "$work/xen-4.17.elf" || { echo "FAIL $prefix/hypervisor" >> "$results"; exit 1; }
if ! TL_SAN=$tl_san TL_XSD=$xsd TL_CONSOLED=$consoled sh "$top/dom0-tools/tests/xen/mkdom0.sh" "$work/dom0.cpio.gz" "$kver" "$tl" > "$work/mkdom0.log" 2>&1; then
    cat "$work/mkdom0.log"
    echo "FAIL $prefix/dom0-initrd" >> "$results"
    exit 1
fi
python3 "$top/tests/guests/run-guest.py" --hypervisor "$work/xen-4.17.elf" --dom0 "$kernel" \
    --dom0-initrd "$work/dom0.cpio.gz" --guests tl --timeout 1500 --quiet --log "$work/run.log" \
    --append "console=com1 com1=115200,8n1 dom0_mem=384M,max:384M loglvl=all guest_loglvl=all noreboot sched=credit" \
    > "$work/verdict.txt" 2>&1
# '#' delimits: with '|', sed would read the \| of the alternation as a delimiter.
sed -n "s#.*TL-CHECK \(PASS\|FAIL\) \([a-z0-9-]*\).*#\1 $prefix/\2#p" "$work/run.log" >> "$results"
grep -E "TL-CHECK|TL-DOMU-ALIVE|\]     " "$work/run.log" | cut -c1-160
verdict=$(awk '/^RESULT / { print $2 " " $3 }' "$work/verdict.txt")
echo "$prefix: $verdict (log $work/run.log)"
case $verdict in
SUCCESS*) exit 0 ;;
*) echo "FAIL $prefix/run ($verdict)" >> "$results"; exit 1 ;;
esac
