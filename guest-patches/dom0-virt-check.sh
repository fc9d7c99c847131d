# Run in the libvirt dom0 image (mkdom0-image.sh DOM0_XL=1 DOM0_VIRT=1) as
# DOM0_CMD with tessera.trace_daemons on dom0's command line
# (tests/boot/linux_tests.py, case linux-virt-domu): Debian's unchanged
# libvirtd and its Xen driver (libxl 4.17) drive the example domU's life
# through virsh -c xen:///, each step checked by its effect: version,
# nodeinfo, list (Domain-0 alone), the example's xl config turned into
# libvirt XML by libvirt itself, create, list and dominfo (128 MiB, 1 vCPU,
# running, OS type xen: PV), console (a command typed into the domU's
# shell answers through it; Ctrl-] leaves), destroy, list without it, free
# memory back. libvirtd and Debian's daemons run under privcmd-trace.so
# from dom0's /init, and a hypercall of theirs that failed must be one the
# tools expect, as on Xen 4.17 (docs/xen-tools.md). Prints
# "TESSERA-DOM0-CHECK ok" or "TESSERA-DOM0-CHECK failed: <what>" and exits 42.
uri=xen:///system
cfg=/tmp/debian-pv.cfg
xml=/tmp/debian-pv.xml
# The example domU without its disk and vif (no hotplug scripts in the image).
sed '/^disk *=/d; /^vif *=/d' /etc/tessera/examples/debian-pv.cfg > $cfg
trace=/var/log/xen/daemons-trace.txt
bad=""
no() { bad="$bad; $1"; echo "dom0-virt-check: $1"; }
# virsh's output kept in /tmp/virsh.out
run() { virsh -c $uri "$@" >/tmp/virsh.out 2>&1 || no "virsh $* exited $?: $(tail -3 /tmp/virsh.out)"; }
wait_for() { # wait_for SECONDS COMMAND...
    t=$(($1 * 5)); shift
    while [ $t -gt 0 ]; do "$@" && return 0; sleep 0.2; t=$((t - 1)); done
    return 1
}
field() { sed -n "s/^$1: *//p" /tmp/virsh.out; }
free_mib() { xl info | sed -n 's/^free_memory *: *//p'; }
# " Id Name State" rows of virsh list
listed() { virsh -c $uri list 2>/dev/null | awk '$2 == "debian-pv"'; }
is_gone() { [ -z "$(listed)" ]; }

wait_for 20 virsh -c $uri version >/dev/null 2>&1 || {
    no "libvirtd does not answer: $(grep error /var/log/libvirt/libvirtd.log | tail -5)"
    echo "TESSERA-DOM0-CHECK failed$bad"; exit 42
}
[ -s $trace ] || no "no trace of the daemons in $trace (tessera.trace_daemons)"
free0=$(free_mib)
run version
grep -q "Running hypervisor: Xen 4\.17" /tmp/virsh.out || no "virsh version: $(cat /tmp/virsh.out)"
run nodeinfo
[ "$(field 'CPU(s)' | tr -d ' ')" = 1 ] || no "virsh nodeinfo CPU(s): $(cat /tmp/virsh.out)"
run list --all
grep -Eq "^ *0 +Domain-0 +running" /tmp/virsh.out || no "virsh list: no running Domain-0: $(cat /tmp/virsh.out)"
[ "$(grep -Ec '^ *[0-9]+ ' /tmp/virsh.out)" = 1 ] || no "virsh list: not Domain-0 alone: $(cat /tmp/virsh.out)"

# The xl config as libvirt XML, by libvirt's own converter.
virsh -c $uri domxml-from-native xen-xl $cfg >$xml 2>/tmp/virsh.err ||
    no "domxml-from-native exited $?: $(cat /tmp/virsh.err)"
grep -q "<os>" $xml && grep -q "<type[^>]*>linux</type>" $xml && grep -q "<kernel>/etc/tessera/examples/vmlinuz</kernel>" $xml ||
    no "domxml-from-native: $(cat $xml)"
run create $xml
grep -q "Domain 'debian-pv' created" /tmp/virsh.out || no "virsh create: $(cat /tmp/virsh.out)"
wait_for 10 sh -c "virsh -c $uri list | grep -Eq '^ *[1-9][0-9]* +debian-pv +running'" ||
    no "virsh list after create: $(virsh -c $uri list 2>&1)"
id=$(virsh -c $uri domid debian-pv 2>/dev/null)
[ "$id" -gt 0 ] 2>/dev/null || no "virsh domid: '$id'"
[ "$(xl domid debian-pv 2>/dev/null)" = "$id" ] || no "xl domid is not virsh's $id"
run dominfo debian-pv
[ "$(field Id)" = "$id" ] || no "dominfo Id: $(cat /tmp/virsh.out)"
[ "$(field 'OS Type')" = xen ] || no "dominfo OS Type: $(cat /tmp/virsh.out)"
[ "$(field State)" = running ] || no "dominfo State: $(cat /tmp/virsh.out)"
[ "$(field 'CPU(s)')" = 1 ] || no "dominfo CPU(s): $(cat /tmp/virsh.out)"
[ "$(field 'Max memory')" = "131072 KiB" ] || no "dominfo Max memory: $(cat /tmp/virsh.out)"
[ "$(field 'Used memory')" = "131072 KiB" ] || no "dominfo Used memory: $(cat /tmp/virsh.out)"
uuid=$(field UUID)
[ "$(xl list -l debian-pv | sed -n 's/.*"uuid": "\(.*\)".*/\1/p' | head -1)" = "$uuid" ] ||
    no "xl's uuid of debian-pv is not virsh's '$uuid'"

# console: virsh wants a terminal, script(1) gives it one. Once the domU's
# shell is there (its /init marker in xenconsoled's log), a command typed
# through virsh answers through it; Ctrl-] ends virsh console.
wait_for 150 grep -qs "TESSERA-DOMU-INIT .* cpus=1 " /var/log/xen/console/guest-debian-pv.log ||
    no "no TESSERA-DOMU-INIT in the domU's console log"
mkfifo /tmp/vconsole.in
(script -qfec "virsh -c $uri console debian-pv" /dev/null </tmp/vconsole.in >/tmp/vconsole.out 2>&1
 echo "exit $?" >/tmp/vconsole.status) &
exec 3>/tmp/vconsole.in
wait_for 20 grep -q "Escape character is" /tmp/vconsole.out ||
    no "virsh console did not connect: $(tail -c 300 /tmp/vconsole.out)"
# The sum is worked out by the domU's shell: only an answer has 42 in it.
printf 'echo VIRSH-CONSOLE-$((6 * 7))\r' >&3
wait_for 20 grep -q "VIRSH-CONSOLE-42" /tmp/vconsole.out ||
    no "no answer through virsh console: $(tail -c 300 /tmp/vconsole.out)"
printf '\035' >&3
wait_for 10 test -f /tmp/vconsole.status || no "virsh console did not leave on Ctrl-]"
echo "dom0-virt-check: virsh console $(cat /tmp/vconsole.status 2>/dev/null) after Ctrl-]"
grep -q "exit 0" /tmp/vconsole.status 2>/dev/null || no "virsh console: $(cat /tmp/vconsole.status 2>/dev/null)"
exec 3>&-
is_gone && no "the domU went with the console"

run destroy debian-pv
grep -q "Domain 'debian-pv' destroyed" /tmp/virsh.out || no "virsh destroy: $(cat /tmp/virsh.out)"
wait_for 10 is_gone || no "debian-pv listed after destroy: $(listed)"
run list --all
[ "$(grep -Ec '^ *[0-9]+ ' /tmp/virsh.out)" = 1 ] || no "virsh list after destroy: $(cat /tmp/virsh.out)"
xl list | grep -q "^debian-pv " && no "xl list still has debian-pv"
wait_for 10 sh -c "[ \"\$(xl info | sed -n 's/^free_memory *: *//p')\" = \"$free0\" ]" ||
    no "free memory $(free_mib) MiB after destroy, $free0 before"

# Every failed call of libvirtd and the daemons must be one they expect, as on Xen 4.17.
expected='xsm_op FLASK_SID_TO_CONTEXT\(5\) v=1 = ENOSYS|sysctl cpupool_op\(18\) op=3 pool=[1-9][0-9]* v=0x15 = ENOENT|domctl getdomaininfo\(5\) .* = ESRCH|ioctl:PRIVCMD_UNIMPLEMENTED = ENOTTY|ioctl:GNTDEV_SET_MAX_GRANTS = ENOTTY'
calls=$(grep -c "^PCT .* = " $trace)
failed=$(grep "^PCT .* = [A-Z]" $trace | grep -v " = ok" | sed 's/^PCT [0-9]* //')
unexpected=$(echo "$failed" | grep -Ev "$expected" | sed '/^$/d' | sort -u)
echo "dom0-virt-check: $calls calls traced, $(echo "$failed" | sed '/^$/d' | wc -l) failed as expected or not"
echo "$failed" | sed '/^$/d' | sort | uniq -c | sed 's/^/dom0-virt-check:   /'
[ -z "$unexpected" ] || no "calls failed that the tools do not expect: $(echo "$unexpected" | tr '\n' ';')"

if [ -z "$bad" ]; then echo "TESSERA-DOM0-CHECK ok"; else echo "TESSERA-DOM0-CHECK failed$bad"; fi
exit 42
