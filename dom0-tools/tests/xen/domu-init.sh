#!/bin/busybox sh
# /init of the test domU: says it is alive on its console (hvc0), then waits
# to be shut down (control/shutdown makes Linux run /sbin/poweroff, which
# signals init with SIGUSR2) or destroyed.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
trap 'echo "TL-DOMU-POWEROFF"; poweroff -f' USR2 TERM
trap 'echo "TL-DOMU-REBOOT"; reboot -f' INT
echo "TL-DOMU-ALIVE uptime=$(cut -d' ' -f1 /proc/uptime) hv=$(cat /sys/hypervisor/type 2>/dev/null) mem=$(sed -n 's/MemTotal: *//p' /proc/meminfo) cpus=$(grep -c ^processor /proc/cpuinfo)"
while :; do sleep 1; done
