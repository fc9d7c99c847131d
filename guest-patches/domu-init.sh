#!/bin/busybox sh
# /init of the example domU (guest-patches/mkdom0-image.sh puts it in dom0's
# /etc/tessera/examples/): prints a marker line the tests look for and gives
# a shell on the domain's console, hvc0. `exit` or `poweroff` ends the domain.
export PATH=/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
hostname tessera-domu
echo "TESSERA-DOMU-INIT uptime=$(cut -d' ' -f1 /proc/uptime) kernel=$(uname -r)" \
     "cpus=$(grep -c ^processor /proc/cpuinfo) mem_kb=$(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo)"
echo "a busybox shell in a Tessera domU; 'exit' powers it off"
# tl shutdown / reboot make Linux run /sbin/poweroff or /sbin/reboot, and
# busybox's signal init (us) with USR2 (poweroff), USR1 (halt) or TERM
# (reboot). The shell runs in the background so that `wait` lets the traps
# run at once; a shell in the foreground would hold them until it exits.
trap 'poweroff -f' USR1 USR2
trap 'reboot -f' TERM
setsid cttyhack sh -l &
wait $!
poweroff -f
sleep 10
