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

. "$here/../../../tests/lib/xen-dom0.sh"

# ---- the domU: busybox, our xenstore tool (over /dev/xen/xenbus), its /init
xen_dom0_busybox "$guest"
xen_dom0_copy "$guest" "$xstool"
for n in read write ls exists; do ln -s "$xstool" "$guest/bin/xenstore-$n"; done
# The kernel runs /sbin/poweroff when the toolstack asks for a shutdown;
# our /init is no real init to signal, so power off at once.
printf '#!/bin/sh\necho DOMU-POWEROFF > /dev/console\nexec /bin/busybox poweroff -f\n' > "$guest/sbin/poweroff"
chmod 755 "$guest/sbin/poweroff"
cp "$here/domu-init.sh" "$guest/init"
chmod 755 "$guest/init"
xen_dom0_pack "$guest" "$work/domu.cpio.gz"

# ---- dom0
xen_dom0_busybox "$root"
xen_dom0_toolstack "$root" xl xen-init-dom0 xenconsoled
mkdir -p "$root/var/log/tessera/console" "$root/guest"
xen_dom0_copy "$root" "$xsd" "$xstool" ${consoled:+"$consoled"}
cp "$xsd" "$root/usr/sbin/xenstored-lite"
[ -z "$consoled" ] || cp "$consoled" "$root/usr/sbin/tessera-consoled"
cp "$xstool" "$root/bin/xenstore-lite"
for n in read write ls list rm exists watch; do ln -s xenstore-lite "$root/bin/xenstore-$n"; done
xen_dom0_modules "$root" "$kver"
cp /boot/vmlinuz-"$kver" "$root/guest/vmlinuz"
cp "$work/domu.cpio.gz" "$root/guest/initrd.gz"
cp "$here/dom0-init.sh" "$root/init"
chmod 755 "$root/init"
xen_dom0_pack "$root" "$out"
