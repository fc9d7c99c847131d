#!/bin/sh
# Builds the Linux dom0 initramfs that runs PV test kernels as domUs on real
# Xen: busybox, the Xen toolstack from Debian's xen-utils-4.17 (xl,
# xenstored, xenconsoled, xen-init-dom0 and their libraries), the kernel
# modules the toolstack needs (all three from tests/lib/xen-dom0.sh), our
# /init (dom0-init.sh) and every test kernel in /tests.
#
# usage: mkdom0.sh OUT.cpio.gz KERNEL_VERSION TEST_ELF...
set -eu
out=$1 kver=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../lib/xen-dom0.sh"
root=$(mktemp -d "${TMPDIR:-/tmp}/tessera-dom0.XXXXXX")
trap 'rm -rf "$root"' EXIT

xen_dom0_busybox "$root"
xen_dom0_toolstack "$root"
xen_dom0_modules "$root" "$kver"
cp "$here/dom0-init.sh" "$root/init"
chmod 755 "$root/init"
mkdir -p "$root/tests"
for elf in "$@"; do cp "$elf" "$root/tests/"; done
xen_dom0_pack "$root" "$out"
