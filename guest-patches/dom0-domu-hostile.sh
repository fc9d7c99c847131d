# Run in Tessera's dom0 as DOM0_CMD (tests/boot/linux_tests.py, case
# linux-tl-hostile-front): a malicious front end (tests/guests/hostile_front,
# put into the image at /etc/tessera/hostile_front.elf by --file) against
# dom0's xen-blkback and xen-netback, beside a normal example domU on the
# same bridge. dom0 makes the hostile guest's disks (random bytes, a marker
# in sector 0; xvda writable, xvdb read-only) and a sentinel file beside
# them, and records checksums; the guest has seven vifs (netback disables
# one for good on each "fatal" attack and the guest goes on with the
# next). The hostile guest attacks (its console log says what the back end
# did to each attack), then floods its disk with I/O and is destroyed in
# the middle of it. Checked: every attack line ends "ok" and the summary
# has 0 unexpected; netback disabled exactly six vifs; dom0 and the normal
# domU still answer (console, and a ping over the bridge); the disk is
# unchanged outside the one page the guest may write (which holds its
# write), the read-only disk and the sentinel are unchanged, no file grew;
# no BUG/Oops/panic/WARNING in dom0's kernel log; after the destroy no vbd
# or vif back end, no vif device, no loop device, no node of the hostile
# domain is left and free memory is back. Prints "TESSERA-DOM0-CHECK ok"
# or "TESSERA-DOM0-CHECK failed: <what>", exits 42.
cfg=/etc/tessera/examples/debian-pv.cfg
dir=/var/lib/tessera
img=$dir/hostile.img ro=$dir/hostile-ro.img sentinel=$dir/hostile-sentinel
log=/var/log/tessera/console/hostile.log
bad=""
no() { bad="$bad; $1"; echo "dom0-domu-hostile: $1"; }
# wait_for SECONDS COMMAND...: until the command succeeds
wait_for() {
    t=$(($1 * 5)); shift
    while [ $t -gt 0 ]; do "$@" && return 0; sleep 0.2; t=$((t - 1)); done
    return 1
}
at() { echo "dom0-domu-hostile: $1 at $(cut -d' ' -f1 /proc/uptime) s"; }
free_mib() { tl info | sed -n 's/^free_memory *: *//p'; }
# md5 of sectors [FROM, FROM+COUNT) of FILE (COUNT empty: to the end)
md5_of() { dd if="$1" bs=512 skip="$2" ${3:+count=$3} 2>/dev/null | md5sum | cut -d' ' -f1; }
loops_on() { grep -l "$1" /sys/block/loop*/loop/backing_file 2>/dev/null | wc -l; }
next_tag() { k=$(($(cat /tmp/hostile.tag 2>/dev/null || echo 0) + 1)); echo "$k" > /tmp/hostile.tag; }
# ask DOMAIN COMMAND: runs COMMAND in the domU's shell, prints its answer.
ask() {
    next_tag; n=$k
    l=/var/log/tessera/console/$1.log
    tty=$(xenstore-read "/local/domain/$(tl domid "$1")/console/tty")
    timeout 10 sh -c 'printf "echo A%s=\$(%s)\r" "$1" "$2" > "$3"' - "$n" "$2" "$tty" || return 1
    wait_for 30 grep -q "^A$n=" "$l" || { echo "(no answer to '$2')"; return 1; }
    sed -n "s/^A$n=//p" "$l" | tr -d '\r' | tail -n 1
}
at "starting"

# The disks: 2 MiB and 512 KiB of random bytes, the marker the guest's
# good reads look for at the start of each; a sentinel beside them.
dd if=/dev/urandom of=$img bs=64k count=32 2>/dev/null
dd if=/dev/urandom of=$ro bs=64k count=8 2>/dev/null
dd if=/dev/urandom of=$sentinel bs=64k count=1 2>/dev/null
for f in $img $ro; do printf 'TESSERA-HOSTILE-DISK' | dd of=$f conv=notrunc 2>/dev/null; done
# The guest may write sectors 64-71 of xvda (LEGAL_SECTOR in its main.c) only.
head0=$(md5_of $img 0 64) tail0=$(md5_of $img 72) ro0=$(md5_of $ro 0) sent0=$(md5_of $sentinel 0)
size0=$(stat -c %s $img):$(stat -c %s $ro):$(stat -c %s $sentinel)

at "disks made"
free0=$(free_mib)

# Seven vifs: netback disables a vif for good on each "fatal" attack, and
# the guest goes on with the next one (six such attacks, NR_VIFS in vif.c).
vifs='"bridge=xenbr0"'
for i in 1 2 3 4 5 6; do vifs="$vifs, \"bridge=xenbr0\""; done
cat > /tmp/hostile.cfg <<CFG
name = "hostile"
type = "pv"
kernel = "/etc/tessera/hostile_front.elf"
extra = "console=ring flood"
memory = 32
vcpus = 1
disk = [ "$img,raw,xvda,rw", "$ro,raw,xvdb,ro" ]
vif = [ $vifs ]
on_crash = "preserve"
CFG
dmesg -c > /dev/null
# A normal domU beside it (no disk, a vif on the same bridge), booting
# while the attacks run.
tl create "$cfg" 'name="bystander"' 'disk=[]' || no "tl create bystander exited $?"
tl create /tmp/hostile.cfg || no "tl create hostile exited $?"
id=$(tl domid hostile)
at "both created"
wait_for 240 grep -q "hostile_front: summary" $log ||
    no "no summary from the hostile guest: $(tail -c 600 $log)"
at "attacks done (load $(cut -d' ' -f1-3 /proc/loadavg))"
grep -a "hostile_front: " $log | grep -v "flood round"
grep -aq "hostile_front: .*UNEXPECTED" $log && no "an attack had an unexpected outcome"
n=$(grep -ac "hostile_front: vbd .*: ok$" $log)
[ "$n" = 31 ] || no "$n vbd attack lines ended ok, not 31"
n=$(grep -ac "hostile_front: vif .*: ok$" $log)
[ "$n" = 15 ] || no "$n vif attack lines ended ok, not 15"
grep -aq "hostile_front: summary: [0-9]* attacks, 0 unexpected, result SUCCESS" $log ||
    no "summary: $(grep -a 'hostile_front: summary' $log)"
n=$(dmesg | grep -c "vif$id\.[0-9]*: fatal error; disabling device")
[ "$n" = 6 ] || no "netback disabled $n of the hostile guest's vifs, not 6"
echo "dom0-domu-hostile: what blkback and netback said:"
dmesg | grep -i "blkback\|blkif\|vbd\|vif\|xen" | sed 's/^/    /' | head -80

# I/O without end: destroyed in the middle of it.
wait_for 60 grep -q "hostile_front: flood round" $log || no "the guest did not start flooding"
tl destroy hostile || no "tl destroy hostile exited $?"
at "destroyed"
wait_for 20 sh -c "! xenstore-exists /local/domain/0/backend/vbd/$id" ||
    no "backend vbd/$id left after destroy: $(xenstore-ls /local/domain/0/backend/vbd/$id 2>&1 | head -5)"
xenstore-exists /local/domain/$id 2>/dev/null && no "/local/domain/$id left after destroy"
wait_for 20 sh -c "! xenstore-exists /local/domain/0/backend/vif/$id" ||
    no "backend vif/$id left after destroy"
wait_for 20 sh -c "! ls /sys/class/net | grep -q '^vif$id\.'" ||
    no "vif devices left after destroy: $(ls /sys/class/net | tr '\n' ' ')"
wait_for 20 sh -c "[ \$(grep -l hostile /sys/block/loop*/loop/backing_file 2>/dev/null | wc -l) = 0 ]" ||
    no "loop devices still on the hostile disks: $(grep -l hostile /sys/block/loop*/loop/backing_file)"

# Nothing written outside the guest's own page; its write is there.
[ "$(md5_of $img 0 64)" = "$head0" ] || no "xvda's sectors 0-63 changed"
[ "$(md5_of $img 72)" = "$tail0" ] || no "xvda's sectors from 72 on changed"
[ "$(md5_of $ro 0)" = "$ro0" ] || no "the read-only disk changed"
[ "$(md5_of $sentinel 0)" = "$sent0" ] || no "the sentinel file changed"
[ "$(stat -c %s $img):$(stat -c %s $ro):$(stat -c %s $sentinel)" = "$size0" ] ||
    no "sizes $(stat -c %s $img):$(stat -c %s $ro):$(stat -c %s $sentinel), were $size0"
dd if=$img bs=512 skip=64 count=1 2>/dev/null | grep -q HOSTILE-FRONT-LEGAL-WRITE ||
    no "the guest's legal write is not in sector 64"

# dom0 and the bystander still answer; dom0's kernel did not break.
wait_for 90 grep -q TESSERA-DOMU-INIT /var/log/tessera/console/bystander.log ||
    no "the bystander did not boot: $(tail -c 300 /var/log/tessera/console/bystander.log)"
[ "$(tl list | awk '$1 == "bystander" { print $1 }')" = bystander ] || no "tl list lacks the bystander"
a=$(ask bystander 'echo $((6*7))')
[ "$a" = 42 ] || no "the bystander does not answer on its console: '$a'"
# ...and on the bridge, through netback, after the hostile vifs were disabled.
blog=/var/log/tessera/console/bystander.log
wait_for 60 grep -q "TESSERA-DOMU-NET eth0" $blog || no "the bystander got no address"
ip=$(sed -n 's/.*TESSERA-DOMU-NET eth0 \([0-9.]*\)\/.*/\1/p' $blog | tail -n 1)
ping -c 2 -W 5 "$ip" > /tmp/ping 2>&1 || no "dom0 cannot ping the bystander at '$ip': $(tail -n 2 /tmp/ping)"
dmesg | grep -E "BUG|Oops|panic|WARNING: " && no "dom0's kernel log has a BUG, Oops, panic or WARNING"
tl destroy bystander || no "tl destroy bystander exited $?"
free_back() { [ "$(free_mib)" = "$free0" ]; }
wait_for 20 free_back || no "free memory $(free_mib) MiB after the destroys, $free0 before"
at "done"

if [ -n "$bad" ]; then
    echo "--- tail of the hostile guest's console"; tail -n 20 $log 2>/dev/null
    echo "TESSERA-DOM0-CHECK failed$bad"
else
    echo "TESSERA-DOM0-CHECK ok"
fi
exit 42
