#!/bin/sh
# Builds the initramfs of a Linux dom0 that drives domains with tl on real
# Xen 4.17: busybox, Debian's xenstored and xenconsoled (the references tl
# must satisfy: xenconsoled finds a domU's console through the entries tl
# writes), xen-init-dom0, xl and xenstore-ls (to compare with), the kernel
# modules for /dev/xen, tl itself, and a domU: Debian's kernel (the xz
# bzImage, which tl decompresses) with a busybox initramfs (domu-init.sh).
# The steps every Xen dom0 image shares are in tests/lib/xen-dom0.sh.
#
# usage: [TL_SAN=ASAN_TL] [TL_XSD=XENSTORED_LITE TL_CONSOLED=TESSERA_CONSOLED] \
#        mkdom0.sh OUT.cpio.gz KERNEL_VERSION TL_BINARY
set -eu
out=$1 kver=$2 tl=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d "${TMPDIR:-/tmp}/tl-xen-dom0.XXXXXX")
trap 'rm -rf "$root"' EXIT

. "$here/../../../tests/lib/xen-dom0.sh"

busybox_root() { # busybox_root DIR
    xen_dom0_busybox "$1"
    # Linux runs /sbin/poweroff when the toolstack asks a guest to power off.
    for applet in poweroff reboot halt; do ln -s ../bin/busybox "$1/sbin/$applet"; done
}

busybox_root "$root"
xen_dom0_toolstack "$root" xl xenstored xenconsoled xen-init-dom0
mkdir -p "$root/guest"
xen_dom0_copy "$root" /usr/bin/xenstore-ls /usr/bin/xenstore-read /usr/bin/xenstore-write
xen_dom0_copy "$root" "$(readlink -f "$tl")"
cp "$tl" "$root/usr/sbin/tl"
# Tessera's dom0 daemons instead of Debian's, when given (the Tessera stack on Xen).
if [ -n "${TL_XSD:-}" ]; then
    xen_dom0_copy "$root" "$(readlink -f "$TL_XSD")" "$(readlink -f "$TL_CONSOLED")"
    cp "$TL_XSD" "$root/usr/sbin/xenstored-lite"
    cp "$TL_CONSOLED" "$root/usr/sbin/tessera-consoled"
    mkdir -p "$root/var/log/tessera/console"
fi
# The ASan/UBSan build beside it, for the read-only commands run repeatedly.
if [ -n "${TL_SAN:-}" ]; then
    xen_dom0_copy "$root" "$(readlink -f "$TL_SAN")"
    cp "$TL_SAN" "$root/usr/sbin/tl-san"
fi
xen_dom0_modules "$root" "$kver"

# The domU: Debian's kernel as it is installed, and a busybox initramfs.
cp /boot/vmlinuz-"$kver" "$root/guest/vmlinuz"
domu=$(mktemp -d "${TMPDIR:-/tmp}/tl-xen-domu.XXXXXX")
busybox_root "$domu"
cp "$here/domu-init.sh" "$domu/init"
chmod 755 "$domu/init"
xen_dom0_pack "$domu" "$root/guest/initrd.gz"
rm -rf "$domu"

cp "$here/dom0-init.sh" "$root/init"
chmod 755 "$root/init"
xen_dom0_pack "$root" "$out"
