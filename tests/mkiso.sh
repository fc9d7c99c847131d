#!/bin/sh
# Wrap the hypervisor image in a GRUB ISO that boots it by multiboot2,
# with the serial line as GRUB's terminal. Each MODULE argument ("FILE
# [ARGS...]", one argument) becomes a multiboot2 module whose command line
# is ARGS (multiboot2 names no file), in order; the first is the control domain.
#   mkiso.sh IMAGE ISO "COMMAND LINE" [MODULE...]
set -eu
image=${1:?usage: mkiso.sh IMAGE ISO CMDLINE [MODULE...]}
iso=${2:?usage: mkiso.sh IMAGE ISO CMDLINE [MODULE...]}
cmdline=${3:-}
shift 3 || shift $#
# Without modules the ISO is rebuilt only when the image or this script is newer.
[ $# -eq 0 ] && [ "$iso" -nt "$image" ] && [ "$iso" -nt "$0" ] && exit 0
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/boot/grub" "$(dirname "$iso")"
cp "$image" "$root/boot/tessera"
modules=""
n=0
for m in "$@"; do
    set -f; set -- $m; set +f
    file=$1; shift
    n=$((n + 1))
    # Numbered copies: two modules may be the same file with different arguments.
    cp "$file" "$root/boot/module$n"
    modules="$modules
    module2 /boot/module$n $*"
done
cat > "$root/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
menuentry "Tessera" {
    multiboot2 /boot/tessera $cmdline$modules
    boot
}
CFG
grub-mkrescue -o "$iso" "$root" >/dev/null 2>&1 || {
    echo "mkiso.sh: grub-mkrescue failed (packages grub-pc-bin, xorriso, mtools)" >&2
    exit 1
}
