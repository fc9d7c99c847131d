#!/bin/sh
# Builds a Linux dom0 initramfs for real Xen 4.17 in which our daemons
# replace Debian's: xenstored-lite instead of xenstored, tessera-consoled
# (when given) instead of xenconsoled, next to Debian's xl and xen-init-dom0.
# It carries a domU too: Debian's kernel with a busybox initramfs whose
# /init (domu-init.sh) talks to xenstore through our tool and echoes its
# console input.
#
# usage: mkdom0.sh OUT.cpio.gz KERNEL_VERSION XENSTORED XENSTORE_TOOL [CONSOLED]
set -eu
out=$1 kver=$2 xsd=$3 xstool=$4 consoled=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/xsd-xen-dom0.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/dom0 guest=$work/domu
xenbin=/usr/lib/xen-4.17/bin

# copy_with_libs ROOT FILE... : the programs and every library they load.
copy_with_libs() {
    r=$1; shift
    for f in "$@"; do mkdir -p "$r$(dirname "$f")"; cp "$f" "$r$f"; done
    for lib in $(ldd "$@" 2>/dev/null | awk '/=>/ { print $3 } /^\t\/lib64/ { print $1 }' | sort -u) \
               /lib64/ld-linux-x86-64.so.2 /lib/x86_64-linux-gnu/libgcc_s.so.1; do
        mkdir -p "$r$(dirname "$lib")"
        cp -L "$lib" "$r$lib"
    done
}

busybox_root() {
    r=$1
    mkdir -p "$r/bin" "$r/sbin" "$r/usr/sbin" "$r/dev" "$r/proc" "$r/sys" "$r/tmp" "$r/run"
    cp /bin/busybox "$r/bin/busybox"
    for applet in $(/bin/busybox --list); do
        [ -e "$r/bin/$applet" ] || ln -s busybox "$r/bin/$applet"
    done
}

# ---- the domU: busybox, our xenstore tool (over /dev/xen/xenbus), its /init
busybox_root "$guest"
copy_with_libs "$guest" "$xstool"
for n in read write ls exists; do ln -s "$xstool" "$guest/bin/xenstore-$n"; done
# The kernel runs /sbin/poweroff when the toolstack asks for a shutdown;
# our /init is no real init to signal, so power off at once.
printf '#!/bin/sh\necho DOMU-POWEROFF > /dev/console\nexec /bin/busybox poweroff -f\n' > "$guest/sbin/poweroff"
chmod 755 "$guest/sbin/poweroff"
cp "$here/domu-init.sh" "$guest/init"
chmod 755 "$guest/init"
(cd "$guest" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) > "$work/domu.cpio.gz"

# ---- dom0
busybox_root "$root"
mkdir -p "$root/run/xen" "$root/run/xenstored" "$root/var/lib/xen" "$root/var/log/xen/console" \
    "$root/var/log/tessera/console" "$root/etc/xen" "$root/guest" "$root/lib/modules/$kver"
ln -s ../run "$root/var/run"
copy_with_libs "$root" $xenbin/xl $xenbin/xen-init-dom0 $xenbin/xenconsoled "$xsd" "$xstool" ${consoled:+"$consoled"}
cp "$xsd" "$root/usr/sbin/xenstored-lite"
[ -z "$consoled" ] || cp "$consoled" "$root/usr/sbin/tessera-consoled"
cp "$xstool" "$root/bin/xenstore-lite"
for n in read write ls list rm exists watch; do ln -s xenstore-lite "$root/bin/xenstore-$n"; done
[ -f /etc/xen/xl.conf ] && cp /etc/xen/xl.conf "$root/etc/xen/"
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
cp /boot/vmlinuz-"$kver" "$root/guest/vmlinuz"
cp "$work/domu.cpio.gz" "$root/guest/initrd.gz"
cp "$here/dom0-init.sh" "$root/init"
chmod 755 "$root/init"
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) > "$out"
