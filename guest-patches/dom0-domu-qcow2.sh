# Run in Tessera's dom0 as DOM0_CMD (tests/boot/linux_tests.py, case
# linux-tl-domu-qcow2): a qcow2 disk through QEMU's qdisk backend, which tl
# starts as libxl does (Debian's qemu-system-xen, unpacked from
# /tmp/qemu-dm.tar: the default image does not carry its 35 MB). The example
# domU gets the qcow2 as xvdb, reads the file it holds, writes and syncs
# one, is destroyed; QEMU goes with it. A second domU reads that write back
# out of the qcow2 and powers off. Also tl's clear refusals: no QEMU, and
# an image QEMU cannot open; each leaves nothing behind. Prints
# "TESSERA-DOM0-CHECK ok" or "TESSERA-DOM0-CHECK failed: <what>", exits 42.
cfg=/etc/tessera/examples/debian-pv.cfg
log=/var/log/tessera/console/debian-pv.log
img=/var/lib/tessera/domu.qcow2
bad=""
no() { bad="$bad; $1"; echo "dom0-domu-qcow2: $1"; }
wait_for() {
    t=$(($1 * 5)); shift
    while [ $t -gt 0 ]; do "$@" && return 0; sleep 0.2; t=$((t - 1)); done
    return 1
}
is_gone() { ! tl domid debian-pv >/dev/null 2>&1; }
no_qemu() { ! ps | grep -v grep | grep -q "xen-qemu-system-i386 -xen-domid"; }
nothing_left() {
    wait_for 10 is_gone || no "$1: debian-pv still there"
    wait_for 10 no_qemu || no "$1: a QEMU still runs: $(ps | grep xen-qemu | grep -v grep)"
    [ -z "$(xenstore-ls /local/domain/0/backend/qdisk 2>/dev/null)" ] ||
        no "$1: qdisk nodes left: $(xenstore-ls /local/domain/0/backend/qdisk | head -3)"
}
(cd / && tar -xf /tmp/qemu-dm.tar) || no "unpacking QEMU failed"
[ -x /usr/libexec/xen-qemu-system-i386 ] || no "no QEMU after unpacking"
qdisk="disk=['$img,qcow2,xvdb,rw']"

# Without a QEMU to run, a qcow2 is refused before anything is made.
TL_DEVICE_MODEL=/nonexistent/qemu tl create "$cfg" "$qdisk" 2>/tmp/err && no "a qcow2 without QEMU was accepted"
grep -q "disk xvdb: format qcow2 needs QEMU's qdisk backend: /nonexistent/qemu: No such file" /tmp/err ||
    no "no-QEMU refusal said: $(cat /tmp/err)"
nothing_left "no-QEMU refusal"
# An image QEMU cannot open: the create fails with QEMU's words, QEMU is stopped.
echo "not a qcow2 image" > /tmp/bad.qcow2
tl create "$cfg" "disk=['/tmp/bad.qcow2,qcow2,xvdb,rw']" 2>/tmp/err && no "a broken qcow2 was accepted"
grep -q "QEMU's qdisk backend did not take qcow2:/tmp/bad.qcow2" /tmp/err ||
    no "broken-image refusal said: $(cat /tmp/err)"
echo "dom0-domu-qcow2: a broken image: $(cat /tmp/err)"
nothing_left "broken-image refusal"

# The domU reads the qcow2's file, writes one and syncs it, then waits.
tl create "$cfg" "$qdisk" "extra=\"console=hvc0 loglevel=4 tessera_domu=disk:xvdb:wait\"" ||
    no "tl create with $qdisk exited $?"
id=$(tl domid debian-pv)
be=/local/domain/0/backend/qdisk/$id/51728
fe=/local/domain/$id/device/vbd/51728
[ "$(xenstore-read $be/params 2>/dev/null)" = "qcow2:$img" ] || no "params is '$(xenstore-read $be/params 2>&1)'"
[ "$(xenstore-read $be/type 2>/dev/null)" = qdisk ] || no "type is '$(xenstore-read $be/type 2>&1)'"
[ "$(xenstore-read $fe/backend 2>/dev/null)" = "$be" ] || no "the front end's backend is '$(xenstore-read $fe/backend 2>&1)'"
pid=$(xenstore-read /local/domain/$id/image/device-model-pid 2>/dev/null)
grep -q "xen-domid" /proc/${pid:-0}/cmdline 2>/dev/null || no "device-model-pid '$pid' is not a running QEMU"
wait_for 120 grep -q "TESSERA-DOMU-DISK synced domu-wait.txt" "$log" ||
    no "the domU did not sync its write: $(grep -a 'TESSERA-DOMU\|xvdb' "$log"; tail -c 400 "$log")"
grep -q "TESSERA-DOMU-DISK read /mnt/from-dom0.txt: hello from a qcow2 image" "$log" ||
    no "the domU did not read the qcow2's file: $(grep -a TESSERA-DOMU-DISK "$log")"
[ "$(xenstore-read $be/state 2>/dev/null)/$(xenstore-read $fe/state 2>/dev/null)" = 4/4 ] ||
    no "xvdb not connected: backend $(xenstore-read $be/state 2>&1), front end $(xenstore-read $fe/state 2>&1)"
tl block-list debian-pv | grep -q "^51728 " || no "block-list: $(tl block-list debian-pv 2>&1)"
tl destroy debian-pv || no "tl destroy exited $?"
nothing_left "destroy"
[ -d /proc/${pid:-0} ] && grep -q "xen-domid" /proc/$pid/cmdline 2>/dev/null && no "QEMU $pid outlived its domain"

# A second domU finds that write in the qcow2, and powers off.
: > "$log"
tl create "$cfg" "$qdisk" "extra=\"console=hvc0 loglevel=4 tessera_domu=disk:xvdb:poweroff\"" ||
    no "second tl create exited $?"
wait_for 120 is_gone || no "the second domU did not power off: $(tail -c 400 "$log")"
grep -q "TESSERA-DOMU-DISK read /mnt/domu-wait.txt: written by domU" "$log" ||
    no "the second domU did not read the first one's write: $(grep -a TESSERA-DOMU-DISK "$log")"
grep -q "TESSERA-DOMU-DISK unmounted" "$log" || no "the second domU did not unmount"
nothing_left "power-off"
if [ -n "$bad" ]; then
    echo "--- the domU's console log, its last 60 lines"
    tail -n 60 "$log" 2>/dev/null | sed 's/^/domU| /'
    echo "--- QEMU's logs"
    tail -n 20 /var/log/tessera/qemu-dm-*.log 2>/dev/null
fi
if [ -z "$bad" ]; then echo "TESSERA-DOM0-CHECK ok"; else echo "TESSERA-DOM0-CHECK failed$bad"; fi
exit 42
