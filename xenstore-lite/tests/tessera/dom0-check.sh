#!/bin/sh
# Run in Tessera's dom0 as `make run DOM0_CMD=...` runs commands (the dom0
# image starts xenstored-lite and tessera-consoled at boot): proves
# xenstored-lite serves dom0's own ring on Tessera. A value written through
# the kernel's xenbus (/dev/xen/xenbus: the kernel sends it over the ring
# Linux set up in /proc/xen/xsd_kva, which xenstored-lite mapped and whose
# port it bound to dom0 itself) is read back over the unix socket, and the
# other way round, and a watch set through the kernel fires. Prints one
# "XSD-TESSERA-CHECK ok" or "XSD-TESSERA-CHECK failed: NAMES" line and exits
# 0 or 1.
failed=""
check() { # check NAME COMMAND...
    name=$1; shift
    if "$@"; then echo "xsd-check: PASS $name"; else echo "xsd-check: FAIL $name"; failed="$failed $name"; fi
}
i=0
while [ ! -S /run/xenstored/socket ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
check socket test -S /run/xenstored/socket
check dom0-ring-port test -n "$(cat /proc/xen/xsd_port 2>/dev/null)"
# The library falls back to /dev/xen/xenbus when the socket is not there.
ring() { XENSTORED_RUNDIR=/nonexistent timeout 30 "$@"; }
v=ring-$$
check write-through-ring ring xenstore-write /tool/xsd-check/a "$v"
check read-over-socket test "$(timeout 30 xenstore-read /tool/xsd-check/a)" = "$v"
check write-over-socket timeout 30 xenstore-write /tool/xsd-check/b "sock-$$"
check read-through-ring test "$(ring xenstore-read /tool/xsd-check/b)" = "sock-$$"
check directory-through-ring test "$(ring xenstore-list /tool/xsd-check | tr '\n' ' ')" = "a b "
check rm-through-ring ring xenstore-rm /tool/xsd-check
check gone-over-socket sh -c '! timeout 30 xenstore-exists /tool/xsd-check'
check consoled-running sh -c 'pidof tessera-consoled >/dev/null'
check xenstored-running sh -c 'pidof xenstored-lite >/dev/null'
if [ -z "$failed" ]; then echo "XSD-TESSERA-CHECK ok"; exit 0; fi
echo "XSD-TESSERA-CHECK failed:$failed"
exit 1
