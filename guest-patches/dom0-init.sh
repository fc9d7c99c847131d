#!/bin/busybox sh
# /init of Tessera's dom0 image (guest-patches/mkdom0-image.sh): Debian's
# Linux as the control domain. It mounts the usual file systems, loads the
# Xen drivers Debian builds as modules, mounts xenfs on /proc/xen, starts
# the daemons that are in the image and then either
#   - runs the commands in /etc/tessera/dom0-cmd (make run DOM0_CMD=...),
#     prints their exit status and powers off, or
#   - gives a shell that owns the console (job control, Ctrl-C), and powers
#     off when it exits.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=${TERM:-vt100}
umask 022

mount -t proc proc /proc
# The first line: make bench times QEMU's start to it (tests/bench/).
echo "dom0: /init started, uptime $(cut -d' ' -f1 /proc/uptime)"
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /run /tmp /var/log/tessera/console /var/lib/tessera /root
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/xenstored /run/tessera /run/lock
# What shells and tools expect to find in /dev.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
[ -e /dev/stdout ] || ln -s /proc/self/fd/1 /dev/stdout
[ -e /dev/stderr ] || ln -s /proc/self/fd/2 /dev/stderr
hostname tessera-dom0

say() { echo "dom0: $*"; }

# The Xen drivers (the list is written by the image builder); a driver that
# is built into the kernel needs no module.
for m in $(cat /etc/tessera/modules 2>/dev/null); do
    modprobe "$m" 2>/tmp/modprobe.err || say "module $m not loaded: $(cat /tmp/modprobe.err)"
done
mount -t xenfs xenfs /proc/xen || say "xenfs not mounted"

# Daemons, when this image has them (each logs to /var/log/tessera/).
if [ -x /usr/sbin/xenstored-lite ]; then
    /usr/sbin/xenstored-lite -p /run/xenstored.pid >>/var/log/tessera/xenstored-lite.log 2>&1 &
    say "xenstored-lite started (log /var/log/tessera/xenstored-lite.log)"
fi
if [ -x /usr/sbin/tessera-consoled ]; then
    /usr/sbin/tessera-consoled >>/var/log/tessera/consoled.log 2>&1 &
    say "tessera-consoled started (log /var/log/tessera/consoled.log)"
fi
# Debian's daemons in the Debian tools image (mkdom0-image.sh DOM0_XL=1),
# started as Debian's /etc/init.d/xen does: xenstored, xen-init-dom0 (which
# writes dom0's entries), xenconsoled (here also logging guest consoles to
# /var/log/xen/console/guest-NAME.log).
# With tessera.trace_daemons on dom0's command line they (and libvirtd)
# run under privcmd-trace.so, their calls appended to
# /var/log/xen/daemons-trace.txt (docs/xen-tools.md).
xen_bin=/usr/lib/xen-4.17/bin
traced=""
if grep -qw tessera.trace_daemons /proc/cmdline && [ -f /usr/lib/tessera/privcmd-trace.so ]; then
    traced="env LD_PRELOAD=/usr/lib/tessera/privcmd-trace.so PRIVCMD_TRACE=/var/log/xen/daemons-trace.txt"
fi
if [ -x $xen_bin/xenstored ]; then
    mkdir -p -m 700 /run/xen
    $traced $xen_bin/xenstored --pid-file /run/xenstore.pid >>/var/log/xen/xenstored.log 2>&1 ||
        say "xenstored failed ($?)"
    $traced $xen_bin/xen-init-dom0 >/var/log/xen/xen-init-dom0.log 2>&1 ||
        say "xen-init-dom0 failed ($?): $(tail -3 /var/log/xen/xen-init-dom0.log)"
    $traced $xen_bin/xenconsoled --pid-file /run/xenconsoled.pid --log=guest \
        --log-dir=/var/log/xen/console >>/var/log/xen/xenconsoled.log 2>&1 ||
        say "xenconsoled failed ($?)"
    say "Debian's xenstored, xen-init-dom0 and xenconsoled started (logs in /var/log/xen)${traced:+, traced}"
fi
# libvirt's daemon with its Xen driver, in the libvirt image (DOM0_VIRT=1),
# after the daemons libxl needs; virsh talks to it on /run/libvirt.
if [ -x /usr/sbin/libvirtd ]; then
    mkdir -p /run/libvirt
    $traced /usr/sbin/libvirtd --daemon --pid-file /run/libvirtd.pid ||
        say "libvirtd failed ($?): $(tail -3 /var/log/libvirt/libvirtd.log 2>/dev/null)"
    say "libvirtd started (log /var/log/libvirt/libvirtd.log)"
fi

# The guests' network (docs/network.md): bridge xenbr0 with dom0 at
# 10.99.0.1/24, DHCP for the guests' vifs, files from /srv/www over HTTP.
# tl adds each vif to its bridge; the bridge is made here so that dom0 has
# its address on it from the start.
if brctl addbr xenbr0 2>/tmp/brctl.err && ip addr add 10.99.0.1/24 dev xenbr0 &&
   ip link set xenbr0 up; then
    mkdir -p /var/lib/misc /srv/www
    touch /var/lib/misc/udhcpd.leases
    udhcpd /etc/tessera/udhcpd.conf
    httpd -h /srv/www -p 10.99.0.1:80
    say "xenbr0 at 10.99.0.1/24: DHCP for guests, HTTP from /srv/www"
else
    say "no guest network: $(cat /tmp/brctl.err)"
fi

if [ -f /etc/tessera/dom0-cmd ]; then
    # Non-interactive: the commands' output and their exit status, then off.
    # The status line is what `make run DOM0_CMD=...` exits with.
    say "running /etc/tessera/dom0-cmd"
    sh /etc/tessera/dom0-cmd </dev/null
    status=$?
    echo "TESSERA-DOM0-CMD-EXIT $status"
    sync
    poweroff -f
    sleep 10
fi

cat /etc/motd 2>/dev/null
# A session of its own on the console so the shell controls the terminal:
# job control, and Ctrl-C interrupts the command in the foreground.
setsid cttyhack sh -l
say "shell exited; powering off"
poweroff -f
sleep 10
