#!/bin/sh
# Builds Tessera's dom0 initramfs from Debian's packages and Tessera's build:
#   - busybox (busybox-static), every applet linked where busybox puts it;
#   - the Xen drivers Debian builds as modules for its installed kernel
#     (linux-image-amd64), with their dependencies and a modules.dep;
#   - e2fsprogs' mke2fs and debugfs (disk images for domUs);
#   - Tessera's tools from BUILD: /usr/sbin/tl (also as xl),
#     /usr/sbin/xenstored-lite, /usr/bin/xenstore-* and, once it is built,
#     /usr/sbin/tessera-consoled, with the shared libraries ldd names;
#   - /init (dom0-init.sh);
#   - an example domU in /etc/tessera/examples/: debian-pv.cfg, Debian's
#     kernel (the bzImage: tl decompresses it), a busybox initramfs
#     whose /init (domu-init.sh) prints TESSERA-DOMU-INIT, mounts its disk
#     and gives a shell, and that disk (/var/lib/tessera/debian-pv.img,
#     its xvda).
#
# DOM0_XL=1 builds the Debian tools variant instead (docs/xen-tools.md):
# Debian's own xl, xenstored, xenconsoled, xenconsole, xen-init-dom0 and
# xentop (xen-utils-4.17) with the libraries they load, started by /init as
# Debian's /etc/init.d/xen starts them, in place of xenstored-lite and
# tessera-consoled; /usr/sbin/xl is Debian's xl (tl stays tl), and the
# tracing shim privcmd-trace.so is in /usr/lib/tessera/ (BUILD's
# tests/privcmd-trace).
#
# DOM0_XL=1 DOM0_VIRT=1 adds libvirt: libvirtd with its Xen driver, virsh and
# what they load (add_libvirt below; make run-virt).
#
# usage: [DOM0_XL=1 [DOM0_VIRT=1]] mkdom0-image.sh OUT.cpio.gz BUILD_DIR [KERNEL_VERSION]
set -eu
out=$1 build=$2
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ge 3 ]; then
    kver=$3
else
    kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)
    [ -n "$kernel" ] || { echo "mkdom0-image: no /boot/vmlinuz-* (Debian package linux-image-amd64)" >&2; exit 1; }
    kver=${kernel#/boot/vmlinuz-}
fi
[ -x /bin/busybox ] || { echo "mkdom0-image: /bin/busybox missing (Debian package busybox-static)" >&2; exit 1; }
[ -x /usr/sbin/mke2fs ] || { echo "mkdom0-image: /usr/sbin/mke2fs missing (Debian package e2fsprogs)" >&2; exit 1; }
[ -d "/lib/modules/$kver" ] || { echo "mkdom0-image: no /lib/modules/$kver" >&2; exit 1; }

root=$(mktemp -d "${TMPDIR:-/tmp}/tessera-dom0img.XXXXXX")
trap 'rm -rf "$root" "$root.domu" "$root.disk"' EXIT

# Busybox with every applet, in the directories a shell user looks in.
busybox_root() {
    mkdir -p "$1/bin" "$1/sbin" "$1/usr/bin" "$1/usr/sbin" "$1/dev" "$1/proc" "$1/sys" \
        "$1/tmp" "$1/etc" "$1/root"
    cp /bin/busybox "$1/bin/busybox"
    # Each applet where busybox's own list puts it: Linux runs /sbin/poweroff
    # and /sbin/reboot for a xenstore shutdown request, and a poweroff it
    # cannot find is silently dropped.
    for applet in $(/bin/busybox --list-full); do
        [ -e "$1/$applet" ] || ln -s /bin/busybox "$1/$applet"
    done
    echo "root:x:0:0:root:/root:/bin/sh" > "$1/etc/passwd"
    echo "root:x:0:" > "$1/etc/group"
}

# add_modules ROOT MODULE...: the modules and what `modprobe` would load
# first, a modules.dep, and ROOT/etc/tessera/modules listing them for its
# /init to load. A driver that is built in (=y in /boot/config-$kver) has
# no .ko and is left out of the list.
add_modules() {
    mroot=$1; shift
    mkdir -p "$mroot/lib/modules/$kver" "$mroot/etc/tessera"
    loadable=""
    for m in "$@"; do
        deps=$(modprobe -S "$kver" --show-depends "$m" 2>/dev/null | awk '$1 == "insmod" { print $2 }')
        [ -n "$deps" ] || continue
        loadable="$loadable $m"
        for ko in $deps; do
            mkdir -p "$mroot$(dirname "$ko")"
            cp "$ko" "$mroot$ko"
        done
    done
    echo "$loadable" | tr ' ' '\n' | sed '/^$/d' > "$mroot/etc/tessera/modules"
    for f in modules.order modules.builtin modules.builtin.modinfo; do
        cp "/lib/modules/$kver/$f" "$mroot/lib/modules/$kver/"
    done
    depmod -b "$mroot" "$kver"
}

# --- the example domU's initramfs, built first: it goes inside dom0's image
examples=$root/etc/tessera/examples
mkdir -p "$examples"
domu=$root.domu
mkdir -p "$domu"
busybox_root "$domu"
# Its front ends: disks (ext4 on them) and the network.
add_modules "$domu" xen-blkfront xen-netfront ext4
cp "$here/domu-init.sh" "$domu/init"
chmod 755 "$domu/init"
# What udhcpc runs with the lease dom0's udhcpd gives (domu-init.sh).
cat > "$domu/etc/udhcpc.script" <<'DHCP'
#!/bin/sh
case "$1" in
deconfig) ip -4 addr flush dev "$interface"; ip link set "$interface" up ;;
bound|renew)
    ip -4 addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
    ;;
esac
exit 0
DHCP
chmod 755 "$domu/etc/udhcpc.script"
(cd "$domu" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -9 > "$examples/domu-initramfs.cpio.gz"
rm -rf "$domu"
cp "/boot/vmlinuz-$kver" "$examples/vmlinuz"
# Its disk, xvda: an 8 MiB ext4 image made from a folder (no mounts), in
# dom0's /var/lib/tessera; tl binds it to a loop device for xen-blkback.
mkdir -p "$root/var/lib/tessera" "$root.disk"
cat > "$root.disk/README.txt" <<TXT
This is the example domU's disk (xvda, /var/lib/tessera/debian-pv.img in
dom0), mounted on /mnt by its /init. What you write here stays in the
image after the domU is gone.
TXT
/usr/sbin/mke2fs -q -t ext4 -d "$root.disk" "$root/var/lib/tessera/debian-pv.img" 8M
rm -rf "$root.disk"
cat > "$examples/debian-pv.cfg" <<CFG
# Debian's own kernel as a PV domU with a busybox shell on its console:
#   tl create -c /etc/tessera/examples/debian-pv.cfg
# Its /init prints TESSERA-DOMU-INIT and mounts its disk (xvda) on /mnt;
# 'exit' in its shell powers it off.
name = "debian-pv"
type = "pv"
kernel = "/etc/tessera/examples/vmlinuz"
ramdisk = "/etc/tessera/examples/domu-initramfs.cpio.gz"
extra = "console=hvc0 loglevel=4"
memory = 128
vcpus = 1
# eth0 on dom0's bridge xenbr0; dom0 (10.99.0.1) gives it an address.
vif = [ "bridge=xenbr0" ]
on_poweroff = "destroy"
on_reboot = "restart"
on_crash = "destroy"
disk = [ "/var/lib/tessera/debian-pv.img,raw,xvda,rw" ]
CFG

# --- dom0
busybox_root "$root"
mkdir -p "$root/var/log/tessera/console" "$root/var/lib/tessera" "$root/run" \
    "$root/lib/modules/$kver"
# tl create keeps decompressed kernels here (docs/tl.md, "Kernel cache").
install -d -m 0700 "$root/var/cache/tessera/kernels"
ln -s ../run "$root/var/run"

# Modules: the back ends and what they need.
# The drivers of QEMU's disk controllers and NICs (ahci, sd_mod, e1000,
# virtio) are in the image too but loaded on demand (`modprobe ahci`):
# device interrupts reach dom0 as PIRQs (docs/interrupts.md).
device_modules="ahci sd_mod e1000 virtio_pci virtio_blk virtio_net"
add_modules "$root" xenfs xen-privcmd xen-evtchn xen-gntdev xen-gntalloc xen-blkback xen-netback \
    loop bridge tun $device_modules
for m in $device_modules; do
    sed -i "/^$m\$/d" "$root/etc/tessera/modules"
done

# Tessera's tools and the libraries they load (plus the loader).
tools=""
install_tool() {   # SOURCE DEST
    [ -f "$1" ] || return 0
    mkdir -p "$root$(dirname "$2")"
    cp "$1" "$root$2"
    tools="$tools $1"
}
xen_bin=/usr/lib/xen-4.17/bin
# DOM0_VIRT=1 (with DOM0_XL=1): libvirt's monolithic daemon with its Xen
# driver and virsh from this host's Debian packages (Debian 12 has no
# modular virtxend). libvirtd loads its drivers with dlopen from
# connection-driver/ and skips those it does not find, so only the libxl
# one is copied; ldd of it gives what it loads in turn. The libvirt XML
# parser needs libxml2 and ICU, which is most of what this adds.
virt_lib=/usr/lib/x86_64-linux-gnu/libvirt
add_libvirt() {
    for p in /usr/sbin/libvirtd /usr/bin/virsh $virt_lib/connection-driver/libvirt_driver_libxl.so; do
        [ -f "$p" ] || { echo "mkdom0-image: $p missing (Debian packages libvirt-daemon," \
            "libvirt-daemon-driver-xen, libvirt-clients)" >&2; exit 1; }
        install_tool "$p" "$p"
    done
    # The x86 CPU models and features the driver decodes the host's
    # physinfo hw_cap with; it refuses to start without them.
    mkdir -p "$root/usr/share/libvirt/cpu_map"
    cp /usr/share/libvirt/cpu_map/index.xml /usr/share/libvirt/cpu_map/x86_*.xml \
        "$root/usr/share/libvirt/cpu_map/"
    mkdir -p "$root/etc/libvirt" "$root/var/lib/libvirt/libxl" "$root/var/log/libvirt/libxl" \
        "$root/var/cache/libvirt"
    # No polkit in dom0: root's unix socket connections are allowed as they
    # are; no TCP; libvirtd's own log in /var/log/libvirt/libvirtd.log.
    cat > "$root/etc/libvirt/libvirtd.conf" <<'CONF'
listen_tls = 0
listen_tcp = 0
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
CONF
    # virsh with no -c talks to the Xen driver.
    echo 'uri_default = "xen:///system"' > "$root/etc/libvirt/libvirt.conf"
}
install_tool "$build/dom0-tools/opt/tl" /usr/sbin/tl
if [ "${DOM0_XL:-0}" = 1 ]; then
    # Debian's toolstack, from this host's xen-utils-4.17, at its own paths.
    for p in xl xenstored xenconsoled xenconsole xen-init-dom0 xentop; do
        [ -x "$xen_bin/$p" ] || { echo "mkdom0-image: $xen_bin/$p missing (Debian package xen-utils-4.17)" >&2; exit 1; }
        install_tool "$xen_bin/$p" "$xen_bin/$p"
    done
    # glibc loads libgcc_s at run time for pthread_cancel; xl aborts without it.
    install_tool /lib/x86_64-linux-gnu/libgcc_s.so.1 /lib/x86_64-linux-gnu/libgcc_s.so.1
    ln -s "$xen_bin/xl" "$root/usr/sbin/xl"
    # xenconsole (xl console) and virsh console read keys only from a
    # terminal; util-linux's script gives them one in a non-interactive
    # check (busybox has no script).
    install_tool /usr/bin/script /usr/bin/script
    mkdir -p "$root/etc/xen" "$root/var/lib/xen" "$root/var/lib/xenstored" "$root/var/log/xen/console"
    # xenconsole (xl console, xl create -c) takes a lock in /var/lock, Debian's /run/lock.
    ln -s ../run/lock "$root/var/lock"
    [ -f /etc/xen/xl.conf ] && cp /etc/xen/xl.conf "$root/etc/xen/"
    shim=$build/tests/privcmd-trace/privcmd-trace.so
    [ -f "$shim" ] || { echo "mkdom0-image: $shim not built (make -C tests/privcmd-trace)" >&2; exit 1; }
    install_tool "$shim" /usr/lib/tessera/privcmd-trace.so
    if [ "${DOM0_VIRT:-0}" = 1 ]; then
        add_libvirt
    fi
else
    [ -f "$root/usr/sbin/tl" ] && ln -s tl "$root/usr/sbin/xl"
    install_tool "$build/xenstore-lite/opt/xenstored-lite" /usr/sbin/xenstored-lite
fi
install_tool "$build/xenstore-lite/opt/xenstore-lite" /usr/bin/xenstore-lite
if [ -f "$root/usr/bin/xenstore-lite" ]; then
    for n in read write ls list rm exists chmod watch control; do
        ln -s xenstore-lite "$root/usr/bin/xenstore-$n"
    done
fi
# e2fsprogs' mke2fs (busybox's has no -d) and debugfs: disk images for
# domUs made from a folder, and read back, without mounting anything.
for t in mke2fs debugfs; do
    install_tool "/usr/sbin/$t" "/usr/sbin/$t"
done
consoled=$(find "$build/dom0-tools" -name tessera-consoled -type f -perm -u+x 2>/dev/null | sort | head -1)
[ -n "$consoled" ] && [ "${DOM0_XL:-0}" != 1 ] && install_tool "$consoled" /usr/sbin/tessera-consoled
# tl loads libxml2 only to read or write a libvirt XML config; with the ICU
# libraries it needs that is 37 MB, so the image carries it on request only.
xml_lib=""
if [ "${DOM0_XML:-0}" = 1 ]; then
    xml_lib=$(ldconfig -p | awk '/libxml2\.so\.2 .*x86-64/ { print $NF; exit }')
fi
if [ -n "$tools" ]; then
    # shellcheck disable=SC2086
    for lib in $(ldd $tools $xml_lib | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' | sort -u) \
               $xml_lib /lib64/ld-linux-x86-64.so.2; do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
fi

cp "$here/dom0-init.sh" "$root/init"
chmod 755 "$root/init"
# DHCP for the guests on xenbr0 (dom0-init.sh starts udhcpd with it).
cat > "$root/etc/tessera/udhcpd.conf" <<'DHCPD'
interface xenbr0
start 10.99.0.100
end 10.99.0.199
lease_file /var/lib/misc/udhcpd.leases
option subnet 255.255.255.0
option router 10.99.0.1
option lease 600
DHCPD
cat > "$root/etc/motd" <<'MOTD'

Tessera dom0 (Debian's Linux). Try:
    tl list
    tl create -c /etc/tessera/examples/debian-pv.cfg
The domU's eth0 is on xenbr0 with dom0 at 10.99.0.1 (wget http://10.99.0.1/
fetches from /srv/www). 'exit' powers the machine off.
MOTD
echo 'export PS1="tessera-dom0:\w# "' > "$root/etc/profile"
echo "dom0 image: kernel $kver, modules:$(echo $loadable), tools:$(for t in $tools; do printf " %s" "${t##*/}"; done)"

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -6 > "$out.tmp"
mv "$out.tmp" "$out"
echo "$out: $(wc -c < "$out") bytes"
