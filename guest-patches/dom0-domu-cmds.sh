# Run in Tessera's dom0 as DOM0_CMD (tests/boot/linux_tests.py, case
# linux-tl-domu-cmds): tl's commands on one live domU, the example domU
# with 2 vCPUs pinned to CPU 1, 128 of 160 MiB and weight 512. Each command is checked by
# its effect: what the hypervisor reports back (tl list, list -l,
# vcpu-list, sched-credit, info, dmesg) and what the guest sees (typed
# into its shell through its console pty, answers read from
# tessera-consoled's log). Prints "TESSERA-DOM0-CMDS ok" or
# "TESSERA-DOM0-CMDS failed: <what>" and exits 42.
cfg=/etc/tessera/examples/debian-pv.cfg
log=/var/log/tessera/console/cmds.log
bad=""
no() { bad="$bad; $1"; echo "dom0-domu-cmds: $1"; }
# Every tool call under a time limit: one that hangs is named in the
# failure line instead of stalling the case until the runner gives up. The
# note goes to a file because most calls run in command substitutions.
TOOL_LIMIT=120
limited() {
    timeout "$TOOL_LIMIT" "$@"; rc=$?
    [ $rc = 143 ] && echo "$* did not return in $TOOL_LIMIT s" >> /tmp/cmds.hung
    return $rc
}
tl() { limited /usr/sbin/tl "$@"; }
xenstore_read() { limited xenstore-read "$@"; }
free_mib() { tl info | sed -n 's/^free_memory *: *//p'; }
# wait_for SECONDS COMMAND...: until the command succeeds
wait_for() {
    t=$(($1 * 5)); shift
    while [ $t -gt 0 ]; do "$@" && return 0; sleep 0.2; t=$((t - 1)); done
    return 1
}
# The domain's row in tl list (name id mem vcpus state time), one column of it.
row() { tl list "$1" 2>/dev/null | awk -v n="$1" '$1 == n'; }
col() { row "$1" | awk -v c="$2" '{ print $c }'; }
# vcpu-list's row for one vCPU: name id vcpu cpu state time hard / soft
vrow() { tl vcpu-list cmds 2>/dev/null | awk -v v="$1" '$1 == "cmds" && $3 == v'; }
vcol() { vrow "$1" | awk -v c="$2" '{ print $c }'; }
vlist() { tl vcpu-list cmds 2>&1 | tr -s ' ' | tr '\n' ';'; }
xs() { xenstore_read "/local/domain/$id/$1" 2>/dev/null; }
# A new tag in $k for each question; kept in a file because ask runs in
# command substitutions (subshells).
next_tag() { k=$(($(cat /tmp/cmds.tag 2>/dev/null || echo 0) + 1)); echo "$k" > /tmp/cmds.tag; }
# ask COMMAND: runs COMMAND in the domU's shell, prints the line it answers.
ask() {
    next_tag; n=$k
    limited sh -c 'printf "echo A%s=\$(%s)\r" "$1" "$2" > "$3"' - "$n" "$1" "$tty" || return 1
    wait_for 15 grep -q "^A$n=" "$log" || { echo "(no answer to '$1')"; return 1; }
    sed -n "s/^A$n=//p" "$log" | tr -d '\r' | tail -n 1
}
guest_kb() { ask "sed -n 's/^MemTotal: *\\([0-9]*\\).*/\\1/p' /proc/meminfo"; }
# Seconds from tl uptime's last column ([D days, ]H:MM:SS).
uptime_s() {
    tl uptime cmds | awk '$1 == "cmds" { split($NF, t, ":"); print t[1] * 3600 + t[2] * 60 + t[3] }'
}

finish() {
    [ -s /tmp/cmds.hung ] && no "$(tr '\n' ';' < /tmp/cmds.hung)"
    if [ -n "$bad" ]; then
        echo "--- tail of $log"; tail -n 15 "$log" 2>/dev/null
        echo "--- tail of tl dmesg"; tl dmesg 2>&1 | tail -n 15
        echo "TESSERA-DOM0-CMDS failed$bad"
    else
        echo "TESSERA-DOM0-CMDS ok"
    fi
    exit 42
}
# After each part: the checks that follow need the domain, still called cmds.
alive() {
    echo "dom0-domu-cmds: $1 checked at $(cut -d' ' -f1 /proc/uptime) s"
    tl domid cmds >/dev/null 2>&1 && return 0
    no "no domain cmds after $1: $(tl list 2>&1 | tail -n +2 | tr -s ' ' | tr '\n' ';')"
    finish
}

echo "dom0-domu-cmds: starting at $(cut -d' ' -f1 /proc/uptime) s"
rm -f /tmp/cmds.tag /tmp/cmds.hung
free0=$(free_mib)
[ -n "$free0" ] || no "tl info gives no free_memory"

tl create -q "$cfg" vcpus=2 memory=128 maxmem=160 cpu_weight=512 'cpus="1"' 'name="cmds"' ||
    no "tl create exited $?"
wait_for 120 grep -q "TESSERA-DOMU-INIT .* cpus=2 " "$log" ||
    no "no TESSERA-DOMU-INIT with cpus=2 in $log: $(tail -c 300 "$log" 2>/dev/null)"
id=$(tl domid cmds) || no "tl domid cmds exited $?"
[ "$id" -gt 0 ] 2>/dev/null || no "domain id '$id'"
tty=$(xs console/tty)
[ -c "$tty" ] || no "console/tty '$tty' is not a terminal"
a=$(ask 'echo hello')
[ "$a" = hello ] || no "the domU's shell does not answer through $tty: '$a'"

alive "create"

# domid, domname; list: the overrides as the hypervisor reports them.
[ "$(tl domname "$id")" = cmds ] || no "tl domname $id: '$(tl domname "$id")'"
tl domname 999 >/dev/null 2>&1 && no "tl domname 999 (no such domain) exited 0"
[ "$(col cmds 2) $(col cmds 3) $(col cmds 4)" = "$id 128 2" ] ||
    no "tl list row '$(row cmds)', wanted id $id, 128 MiB, 2 vCPUs"

# rename and back: the new name everywhere, the old one gone.
vm=$(xs vm)
tl rename cmds cmds-renamed || no "tl rename exited $?"
[ "$(col cmds-renamed 2)" = "$id" ] || no "tl list has no cmds-renamed with id $id"
[ "$(xs name)" = cmds-renamed ] || no "/local/domain/$id/name '$(xs name)' after rename"
[ "$(xenstore_read "$vm/name" 2>/dev/null)" = cmds-renamed ] || no "$vm/name after rename"
tl domid cmds >/dev/null 2>&1 && no "tl domid still finds the old name"
[ "$(tl domid cmds-renamed)" = "$id" ] || no "tl domid cmds-renamed: '$(tl domid cmds-renamed)'"
[ "$(tl domname "$id")" = cmds-renamed ] || no "tl domname $id after rename"
tl rename "$id" cmds || no "tl rename back exited $?"
[ "$(tl domname "$id") $(xs name)" = "cmds cmds" ] || no "after rename back: $(tl domname "$id") $(xs name)"
tl rename cmds Domain-0 2>/dev/null && no "rename to Domain-0 (taken) exited 0"
[ "$(tl domname 0)" = Domain-0 ] || no "dom0's name '$(tl domname 0)'"

alive "rename"

# uptime grows with time.
u1=$(uptime_s)
sleep 2
u2=$(uptime_s)
[ -n "$u1" ] && [ -n "$u2" ] && [ "$u2" -ge $((u1 + 1)) ] 2>/dev/null ||
    no "tl uptime: '$u1' then '$u2' two seconds later"
tl uptime -s cmds | grep -q " up .*, cmds ($id)\$" || no "tl uptime -s: '$(tl uptime -s cmds)'"

alive "uptime"

# list -l: JSON that tl's own reader takes back, with the domain's memory
# and vCPUs in it.
tl list -l cmds > /tmp/cmds.json || no "tl list -l exited $?"
grep -q "\"domid\": $id," /tmp/cmds.json || no "list -l has no \"domid\": $id"
if tl create -n /tmp/cmds.json > /tmp/cmds.back 2>/tmp/cmds.err; then
    for f in '"name": "cmds"' '"max_vcpus": 2' '"max_memkb": 163840' '"target_memkb": 131072' \
             '"weight": 512' '"kernel": "/etc/tessera/examples/vmlinuz"'; do
        grep -q "$f" /tmp/cmds.back || no "list -l lacks $f"
    done
else
    no "list -l is not JSON tl reads back: $(head -c 200 /tmp/cmds.err)"
fi
# One line of list -l's JSON, blanks squeezed: "avail_vcpus": [...] is one.
json_has() { tl list -l cmds | tr -d '\n' | tr -s ' ' | grep -q "$1"; }
json_has '"avail_vcpus": \[ "0", "1" \]\|"avail_vcpus": \[ 0, 1 \]' ||
    no "list -l avail_vcpus: $(tl list -l cmds | tr -d '\n' | tr -s ' ' | grep -o '"avail_vcpus[^]]*]')"

alive "list -l"

# info: the host's facts; dmesg: the hypervisor's own log, with this
# domain's creation in it.
tl info > /tmp/info || no "tl info exited $?"
for k in "nr_cpus *: 2" "total_memory *: [0-9]" "free_memory *: [0-9]" "xen_version *: 4.17" \
         "xen_scheduler *: credit" "xen_caps *: xen-3.0-x86_64"; do
    grep -q "^$k" /tmp/info || no "tl info has no '$k'"
done
tl dmesg > /tmp/dmesg || no "tl dmesg exited $?"
grep -q "domain $id created by the toolstack: 2 vCPUs" /tmp/dmesg ||
    no "tl dmesg lacks domain $id's creation: $(tail -n 3 /tmp/dmesg | tr '\n' ';')"
# dmesg -c prints the ring and clears it: the creation line is gone after.
tl dmesg -c | grep -q "domain $id created by the toolstack" || no "tl dmesg -c lacks the creation line"
tl dmesg | grep -q "created by the toolstack" && no "tl dmesg after -c still has the creation line"

alive "info and dmesg"

# pause/unpause: the state in tl list, and a paused guest does not answer.
tl pause cmds || no "tl pause exited $?"
case "$(col cmds 5)" in *p*) ;; *) no "state '$(col cmds 5)' after pause" ;; esac
next_tag; n=$k
limited sh -c 'printf "echo A%s=awake\r" "$1" > "$2"' - "$n" "$tty"
sleep 3
grep -q "^A$n=" "$log" && no "a paused domU answered"
tl unpause cmds || no "tl unpause exited $?"
case "$(col cmds 5)" in *p*|"") no "state '$(col cmds 5)' after unpause" ;; esac
wait_for 15 grep -q "^A$n=awake" "$log" || no "no answer after unpause"

alive "pause/unpause"

# vcpu-list: both vCPUs up, on CPU 1 as create's cpus="1" pinned them.
[ "$(tl vcpu-list cmds | awk '$1 == "cmds"' | wc -l)" = 2 ] || no "vcpu-list: $(vlist)"
case "$(vcol 1 5)" in *p*|"") no "vCPU 1 state '$(vcol 1 5)' at boot" ;; esac
[ "$(vcol 0 4)$(vcol 0 7)/$(vcol 1 4)$(vcol 1 7)" = "11/11" ] ||
    no "vCPUs not on CPU 1 after create with cpus=\"1\": $(vlist)"

alive "vcpu-list"

# vcpu-set 1: cpu/1/availability offline; Linux takes CPU 1 down, and
# vCPU 1 is down in the hypervisor ('p' in vcpu-list), 1 vCPU in tl list.
tl vcpu-set cmds 1 || no "tl vcpu-set 1 exited $?"
[ "$(xs cpu/1/availability)" = offline ] || no "cpu/1/availability '$(xs cpu/1/availability)'"
vcpu1_down() { case "$(vcol 1 5)" in *p*) return 0 ;; esac; return 1; }
wait_for 15 vcpu1_down || no "vCPU 1 state '$(vcol 1 5)' after vcpu-set 1: $(vlist)"
a=$(ask 'cat /sys/devices/system/cpu/online')
[ "$a" = 0 ] || no "guest's online CPUs after vcpu-set 1: '$a'"
[ "$(col cmds 4)" = 1 ] || no "tl list vCPUs '$(col cmds 4)' after vcpu-set 1"
json_has '"avail_vcpus": \[ "0" \]\|"avail_vcpus": \[ 0 \]' ||
    no "list -l avail_vcpus after vcpu-set 1: $(tl list -l cmds | tr -d '\n' | tr -s ' ' | grep -o '"avail_vcpus[^]]*]')"

alive "vcpu-set 1"

# vcpu-set 2: online again; Linux makes CPU 1 present, and onlining it
# (what a udev rule would do) brings vCPU 1 up in the hypervisor.
tl vcpu-set cmds 2 || no "tl vcpu-set 2 exited $?"
[ "$(xs cpu/1/availability)" = online ] || no "cpu/1/availability '$(xs cpu/1/availability)'"
present() { [ "$(ask 'cat /sys/devices/system/cpu/present')" = 0-1 ]; }
wait_for 10 present || no "guest's present CPUs after vcpu-set 2: $(ask 'cat /sys/devices/system/cpu/present')"
ask 'echo 1 > /sys/devices/system/cpu/cpu1/online; echo $?' > /dev/null
a=$(ask 'cat /sys/devices/system/cpu/cpu1/online /sys/devices/system/cpu/online')
[ "$a" = "1 0-1" ] || no "guest after onlining CPU 1: '$a', wanted '1 0-1'"
vcpu1_up() { case "$(vcol 1 5)" in *p*|"") return 1 ;; esac; }
wait_for 5 vcpu1_up || no "vCPU 1 state '$(vcol 1 5)' after it came online: $(vlist)"
[ "$(col cmds 4)" = 2 ] || no "tl list vCPUs '$(col cmds 4)' after vcpu-set 2"

alive "vcpu-set 2"

# vcpu-pin: each vCPU on the other's CPU; the hard affinity in vcpu-list,
# and each vCPU runs there once the guest has used both.
tl vcpu-pin cmds 0 1 && tl vcpu-pin cmds 1 0 || no "tl vcpu-pin exited $?"
[ "$(vcol 0 7)/$(vcol 1 7)" = "1/0" ] || no "affinity after vcpu-pin: $(vlist)"
ask 'for c in 0 1; do taskset -c $c sh -c "i=0; while [ \$i -lt 300 ]; do i=\$((i+1)); done"; done; echo ran' > /dev/null
on_pins() { [ "$(vcol 0 4)/$(vcol 1 4)" = "1/0" ]; }
wait_for 10 on_pins || no "vCPUs not on their pinned CPUs: $(vlist)"
# Soft affinity ('-' leaves the hard one as it is), then both back to all.
tl vcpu-pin cmds 0 - 0 || no "tl vcpu-pin cmds 0 - 0 exited $?"
[ "$(vcol 0 7) $(vcol 0 9)/$(vcol 1 9)" = "1 0/all" ] || no "affinity after vcpu-pin 0 - 0: $(vlist)"
tl vcpu-pin cmds all all all || no "tl vcpu-pin all all all exited $?"
[ "$(vcol 0 7) $(vcol 0 9)/$(vcol 1 7) $(vcol 1 9)" = "all all/all all" ] ||
    no "affinity after vcpu-pin all all all: $(vlist)"

alive "vcpu-pin"

# sched-credit: the weight from the config, then a new weight and cap, read back.
sc() { tl sched-credit -d cmds | awk '$1 == "cmds" { print $3, $4 }'; }
[ "$(sc)" = "512 0" ] || no "sched-credit after create: '$(sc)', wanted '512 0'"
tl sched-credit -d cmds -w 300 -c 50 || no "tl sched-credit -w 300 -c 50 exited $?"
[ "$(sc)" = "300 50" ] || no "sched-credit after -w 300 -c 50: '$(sc)'"
tl sched-credit | grep -q "^cmds  *$id  *300  *50\$" || no "tl sched-credit (all) lacks cmds 300 50"
tl sched-credit -d cmds -c 0 || no "tl sched-credit -c 0 exited $?"
[ "$(sc)" = "300 0" ] || no "sched-credit after -c 0: '$(sc)'"

alive "sched-credit"

# mem-set: memory/target in KiB; the guest's balloon gives 32 MiB back (tl
# list and the guest's MemTotal go down, the host's free memory up), then
# takes it again. Above static-max is refused.
mem_is() { [ "$(col cmds 3)" = "$1" ]; }
kb0=$(guest_kb)
free1=$(free_mib)
tl mem-set cmds 96m || no "tl mem-set 96m exited $?"
[ "$(xs memory/target)" = 98304 ] || no "memory/target '$(xs memory/target)' after mem-set 96m"
wait_for 20 mem_is 96 || no "tl list memory '$(col cmds 3)' after mem-set 96m"
kb1=$(guest_kb)
[ "$kb0" -gt 0 ] 2>/dev/null && [ "$((kb0 - kb1))" = 32768 ] ||
    no "guest MemTotal $kb0 then $kb1 KiB after mem-set 96m"
free2=$(free_mib)
[ "$((free2 - free1))" -ge 31 ] 2>/dev/null || no "free memory $free1 then $free2 MiB after mem-set 96m"
tl mem-set cmds 128m || no "tl mem-set 128m exited $?"
wait_for 20 mem_is 128 || no "tl list memory '$(col cmds 3)' after mem-set 128m"
[ "$(guest_kb)" = "$kb0" ] || no "guest MemTotal $(guest_kb) KiB after mem-set 128m, $kb0 at first"
tl mem-set cmds 200m 2>/dev/null && no "mem-set 200m above static-max 160m exited 0"
[ "$(xs memory/target)" = 131072 ] || no "memory/target '$(xs memory/target)' after a refused mem-set"

alive "mem-set"

# mem-max: the hypervisor's limit (the guest cannot balloon past it even
# when its target says so) and static-max (what mem-set accepts).
tl mem-max cmds 136m || no "tl mem-max 136m exited $?"
[ "$(xs memory/static-max)" = 139264 ] || no "memory/static-max '$(xs memory/static-max)' after mem-max 136m"
tl mem-set cmds 150m 2>/dev/null && no "mem-set 150m above mem-max 136m exited 0"
limited xenstore-write "/local/domain/$id/memory/target" 153600
mem_at_least() { [ "$(col cmds 3)" -ge "$1" ] 2>/dev/null; }
wait_for 20 mem_at_least 136 ||
    no "tl list memory '$(col cmds 3)' MiB: no balloon up to mem-max 136m for a target of 150m"
sleep 2
m=$(col cmds 3)
[ "$m" -le 137 ] 2>/dev/null || no "tl list memory '$m' MiB past mem-max 136m (+1 MiB slack)"
tl mem-max cmds 200m || no "tl mem-max 200m exited $?"
[ "$(xs memory/static-max)" = 204800 ] || no "memory/static-max '$(xs memory/static-max)' after mem-max 200m"
tl mem-set cmds 150m || no "tl mem-set 150m after mem-max 200m exited $?"
wait_for 40 mem_is 150 || no "tl list memory '$(col cmds 3)' after mem-set 150m"
# list -l now: what mem-set, mem-max and sched-credit changed.
for f in '"target_memkb": 153600' '"max_memkb": 204800' '"weight": 300' '"name": "cmds"'; do
    json_has "$f" || no "list -l lacks $f after mem-set, mem-max, sched-credit"
done

alive "mem-max"

# destroy: gone from the hypervisor and xenstore, all its memory back.
tl destroy cmds || no "tl destroy exited $?"
gone() { ! tl domid cmds >/dev/null 2>&1; }
wait_for 10 gone || no "cmds still listed after destroy"
limited xenstore-exists "/local/domain/$id" 2>/dev/null && no "/local/domain/$id left behind"
limited xenstore-exists "$vm" 2>/dev/null && no "$vm left behind"
free_back() { [ "$(free_mib)" = "$free0" ]; }
wait_for 10 free_back || no "free memory $(free_mib) MiB after destroy, $free0 before"

finish
