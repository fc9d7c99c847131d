# Run in dom0 by the Linux boot test (tests/boot/linux_tests.py, through
# run-dom0.py --cmd): checks that Linux's control-domain devices work as on
# Xen and prints one line, "TESSERA-DOM0-CHECK ok" or "TESSERA-DOM0-CHECK
# failed: WHAT...", then exits with status 42 so that the test also proves
# the status reaches run-dom0.py's exit status.
bad=""
no() { bad="$bad $*;"; }
[ "$(cat /proc/xen/capabilities 2>/dev/null)" = control_d ] || no "capabilities is '$(cat /proc/xen/capabilities 2>&1)'"
for dev in privcmd evtchn gntdev gntalloc xenbus xenbus_backend; do
    [ -c /dev/xen/$dev ] || no "no /dev/xen/$dev"
done
# dom0 allocates its own xenstore ring (store_evtchn 0): xenfs shows it.
port=$(cat /proc/xen/xsd_port 2>/dev/null)
[ -n "$port" ] && [ "$port" -gt 0 ] 2>/dev/null || no "xsd_port is '$port'"
[ -e /proc/xen/xsd_kva ] || no "no /proc/xen/xsd_kva"
for m in xenfs xen_privcmd xen_evtchn xen_gntdev xen_gntalloc; do
    grep -q "^$m " /proc/modules || no "module $m not loaded"
done
[ -x /usr/sbin/tl ] && [ "$(readlink /usr/sbin/xl)" = tl ] || no "no tl/xl"
[ -x /usr/sbin/xenstored-lite ] || no "no xenstored-lite"
[ -f /etc/tessera/examples/debian-pv.cfg ] && [ -f /etc/tessera/examples/vmlinuz ] &&
    [ -f /etc/tessera/examples/domu-initramfs.cpio.gz ] || no "example domU incomplete"
[ "$(cat /sys/hypervisor/type)" = xen ] || no "hypervisor type"
[ "$(cat /sys/hypervisor/version/major).$(cat /sys/hypervisor/version/minor)" = 4.17 ] || no "version"
# Every /sys/hypervisor file reads, but the PMU's: with its virtual PMU off
# (4.17's default) Xen answers xenpmu_op with -EOPNOTSUPP, and so do we.
for f in $(find /sys/hypervisor -type f); do
    case $f in
    /sys/hypervisor/pmu/*) cat "$f" >/dev/null 2>&1 && no "$f reads (Xen's PMU is off)" ;;
    *) cat "$f" >/dev/null 2>/tmp/err || no "$f: $(cat /tmp/err)" ;;
    esac
done
[ "$(cat /sys/hypervisor/properties/pagesize)" = 1000 ] || no "pagesize"
[ -n "$(cat /sys/hypervisor/properties/buildid)" ] || no "empty build id"
# xenstored-lite serves dom0's own ring (xsd_kva/xsd_port): Linux's xenbus
# comes up on it and writes its control/feature-* nodes (up to 10 s).
i=0
until [ "$(xenstore-read /local/domain/0/control/feature-poweroff 2>/dev/null)" = 1 ]; do
    i=$((i + 1))
    [ $i -ge 50 ] && { no "no control/feature-poweroff in xenstore"; break; }
    sleep 0.2
done
# The image leaves libxml2 out (mkdom0-image.sh; DOM0_XML=1 puts it in):
# an XML config gets a clear refusal, an xl.cfg none of that.
cat > /tmp/x.xml <<'XML'
<domain type='xen'><name>x</name><memory unit='MiB'>64</memory>
<os><type>linux</type><kernel>/etc/tessera/examples/vmlinuz</kernel></os></domain>
XML
if [ -e /lib/x86_64-linux-gnu/libxml2.so.2 ]; then
    tl create -n /tmp/x.xml >/dev/null 2>/tmp/err || no "XML config: $(cat /tmp/err)"
else
    tl create -n /tmp/x.xml >/dev/null 2>/tmp/err && no "XML config accepted without libxml2"
    grep -q "libvirt XML needs libxml2" /tmp/err || no "XML refusal said: $(cat /tmp/err)"
fi
tl create -n /etc/tessera/examples/debian-pv.cfg >/dev/null 2>/tmp/err || no "create -n: $(cat /tmp/err)"
[ -e /dev/fd/0 ] && [ -L /dev/stdin ] && [ -L /dev/stdout ] && [ -L /dev/stderr ] || no "/dev/fd or std links"
if [ -z "$bad" ]; then echo "TESSERA-DOM0-CHECK ok"; else echo "TESSERA-DOM0-CHECK failed:$bad"; fi
exit 42
