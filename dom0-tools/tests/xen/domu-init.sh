#!/bin/busybox sh
# /init of the test domU: says it is alive on its console (hvc0), echoes the
# lines typed there, and waits to be shut down (control/shutdown makes Linux run /sbin/poweroff or
# /sbin/reboot, which signal init) or destroyed.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
# busybox's poweroff, halt and reboot signal init with USR2, USR1 and TERM.
trap 'echo "TL-DOMU-POWEROFF"; poweroff -f' USR2 USR1
trap 'echo "TL-DOMU-REBOOT"; reboot -f' TERM
echo "TL-DOMU-ALIVE uptime=$(cut -d' ' -f1 /proc/uptime) hv=$(cat /sys/hypervisor/type 2>/dev/null) mem=$(sed -n 's/MemTotal: *//p' /proc/meminfo) cpus=$(grep -c ^processor /proc/cpuinfo)"
# Echoes what is typed on its console, so the tests can check both directions.
while :; do
    if read -t 1 line; then echo "TL-ECHO $line"; fi
done
