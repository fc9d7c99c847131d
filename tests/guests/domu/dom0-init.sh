#!/bin/busybox sh
# /init of the dom0 that starts PV test kernels as domUs on real Xen.
# Kernel command line: guests=NAME[+NAME...] (kernels /tests/NAME.elf; the
# domains are called NAME-1, NAME-2... in creation order), guest_args="..."
# (their command line), guest_mem=MiB, guest_wait=seconds.
# Each domU's console is logged by xenconsoled; when all have printed their
# verdict (or the wait ends), the logs are shown with "Test result" renamed
# and one combined "Test result: WORST" line is printed last.
export PATH=/bin:/usr/lib/xen-4.17/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm

guests="" args="" mem=32 wait_s=150
for word in $(cat /proc/cmdline); do
    case $word in
    guests=*) guests=$(echo "${word#guests=}" | tr ',+' '  ') ;;
    guest_mem=*) mem=${word#guest_mem=} ;;
    guest_wait=*) wait_s=${word#guest_wait=} ;;
    esac
done
args=$(sed -n 's/.*guest_args="\([^"]*\)".*/\1/p' /proc/cmdline)

finish() {
    echo "dom0: $1"
    echo "Test result: $2"
    poweroff -f
    sleep 10
}

for m in xen-evtchn xen-privcmd xen-gntdev xen-gntalloc xenfs; do modprobe $m; done
mount -t xenfs xenfs /proc/xen || finish "no xenfs" ERROR
xenstored --pid-file=/run/xenstored.pid || finish "xenstored failed" ERROR
i=0
while [ ! -S /run/xenstored/socket ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
xen-init-dom0 >/dev/null 2>&1 || finish "xen-init-dom0 failed" ERROR
xenconsoled --log=guest --log-dir=/var/log/xen/console || finish "xenconsoled failed" ERROR

n=0
domains=""
for k in $guests; do
    [ -f /tests/$k.elf ] || finish "no test kernel $k" ERROR
    n=$((n + 1))
    g=$k-$n
    domains="$domains $g"
    cat > /tmp/$g.cfg <<CFG
name = "$g"
type = "pv"
kernel = "/tests/$k.elf"
cmdline = "$args"
memory = $mem
vcpus = 2
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
CFG
    echo "dom0: xl create $g"
    if ! xl create /tmp/$g.cfg >/tmp/$g.xl.log 2>&1; then
        # Debian's xl 4.17 has been seen to abort in malloc while parsing a
        # config under load: say so, make sure nothing is left, try once more.
        cat /tmp/$g.xl.log
        echo "dom0: xl create $g failed once; retrying"
        xl destroy "$g" >/dev/null 2>&1
        xl create /tmp/$g.cfg >/tmp/$g.xl.log 2>&1 || { cat /tmp/$g.xl.log; finish "xl create $g failed" ERROR; }
    fi
done

# Wait until every guest has printed a verdict, or the time is up.
deadline=$(( $(cut -d. -f1 /proc/uptime) + wait_s ))
while [ "$(cut -d. -f1 /proc/uptime)" -lt $deadline ]; do
    done_all=yes
    for g in $domains; do
        grep -q "Test result:" /var/log/xen/console/guest-$g.log 2>/dev/null || done_all=no
    done
    [ $done_all = yes ] && break
    sleep 0.2
done
sleep 0.5

worst=SUCCESS
rank() { case $1 in SUCCESS) echo 0 ;; SKIP) echo 1 ;; ERROR) echo 2 ;; *) echo 3 ;; esac; }
for g in $domains; do
    log=/var/log/xen/console/guest-$g.log
    sed "s/^/($g) /; s/Test result:/domU result:/" $log 2>/dev/null
    r=$(sed -n 's/.*Test result: \([A-Z]*\).*/\1/p' $log 2>/dev/null | tail -1)
    [ -n "$r" ] || { echo "($g) no verdict"; r=ERROR; }
    [ "$(rank $r)" -gt "$(rank $worst)" ] && worst=$r
done
xl list
finish "all guests done" $worst
