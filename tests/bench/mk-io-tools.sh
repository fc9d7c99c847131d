#!/bin/sh
# Builds the tools disk of the block and network benchmark (io_bench.py):
# an ext4 image (mke2fs -d, no mounts) holding /run.sh (io/run.sh, what
# the domU runs), /lib.sh (io/lib.sh, the measuring functions both sides use), /bin/randio (built static here) and Debian's iperf3 with
# the libraries it loads and their loader in /lib, so that neither the
# domU's busybox image nor dom0's needs them. dom0 mounts it too, for its
# own iperf3 server and the native runs.
#
# usage: mk-io-tools.sh OUT.img
set -eu
out=$1
here=$(cd "$(dirname "$0")" && pwd)
iperf=$(command -v iperf3) || { echo "mk-io-tools: iperf3 is not installed" >&2; exit 1; }
root=$(mktemp -d "${TMPDIR:-/tmp}/tessera-io-tools.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/lib"
${CC:-gcc} -O2 -static -std=gnu11 -Wall -Wextra -Werror -o "$root/bin/randio" "$here/randio.c"
cp "$iperf" "$root/bin/iperf3"
# Every library ldd names with a path, the loader included.
ldd "$iperf" | awk '/=> \// { print $3 } /^[[:space:]]*\/[^ ]*ld-linux/ { print $1 }' |
while read -r lib; do cp -L "$lib" "$root/lib/"; done
[ -f "$root/lib/ld-linux-x86-64.so.2" ] || { echo "mk-io-tools: no loader found for $iperf" >&2; exit 1; }
cp "$here/io/run.sh" "$root/run.sh"
cp "$here/io/lib.sh" "$root/lib.sh"
/usr/sbin/mke2fs -q -t ext4 -d "$root" "$out.tmp" 24M >/dev/null
mv "$out.tmp" "$out"
echo "$out: $(du -k "$out" | cut -f1) KiB"
