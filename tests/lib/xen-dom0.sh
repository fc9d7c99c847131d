# Shell functions (source this file) that build the initramfs of a Linux
# dom0 on real Xen 4.17 from Debian's packages: busybox (busybox-static),
# Xen's toolstack (xen-utils-4.17) with the libraries it loads, and the Xen
# drivers Debian builds as modules for its kernel (linux-image-amd64).
# Every image that boots Debian's Linux as dom0 on Xen uses them:
# tests/bench/mk-xen-dom0.sh (make bench), tests/guests/domu/mkdom0.sh (test
# kernels as domUs), xenstore-lite/tests/xen/mkdom0.sh (our daemons on Xen)
# and dom0-tools/tests/xen/mkdom0.sh (tl on Xen); each adds its own /init
# and payload.

XEN_BIN=/usr/lib/xen-4.17/bin

# xen_dom0_copy ROOT FILE...: each file at its own path under ROOT, with
# every library it loads, the loader, and libgcc_s (glibc loads it at run
# time for pthread_cancel: xl and xenconsole abort without it).
xen_dom0_copy() {
    _r=$1; shift
    for _f in "$@"; do
        mkdir -p "$_r$(dirname "$_f")"
        cp "$_f" "$_r$_f"
    done
    for _lib in $(ldd "$@" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' | sort -u) \
                /lib64/ld-linux-x86-64.so.2 /lib/x86_64-linux-gnu/libgcc_s.so.1; do
        mkdir -p "$_r$(dirname "$_lib")"
        cp -L "$_lib" "$_r$_lib"
    done
}

# xen_dom0_busybox ROOT: busybox with every applet linked in /bin, and the
# directories a minimal root needs.
xen_dom0_busybox() {
    mkdir -p "$1/bin" "$1/sbin" "$1/usr/bin" "$1/usr/sbin" "$1/dev" "$1/proc" "$1/sys" \
        "$1/tmp" "$1/run" "$1/etc"
    cp /bin/busybox "$1/bin/busybox"
    for _applet in $(/bin/busybox --list); do
        [ -e "$1/bin/$_applet" ] || ln -s busybox "$1/bin/$_applet"
    done
}

# xen_dom0_toolstack ROOT [PROGRAM...]: the directories Xen's daemons and
# xl write to (/var/run is /run), xl.conf, and the programs of XEN_BIN named
# (default: xl xenstored xenconsoled xen-init-dom0) with their libraries.
xen_dom0_toolstack() {
    _r=$1; shift
    [ $# -gt 0 ] || set -- xl xenstored xenconsoled xen-init-dom0
    mkdir -p "$_r/run/xen" "$_r/run/xenstored" "$_r/var/lib/xen" "$_r/var/lib/xenstored" \
        "$_r/var/log/xen/console" "$_r/etc/xen"
    [ -e "$_r/var/run" ] || ln -s ../run "$_r/var/run"
    [ -f /etc/xen/xl.conf ] && cp /etc/xen/xl.conf "$_r/etc/xen/"
    _progs=""
    for _p in "$@"; do _progs="$_progs $XEN_BIN/$_p"; done
    # shellcheck disable=SC2086
    xen_dom0_copy "$_r" $_progs
}

# xen_dom0_modules ROOT KERNEL_VERSION: the drivers behind /dev/xen and
# /proc/xen (evtchn, privcmd, gntdev, gntalloc, xenfs) with what they
# depend on, and a modules.dep for busybox's modprobe.
xen_dom0_modules() {
    for _m in xen-evtchn xen-privcmd xen-gntdev xen-gntalloc xenfs; do
        for _ko in $(modprobe -S "$2" --show-depends "$_m" | awk '$1 == "insmod" { print $2 }'); do
            mkdir -p "$1$(dirname "$_ko")"
            cp "$_ko" "$1$_ko"
        done
    done
    mkdir -p "$1/lib/modules/$2"
    for _f in modules.order modules.builtin modules.builtin.modinfo; do
        cp "/lib/modules/$2/$_f" "$1/lib/modules/$2/"
    done
    depmod -b "$1" "$2"
}

# xen_dom0_pack ROOT OUT.cpio.gz: the tree as a gzipped newc archive.
xen_dom0_pack() {
    (cd "$1" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) > "$2"
}
