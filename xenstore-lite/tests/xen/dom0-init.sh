#!/bin/busybox sh
# /init of the dom0 (mkdom0.sh) on real Xen 4.17: our daemons serve Debian's
# toolstack, and xl creates and removes real domUs.
#
# Checks, each printing "CHECK PASS|FAIL name": dom0's own xenstore ring
# (the kernel's xenbus comes up on it), a domU's ring (it reads its name
# and writes a node, which dom0 reads back), the kernel's own nodes
# (control/feature-poweroff), the console (output logged, console/tty
# written, a line typed into the pty echoed back), a console flood that
# does not stall the daemons, xl shutdown noticed through VIRQ_DOM_EXC
# (@releaseDomain lets xl's monitor destroy it), and a second domain after
# the first is gone, removed by xl destroy. Ends with "Test result: X".
export PATH=/bin:/usr/sbin:/usr/lib/xen-4.17/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm

failed=0
check() { # check NAME COMMAND...
    name=$1; shift
    if "$@"; then echo "CHECK PASS $name"; else echo "CHECK FAIL $name"; failed=1; fi
}
finish() {
    echo "--- xenstored-lite log"; tail -n 40 /var/log/tessera/xenstored.log
    [ -f /var/log/tessera/consoled.log ] && { echo "--- consoled log"; tail -n 40 /var/log/tessera/consoled.log; }
    timeout 20 xl list
    [ $failed = 0 ] && echo "Test result: SUCCESS" || echo "Test result: FAILURE"
    poweroff -f
    sleep 10
}
uptime_s() { cut -d' ' -f1 /proc/uptime; }
# Deadlines in whole seconds of uptime: under TCG a command can take seconds.
deadline() { echo $(( $(cut -d. -f1 /proc/uptime) + $1 )); }
before() { [ "$(cut -d. -f1 /proc/uptime)" -lt "$1" ]; }
# wait_for FILE REGEX SECONDS: until a line of FILE matches.
wait_for() {
    end=$(deadline "$3")
    while before "$end"; do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.2
    done
    echo "waited $3 s for '$2' in $1"; return 1
}

for m in xen-evtchn xen-privcmd xen-gntdev xen-gntalloc xenfs; do modprobe $m || echo "modprobe $m failed"; done
mount -t xenfs xenfs /proc/xen || { failed=1; finish; }

xenstored-lite -v -p /run/xenstored.pid 2>/var/log/tessera/xenstored.log &
i=0
while [ ! -S /run/xenstored/socket ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check xenstored-socket test -S /run/xenstored/socket
check xen-init-dom0 xen-init-dom0
# The kernel's xenbus talks on dom0's own ring: its device directory appears.
check dom0-ring-kernel-xenbus wait_for /var/log/tessera/xenstored.log "dom0: ring connected" 5

if [ -x /usr/sbin/tessera-consoled ]; then
    tessera-consoled -v 2>/var/log/tessera/consoled.log &
    logname() { echo "/var/log/tessera/console/$1.log"; }
else
    xenconsoled --log=guest --log-dir=/var/log/xen/console
    logname() { echo "/var/log/xen/console/guest-$1.log"; }
fi

cat > /tmp/domu.cfg <<CFG
name = "domu1"
type = "pv"
kernel = "/guest/vmlinuz"
ramdisk = "/guest/initrd.gz"
extra = "console=hvc0 quiet"
memory = 96
vcpus = 1
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
CFG
echo "dom0: xl create domu1 at $(uptime_s)"
check xl-create xl create /tmp/domu.cfg
id=$(xl domid domu1)
log=$(logname domu1)
check domu-console-output wait_for "$log" DOMU-UP 240
check domu-xenstore-read wait_for "$log" "DOMU-XENSTORE name=domu1" 60
check domu-xenstore-write wait_for "$log" "DOMU-XENSTORE-WRITE ok" 30
check dom0-reads-domu-node test "$(xenstore-read /local/domain/$id/data/greeting)" = "hello from domu1"
check domu-kernel-nodes test "$(xenstore-read /local/domain/$id/control/feature-poweroff)" = 1
tty=$(xenstore-read /local/domain/$id/console/tty)
check console-tty test -c "$tty"
echo "ping-$id" > "$tty"
check console-input wait_for "$log" "DOMU-ECHO ping-$id" 30
echo "flood 256" > "$tty"
check console-flood wait_for "$log" "DOMU-FLOOD-DONE 256" 120
check xenstore-after-flood test "$(xenstore-read /local/domain/$id/name)" = domu1
echo "after-flood" > "$tty"
check console-after-flood wait_for "$log" "DOMU-ECHO after-flood" 30

echo "dom0: xl shutdown domu1 at $(uptime_s)"
check xl-shutdown timeout 120 xl shutdown -w domu1
timeout 20 xl list
echo "--- domu1 console tail"; tail -n 5 "$log"
echo "--- xenstored-lite log tail"; tail -n 15 /var/log/tessera/xenstored.log
# xl's monitor (forked by xl create) destroys it on @releaseDomain.
gone() {
    end=$(deadline 60)
    while timeout 20 xl domid "$1" >/dev/null 2>&1; do before "$end" || return 1; sleep 0.5; done
}
check domu-gone gone domu1
check xenstore-released wait_for /var/log/tessera/xenstored.log "domain $id is gone" 30

echo "dom0: second domain at $(uptime_s)"
sed -i 's/domu1/domu2/' /tmp/domu.cfg
check xl-create-2 xl create /tmp/domu.cfg
id2=$(xl domid domu2)
log2=$(logname domu2)
check domu2-xenstore-read wait_for "$log2" "DOMU-XENSTORE name=domu2" 240
tty2=$(xenstore-read /local/domain/$id2/console/tty)
echo "ping-$id2" > "$tty2"
check domu2-console-input wait_for "$log2" "DOMU-ECHO ping-$id2" 30
check xl-destroy timeout 60 xl destroy domu2
check domu2-released wait_for /var/log/tessera/xenstored.log "domain $id2 is gone" 30
check xenstored-alive test "$(xenstore-read /local/domain/0/name)" = Domain-0
finish
