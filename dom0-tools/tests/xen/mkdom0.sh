#!/bin/sh
# Builds the initramfs of a Linux dom0 that drives domains with tl on real
# Xen 4.17: busybox, Debian's xenstored and xenconsoled (the references tl
# must satisfy: xenconsoled finds a domU's console through the entries tl
# writes), xen-init-dom0, xl and xenstore-ls (to compare with), the kernel
# modules for /dev/xen, tl itself, and a domU: Debian's kernel (the xz
# bzImage, which tl decompresses) with a busybox initramfs (domu-init.sh).
#
# usage: [TL_SAN=ASAN_TL] [TL_XSD=XENSTORED_LITE TL_CONSOLED=TESSERA_CONSOLED] \
#        mkdom0.sh OUT.cpio.gz KERNEL_VERSION TL_BINARY
set -eu
out=$1 kver=$2 tl=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d "${TMPDIR:-/tmp}/tl-xen-dom0.XXXXXX")
trap 'rm -rf "$root"' EXIT

copy_with_libs() { # copy_with_libs FILE...: each file and every library it loads
    for f in "$@"; do
        mkdir -p "$root$(dirname "$f")"
        cp "$f" "$root$f"
    done
    for lib in $(ldd "$@" 2>/dev/null | awk '/=>/ { print $3 } /^\t\/lib64/ { print $1 }' | sort -u); do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
}

busybox_root() { # busybox_root DIR
    mkdir -p "$1/bin" "$1/sbin" "$1/dev" "$1/proc" "$1/sys" "$1/tmp"
    cp /bin/busybox "$1/bin/busybox"
    for applet in $(/bin/busybox --list); do
        [ -e "$1/bin/$applet" ] || ln -s busybox "$1/bin/$applet"
    done
    # Linux runs /sbin/poweroff when the toolstack asks a guest to power off.
    for applet in poweroff reboot halt; do ln -s ../bin/busybox "$1/sbin/$applet"; done
}

xenbin=/usr/lib/xen-4.17/bin
busybox_root "$root"
mkdir -p "$root/run/xen" "$root/run/xenstored" "$root/var/lib/xen" "$root/var/lib/xenstored" \
    "$root/var/log/xen/console" "$root/etc/xen" "$root/guest" "$root/lib/modules/$kver" \
    "$root/usr/sbin" "$root/lib/x86_64-linux-gnu" "$root/lib64"
ln -s ../run "$root/var/run"
copy_with_libs $xenbin/xl $xenbin/xenstored $xenbin/xenconsoled $xenbin/xen-init-dom0 \
    /usr/bin/xenstore-ls /usr/bin/xenstore-read /usr/bin/xenstore-write
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$root/lib/x86_64-linux-gnu/"
[ -f /etc/xen/xl.conf ] && cp /etc/xen/xl.conf "$root/etc/xen/"
copy_with_libs "$(readlink -f "$tl")"
cp "$tl" "$root/usr/sbin/tl"
# Tessera's dom0 daemons instead of Debian's, when given (the Tessera stack on Xen).
if [ -n "${TL_XSD:-}" ]; then
    copy_with_libs "$(readlink -f "$TL_XSD")" "$(readlink -f "$TL_CONSOLED")"
    cp "$TL_XSD" "$root/usr/sbin/xenstored-lite"
    cp "$TL_CONSOLED" "$root/usr/sbin/tessera-consoled"
    mkdir -p "$root/var/log/tessera/console"
fi
# The ASan/UBSan build beside it, for the read-only commands run repeatedly.
if [ -n "${TL_SAN:-}" ]; then
    copy_with_libs "$(readlink -f "$TL_SAN")"
    cp "$TL_SAN" "$root/usr/sbin/tl-san"
fi

for m in xen-evtchn xen-privcmd xen-gntdev xen-gntalloc xenfs; do
    modprobe -S "$kver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }' |
    while read -r ko; do
        mkdir -p "$root$(dirname "$ko")"
        cp "$ko" "$root$ko"
    done
done
cp /lib/modules/"$kver"/modules.order /lib/modules/"$kver"/modules.builtin \
    /lib/modules/"$kver"/modules.builtin.modinfo "$root/lib/modules/$kver/"
depmod -b "$root" "$kver"

# The domU: Debian's kernel as it is installed, and a busybox initramfs.
cp /boot/vmlinuz-"$kver" "$root/guest/vmlinuz"
domu=$(mktemp -d "${TMPDIR:-/tmp}/tl-xen-domu.XXXXXX")
busybox_root "$domu"
cp "$here/domu-init.sh" "$domu/init"
chmod 755 "$domu/init"
(cd "$domu" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) > "$root/guest/initrd.gz"
rm -rf "$domu"

cp "$here/dom0-init.sh" "$root/init"
chmod 755 "$root/init"
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) > "$out"
