# Run in Tessera's dom0 as DOM0_CMD (tests/boot/linux_tests.py, case
# linux-tl-domu-net): two example domUs with a vif each through dom0's
# xen-netback on bridge xenbr0 (dom0-init.sh gives dom0 10.99.0.1 there
# and serves DHCP and HTTP). Checked: each vif's device is a port of the
# bridge, both ends Connected, two queues for the two-vCPU domU, the MAC the config gave (or a generated one
# in Xen's 00:16:3e range) is the guest's; pings dom0 <-> domU and
# domU <-> domU, a file from dom0 over HTTP and one from domU to domU with
# nc, byte for byte; network-attach and -detach of a second vif while a
# domU runs (network-list, list -l, the guest's eth1); tl's clear refusals (a bridge name too long, a
# backend other than dom0, one MAC twice) leave nothing behind; after the
# destroys no vif device, no nodes, all memory back. Prints
# "TESSERA-DOM0-CHECK ok" or "TESSERA-DOM0-CHECK failed: <what>", exits 42.
cfg=/etc/tessera/examples/debian-pv.cfg
bad=""
no() { bad="$bad; $1"; echo "dom0-domu-net: $1"; }
# wait_for SECONDS COMMAND...: until the command succeeds
wait_for() {
    t=$(($1 * 5)); shift
    while [ $t -gt 0 ]; do "$@" && return 0; sleep 0.2; t=$((t - 1)); done
    return 1
}
free_mib() { tl info | sed -n 's/^free_memory *: *//p'; }
log_of() { echo "/var/log/tessera/console/$1.log"; }
next_tag() { k=$(($(cat /tmp/net.tag 2>/dev/null || echo 0) + 1)); echo "$k" > /tmp/net.tag; }
# ask DOMAIN COMMAND: runs COMMAND in the domU's shell, prints the line it answers.
ask() {
    next_tag; n=$k
    tty=$(xenstore-read "/local/domain/$(tl domid "$1")/console/tty")
    timeout 10 sh -c 'printf "echo A%s=\$(%s)\r" "$1" "$2" > "$3"' - "$n" "$2" "$tty" || return 1
    wait_for 30 grep -q "^A$n=" "$(log_of "$1")" || { echo "(no answer to '$2')"; return 1; }
    sed -n "s/^A$n=//p" "$(log_of "$1")" | tr -d '\r' | tail -n 1
}
# The address the domU's /init got by DHCP (its TESSERA-DOMU-NET line,
# printed in the background: it may follow the shell's prompt on its line).
addr_of() { sed -n 's/.*TESSERA-DOMU-NET eth0 \([0-9.]*\)\/.*/\1/p' "$(log_of "$1")" | tail -n 1; }
mac_of() { sed -n 's/.*TESSERA-DOMU-NET eth0 .* mac \([0-9a-f:]*\).*/\1/p' "$(log_of "$1")" | tail -n 1; }
has_net() { grep -q "TESSERA-DOMU-NET eth0" "$(log_of "$1")" 2>/dev/null; }
vifs_left() { ls /sys/class/net | grep -c '^vif'; }
no_vifs() { [ "$(vifs_left)" = 0 ]; }
nothing_left() {
    xenstore-exists "/local/domain/0/backend/vif/$1" 2>/dev/null && no "backend vif/$1 left behind"
    xenstore-exists "/local/domain/$1" 2>/dev/null && no "/local/domain/$1 left behind"
}

echo "dom0-domu-net: starting at $(cut -d' ' -f1 /proc/uptime) s"
rm -f /tmp/net.tag
free0=$(free_mib)
[ -d /sys/class/net/xenbr0/brif ] || no "dom0 has no bridge xenbr0 (dom0-init.sh)"

# The refusals: each says why and leaves nothing behind.
tl create "$cfg" 'name="bad"' 'vif=["bridge=a-bridge-name-too-long"]' 2>/tmp/err &&
    no "a 22-character bridge name was accepted"
grep -q "bridge 'a-bridge-name-too-long' is not a network device name" /tmp/err ||
    no "long bridge name: $(cat /tmp/err)"
tl create "$cfg" 'name="bad"' 'vif=["backend=3"]' 2>/tmp/err && no "backend=3 was accepted"
grep -q "only dom0 serves network interfaces" /tmp/err || no "backend=3: $(cat /tmp/err)"
tl create "$cfg" 'name="bad"' 'vif=["mac=00:16:3e:00:00:07","mac=00:16:3e:00:00:07"]' 2>/tmp/err &&
    no "one MAC twice was accepted"
grep -q "the same MAC (00:16:3e:00:00:07) as vif 0" /tmp/err || no "MAC twice: $(cat /tmp/err)"
tl domid bad >/dev/null 2>&1 && no "a refused create left domain 'bad' behind"
no_vifs || no "a refused create left a vif device: $(ls /sys/class/net | tr '\n' ' ')"

# net1: the example's own vif (a generated MAC); net2: a given MAC and a
# rate, and two vCPUs, so its netfront takes two queues from netback (which
# offers one per dom0 vCPU). Without the example's disk: one writable image
# serves one domain.
tl create "$cfg" 'name="net1"' 'disk=[]' || no "tl create net1 exited $?"
tl create "$cfg" 'name="net2"' 'disk=[]' 'vcpus=2' \
    'vif=["mac=00:16:3e:12:34:56,bridge=xenbr0,rate=100MB/s"]' || no "tl create net2 exited $?"
id1=$(tl domid net1); id2=$(tl domid net2)
wait_for 120 has_net net1 || no "net1 printed no TESSERA-DOMU-NET: $(tail -c 300 "$(log_of net1)")"
wait_for 120 has_net net2 || no "net2 printed no TESSERA-DOMU-NET: $(tail -c 300 "$(log_of net2)")"
ip1=$(addr_of net1); ip2=$(addr_of net2)
case "$ip1/$ip2" in 10.99.0.*/10.99.0.*) ;; *) no "DHCP addresses '$ip1' and '$ip2'" ;; esac
echo "dom0-domu-net: net1 ($id1) at $ip1, net2 ($id2) at $ip2, up at $(cut -d' ' -f1 /proc/uptime) s"

# What tl set up: nodes, the bridge's ports, both ends Connected, the MACs.
for d in "$id1 net1" "$id2 net2"; do
    set -- $d
    be=/local/domain/0/backend/vif/$1/0 fe=/local/domain/$1/device/vif/0
    [ "$(xenstore-read $be/hotplug-status 2>/dev/null)" = connected ] || no "$2: hotplug-status not connected"
    [ "$(xenstore-read $be/state 2>/dev/null)/$(xenstore-read $fe/state 2>/dev/null)" = 4/4 ] ||
        no "$2: backend/frontend states $(xenstore-read $be/state)/$(xenstore-read $fe/state), wanted 4/4"
    [ -e /sys/class/net/xenbr0/brif/vif$1.0 ] || no "$2: vif$1.0 is not a port of xenbr0"
    [ "$(cat /sys/class/net/vif$1.0/operstate 2>/dev/null)" = up ] || no "$2: vif$1.0 is not up"
    [ "$(xenstore-read $be/mac 2>/dev/null)" = "$(mac_of $2)" ] ||
        no "$2: backend mac $(xenstore-read $be/mac) but the guest has $(mac_of $2)"
done
case "$(mac_of net1)" in 00:16:3e:*) ;; *) no "net1's generated MAC '$(mac_of net1)'" ;; esac
[ "$(mac_of net2)" = 00:16:3e:12:34:56 ] || no "net2's MAC '$(mac_of net2)', config gave 00:16:3e:12:34:56"
[ "$(xenstore-read /local/domain/0/backend/vif/$id2/0/rate 2>/dev/null)" = 5000000,50000 ] ||
    no "net2's rate node '$(xenstore-read /local/domain/0/backend/vif/$id2/0/rate)'"
# Multi-queue: netback offers a queue per dom0 vCPU, net2's netfront (two
# vCPUs) takes two, each with its own rings and event channels; net1 (one
# vCPU) takes one, in the single-queue layout (its rings straight under its
# node). The traffic below crosses both.
fe2=/local/domain/$id2/device/vif/0
[ "$(xenstore-read /local/domain/0/backend/vif/$id2/0/multi-queue-max-queues 2>/dev/null)" = 2 ] ||
    no "netback offers '$(xenstore-read /local/domain/0/backend/vif/$id2/0/multi-queue-max-queues)' queues, wanted 2"
[ "$(xenstore-read $fe2/multi-queue-num-queues 2>/dev/null)" = 2 ] ||
    no "net2's netfront took '$(xenstore-read $fe2/multi-queue-num-queues)' queues, wanted 2"
for q in 0 1; do
    xenstore-read $fe2/queue-$q/tx-ring-ref >/dev/null 2>&1 &&
        xenstore-read $fe2/queue-$q/event-channel-tx >/dev/null 2>&1 ||
        no "net2's queue-$q has no tx ring or event channel: $(xenstore-ls $fe2 2>&1 | tr '\n' ';' | head -c 300)"
done
fe1=/local/domain/$id1/device/vif/0
[ "$(xenstore-read $fe1/multi-queue-num-queues 2>/dev/null)" = 1 ] &&
    xenstore-read $fe1/tx-ring-ref >/dev/null 2>&1 ||
    no "net1 (one vCPU): queues '$(xenstore-read $fe1/multi-queue-num-queues)', tx-ring-ref '$(xenstore-read $fe1/tx-ring-ref)'"

# Pings: dom0 -> net1, net1 -> dom0, net1 -> net2.
ping -c 2 -W 5 "$ip1" >/tmp/ping 2>&1 || no "dom0 cannot ping net1 at $ip1: $(tail -n 2 /tmp/ping | tr '\n' ' ')"
a=$(ask net1 "ping -c 2 -W 5 10.99.0.1 >/dev/null && echo reached")
[ "$a" = reached ] || no "net1 cannot ping dom0: '$a'"
a=$(ask net1 "ping -c 2 -W 5 $ip2 >/dev/null && echo reached")
[ "$a" = reached ] || no "net1 cannot ping net2 at $ip2: '$a'"

# Files, byte for byte: dom0 -> net1 over HTTP, net1 -> net2 with nc.
head -c 1048576 /dev/urandom > /srv/www/blob
sum=$(md5sum < /srv/www/blob | cut -d' ' -f1)
a=$(ask net1 "wget -q -O /tmp/blob http://10.99.0.1/blob && md5sum < /tmp/blob | cut -d' ' -f1")
[ "$a" = "$sum" ] || no "net1's copy of dom0's 1 MiB file: '$a', wanted $sum"
ask net1 "nc -l -p 5000 -e cat /tmp/blob </dev/null >/dev/null 2>&1 & echo listening" > /dev/null
sleep 1
a=$(ask net2 "nc -w 10 $ip1 5000 </dev/null > /tmp/got; md5sum < /tmp/got | cut -d' ' -f1")
[ "$a" = "$sum" ] || no "net2's copy of net1's file by nc: '$a', wanted $sum"
echo "dom0-domu-net: transfers checked at $(cut -d' ' -f1 /proc/uptime) s"

# network-attach while net2 runs: its eth1 appears, joins the bridge and
# gets an address; network-list and the kept config (list -l) show it.
# network-detach: eth1 leaves the guest, the device and nodes go, eth0 works on.
mac3=00:16:3e:12:34:57
tl network-attach net2 bridge=xenbr0 mac=$mac3 || no "tl network-attach exited $?"
[ "$(tl network-list net2 | awk 'NR > 1' | wc -l)" = 2 ] || no "network-list: $(tl network-list net2 | tr '\n' ';')"
tl network-list net2 | grep -q "^1 *0 *$mac3 *1 " || no "network-list lacks vif 1: $(tl network-list net2 | tr '\n' ';')"
eth1_is() { [ "$(ask net2 'cat /sys/class/net/eth1/address 2>/dev/null')" = "$1" ]; }
wait_for 30 eth1_is $mac3 || no "net2 has no eth1 with $mac3 after network-attach"
[ -e /sys/class/net/xenbr0/brif/vif$id2.1 ] || no "vif$id2.1 is not a port of xenbr0"
a=$(ask net2 "udhcpc -i eth1 -s /etc/udhcpc.script -n -q -t 5 -T 1 >/dev/null 2>&1 && ip -4 -o addr show dev eth1 | awk '{ print \$4 }'")
case "$a" in 10.99.0.*) ;; *) no "net2's eth1 got no address by DHCP: '$a'" ;; esac
tl list -l net2 | grep -q "\"mac\": \"$mac3\"" || no "list -l (the kept config) lacks $mac3"
tl network-detach net2 7 2>/tmp/err && no "network-detach of a vif net2 lacks exited 0"
grep -q "has no network interface 7" /tmp/err || no "network-detach 7: $(cat /tmp/err)"
tl network-detach net2 $mac3 || no "tl network-detach by MAC exited $?"
eth1_gone() { [ "$(ask net2 'ls /sys/class/net | grep -c eth1')" = 0 ]; }
wait_for 30 eth1_gone || no "net2 still has eth1 after network-detach"
[ -e /sys/class/net/vif$id2.1 ] && no "vif$id2.1 left in dom0 after network-detach"
xenstore-exists /local/domain/0/backend/vif/$id2/1 2>/dev/null && no "backend vif/$id2/1 left after detach"
tl list -l net2 | grep -q "$mac3" && no "list -l still has $mac3 after detach"
ping -c 2 -W 5 "$ip2" >/dev/null 2>&1 || no "net2's eth0 no longer answers after its eth1 went"
echo "dom0-domu-net: attach and detach checked at $(cut -d' ' -f1 /proc/uptime) s"

# Destroy: the devices, the ports and the nodes go; the bridge stays.
tl destroy net1 || no "tl destroy net1 exited $?"
tl destroy net2 || no "tl destroy net2 exited $?"
wait_for 20 no_vifs || no "vif devices left after destroy: $(ls /sys/class/net | tr '\n' ' ')"
nothing_left "$id1"; nothing_left "$id2"
[ -d /sys/class/net/xenbr0 ] || no "the bridge went with its guests"
free_back() { [ "$(free_mib)" = "$free0" ]; }
wait_for 20 free_back || no "free memory $(free_mib) MiB after the destroys, $free0 before"

if [ -n "$bad" ]; then
    echo "--- tail of net1's console"; tail -n 10 "$(log_of net1)" 2>/dev/null
    echo "TESSERA-DOM0-CHECK failed$bad"
else
    echo "TESSERA-DOM0-CHECK ok"
fi
exit 42
