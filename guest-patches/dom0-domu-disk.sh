# Run in Tessera's dom0 as DOM0_CMD (tests/boot/linux_tests.py, case
# linux-tl-domu-disk): a disk through dom0's xen-blkback. dom0 makes an
# ext4 image from a folder (mke2fs -d, no mounts), tl create gives it to
# the example domU as xvdb (a loop device tl sets up), the domU reads the
# file dom0 put there, writes one and syncs it, then waits: tl destroy
# a second image is attached as xvdc and detached while it runs (tl
# block-attach, block-list, block-detach), the domU writes and syncs one
# more file when xvdc goes, tl destroy right after that sync, and both
# writes are in the image (debugfs). A second
# domU, its disk set up by a hotplug script (script=), reads that back,
# writes its own and powers off. Between and after: no vbd nodes, no loop
# device left. Also tl's clear refusals (missing file, one vdev twice, bad
# vdev, a writable file shared, a hotplug script that fails). Prints
# "TESSERA-DOM0-CHECK ok" or "TESSERA-DOM0-CHECK failed: <what>", exits 42.
cfg=/etc/tessera/examples/debian-pv.cfg
log=/var/log/tessera/console/debian-pv.log
img=/var/lib/tessera/domu-disk.img
bad=""
no() { bad="$bad; $1"; echo "dom0-domu-disk: $1"; }
# wait_for SECONDS COMMAND...: until the command succeeds
wait_for() {
    t=$(($1 * 5)); shift
    while [ $t -gt 0 ]; do "$@" && return 0; sleep 0.2; t=$((t - 1)); done
    return 1
}
is_gone() { ! tl domid debian-pv >/dev/null 2>&1; }
loops_bound() { cat /sys/block/loop*/loop/backing_file 2>/dev/null | grep -c .; }
no_loops() { [ "$(loops_bound)" = 0 ]; }
# e2fsprogs' tools by their paths: busybox's shell prefers its own mke2fs (no -d).
# in_image FILE TEXT: debugfs reads FILE out of the image (no mount).
in_image() { /usr/sbin/debugfs -R "cat /$1" "$img" 2>/dev/null | grep -q "$2"; }
nothing_left() {
    xenstore-exists /local/domain/0/backend/vbd/$1 2>/dev/null && no "backend vbd/$1 left behind"
    xenstore-exists /local/domain/$1 2>/dev/null && no "/local/domain/$1 left behind"
    wait_for 10 no_loops || no "loop devices still bound: $(cat /sys/block/loop*/loop/backing_file)"
}

mkdir -p /tmp/disk-root
echo "hello from dom0 $$" > /tmp/disk-root/from-dom0.txt
/usr/sbin/mke2fs -q -t ext4 -d /tmp/disk-root "$img" 16M || no "mke2fs -d exited $?"
disk="disk=['$img,raw,xvdb,rw']"
extra="extra=\"console=hvc0 loglevel=4 tessera_domu=disk:xvdb:wait\""

# The refusals first: each leaves nothing behind.
tl create "$cfg" "disk=['/nonexistent.img,raw,xvdb,rw']" 2>/tmp/err && no "a missing file was accepted"
grep -q "nonexistent.img: No such file" /tmp/err || no "missing file: $(cat /tmp/err)"
tl create "$cfg" "disk=['$img,raw,xvdb,rw','$img,raw,d1p0,ro']" 2>/tmp/err && no "xvdb twice was accepted"
grep -q "same virtual device" /tmp/err || no "xvdb twice: $(cat /tmp/err)"
tl create "$cfg" "disk=['$img,raw,xvdq7x,rw']" 2>/tmp/err && no "a bad vdev was accepted"
grep -q "xvdq7x" /tmp/err || no "bad vdev: $(cat /tmp/err)"
tl create "$cfg" "disk=['$img,raw,xvdb,rw','$img,raw,xvdc,rw']" 2>/tmp/err && no "a shared writable file was accepted"
grep -q "already xvdb" /tmp/err || no "shared file: $(cat /tmp/err)"
is_gone || no "a refused create left debian-pv behind"
wait_for 10 no_loops || no "a refused create left a loop device: $(cat /sys/block/loop*/loop/backing_file)"
[ -z "$(xenstore-ls /local/domain/0/backend/vbd 2>/dev/null)" ] || no "a refused create left vbd nodes"

# The domU reads dom0's file, writes one and syncs it.
start=$(cut -d' ' -f1 /proc/uptime)
tl create "$cfg" "$disk" "$extra" || no "tl create with $disk exited $?"
id=$(tl domid debian-pv)
be=/local/domain/0/backend/vbd/$id/51728
pd=$(xenstore-read $be/physical-device-path 2>/dev/null)
case $pd in /dev/loop*) ;; *) no "physical-device-path is '$pd'" ;; esac
[ "$(xenstore-read $be/physical-device 2>/dev/null)" = "$(stat -c %t:%T "$pd")" ] ||
    no "physical-device is not $pd's $(stat -c %t:%T "$pd")"
[ "$(cat /sys/block/${pd#/dev/}/loop/backing_file 2>/dev/null)" = "$img" ] || no "$pd is not bound to $img"
[ "$(xenstore-read $be/params 2>/dev/null)" = "$img" ] || no "params is not $img"
[ "$(xenstore-read $be/mode 2>/dev/null)" = w ] || no "mode is not w"
[ "$(xenstore-read /local/domain/$id/device/vbd/51728/backend 2>/dev/null)" = "$be" ] ||
    no "frontend's backend is not $be"
wait_for 90 grep -q "TESSERA-DOMU-DISK synced domu-wait.txt" "$log" ||
    no "the domU did not sync its write: $(grep -a TESSERA-DOMU-DISK "$log"; tail -c 600 "$log")"
fe=/local/domain/$id/device/vbd/51728
[ "$(xenstore-read $be/state 2>/dev/null)/$(xenstore-read $fe/state 2>/dev/null)" = 4/4 ] ||
    no "xvdb not connected: backend $(xenstore-read $be/state 2>&1), frontend $(xenstore-read $fe/state 2>&1)"
# What the two ends agreed on, for the log (blkback maps the guest's grants).
kv() { printf '%s=%s ' "$2" "$(xenstore-read "$1/$2" 2>/dev/null || echo -)"; }
echo "dom0-domu-disk: xvdb negotiated: $(kv $be feature-persistent)$(kv $fe feature-persistent)$(kv $be feature-max-indirect-segments)$(kv $be feature-flush-cache)$(kv $be multi-queue-max-queues)$(kv $fe multi-queue-num-queues)$(kv $fe ring-page-order)$(kv $be sectors)"
# Hotplug while it runs: a second image as xvdc, seen by the guest, listed,
# refused while the guest is paused (its front end cannot close it), then
# detached: the guest sees it go, its loop device is released.
/usr/sbin/mke2fs -q -t ext4 /tmp/xvdc.img 4M || no "mke2fs of xvdc exited $?"
tl block-attach debian-pv /tmp/xvdc.img,raw,xvdc,rw || no "block-attach exited $?"
fe=/local/domain/$id/device/vbd/51744
wait_for 30 sh -c "[ \"\$(xenstore-read $fe/state 2>/dev/null)\" = 4 ]" ||
    no "xvdc's front end never connected: state $(xenstore-read $fe/state 2>&1)"
wait_for 30 grep -q "TESSERA-DOMU-DISK xvdc appeared: 8192 sectors" "$log" ||
    no "the guest did not see xvdc: $(grep -a 'xvdc' "$log" | tail -2)"
tl block-list debian-pv > /tmp/bl || no "block-list exited $?"
grep -q "^51744 0   $id .* 4 .*/local/domain/0/backend/vbd/$id/51744" /tmp/bl ||
    no "block-list: $(cat /tmp/bl)"
grep -q "^51728 " /tmp/bl || no "block-list has no xvdb: $(cat /tmp/bl)"
tl block-attach debian-pv /tmp/xvdc.img,raw,xvdd,rw 2>/tmp/err && no "xvdc's image attached twice writable"
tl pause debian-pv
tl block-detach debian-pv xvdc 2>/tmp/err && no "block-detach of a paused guest's disk succeeded"
grep -q "did not close it in 10 s" /tmp/err || no "block-detach while paused said: $(cat /tmp/err)"
[ "$(xenstore-read $fe/state 2>/dev/null)" = 4 ] || no "the refused detach left xvdc in state $(xenstore-read $fe/state 2>&1)"
tl unpause debian-pv
tl block-detach debian-pv xvdc || no "block-detach exited $?"
xenstore-exists $fe 2>/dev/null && no "xvdc's front end left after detach"
xenstore-exists /local/domain/0/backend/vbd/$id/51744 2>/dev/null && no "xvdc's backend left after detach"
wait_for 10 sh -c "! grep -q xvdc.img /sys/block/loop*/loop/backing_file" ||
    no "xvdc's loop device still bound after detach"
wait_for 30 grep -q "TESSERA-DOMU-DISK xvdc gone" "$log" || no "the guest did not see xvdc go"
# Its last write, synced when xvdc went: destroyed the moment it says so.
wait_for 30 grep -q "TESSERA-DOMU-DISK synced domu-detach.txt" "$log" ||
    no "the domU did not sync its last write: $(grep -a TESSERA-DOMU-DISK "$log" | tail -2)"
# Its syncs reached blkback as flush requests (the front end sends
# REQ_PREFLUSH for an fsync; blkback passes it to the loop device), so the
# write the guest saw complete survives the destroy right below.
freq=$(cat /sys/bus/xen-backend/devices/vbd-$id-51728/statistics/f_req 2>/dev/null)
[ "${freq:-0}" -ge 2 ] 2>/dev/null || no "blkback counted '$freq' flush requests for xvdb, fewer than the guest's 2 syncs"
echo "dom0-domu-disk: xvdb flush requests $freq"
tl destroy debian-pv || no "tl destroy exited $?"
grep -q "TESSERA-DOMU-DISK read /mnt/from-dom0.txt: hello from dom0 $$" "$log" ||
    no "the domU did not read dom0's file: $(grep -a TESSERA-DOMU-DISK "$log")"
[ "$(xenstore-read $be/state 2>/dev/null || echo gone)" = gone ] || no "$be still there after destroy"
nothing_left "$id"
in_image domu-wait.txt "written by domU" || no "the first synced write is not in the image"
in_image domu-detach.txt "after xvdc went" || no "the write synced right before tl destroy is not in the image"
echo "dom0-domu-disk: destroy round took $(awk -v s=$start -v e=$(cut -d' ' -f1 /proc/uptime) 'BEGIN { print e - s }') s"

# A hotplug script (script=) that fails: the create is refused, nothing left.
printf '#!/bin/sh\necho "$1 $XENBUS_PATH" >> /tmp/script.log\nexit 3\n' > /tmp/fail.sh
chmod 755 /tmp/fail.sh
tl create "$cfg" "disk=['$img,raw,xvdb,rw,script=/tmp/fail.sh']" 2>/tmp/err && no "a failing script was accepted"
grep -q "hotplug script /tmp/fail.sh add failed (exit status 3)" /tmp/err || no "failing script: $(cat /tmp/err)"
grep -q "^add /local/domain/0/backend/vbd/[0-9]*/51728$" /tmp/script.log || no "fail.sh add: $(cat /tmp/script.log)"
grep -q "^remove /local/domain/0/backend/vbd/[0-9]*/51728$" /tmp/script.log || no "fail.sh remove: $(cat /tmp/script.log)"
is_gone || no "the failed script left debian-pv behind"
[ -z "$(xenstore-ls /local/domain/0/backend/vbd 2>/dev/null)" ] || no "the failed script left vbd nodes"

# A second domU reads that write back, writes its own and powers off; its
# disk is set up by a hotplug script of its own, as Xen's block script
# does (losetup, physical-device), and released by its "remove".
cat > /tmp/block.sh <<'SCRIPT'
#!/bin/sh
echo "$1 $XENBUS_TYPE $XENBUS_PATH" >> /tmp/block.log
case $1 in
add)
    dev=$(losetup -f) && losetup "$dev" "$(xenstore-read "$XENBUS_PATH/params")" || exit 1
    xenstore-write "$XENBUS_PATH/physical-device" "$(stat -c %t:%T "$dev")" \
                   "$XENBUS_PATH/physical-device-path" "$dev" ;;
remove)
    losetup -d "$(xenstore-read "$XENBUS_PATH/physical-device-path")" ;;
esac
SCRIPT
chmod 755 /tmp/block.sh
: > "$log"
extra="extra=\"console=hvc0 loglevel=4 tessera_domu=disk:xvdb:poweroff\""
tl create "$cfg" "disk=['$img,raw,xvdb,rw,script=/tmp/block.sh']" "$extra" || no "second tl create exited $?"
id=$(tl domid debian-pv)
be=/local/domain/0/backend/vbd/$id/51728
[ "$(xenstore-read $be/script 2>/dev/null)" = /tmp/block.sh ] || no "backend script is '$(xenstore-read $be/script 2>&1)'"
[ "$(xenstore-read $be/hotplug-status 2>/dev/null)" = connected ] || no "hotplug-status after the script"
grep -q "^add vbd $be$" /tmp/block.log || no "block.sh add: $(cat /tmp/block.log)"
wait_for 90 is_gone || no "the second domU did not power off: $(tail -c 600 "$log")"
grep -q "TESSERA-DOMU-DISK read /mnt/domu-wait.txt: written by domU" "$log" ||
    no "the second domU did not read the first one's write: $(grep -a TESSERA-DOMU-DISK "$log")"
grep -q "TESSERA-DOMU-DISK unmounted" "$log" || no "the second domU did not unmount"
nothing_left "$id"
grep -q "^remove vbd $be$" /tmp/block.log || no "block.sh remove: $(cat /tmp/block.log)"
in_image domu-poweroff.txt "written by domU" || no "the second domU's write is not in the image"
if [ -z "$bad" ]; then echo "TESSERA-DOM0-CHECK ok"; else echo "TESSERA-DOM0-CHECK failed$bad"; fi
exit 42
