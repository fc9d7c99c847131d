# Run in the Debian tools dom0 image (mkdom0-image.sh DOM0_XL=1) as DOM0_CMD
# (tests/boot/linux_tests.py, case linux-xl-domu): Debian's unchanged xl
# 4.17 drives the example domU's life on Tessera, each step checked by its
# effect: info, list, list -l, dmesg, uptime, vcpu-list, sched-credit (-s);
# create -c (the domU's /init marker through xenconsole and in
# xenconsoled's log), list with its memory and vCPUs, console on its own
# (a typed command answers), vcpu-set (CPU 1 online and offline in the
# domU), xentop -b, rename, vcpu-pin, mem-max, mem-set, pause, unpause,
# reboot (restarted by xl's monitor), shutdown -w, a second create and destroy, free memory back. Every xl call
# runs under privcmd-trace.so, and a hypercall that failed must be one of
# the failures xl expects (docs/xen-tools.md). Prints "TESSERA-DOM0-CHECK
# ok" or "TESSERA-DOM0-CHECK failed: <what>" and exits 42.
# The example domU without its disk and vif: they need Debian's hotplug scripts
# (/etc/xen/scripts/block and vif-bridge, bash, flock), which the image does
# not carry yet.
cfg=/tmp/debian-pv.cfg
sed '/^disk *=/d; /^vif *=/d' /etc/tessera/examples/debian-pv.cfg > $cfg
# Room for a second vCPU that xl vcpu-set brings online (it boots with one).
echo "maxvcpus = 2" >> $cfg
log=/var/log/xen/console/guest-debian-pv.log
trace=/tmp/xl-trace.txt
bad=""
no() { bad="$bad; $1"; echo "dom0-xl-check: $1"; }
# xl under the tracing shim; its output kept in /tmp/xl.out
xlt() { LD_PRELOAD=/usr/lib/tessera/privcmd-trace.so PRIVCMD_TRACE=$trace xl "$@" >/tmp/xl.out 2>&1; }
run() { xlt "$@" || no "xl $* exited $?: $(tail -3 /tmp/xl.out)"; }
wait_for() { # wait_for SECONDS COMMAND...
    t=$(($1 * 5)); shift
    while [ $t -gt 0 ]; do "$@" && return 0; sleep 0.2; t=$((t - 1)); done
    return 1
}
field() { sed -n "s/^$1 *: *//p" /tmp/xl.out; }
free_mib() { xl info | sed -n 's/^free_memory *: *//p'; }
# Name ID Mem VCPUs State Time of the domU in xl list
domu_line() { xl list 2>/dev/null | awk '$1 == "debian-pv"'; }
domu_state() { domu_line | awk '{ print $5 }'; }
is_paused() { case "$(domu_state)" in *p*) return 0 ;; esac; return 1; }
is_unpaused() { [ -n "$(domu_state)" ] && ! is_paused; }
is_gone() { [ -z "$(domu_line)" ]; }
markers() { grep -c "TESSERA-DOMU-INIT" "$log" 2>/dev/null || echo 0; }

run info
[ "$(field xen_major).$(field xen_minor)" = 4.17 ] || no "xl info: xen $(field xen_major).$(field xen_minor)"
[ "$(field xen_scheduler)" = credit ] || no "xl info: scheduler '$(field xen_scheduler)'"
free0=$(field free_memory)
[ "${free0:-0}" -gt 128 ] 2>/dev/null || no "xl info: free_memory '$free0'"
run list
grep -Eq "^Domain-0 +0 +[0-9]+ +[0-9]+ +r" /tmp/xl.out || no "xl list: no running Domain-0: $(cat /tmp/xl.out)"
run list -l
grep -q '"domid": 0' /tmp/xl.out || no "xl list -l has no domid 0"
run dmesg
grep -Eq "Tessera ready|Xen version" /tmp/xl.out || no "xl dmesg has neither Tessera's nor Xen's boot line"
run uptime
grep -q "^Domain-0 " /tmp/xl.out || no "xl uptime has no Domain-0"
run vcpu-list
grep -Eq "^Domain-0 +0 +0 +0 " /tmp/xl.out || no "xl vcpu-list: $(cat /tmp/xl.out)"
run sched-credit
grep -q "unavailable" /tmp/xl.out && no "xl sched-credit: $(cat /tmp/xl.out)"
grep -Eq "^Domain-0 +0 +256 +0" /tmp/xl.out || no "xl sched-credit: no Domain-0 256 0"
run sched-credit -s -t 20
run sched-credit -s
grep -q "tslice=20ms" /tmp/xl.out || no "xl sched-credit -s after -t 20: $(cat /tmp/xl.out)"
run sched-credit -s -t 30

# create -c: xl attaches xenconsole to the new domain's console; its input
# (a fifo this shell holds open) stays open until the marker came through.
mkfifo /tmp/console.in
(LD_PRELOAD=/usr/lib/tessera/privcmd-trace.so PRIVCMD_TRACE=$trace \
    xl create -c "$cfg" </tmp/console.in >/tmp/console.out 2>&1; echo "exit $?" >/tmp/create.status) &
exec 3>/tmp/console.in
wait_for 150 grep -q "TESSERA-DOMU-INIT .* cpus=1 " /tmp/console.out ||
    no "no TESSERA-DOMU-INIT through xl create -c: $(tail -c 300 /tmp/console.out)"
wait_for 10 grep -q "TESSERA-DOMU-INIT .* cpus=1 " "$log" ||
    no "no TESSERA-DOMU-INIT in $log"
id=$(xl domid debian-pv) || no "xl domid"
[ "$id" -gt 0 ] 2>/dev/null || no "domain id '$id'"
[ "$(xl domname "$id")" = debian-pv ] || no "xl domname $id"
# The guest sees the UUID xl gave it (its marker prints /sys/hypervisor/uuid).
uuid=$(xl list -l debian-pv | sed -n 's/.*"uuid": "\(.*\)".*/\1/p' | head -1)
grep -q "TESSERA-DOMU-INIT .* uuid=$uuid" "$log" || no "domU uuid is not xl's '$uuid'"
domu_line | awk '$3 == 128 && $4 == 1 { ok = 1 } END { exit !ok }' ||
    no "xl list: '$(domu_line)' (want 128 MiB, 1 vCPU)"
# Leave the console: xenconsole takes Ctrl-] only from a terminal and goes
# on after the end of other input (on Xen too), so it is stopped; xl
# create -c then returns, the domain runs on.
exec 3>&-
kill "$(pidof xenconsole)" || no "no xenconsole running"
wait_for 10 test -f /tmp/create.status || no "xl create -c did not return after its console ended"
echo "dom0-xl-check: xl create -c $(cat /tmp/create.status 2>/dev/null) after its console ended"
is_gone && no "the domU went with the console"

# xl console on its own: xenconsole reads what is typed only from a
# terminal, which util-linux's script gives it. A command typed reaches the
# domU's shell and its answer comes back (the sum is worked out by the
# shell, so only an answer has 42 in it). It stays open for vcpu-set.
mkfifo /tmp/xlcon.in
(LD_PRELOAD=/usr/lib/tessera/privcmd-trace.so PRIVCMD_TRACE=$trace \
    script -qfec "xl console debian-pv" /dev/null </tmp/xlcon.in >/tmp/xlcon.out 2>&1
 echo "exit $?" >/tmp/xlcon.status) &
exec 4>/tmp/xlcon.in
guest() { printf '%s\r' "$1" >&4; }   # a command line typed into the domU's shell
guest 'echo XL-CONSOLE-$((6 * 7))'
wait_for 20 grep -q "XL-CONSOLE-42" /tmp/xlcon.out ||
    no "no answer through xl console: $(tail -c 300 /tmp/xlcon.out)"
# vcpu-set 2: cpu/1/availability online, Linux makes CPU 1 present and
# onlining it (what a udev rule would do) brings vCPU 1 up; vcpu-set 1:
# Linux takes it down, and the hypervisor has it down ('p' in vcpu-list).
vcpu1_state() { xl vcpu-list debian-pv 2>/dev/null | awk '$3 == 1 { print $5 }'; }
vcpu1_down() { case "$(vcpu1_state)" in *p*) return 0 ;; esac; return 1; }
vcpu1_up() { case "$(vcpu1_state)" in *p*|"") return 1 ;; esac; }
vcpus_listed() { [ "$(domu_line | awk '{ print $4 }')" = "$1" ]; }
wait_for 5 vcpu1_down || no "vCPU 1 of 2 is not down at boot: '$(vcpu1_state)'"
# --ignore-host: xl refuses more vCPUs than the host's CPUs (one here) without it.
run vcpu-set --ignore-host debian-pv 2
guest 'for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /sys/devices/system/cpu/cpu1/online ] && break; sleep 1; done'
guest 'echo 1 > /sys/devices/system/cpu/cpu1/online; echo CPUS-ONLINE-$(cat /sys/devices/system/cpu/online)-END'
wait_for 30 grep -q "CPUS-ONLINE-0-1-END" /tmp/xlcon.out ||
    no "the domU's CPUs after vcpu-set 2: $(tail -c 300 /tmp/xlcon.out)"
wait_for 10 vcpu1_up || no "vCPU 1 state '$(vcpu1_state)' after it came online"
wait_for 5 vcpus_listed 2 || no "xl list after vcpu-set 2: '$(domu_line)'"
run vcpu-set debian-pv 1
wait_for 15 vcpu1_down || no "vCPU 1 state '$(vcpu1_state)' after vcpu-set 1"
guest 'echo CPUS-NOW-$(cat /sys/devices/system/cpu/online)-END'
wait_for 20 grep -q "CPUS-NOW-0-END" /tmp/xlcon.out ||
    no "the domU's CPUs after vcpu-set 1: $(tail -c 300 /tmp/xlcon.out)"
wait_for 5 vcpus_listed 1 || no "xl list after vcpu-set 1: '$(domu_line)'"
# Ctrl-] leaves the console.
printf '\035' >&4
wait_for 10 test -f /tmp/xlcon.status || no "xl console did not leave on Ctrl-]"
grep -q "exit 0" /tmp/xlcon.status 2>/dev/null || no "xl console: $(cat /tmp/xlcon.status 2>/dev/null)"
exec 4>&-

# xentop (what xl top runs) in batch mode, one round: both domains.
LD_PRELOAD=/usr/lib/tessera/privcmd-trace.so PRIVCMD_TRACE=$trace \
    /usr/lib/xen-4.17/bin/xentop -b -i 1 >/tmp/xentop.out 2>&1 || no "xentop -b -i 1 exited $?: $(tail -3 /tmp/xentop.out)"
grep -q "NAME  *STATE  *CPU(sec)" /tmp/xentop.out || no "xentop has no header: $(head -3 /tmp/xentop.out)"
grep -Eq "^ *Domain-0 " /tmp/xentop.out && grep -Eq "^ *debian-pv " /tmp/xentop.out ||
    no "xentop lacks a domain: $(cat /tmp/xentop.out)"
run vcpu-list debian-pv
grep -Eq "^debian-pv +$id +0 " /tmp/xl.out || no "xl vcpu-list debian-pv: $(cat /tmp/xl.out)"
# rename there and back; xl refuses a name that is taken.
run rename debian-pv renamed-pv
[ "$(xl domid renamed-pv 2>/dev/null)" = "$id" ] || no "xl rename: renamed-pv is not domain $id"
xl rename renamed-pv Domain-0 >/dev/null 2>&1 && no "xl rename to Domain-0 was accepted"
run rename renamed-pv debian-pv
# vcpu-pin: the hard affinity xl reads back ("all" when CPU 0 is every
# CPU there is: this case boots one).
run vcpu-pin debian-pv 0 0
run vcpu-list debian-pv
grep -Eq "^debian-pv +$id +0 +[0-9]+ +[-a-z]+ +[0-9.]+ +(0|all) / " /tmp/xl.out ||
    no "xl vcpu-list after vcpu-pin 0: $(cat /tmp/xl.out)"
run vcpu-pin debian-pv 0 all
# mem-max then mem-set: the guest's balloon gives memory back, xl list shows it.
run mem-max debian-pv 160
run mem-set debian-pv 96
wait_for 30 sh -c "xl list debian-pv | awk '\$1 == \"debian-pv\" && \$3 <= 97 { ok = 1 } END { exit !ok }'" ||
    no "xl list after mem-set 96: '$(domu_line)'"
run mem-set debian-pv 128
run pause debian-pv
wait_for 5 is_paused || no "paused state: '$(domu_state)'"
run unpause debian-pv
wait_for 5 is_unpaused || no "still paused after unpause: '$(domu_state)'"
# reboot: the guest reboots itself, xl's monitor (left by create -c) builds it again.
before=$(markers)
run reboot debian-pv
wait_for 150 sh -c "[ \$(grep -c TESSERA-DOMU-INIT $log) -gt $before ]" ||
    no "no /init marker after xl reboot: $(tail -c 200 $log)"
newid=$(xl domid debian-pv 2>/dev/null)
[ -n "$newid" ] && [ "$newid" != "$id" ] || no "after xl reboot: domain id '$newid' (was $id)"
# shutdown -w: the guest powers itself off (its /sbin/poweroff), on_poweroff destroys it.
run shutdown -w debian-pv
is_gone || no "debian-pv listed after shutdown -w: '$(domu_line)'"

# A second life, ended by destroy.
before=$(markers)
run create "$cfg"
wait_for 150 sh -c "[ \$(grep -c TESSERA-DOMU-INIT $log) -gt $before ]" ||
    no "the second create never reached /init"
run destroy debian-pv
wait_for 10 is_gone || no "debian-pv listed after destroy"
wait_for 10 sh -c "[ \"\$(xl info | sed -n 's/^free_memory *: *//p')\" = \"$free0\" ]" ||
    no "free memory $(free_mib) MiB after destroy, $free0 before"

# Every failed call must be one xl expects, as on Xen 4.17.
expected='xsm_op FLASK_SID_TO_CONTEXT\(5\) v=1 = ENOSYS|sysctl cpupool_op\(18\) op=3 pool=[1-9][0-9]* v=0x15 = ENOENT|domctl getdomaininfo\(5\) .* = ESRCH|ioctl:PRIVCMD_UNIMPLEMENTED = ENOTTY'
calls=$(grep -c "^PCT .* = " $trace)
failed=$(grep "^PCT .* = [A-Z]" $trace | grep -v " = ok" | sed 's/^PCT [0-9]* //')
unexpected=$(echo "$failed" | grep -Ev "$expected" | sed '/^$/d' | sort -u)
echo "dom0-xl-check: $calls calls traced, $(echo "$failed" | sed '/^$/d' | wc -l) failed as expected or not"
echo "$failed" | sed '/^$/d' | sort | uniq -c | sed 's/^/dom0-xl-check:   /'
[ -z "$unexpected" ] || no "calls failed that xl does not expect: $(echo "$unexpected" | tr '\n' ';')"

if [ -z "$bad" ]; then echo "TESSERA-DOM0-CHECK ok"; else echo "TESSERA-DOM0-CHECK failed$bad"; fi
exit 42
