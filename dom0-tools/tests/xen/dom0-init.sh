#!/bin/busybox sh
# /init of the dom0 that runs tl against real Xen 4.17 (mkdom0.sh). Starts
# Debian's xenstored, xen-init-dom0 and xenconsoled as a Xen host would,
# then drives a domU with tl only and checks each step against Xen's own
# view (xl list, xenstore-ls, the console log xenconsoled writes). Prints
# "TL-CHECK PASS|FAIL name" per step and "Test result: SUCCESS|FAILURE".
export PATH=/bin:/usr/sbin:/usr/bin:/usr/lib/xen-4.17/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm

failed=0
check() { # check NAME COMMAND...: PASS if the command succeeds
    name=$1; shift
    if "$@" >/tmp/check.out 2>&1; then
        echo "TL-CHECK PASS $name"
    else
        echo "TL-CHECK FAIL $name"; sed 's/^/    /' /tmp/check.out | tail -20
        failed=$((failed + 1))
    fi
}
finish() {
    [ $failed -eq 0 ] && r=SUCCESS || r=FAILURE
    echo "dom0: $failed failed checks"
    echo "Test result: $r"
    poweroff -f; sleep 10
}
up() { cut -d' ' -f1 /proc/uptime; }
wait_log() { # wait_log FILE REGEX SECONDS
    i=0
    while [ $i -lt $(($3 * 5)) ]; do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.2; i=$((i + 1))
        [ $((i % 50)) -eq 0 ] && echo "dom0: waiting for $2 ($((i / 5)) s): $(xl list | tail -n +2 | tr -s ' ' | tr '\n' ';')" >/dev/console
    done
    echo "no '$2' in $1 after $3 s"; xl list -v; tail -40 "$1" 2>/dev/null; return 1
}
absent() { ! "$@"; }

for m in xen-evtchn xen-privcmd xen-gntdev xen-gntalloc xenfs; do modprobe $m; done
mount -t xenfs xenfs /proc/xen
xenstored --pid-file=/run/xenstored.pid
i=0; while [ ! -S /run/xenstored/socket ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
xen-init-dom0 >/dev/null 2>&1
xenconsoled --log=guest --log-dir=/var/log/xen/console

cat > /tmp/domu.cfg <<CFG
name = "tldomu"
type = "pv"
kernel = "/guest/vmlinuz"
ramdisk = "/guest/initrd.gz"
extra = "console=hvc0 earlyprintk=xen"
memory = 128
vcpus = 2
on_poweroff = "destroy"
on_reboot = "restart"
on_crash = "destroy"
CFG

echo "dom0: tl on Xen 4.17, uptime $(up)"
check list-dom0 sh -c 'tl list | tee /tmp/tl.list && grep -q "^Domain-0  *0 " /tmp/tl.list'
check list-header-as-xl sh -c '[ "$(tl list | head -1)" = "$(xl list | head -1)" ]'

echo "dom0: tl create at $(up)"
check create tl create /tmp/domu.cfg
check domu-boots wait_log /var/log/xen/console/guest-tldomu.log TL-DOMU-ALIVE 300
echo "dom0: domU alive at $(up)"
grep TL-DOMU-ALIVE /var/log/xen/console/guest-tldomu.log
check domu-sees-2-cpus-128m grep -q "TL-DOMU-ALIVE.*cpus=2" /var/log/xen/console/guest-tldomu.log
# Name, id, memory and vCPUs as xl reports them (state and time move).
check list-as-xl sh -c 'tl list tldomu | awk "NR==2{print \$1,\$2,\$3,\$4}" > /tmp/a;
    xl list tldomu | awk "NR==2{print \$1,\$2,\$3,\$4}" > /tmp/b; cat /tmp/a /tmp/b; cmp /tmp/a /tmp/b'
check list-long sh -c 'tl list -l tldomu | grep -q "\"name\": \"tldomu\""'
check domid sh -c '[ "$(tl domid tldomu)" = "$(xl domid tldomu)" ]'
check domname sh -c '[ "$(tl domname $(xl domid tldomu))" = tldomu ]'
check console-tty-by-xenconsoled sh -c 'xenstore-read /local/domain/$(xl domid tldomu)/console/tty | grep -q /dev/pts/'
check pause sh -c 'tl pause tldomu && xl list tldomu | awk "NR==2{print \$5}" | grep -q p'
check unpause sh -c 'tl unpause tldomu && ! xl list tldomu | awk "NR==2{print \$5}" | grep -q p'
check rename sh -c 'tl rename tldomu tlrenamed && xl list tlrenamed && tl rename tlrenamed tldomu'
xenstore-ls -fp /local/domain/$(xl domid tldomu) > /tmp/xs.txt 2>&1
sed 's/^/    xs: /' /tmp/xs.txt
id=$(xl domid tldomu)
check destroy tl destroy tldomu
check destroyed-gone sh -c '! xl list tldomu'
check destroyed-xenstore-clean absent xenstore-read /local/domain/$id/name
check destroyed-vm-clean sh -c '[ -z "$(xenstore-ls /vm 2>/dev/null)" ]'

# A create that fails half way (the kernel and ramdisk do not fit) leaves nothing.
before=$(xl list | wc -l)
check too-small-refused absent tl create /tmp/domu.cfg memory=8 name='"tlfail"'
check failed-create-fails absent tl create /tmp/domu.cfg memory=2000 name='"tlfail"'
check failed-create-no-domain sh -c '[ "$(xl list | wc -l)" = '"$before"' ]'
check failed-create-no-xenstore sh -c '! xenstore-ls /local/domain | grep -q tlfail'

xl list
finish
