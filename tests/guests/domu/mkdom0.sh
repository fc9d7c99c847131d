#!/bin/sh
# Builds the Linux dom0 initramfs that runs PV test kernels as domUs on real
# Xen: busybox, the Xen toolstack from Debian's xen-utils-4.17 (xl,
# xenstored, xenconsoled and their libraries), the kernel modules the
# toolstack needs, our /init (dom0-init.sh) and every test kernel in /tests.
#
# usage: mkdom0.sh OUT.cpio.gz KERNEL_VERSION TEST_ELF...
set -eu
out=$1 kver=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d "${TMPDIR:-/tmp}/tessera-dom0.XXXXXX")
trap 'rm -rf "$root"' EXIT

xenbin=/usr/lib/xen-4.17/bin
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/run/xen" \
    "$root/run/xenstored" "$root/var/lib/xen" "$root/var/lib/xenstored" "$root/var/log/xen/console" \
    "$root/etc/xen" "$root/tests" "$root/lib/modules/$kver" "$root$xenbin"
ln -s ../run "$root/var/run"

cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done

# The toolstack and every shared library it loads (plus the loader).
tools="$xenbin/xl $xenbin/xenstored $xenbin/xenconsoled $xenbin/xen-init-dom0"
for t in $tools; do cp "$t" "$root$t"; done
for lib in $(ldd $tools | awk '/=>/ { print $3 } /^\t\/lib64/ { print $1 }' | sort -u) \
           /lib64/ld-linux-x86-64.so.2 /lib/x86_64-linux-gnu/libgcc_s.so.1; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done
[ -f /etc/xen/xl.conf ] && cp /etc/xen/xl.conf "$root/etc/xen/"

# Kernel modules the toolstack needs, with their dependencies.
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

cp "$here/dom0-init.sh" "$root/init"
chmod 755 "$root/init"
for elf in "$@"; do cp "$elf" "$root/tests/"; done

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) > "$out"
