#!/bin/sh
# Builds a Linux dom0 initramfs for real Xen 4.17 that runs the hostile
# front end as an xl domU with two loop disks and seven vifs (dom0-init.sh):
# tests/lib/xen-dom0.sh's busybox, toolstack and modules, plus xen-blkback,
# xen-netback, loop and xenstore-read/-write for the hotplug scripts.
#
# usage: mkdom0.sh OUT.cpio.gz KERNEL_VERSION HOSTILE_FRONT_ELF
# then:  tests/guests/run-guest.py --hypervisor build/guests/xen-4.17.elf \
#            --dom0 /boot/vmlinuz-VERSION --dom0-initrd OUT.cpio.gz \
#            --guests hostile_front --timeout 300
set -eu
out=$1 kver=$2 elf=$3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../lib/xen-dom0.sh"
root=$(mktemp -d "${TMPDIR:-/tmp}/tessera-hostile-dom0.XXXXXX")
trap 'rm -rf "$root"' EXIT
xen_dom0_busybox "$root"
xen_dom0_toolstack "$root"
xen_dom0_copy "$root" /usr/bin/xenstore-read /usr/bin/xenstore-write
xen_dom0_modules "$root" "$kver"
for m in xen-blkback xen-netback loop; do
    for ko in $(modprobe -S "$kver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'); do
        mkdir -p "$root$(dirname "$ko")"
        cp "$ko" "$root$ko"
    done
done
depmod -b "$root" "$kver"
cp "$here/dom0-init.sh" "$root/init"
chmod 755 "$root/init"
mkdir -p "$root/tests"
cp "$elf" "$root/tests/hostile_front.elf"
xen_dom0_pack "$root" "$out"
