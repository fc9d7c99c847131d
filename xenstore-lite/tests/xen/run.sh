#!/bin/sh
# xenstored-lite and tessera-consoled in a real Xen 4.17 dom0 (Debian's
# hypervisor and kernel under QEMU TCG), serving Debian's xl and real domUs:
# builds the dom0 initramfs (mkdom0.sh), boots it (tests/guests/run-guest.py)
# and records each "CHECK PASS|FAIL name" of dom0-init.sh as
# "PASS|FAIL xenstore/xen/name" in RESULTS, plus xenstore/xen/run for the
# whole boot (a verdict, in time, from a live hypervisor). About 5-8 minutes.
#
# usage: run.sh TOP BUILD RESULTS
set -u
top=$1 build=$2 results=$3
out=$build/xenstore-lite/xen
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)
kver=${kernel#/boot/vmlinuz-}
fail() { echo "FAIL xenstore/xen/$1" >> "$results"; echo "xen: $1: $2"; exit 0; }

[ -n "$kernel" ] && [ -f /boot/xen-4.17-amd64.gz ] || fail setup "needs /boot/vmlinuz-* and /boot/xen-4.17-amd64.gz"
zcat /boot/xen-4.17-amd64.gz > "$out/xen-4.17.elf" || fail setup "cannot unpack Xen"
sh "$here/mkdom0.sh" "$out/dom0.cpio.gz" "$kver" "$build/xenstore-lite/opt/xenstored-lite" \
    "$build/xenstore-lite/opt/xenstore-lite" "$build/dom0-tools/opt/tessera-consoled" \
    > "$out/mkdom0.log" 2>&1 || { cat "$out/mkdom0.log"; fail initramfs "mkdom0.sh failed"; }

python3 "$top/tests/guests/run-guest.py" --hypervisor "$out/xen-4.17.elf" --dom0 "$kernel" \
    --dom0-initrd "$out/dom0.cpio.gz" --guests none --timeout 900 --quiet --log "$out/boot.log" \
    > "$out/verdict.txt" 2>&1
verdict=$(awk '/^RESULT / { print $2 " " $3 }' "$out/verdict.txt")

checks=$(sed -n 's/^\[ *[0-9.]*\] CHECK \(PASS\|FAIL\) \([^ ]*\).*/\1 \2/p' "$out/boot.log")
[ -n "$checks" ] || fail run "no checks ran (${verdict:-no verdict}): log $out/boot.log"
echo "$checks" | while read -r status name; do
    echo "$status xenstore/xen/$name" >> "$results"
done
case $verdict in
SUCCESS*) echo "PASS xenstore/xen/run" >> "$results"; echo "xen: all checks passed ($verdict s)" ;;
*)        echo "FAIL xenstore/xen/run" >> "$results"
          echo "xen: ${verdict:-no verdict}; log $out/boot.log"
          grep -E "CHECK FAIL|waited|xenstored-lite:|tessera-consoled:" "$out/boot.log" | tail -30 ;;
esac
