#!/bin/busybox sh
# /init of the dom0 that make bench boots on real Xen 4.17 (mk-xen-dom0.sh):
# Debian's Linux with Debian's xenstored, xen-init-dom0 and xenconsoled
# (guest console logs in /var/log/xen/console/guest-NAME.log), as a Xen
# host starts them. Then, as Tessera's dom0 /init does, it runs
# /etc/tessera/dom0-cmd, prints TESSERA-DOM0-CMD-EXIT N and powers off.
# Its first line is the same as the first line of Tessera's dom0 /init:
# the benchmark times QEMU's start to that line on both.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/xen-4.17/bin
mount -t proc proc /proc
echo "dom0: /init started, uptime $(cut -d' ' -f1 /proc/uptime)"
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm

say() { echo "dom0: $*"; }
for m in xen-evtchn xen-privcmd xen-gntdev xen-gntalloc xenfs; do
    modprobe "$m" || say "module $m not loaded"
done
mount -t xenfs xenfs /proc/xen || say "xenfs not mounted"
xenstored --pid-file=/run/xenstored.pid || say "xenstored failed"
i=0
while [ ! -S /run/xenstored/socket ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
xen-init-dom0 >/var/log/xen/xen-init-dom0.log 2>&1 || say "xen-init-dom0 failed"
xenconsoled --pid-file=/run/xen/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console ||
    say "xenconsoled failed"
say "xenstored, xen-init-dom0 and xenconsoled started"

status=125
if [ -f /etc/tessera/dom0-cmd ]; then
    sh /etc/tessera/dom0-cmd </dev/null
    status=$?
fi
echo "TESSERA-DOM0-CMD-EXIT $status"
poweroff -f
sleep 10
