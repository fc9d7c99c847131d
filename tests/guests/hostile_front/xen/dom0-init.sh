#!/bin/busybox sh
# /init of a Linux dom0 on real Xen 4.17 that runs tests/guests/hostile_front
# as an xl domU with two loop disks and seven vifs, as linux-tl-hostile-front
# does on Tessera (docs/hostile-frontends.md, "On real Xen 4.17"). Custom
# hotplug scripts stand in for Xen's block and vif-bridge (bash scripts not
# in this image): physical-device and hotplug-status, the vif brought up.
export PATH=/bin:/usr/bin:/usr/lib/xen-4.17/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
finish() { echo "dom0: $1"; echo "Test result: $2"; poweroff -f; sleep 10; }
for m in xen-evtchn xen-privcmd xen-gntdev xen-gntalloc xenfs xen-blkback xen-netback loop; do
    modprobe $m || echo "dom0: modprobe $m failed"
done
mount -t xenfs xenfs /proc/xen || finish "no xenfs" ERROR
xenstored --pid-file=/run/xenstored.pid || finish "xenstored failed" ERROR
i=0
while [ ! -S /run/xenstored/socket ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
xen-init-dom0 >/dev/null 2>&1 || finish "xen-init-dom0 failed" ERROR
xenconsoled --log=guest --log-dir=/var/log/xen/console || finish "xenconsoled failed" ERROR

img=/tmp/hostile.img ro=/tmp/hostile-ro.img
dd if=/dev/urandom of=$img bs=64k count=32 2>/dev/null
dd if=/dev/urandom of=$ro bs=64k count=8 2>/dev/null
for f in $img $ro; do printf 'TESSERA-HOSTILE-DISK' | dd of=$f conv=notrunc 2>/dev/null; done
md5_of() { dd if="$1" bs=512 skip="$2" ${3:+count=$3} 2>/dev/null | md5sum | cut -d' ' -f1; }
head0=$(md5_of $img 0 64) tail0=$(md5_of $img 72) ro0=$(md5_of $ro 0)
[ -e /dev/loop0 ] || mknod /dev/loop0 b 7 0
[ -e /dev/loop1 ] || mknod /dev/loop1 b 7 1
losetup /dev/loop0 $img || finish "losetup loop0" ERROR
losetup -r /dev/loop1 $ro || finish "losetup loop1" ERROR

cat > /tmp/hf-block <<'S'
#!/bin/sh
echo "hf-block $1 $XENBUS_PATH" >> /tmp/hotplug.log
[ "$1" = add ] || exit 0
dev=$(xenstore-read "$XENBUS_PATH/params")
xenstore-write "$XENBUS_PATH/physical-device" "$(stat -L -c %t:%T "$dev")" "$XENBUS_PATH/hotplug-status" connected
S
cat > /tmp/hf-vif <<'S'
#!/bin/sh
echo "hf-vif $1 $XENBUS_PATH vif=$vif" >> /tmp/hotplug.log
case $1 in online|add)
    ip link set "$vif" up
    xenstore-write "$XENBUS_PATH/hotplug-status" connected ;;
esac
exit 0
S
chmod 755 /tmp/hf-block /tmp/hf-vif
v="'script=/tmp/hf-vif'"
cat > /tmp/hostile.cfg <<CFG
name = "hostile"
type = "pv"
kernel = "/tests/hostile_front.elf"
cmdline = "console=ring"
memory = 32
vcpus = 1
disk = [ 'vdev=xvda,access=rw,script=/tmp/hf-block,target=/dev/loop0', 'vdev=xvdb,access=ro,script=/tmp/hf-block,target=/dev/loop1' ]
vif = [ $v, $v, $v, $v, $v, $v, $v ]
on_poweroff = "destroy"
on_crash = "preserve"
CFG
dmesg -c > /dev/null
xl create /tmp/hostile.cfg > /tmp/xl.log 2>&1 || { cat /tmp/xl.log /tmp/hotplug.log; finish "xl create failed" ERROR; }
log=/var/log/xen/console/guest-hostile.log
i=0
while ! grep -q "Test result:" $log 2>/dev/null && [ $i -lt 900 ]; do sleep 0.2; i=$((i + 1)); done
sleep 1
sed 's/Test result:/domU result:/' $log
echo "dom0: dmesg:"; dmesg | grep -i "blkback\|vbd\|vif\|xen" | head -60
r=$(sed -n 's/.*Test result: \([A-Z]*\).*/\1/p' $log | tail -1)
[ "$(md5_of $img 0 64)" = "$head0" ] || { echo "dom0: xvda 0-63 changed"; r=FAILURE; }
[ "$(md5_of $img 72)" = "$tail0" ] || { echo "dom0: xvda 72- changed"; r=FAILURE; }
[ "$(md5_of $ro 0)" = "$ro0" ] || { echo "dom0: ro changed"; r=FAILURE; }
dd if=$img bs=512 skip=64 count=1 2>/dev/null | grep -q HOSTILE-FRONT-LEGAL-WRITE || { echo "dom0: legal write missing"; r=FAILURE; }
xl list
xl destroy hostile 2>/dev/null
finish "hostile_front done" ${r:-ERROR}
