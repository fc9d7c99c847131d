# Run in dom0 as DOM0_CMD (tests/boot/linux_tests.py, case linux-dom0-msix):
# dom0 drives QEMU's virtio devices with MSI-X (docs/interrupts.md). The
# machine has a virtio-blk-pci disk holding /known.txt (made by mke2fs -d
# on the host) and a virtio-net-pci NIC on QEMU's user network, both with
# MSI-X tables. dom0 loads the drivers, reads the file (debugfs, no mount)
# and 4 MiB of the disk with its caches dropped, takes an address from
# QEMU's DHCP server and pings its gateway. Each device's queue interrupts
# must be xen-pirq -msi-x lines whose counts grew, and Linux must not have
# printed "map irq failed". A store into the NIC's MSI-X table through
# /dev/mem must complete and change nothing (the hypervisor drops it). Prints "TESSERA-DOM0-CHECK ok" or
# "TESSERA-DOM0-CHECK failed: <what>", exits 42.
bad=""
no() { bad="$bad; $1"; echo "dom0-msix: $1"; }
# wait_for SECONDS COMMAND...: until the command succeeds
wait_for() {
    t=$(($1 * 5)); shift
    while [ $t -gt 0 ]; do "$@" && return 0; sleep 0.2; t=$((t - 1)); done
    return 1
}
# msix_count NAME: the interrupts of every xen-pirq -msi-x line naming NAME, all CPUs summed
msix_count() {
    awk -v n="$1" 'index($0, n) && /xen-pirq/ && /-msi-x/ {
        for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; found = 1 }
        END { if (found) print s + 0 }' /proc/interrupts
}
# virtio_of PATH: the virtio device (virtioN) behind a sysfs device link
virtio_of() { basename "$(readlink -f "$1")"; }

for m in virtio_pci virtio_blk virtio_net; do
    modprobe "$m" || no "modprobe $m exited $?"
done
wait_for 30 test -b /dev/vda || no "no /dev/vda from the virtio-blk disk"
wait_for 30 test -d /sys/class/net/eth0 || no "no eth0 from the virtio NIC"
blk=$(virtio_of /sys/block/vda/device)
net=$(virtio_of /sys/class/net/eth0/device)
echo "dom0-msix: disk is $blk, NIC is $net"

# The NIC's MSI-X table is the hypervisor's: dom0 maps it read-only and a
# store there is dropped, so the receive queue's entry (1) keeps its message.
pcidev=$(readlink -f /sys/class/net/eth0/device/..)
table=$(sed -n 2p "$pcidev/resource" | cut -d' ' -f1)
entry1=$((table + 16))
before=$(devmem $entry1 32)
timeout 10 devmem $entry1 32 0x12345678 || no "a store into the MSI-X table did not complete ($?)"
after=$(devmem $entry1 32)
echo "dom0-msix: MSI-X table at $table: entry 1's address $before, after a store of 0x12345678: $after"
[ -n "$before" ] && [ "$before" = "$after" ] && [ "$before" != 0x00000000 ] ||
    no "the NIC's MSI-X entry changed or is unwritten ('$before' -> '$after')"

# The disk: the host's file, then 4 MiB more read from the device itself.
text=$(/usr/sbin/debugfs -R "cat /known.txt" /dev/vda 2>/dev/null)
[ "$text" = "TESSERA-AHCI-KNOWN-FILE 4711" ] || no "known.txt read as '$text'"
disk0=$(msix_count "$blk-")
echo 3 > /proc/sys/vm/drop_caches
dd if=/dev/vda of=/dev/null bs=64k count=64 2>/dev/null || no "reading /dev/vda failed"
disk1=$(msix_count "$blk-")
echo "dom0-msix: $blk MSI-X interrupts $disk0 -> $disk1"
[ -n "$disk0" ] && [ -n "$disk1" ] && [ "$disk1" -gt "$disk0" ] ||
    no "the disk's MSI-X count did not grow ('$disk0' -> '$disk1')"

# The NIC: QEMU's DHCP server gives an address, its gateway answers pings.
cat > /tmp/udhcpc.sh <<'EOS'
#!/bin/sh
case "$1" in bound|renew) ip addr add "$ip/${mask:-24}" dev "$interface" ;; esac
EOS
chmod 755 /tmp/udhcpc.sh
ip link set eth0 up
net0=$(msix_count "$net-")
udhcpc -i eth0 -s /tmp/udhcpc.sh -n -q -t 10 -T 1 >/tmp/udhcpc.log 2>&1 ||
    no "no DHCP lease: $(tail -n 2 /tmp/udhcpc.log | tr '\n' ' ')"
answered=0
for i in 1 2 3; do
    ping -c 1 -W 10 10.0.2.2 >>/tmp/ping.log 2>&1 && answered=$((answered + 1))
done
[ $answered = 3 ] || no "ping 10.0.2.2: $answered of 3 answered: $(grep received /tmp/ping.log | tr '\n' ' ')"
net1=$(msix_count "$net-")
echo "dom0-msix: $net MSI-X interrupts ${net0:-none} -> $net1; $answered of 3 pings answered"
[ -n "$net1" ] && [ "$net1" -gt "${net0:-0}" ] ||
    no "the NIC's MSI-X count did not grow ('$net0' -> '$net1')"

grep -E "xen-pirq" /proc/interrupts | sed 's/^/dom0-msix: irq /'
grep "$net-input" /proc/interrupts | grep -q "xen-pirq.*-msi-x" ||
    no "the NIC's receive queue has no xen-pirq MSI-X line"

# The driver unloaded (its PIRQs unmapped, each entry masked, MSI-X
# disabled by the last) and loaded again (the entries mapped anew): the
# NIC works as before.
ip link set eth0 down
rmmod virtio_net || no "rmmod virtio_net exited $?"
left=$(grep -c "$net-" /proc/interrupts)
[ "$left" = 0 ] || no "$left interrupt lines of $net left after rmmod"
modprobe virtio_net || no "modprobe virtio_net again exited $?"
wait_for 30 test -d /sys/class/net/eth0 || no "no eth0 after loading virtio_net again"
ip link set eth0 up
udhcpc -i eth0 -s /tmp/udhcpc.sh -n -q -t 10 -T 1 >/tmp/udhcpc.log 2>&1 ||
    no "no DHCP lease after reloading: $(tail -n 2 /tmp/udhcpc.log | tr '\n' ' ')"
ping -c 1 -W 10 10.0.2.2 >/tmp/ping2.log 2>&1 || no "no answer from 10.0.2.2 after reloading"
net2=$(msix_count "$net-")
echo "dom0-msix: $net reloaded: MSI-X interrupts ${net2:-none} since"
[ -n "$net2" ] && [ "$net2" -gt 0 ] || no "the reloaded NIC took no MSI-X interrupt ('$net2')"
grep "$blk-req" /proc/interrupts | grep -q "xen-pirq.*-msi-x" ||
    no "the disk's request queue has no xen-pirq MSI-X line"
dmesg | grep -E "map irq failed|Failed to setup GSI" | sed 's/^/dom0-msix: /'
dmesg | grep -qE "map irq failed|Failed to setup GSI" && no "Linux could not set up an interrupt"

if [ -z "$bad" ]; then echo "TESSERA-DOM0-CHECK ok"; else echo "TESSERA-DOM0-CHECK failed$bad"; fi
exit 42
