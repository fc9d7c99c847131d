# Run in Tessera's dom0 as DOM0_CMD (tests/boot/linux_tests.py, cases
# linux-tl-domu-*): the example domU's whole life through tl, checked from
# dom0, its disk (xvda over a loop device) included. VCPUS (default 1) is
# the domU's vCPU count. Prints "TESSERA-DOM0-CHECK ok" or
# "TESSERA-DOM0-CHECK failed: <what>" and exits 42, so the runner can tell
# the script's own end from any other exit.
cfg=/etc/tessera/examples/debian-pv.cfg
log=/var/log/tessera/console/debian-pv.log
vcpus=${VCPUS:-1}
bad=""
no() { bad="$bad; $1"; echo "dom0-domu-check: $1"; }
free_mib() { tl info | sed -n 's/^free_memory *: *//p'; }
# wait_for SECONDS COMMAND...: until the command succeeds
wait_for() {
    t=$(($1 * 5)); shift
    while [ $t -gt 0 ]; do "$@" && return 0; sleep 0.2; t=$((t - 1)); done
    return 1
}
domu_state() { tl list debian-pv 2>/dev/null | awk '$1 == "debian-pv" { print $5 }'; }
is_paused() { case "$(domu_state)" in *p*) return 0 ;; esac; return 1; }
is_unpaused() { [ -n "$(domu_state)" ] && ! is_paused; }
is_gone() { ! tl domid debian-pv >/dev/null 2>&1; }

free0=$(free_mib)
[ -n "$free0" ] || no "tl info gives no free_memory"
tl create "$cfg" vcpus=$vcpus || no "tl create exited $?"
# The domU's /init marker comes through its console ring, tessera-consoled
# and the log; it names the vCPUs the guest brought up.
wait_for 120 grep -q "TESSERA-DOMU-INIT .* cpus=$vcpus " "$log" ||
    no "no TESSERA-DOMU-INIT with cpus=$vcpus in $log: $(tail -c 300 "$log" 2>/dev/null)"
id=$(tl domid debian-pv) || no "tl domid"
[ "$id" -gt 0 ] 2>/dev/null || no "domain id '$id'"
tl list | grep -q "^Domain-0 " || no "tl list has no Domain-0"
[ "$(tl domname "$id")" = debian-pv ] || no "tl domname $id"
[ "$(xenstore-read /local/domain/$id/name)" = debian-pv ] || no "xenstore name"
[ -c "$(xenstore-read /local/domain/$id/console/tty)" ] || no "console/tty is not a terminal"
# The guest reads its UUID from the hypervisor (/sys/hypervisor/uuid is
# XENVER_guest_handle): the one tl gave the domain, as /local/domain/N/vm says.
vm=$(xenstore-read /local/domain/$id/vm)
case $vm in /vm/????????-????-????-????-????????????) ;; *) no "vm path is '$vm'" ;; esac
grep -q "TESSERA-DOMU-INIT .* uuid=${vm#/vm/}" "$log" ||
    no "the domU's uuid is not ${vm#/vm/}: $(grep -o 'uuid=.*' "$log" | tail -1)"
# Its disk (xvda, the example's image over a loop device tl bound): the
# domU mounted it and sees the file mke2fs -d put there.
wait_for 30 grep -q "TESSERA-DOMU-XVDA mounted on /mnt: README.txt" "$log" ||
    no "the domU did not mount its xvda: $(grep -a 'TESSERA-DOMU-XVDA\|blkfront\|xvda' "$log" | tail -3)"
loop=$(xenstore-read /local/domain/0/backend/vbd/$id/51712/physical-device-path 2>/dev/null)
[ "$(cat /sys/block/${loop#/dev/}/loop/backing_file 2>/dev/null)" = /var/lib/tessera/debian-pv.img ] ||
    no "xvda's backend device '$loop' is not bound to the example's image"
tl pause debian-pv || no "tl pause"
wait_for 5 is_paused || no "paused state: '$(domu_state)'"
tl unpause debian-pv || no "tl unpause"
wait_for 5 is_unpaused || no "still paused after unpause: '$(domu_state)'"
tl destroy debian-pv || no "tl destroy"
wait_for 10 is_gone || no "debian-pv still listed after destroy"
xenstore-exists /local/domain/$id 2>/dev/null && no "/local/domain/$id left behind"
xenstore-exists /local/domain/0/backend/vbd/$id 2>/dev/null && no "its vbd backend left behind"
wait_for 10 sh -c "! cat /sys/block/loop*/loop/backing_file 2>/dev/null | grep -q ." ||
    no "a loop device is still bound after destroy: $(cat /sys/block/loop*/loop/backing_file)"
# All its memory back (MiB, as tl info prints it); a dying domain's frames
# return when dom0's mappings of them go, so give it a moment.
wait_for 10 sh -c "[ \"\$(tl info | sed -n 's/^free_memory *: *//p')\" = \"$free0\" ]" ||
    no "free memory $(free_mib) MiB after destroy, $free0 before"
if [ -n "$bad" ]; then
    # The whole story of a failed boot (a stall's backtrace above all) is in
    # the guest's console; the runner keeps this serial log.
    echo "--- the domU's console log, its last 300 lines"
    tail -n 300 "$log" 2>/dev/null | sed 's/^/domU| /'
fi
if [ -z "$bad" ]; then echo "TESSERA-DOM0-CHECK ok"; else echo "TESSERA-DOM0-CHECK failed$bad"; fi
exit 42
