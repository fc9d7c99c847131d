# Run in Tessera's dom0 as DOM0_CMD (tests/boot/linux_tests.py, case
# linux-tl-domu-life): the ends of a domU's life through tl. 20 domUs
# created and destroyed while they boot; shutdown and reboot through
# xenstore (on_reboot = "restart": tl's monitor builds it again); a crash
# (on_crash = "destroy"); a create that fails half way; free memory back to
# where it was after each. Prints "TESSERA-DOM0-CHECK ok" or
# "TESSERA-DOM0-CHECK failed: <what>" and exits 42.
cfg=/etc/tessera/examples/debian-pv.cfg
log=/var/log/tessera/console/debian-pv.log
bad=""
no() { bad="$bad; $1"; echo "dom0-domu-life: $1"; }
free_mib() { tl info | sed -n 's/^free_memory *: *//p'; }
# wait_for SECONDS COMMAND...: until the command succeeds
wait_for() {
    t=$(($1 * 5)); shift
    while [ $t -gt 0 ]; do "$@" && return 0; sleep 0.2; t=$((t - 1)); done
    return 1
}
# grep -c prints 0 itself when nothing matches, and nothing when there is no log.
markers() { n=$(grep -c "TESSERA-DOMU-INIT" "$log" 2>/dev/null); echo "${n:-0}"; }
only_dom0() { [ "$(tl list | tail -n +2 | wc -l)" = 1 ]; }
free_back() { [ "$(free_mib)" = "$free0" ]; }
new_id() { id=$(tl domid debian-pv 2>/dev/null) && [ "$id" != "$1" ]; }
gone() { ! tl domid debian-pv >/dev/null 2>&1; }
more_markers() { [ "$(markers)" -gt "$1" ]; }
type_in() { # type_in LINE: into the domU's shell through its console pty
    tty=$(xenstore-read /local/domain/$(tl domid debian-pv)/console/tty) &&
        printf '%s\r' "$1" > "$tty"
}

free0=$(free_mib)
[ -n "$free0" ] || no "tl info gives no free_memory"

# Reboot: the monitor restarts it under a new id, and it boots again.
before=$(markers)
tl create "$cfg" || no "create for reboot exited $?"
wait_for 120 more_markers "$before" || no "no /init marker before the reboot"
first=$(tl domid debian-pv)
before=$(markers)
tl reboot debian-pv || no "tl reboot exited $?"
wait_for 60 new_id "$first" || no "no new domain after reboot (id was $first)"
wait_for 120 more_markers "$before" || no "the restarted domain printed no /init marker"
# Shutdown -w returns once it is gone (on_poweroff = "destroy").
# (a guest that ignores the request would keep it waiting: time-limited here)
timeout 120 tl shutdown -w debian-pv || no "tl shutdown -w exited $? (143: still waiting after 120 s)"
gone || no "debian-pv still there after shutdown -w"
wait_for 10 free_back || no "after reboot and shutdown: $(free_mib) MiB free, $free0 before"

# A crash (on_crash = "destroy"): typed into its shell through the pty.
before=$(markers)
tl create "$cfg" || no "create for crash exited $?"
wait_for 120 more_markers "$before" || no "no /init marker before the crash"
sleep 1
type_in 'echo c > /proc/sysrq-trigger' || no "no console tty to type into"
wait_for 60 gone || no "crashed domU still there: $(tl list | tail -n +2 | tr -s ' ' | tr '\n' ';')"
grep -q "sysrq" "$log" || no "no sysrq line in its console log"
wait_for 10 free_back || no "after the crash: $(free_mib) MiB free, $free0 before"

# A create that fails half way (more memory than is free): nothing left.
if tl create -q "$cfg" memory=4000 name='"toobig"' 2>/tmp/toobig.err; then
    no "a 4000 MiB create succeeded"
fi
tl domid toobig >/dev/null 2>&1 && no "toobig left behind"
xenstore-ls /local/domain 2>/dev/null | grep -q toobig && no "toobig nodes left in xenstore"
only_dom0 || no "after the failed create: $(tl list | tail -n +2 | tr -s ' ' | tr '\n' ';')"
wait_for 10 free_back || no "after the failed create: $(free_mib) MiB free, $free0 before"
echo "dom0-domu-life: failed create said: $(head -c 300 /tmp/toobig.err)"

# 20 domains, each destroyed while it boots.
i=0
while [ $i -lt 20 ]; do
    tl create -q "$cfg" || { no "create $i exited $?"; break; }
    tl destroy debian-pv || { no "destroy $i exited $?"; break; }
    i=$((i + 1))
done
wait_for 10 only_dom0 || no "after the loop: $(tl list | tail -n +2 | tr -s ' ' | tr '\n' ';')"
wait_for 10 free_back || no "after 20 creates and destroys: $(free_mib) MiB free, $free0 before"
# And the daemons still serve a new domain after all that.
before=$(markers)
tl create -q "$cfg" || no "create after the loop exited $?"
wait_for 120 more_markers "$before" ||
    no "no /init marker from the domain created after the loop; consoled says: $(tail -n 5 /var/log/tessera/consoled.log | tr '\n' ';')"
tl destroy debian-pv || no "last destroy exited $?"
wait_for 10 free_back || no "at the end: $(free_mib) MiB free, $free0 before"

if [ -n "$bad" ]; then
    # What the daemons and the monitor saw, for whoever reads the failure.
    for f in /var/log/tessera/consoled.log /var/log/tessera/xenstored-lite.log \
             /var/log/tessera/tl-debian-pv.log; do
        echo "--- tail of $f"; tail -n 15 "$f" 2>/dev/null
    done
fi
if [ -z "$bad" ]; then echo "TESSERA-DOM0-CHECK ok"; else echo "TESSERA-DOM0-CHECK failed$bad"; fi
exit 42
