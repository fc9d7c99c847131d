#!/bin/busybox sh
# /init of the dom0 that runs tl against real Xen 4.17 (mkdom0.sh). Starts
# Debian's xenstored, xen-init-dom0 and xenconsoled as a Xen host would
# (or Tessera's xenstored-lite and tessera-consoled when the image has them),
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
wait_cmd() { # wait_cmd SECONDS COMMAND...: until the command succeeds
    t=$1; shift; i=0
    while [ $i -lt $((t * 2)) ]; do "$@" && return 0; sleep 0.5; i=$((i + 1)); done
    "$@"
}

for m in xen-evtchn xen-privcmd xen-gntdev xen-gntalloc xenfs; do modprobe $m; done
mount -t xenfs xenfs /proc/xen
# Tessera's daemons when the image has them (mkdom0.sh TL_XSD), else Debian's.
if [ -x /usr/sbin/xenstored-lite ]; then
    xenstored-lite -p /run/xenstored.pid 2>/var/log/tessera/xenstored.log &
else
    xenstored --pid-file=/run/xenstored.pid
fi
i=0; while [ ! -S /run/xenstored/socket ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
xen-init-dom0 >/dev/null 2>&1
if [ -x /usr/sbin/tessera-consoled ]; then
    tessera-consoled 2>/var/log/tessera/consoled.log &
    conlog() { echo "/var/log/tessera/console/$1.log"; }
else
    xenconsoled --log=guest --log-dir=/var/log/xen/console
    conlog() { echo "/var/log/xen/console/guest-$1.log"; }
fi

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
check domu-boots wait_log $(conlog tldomu) TL-DOMU-ALIVE 300
echo "dom0: domU alive at $(up)"
grep TL-DOMU-ALIVE $(conlog tldomu)
check domu-sees-2-cpus-128m grep -q "TL-DOMU-ALIVE.*cpus=2" $(conlog tldomu)
# Name, id, memory and vCPUs as xl reports them (state and time move).
check list-as-xl sh -c 'tl list tldomu | awk "NR==2{print \$1,\$2,\$3,\$4}" > /tmp/a;
    xl list tldomu | awk "NR==2{print \$1,\$2,\$3,\$4}" > /tmp/b; cat /tmp/a /tmp/b; cmp /tmp/a /tmp/b'
check list-long sh -c 'tl list -l tldomu | grep -q "\"name\": \"tldomu\""'
check domid sh -c '[ "$(tl domid tldomu)" = "$(xl domid tldomu)" ]'
check domname sh -c '[ "$(tl domname $(xl domid tldomu))" = tldomu ]'
check console-tty-by-console-daemon sh -c 'xenstore-read /local/domain/$(xl domid tldomu)/console/tty | grep -q /dev/pts/'
check pause sh -c 'tl pause tldomu && xl list tldomu | awk "NR==2{print \$5}" | grep -q p'
check unpause sh -c 'tl unpause tldomu && ! xl list tldomu | awk "NR==2{print \$5}" | grep -q p'
check rename sh -c 'tl rename tldomu tlrenamed && xl list tlrenamed && tl rename tlrenamed tldomu'
check info sh -c 'tl info | tee /tmp/info | grep -q "^xen_version *: 4.17" &&
    [ "$(sed -n "s/^total_memory *: //p" /tmp/info)" = "$(xl info | sed -n "s/^total_memory *: //p")" ]'
check dmesg sh -c 'tl dmesg | grep -q "Xen version 4.17"'
check uptime sh -c 'tl uptime tldomu | grep -q "^tldomu  *[0-9]"'
check vcpu-list-as-xl sh -c 'tl vcpu-list tldomu | awk "{print \$1,\$2,\$3}" > /tmp/a;
    xl vcpu-list tldomu | awk "{print \$1,\$2,\$3}" > /tmp/b; cat /tmp/a; cmp /tmp/a /tmp/b'
check vcpu-pin sh -c 'tl vcpu-pin tldomu 1 0 && xl vcpu-list tldomu | tee /dev/stderr | grep -q "^tldomu  *[0-9]*  *1 .* 0 / all"'
# Xen 4.17 runs credit2 unless told otherwise: the credit calls are refused, naming the call.
if tl info | grep -q "^xen_scheduler *: credit$"; then
    check sched-credit sh -c 'tl sched-credit -d tldomu -w 512 -c 50 && xl sched-credit -d tldomu | grep -q "tldomu  *[0-9]*  *512  *50" &&
        tl sched-credit -d tldomu | grep -q "tldomu  *[0-9]*  *512  *50"'
else
    check sched-credit-refused-on-credit2 sh -c '! tl sched-credit -d tldomu -w 512 2>/tmp/err; cat /tmp/err; grep -q "domctl scheduler_op getinfo (domain [0-9]*): Invalid argument" /tmp/err'
fi
# The read-only commands under ASan/UBSan, a few times each (a crash prints its trace).
asan_rounds() {
    for round in 1 2 3; do
        for c in "list" "list -l" "list -v tldomu" "uptime" "uptime tldomu" "uptime -s" "vcpu-list" \
                 "info" "domid tldomu" "domname 0" "sched-credit"; do
            tl-san $c > /tmp/asan.out 2>&1 || { echo "tl-san $c failed:"; cat /tmp/asan.out; return 1; }
        done
    done
}
[ -x /usr/sbin/tl-san ] && check read-only-commands-asan asan_rounds
id=$(xl domid tldomu)
check mem-max sh -c "tl mem-max tldomu 256m && [ \$(xenstore-read /local/domain/$id/memory/static-max) = 262144 ]"
check mem-set sh -c "tl mem-set tldomu 96m && [ \$(xenstore-read /local/domain/$id/memory/target) = 98304 ]"
check balloon-follows wait_cmd 120 sh -c '[ "$(xl list tldomu | awk "NR==2{print \$3}")" -le 100 ]'
check vcpu-set wait_cmd 120 sh -c 'tl vcpu-set tldomu 1 && [ "$(xl list tldomu | awk "NR==2{print \$4}")" = 1 ]'
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

# create -c: the console relayed both ways (the guest echoes what it reads);
# its input ends when the writer holding the fifo goes, and tl exits.
mkfifo /tmp/console-in
sleep 1000 > /tmp/console-in &
holder=$!
tl create -c /tmp/domu.cfg 'name="tldomu2"' < /tmp/console-in > /tmp/console-out 2>&1 &
tl_pid=$!
check create-console-boots wait_log /tmp/console-out TL-DOMU-ALIVE 300
echo "hello-through-tl-console" > /tmp/console-in
check console-input-reaches-guest wait_log /tmp/console-out "TL-ECHO hello-through-tl-console" 60
kill $holder
check console-detaches-at-end-of-input wait_cmd 30 sh -c "[ ! -e /proc/$tl_pid ] || grep -q ') Z' /proc/$tl_pid/stat"
wait $tl_pid
check create-console-exit-0 [ $? = 0 ]
check second-logged-by-console-daemon wait_log $(conlog tldomu2) TL-DOMU-ALIVE 60

# Reboot (on_reboot = "restart": the monitor builds it again) and shutdown -w.
first_id=$(xl domid tldomu2)
check reboot tl reboot tldomu2
check rebooted-new-domain wait_cmd 120 sh -c 'id=$(xl domid tldomu2) && [ "$id" != '"$first_id"' ]'
log2=$(conlog tldomu2)
check rebooted-boots wait_cmd 300 sh -c "[ \$(grep -c TL-DOMU-ALIVE $log2) -ge 2 ]"
check shutdown-wait sh -c "tl shutdown -w tldomu2 || { tail -30 $log2; false; }"
check shutdown-gone sh -c '! xl list tldomu2'
check shutdown-xenstore-clean sh -c '! xenstore-ls /local/domain | grep -q tldomu2'
cat /var/log/tessera/tl-tldomu2.log
xl list
finish
