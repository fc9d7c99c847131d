#!/bin/sh
# Builds the dom0 initramfs that make bench boots on real Xen 4.17: busybox,
# Debian's toolstack (xl, xenstored, xenconsoled, xen-init-dom0) and Xen
# drivers (tests/lib/xen-dom0.sh), /init (xen-dom0-init.sh), and the very
# example domU of Tessera's dom0 image (its /etc/tessera/examples: the
# config, Debian's kernel and the domU initramfs, byte for byte), so that
# `xl create` and `tl create` start the same domU from the same files.
#
# usage: mk-xen-dom0.sh OUT.cpio.gz KERNEL_VERSION TESSERA_DOM0_IMAGE
set -eu
out=$1 kver=$2 tessera_image=$(readlink -f "$3")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/xen-dom0.sh"
root=$(mktemp -d "${TMPDIR:-/tmp}/tessera-bench-xen-dom0.XXXXXX")
trap 'rm -rf "$root"' EXIT

xen_dom0_busybox "$root"
xen_dom0_toolstack "$root"
xen_dom0_modules "$root" "$kver"
(cd "$root" && zcat "$tessera_image" | cpio -i --quiet -d 'etc/tessera/examples/*')
for f in debian-pv.cfg vmlinuz domu-initramfs.cpio.gz; do
    [ -f "$root/etc/tessera/examples/$f" ] ||
        { echo "mk-xen-dom0: no etc/tessera/examples/$f in $tessera_image" >&2; exit 1; }
done
cp "$here/xen-dom0-init.sh" "$root/init"
chmod 755 "$root/init"
xen_dom0_pack "$root" "$out.tmp"
mv "$out.tmp" "$out"
echo "$out: $(wc -c < "$out") bytes"
