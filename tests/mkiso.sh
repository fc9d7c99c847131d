#!/bin/sh
# Wrap the hypervisor image in a GRUB ISO that boots it by multiboot2,
# with the serial line as GRUB's terminal.
#   mkiso.sh IMAGE ISO "COMMAND LINE"
set -eu
image=${1:?usage: mkiso.sh IMAGE ISO CMDLINE}
iso=${2:?usage: mkiso.sh IMAGE ISO CMDLINE}
cmdline=${3:-}
[ "$iso" -nt "$image" ] && [ "$iso" -nt "$0" ] && exit 0
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/boot/grub" "$(dirname "$iso")"
cp "$image" "$root/boot/tessera"
cat > "$root/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
menuentry "Tessera" {
    multiboot2 /boot/tessera $cmdline
    boot
}
CFG
grub-mkrescue -o "$iso" "$root" >/dev/null 2>&1 || {
    echo "mkiso.sh: grub-mkrescue failed (packages grub-pc-bin, xorriso, mtools)" >&2
    exit 1
}
