# Run in dom0 as DOM0_CMD (tests/boot/linux_tests.py, case linux-dom0-devices):
# dom0 drives QEMU's real devices with their interrupts (docs/interrupts.md).
# The machine has an AHCI controller whose disk holds /known.txt (made by
# mke2fs -d on the host) and an e1000 NIC on QEMU's user network. dom0
# loads the drivers, reads the file (debugfs, no mount), reads the disk
# again with its caches dropped, takes an address from QEMU's DHCP server
# and pings its gateway; each device's line in /proc/interrupts must be a
# xen-pirq whose count grew (the AHCI's an MSI, the e1000's a level GSI),
# and Linux must not have printed "Failed to setup GSI" or "map irq failed". Prints "TESSERA-DOM0-CHECK ok" or
# "TESSERA-DOM0-CHECK failed: <what>", exits 42.
bad=""
no() { bad="$bad; $1"; echo "dom0-devices: $1"; }
# wait_for SECONDS COMMAND...: until the command succeeds
wait_for() {
    t=$(($1 * 5)); shift
    while [ $t -gt 0 ]; do "$@" && return 0; sleep 0.2; t=$((t - 1)); done
    return 1
}
# irq_count NAME: the interrupts of NAME's xen-pirq line, all CPUs summed
irq_count() {
    awk -v n="$1" 'index($0, n) && /xen-pirq/ {
        s = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; print s; exit }' /proc/interrupts
}
show_irqs() { grep -E "xen-pirq" /proc/interrupts | sed 's/^/dom0-devices: irq /'; }

for m in ahci sd_mod e1000; do
    modprobe "$m" || no "modprobe $m exited $?"
done
wait_for 30 test -b /dev/sda || no "no /dev/sda from the AHCI disk"
wait_for 30 test -d /sys/class/net/eth0 || no "no eth0 from the e1000"

# The disk: the host's file, then 4 MiB more read from the device itself.
text=$(/usr/sbin/debugfs -R "cat /known.txt" /dev/sda 2>/dev/null)
[ "$text" = "TESSERA-AHCI-KNOWN-FILE 4711" ] || no "known.txt read as '$text'"
disk0=$(irq_count ahci)
echo 3 > /proc/sys/vm/drop_caches
dd if=/dev/sda of=/dev/null bs=64k count=64 2>/dev/null || no "reading /dev/sda failed"
disk1=$(irq_count ahci)
echo "dom0-devices: ahci interrupts $disk0 -> $disk1"
[ -n "$disk0" ] && [ -n "$disk1" ] && [ "$disk1" -gt "$disk0" ] ||
    no "the AHCI line's count did not grow ('$disk0' -> '$disk1')"

# The NIC: QEMU's DHCP server gives an address, its gateway answers pings.
cat > /tmp/udhcpc.sh <<'EOF'
#!/bin/sh
case "$1" in bound|renew) ip addr add "$ip/${mask:-24}" dev "$interface" ;; esac
EOF
chmod 755 /tmp/udhcpc.sh
ip link set eth0 up
net0=$(irq_count eth0)
udhcpc -i eth0 -s /tmp/udhcpc.sh -n -q -t 10 -T 1 >/tmp/udhcpc.log 2>&1 ||
    no "no DHCP lease: $(tail -n 2 /tmp/udhcpc.log | tr '\n' ' ')"
# One at a time: busybox's ping -c N waits only two round trips for the
# last answer, which a loaded emulator can miss; -W waits for a first one.
answered=0
for i in 1 2 3; do
    ping -c 1 -W 10 10.0.2.2 >>/tmp/ping.log 2>&1 && answered=$((answered + 1))
done
[ $answered = 3 ] || no "ping 10.0.2.2: $answered of 3 answered: $(grep received /tmp/ping.log | tr '\n' ' ')"
net1=$(irq_count eth0)
echo "dom0-devices: eth0 interrupts ${net0:-none} -> $net1; $answered of 3 pings answered"
[ -n "$net1" ] && [ "$net1" -gt "${net0:-0}" ] ||
    no "the e1000 line's count did not grow ('$net0' -> '$net1')"

# A back end on the real disk: the example domU gets dom0's AHCI disk as
# its xvdb (phy:, through blkback), reads known.txt, writes and syncs a
# file, and is destroyed; the write is on /dev/sda.
log=/var/log/tessera/console/debian-pv.log
tl create /etc/tessera/examples/debian-pv.cfg "disk=['phy:/dev/sda,xvdb,rw']" 'vif=[]' \
    "extra=\"console=hvc0 loglevel=4 tessera_domu=disk:xvdb:wait\"" || no "tl create on phy:/dev/sda exited $?"
i=0
while [ $i -lt 600 ] && ! grep -q "TESSERA-DOMU-DISK synced domu-wait.txt" "$log" 2>/dev/null; do
    sleep 0.2; i=$((i + 1))
done
grep -q "TESSERA-DOMU-DISK read /mnt/known.txt: TESSERA-AHCI-KNOWN-FILE 4711" "$log" ||
    no "the domU did not read known.txt off the AHCI disk: $(grep -a 'TESSERA-DOMU' "$log" | tail -3)"
grep -q "TESSERA-DOMU-DISK synced domu-wait.txt" "$log" || no "the domU did not sync its write"
tl destroy debian-pv || no "tl destroy exited $?"
/usr/sbin/debugfs -R "cat /domu-wait.txt" /dev/sda 2>/dev/null | grep -q "written by domU" ||
    no "the domU's write is not on /dev/sda"
echo "dom0-devices: a domU read and wrote the AHCI disk through blkback; ahci interrupts now $(irq_count ahci)"

show_irqs
grep "ahci" /proc/interrupts | grep -q "xen-pirq.*-msi" || no "the AHCI interrupt is not a xen-pirq MSI"
grep "eth0" /proc/interrupts | grep -q "xen-pirq.*-ioapic-level" ||
    no "the e1000 interrupt is not a level-triggered xen-pirq"
dmesg | grep -E "Failed to setup GSI|map irq failed" | sed 's/^/dom0-devices: /'
dmesg | grep -qE "Failed to setup GSI|map irq failed" && no "Linux could not set up an interrupt"

if [ -z "$bad" ]; then echo "TESSERA-DOM0-CHECK ok"; else echo "TESSERA-DOM0-CHECK failed$bad"; fi
exit 42
