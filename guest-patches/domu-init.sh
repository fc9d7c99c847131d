#!/bin/busybox sh
# /init of the example domU (guest-patches/mkdom0-image.sh puts it in dom0's
# /etc/tessera/examples/): prints a marker line the tests look for and gives
# a shell on the domain's console, hvc0 (or floods it: tessera_domu=flood).
# `exit` or `poweroff` ends the domain.
export PATH=/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
hostname tessera-domu
# The front ends (the image builder lists them): a disk or network the
# domain's config gives appears once its driver is loaded.
for m in $(cat /etc/tessera/modules 2>/dev/null); do
    modprobe "$m" 2>/tmp/modprobe.err || echo "domu: module $m not loaded: $(cat /tmp/modprobe.err)"
done
echo "TESSERA-DOMU-INIT uptime=$(cut -d' ' -f1 /proc/uptime) kernel=$(uname -r)" \
     "cpus=$(grep -c ^processor /proc/cpuinfo) mem_kb=$(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo)" \
     "uuid=$(cat /sys/hypervisor/uuid 2>/dev/null)"
# tl shutdown / reboot make Linux run /sbin/poweroff or /sbin/reboot, and
# busybox's signal init (us) with USR2 (poweroff), USR1 (halt) or TERM
# (reboot). The shell runs in the background so that `wait` lets the traps
# run at once; a shell in the foreground would hold them until it exits.
trap 'poweroff -f' USR1 USR2
trap 'reboot -f' TERM
# A network interface from the domain's vif= gets its address from dom0's
# DHCP server on xenbr0 (dom0-init.sh); udhcpc's script sets it. In the
# background: the traps above must run at once (a reboot request waits for
# a foreground command), and the shell need not wait for DHCP.
if [ -e /sys/class/net/eth0 ]; then
    (
        ip link set eth0 up
        if udhcpc -i eth0 -s /etc/udhcpc.script -n -q -t 10 -T 1 >/tmp/udhcpc.log 2>&1; then
            echo "TESSERA-DOMU-NET eth0 $(ip -4 -o addr show dev eth0 | awk '{ print $4 }')" \
                 "mac $(cat /sys/class/net/eth0/address)"
        else
            echo "TESSERA-DOMU-NET eth0 got no address: $(tail -n 2 /tmp/udhcpc.log | tr '\n' ' ')"
        fi
    ) &
fi
# tessera_domu=flood on the kernel command line (extra= in its cfg): no
# shell, output on the console without end, to prove that a domU flooding
# its console costs dom0 and tessera-consoled only a bounded amount
# (guest-patches/dom0-domu-console.sh).
# tessera_domu=disk:DEV:END (guest-patches/dom0-domu-disk.sh): mount
# /dev/DEV, print the files dom0 and an earlier run put there, write one
# back and sync it; END=wait then waits for dom0 to destroy the domain,
# saying when an xvdc comes and goes (and writing and syncing one more file
# when it went); END=poweroff unmounts and powers off.
case " $(cat /proc/cmdline) " in
*" tessera_domu=disk:"*)
    spec=$(sed 's/.*tessera_domu=disk:\([a-z0-9:]*\).*/\1/' /proc/cmdline)
    dev=${spec%%:*} end=${spec#*:}
    if mkdir -p /mnt && mount -t ext4 "/dev/$dev" /mnt; then
        for f in /mnt/*.txt; do echo "TESSERA-DOMU-DISK read $f: $(cat "$f")"; done
        echo "written by domU $(cat /sys/hypervisor/uuid) before its $end" > "/mnt/domu-$end.txt"
        sync -f "/mnt/domu-$end.txt" && echo "TESSERA-DOMU-DISK synced domu-$end.txt"
        if [ "$end" = poweroff ]; then
            umount /mnt && echo "TESSERA-DOMU-DISK unmounted"
            poweroff -f
        fi
    else
        echo "TESSERA-DOMU-DISK mount of /dev/$dev failed: $(ls /dev | grep xvd)"
    fi
    # Disks dom0 attaches and detaches meanwhile (tl block-attach xvdc ...).
    while sleep 0.3; do
        if [ -b /dev/xvdc ]; then
            [ -n "$seen" ] || echo "TESSERA-DOMU-DISK xvdc appeared: $(cat /sys/block/xvdc/size) sectors"
            seen=1
        elif [ -n "$seen" ]; then
            echo "TESSERA-DOMU-DISK xvdc gone"
            seen=""
            echo "written by domU $(cat /sys/hypervisor/uuid) after xvdc went" > /mnt/domu-detach.txt
            sync -f /mnt/domu-detach.txt && echo "TESSERA-DOMU-DISK synced domu-detach.txt"
        fi
    done &
    ;;
*" tessera_domu=run:"*)
    # tessera_domu=run:DEV (tests/bench/dom0-io.sh): the program on a disk
    # dom0 gives, /run.sh on DEV mounted read-only, its output on the
    # console, then power-off. The benchmarks bring their tools this way.
    dev=$(sed 's/.*tessera_domu=run:\([a-z0-9]*\).*/\1/' /proc/cmdline)
    if mkdir -p /opt && mount -t ext4 -o ro "/dev/$dev" /opt; then
        sh /opt/run.sh
        echo "TESSERA-DOMU-RUN exit $?"
    else
        echo "TESSERA-DOMU-RUN mount of /dev/$dev failed: $(ls /dev | grep xvd)"
    fi
    poweroff -f
    ;;
*" tessera_domu=flood "*)
    echo "TESSERA-DOMU-FLOOD: writing to hvc0 without end"
    yes "TESSERA-DOMU-FLOOD 0123456789abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ" &
    ;;
*)
    # The example's own disk (xvda in debian-pv.cfg), ready to write to.
    if [ -b /dev/xvda ] && mkdir -p /mnt && mount -t ext4 /dev/xvda /mnt; then
        echo "TESSERA-DOMU-XVDA mounted on /mnt: $(ls /mnt | grep -v lost+found | tr '\n' ' ')"
    fi
    echo "a busybox shell in a Tessera domU; 'exit' powers it off"
    setsid cttyhack sh -l &
    ;;
esac
wait $!
poweroff -f
sleep 10
