#!/bin/sh
# Builds the smallest initramfs that proves a Linux kernel came all the way
# up: busybox, and an /init that mounts /proc and /sys, prints one line
# ("TESSERA-LINUX-INIT uptime=... hypervisor=... kernel=... cpus=... evtchn=fifo|2-level") and
# powers the machine off. The boot tests look for that line. With
# "tessera.shell" on the kernel command line it gives a shell on the
# console instead, and powers off when that shell exits (make run-linux).
#
# usage: mkinitramfs-probe.sh OUT.cpio.gz
set -eu
out=$1
[ -x /bin/busybox ] || { echo "mkinitramfs-probe: /bin/busybox missing (Debian package busybox)" >&2; exit 1; }
root=$(mktemp -d "${TMPDIR:-/tmp}/tessera-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
cp /bin/busybox "$root/bin/busybox"
for applet in sh mount cat cut uname poweroff grep ls ps dmesg free uptime echo; do
    ln -s busybox "$root/bin/$applet"
done
cat > "$root/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
hv=$(cat /sys/hypervisor/type 2>/dev/null || echo none)
cpus=$(grep -c ^processor /proc/cpuinfo)
# Which event-channel ABI Linux chose (it says so only when FIFO's init_control worked).
evtchn=$(dmesg | grep -q 'Using FIFO-based ABI' && echo fifo || echo 2-level)
echo "TESSERA-LINUX-INIT uptime=$(cut -d' ' -f1 /proc/uptime) hypervisor=$hv kernel=$(uname -r) cpus=$cpus evtchn=$evtchn"
# CPU features Linux took up (a flag in /proc/cpuinfo is one it uses): how many CPUs.
echo "TESSERA-LINUX-CPU fsgsbase=$(grep -c -w fsgsbase /proc/cpuinfo) xsave=$(grep -c -w xsave /proc/cpuinfo)"
if grep -q tessera.shell /proc/cmdline; then
    echo "a busybox shell on Tessera's dom0; 'exit' powers off"
    sh
fi
poweroff -f
INIT
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -9 > "$out"
echo "$out: $(wc -c < "$out") bytes"
