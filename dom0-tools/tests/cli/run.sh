#!/bin/sh
# Command-line behaviour of tl: help from the command table, prefixes, the
# xl alias, option errors, dry runs with overrides, conversions, and the
# one-line refusal of commands that need the hypervisor.
#
# usage: run.sh BINDIR RESULTS WORKDIR   (BINDIR holds tl and its xl link)
set -u
bin=$1 results=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
cases=$here/../golden/cases
mkdir -p "$work"
out=$work/out err=$work/err

check() {   # check NAME: records whether the last test's condition held
    if [ "$ok" = yes ]; then
        echo "PASS dom0-tools/cli/$1" >> "$results"
    else
        echo "FAIL dom0-tools/cli/$1" >> "$results"
        echo "FAIL dom0-tools/cli/$1: exit $rc" >&2
        head -5 "$out" "$err" >&2
    fi
}
run() { "$@" > "$out" 2> "$err"; rc=$?; }
yes_if() { if "$@"; then ok=yes; else ok=no; fi; }

# Every command of the table appears in "tl help".
run "$bin/tl" help
ok=yes
for c in create list destroy shutdown reboot pause unpause console info dmesg domid domname \
         rename uptime mem-set mem-max vcpu-list vcpu-pin vcpu-set sched-credit block-attach \
         block-detach block-list network-attach network-detach network-list save restore \
         migrate top image-info domxml-from-cfg domxml-to-cfg cfg-keys; do
    grep -q "^ $c " "$out" || { ok=no; echo "help lacks $c" >&2; }
done
[ $rc -eq 0 ] || ok=no
check help-lists-every-command

run "$bin/tl" help create
yes_if [ $rc -eq 0 ] && grep -q '^Usage: tl create' "$out" && grep -q -- '-n  *dry run' "$out"
check help-command

run "$bin/tl" shutdown --help
yes_if [ $rc -eq 0 ] && grep -q -- '-w  wait' "$out"
check dash-dash-help

run "$bin/xl" help
yes_if [ $rc -eq 0 ] && grep -q '^Usage: xl ' "$out"
check xl-alias-name

# Hypervisor commands: one line on stderr, exit 3, nothing on stdout.
for c in "list" "list -l" "destroy d" "shutdown -w -a" "reboot d" "pause d" "unpause d" "info" \
         "dmesg" "domid d" "domname 1" "rename a b" "uptime" "mem-set d 512m" "mem-max d 1g" \
         "vcpu-list" "vcpu-pin d 0 1" "vcpu-set d 2" "sched-credit -d d -w 256" \
         "block-attach d /a,,xvdb" "block-detach d xvdb" "block-list d" "network-attach d" \
         "network-detach d 0" "network-list d" "save d /tmp/x" "restore /tmp/x" "migrate d host" \
         "top" "console d"; do
    # shellcheck disable=SC2086
    run "$bin/tl" $c
    yes_if [ $rc -eq 3 ] && [ ! -s "$out" ] && [ "$(wc -l < "$err")" -eq 1 ] &&
        grep -q 'needs a running control domain' "$err"
    check "needs-hypervisor/$(echo "$c" | tr ' ' '_')"
done

# Operand counts come from the table too, before the hypervisor is needed.
for c in "destroy" "pause" "rename a" "vcpu-pin d 1" "mem-set d" "dmesg extra" "shutdown" "reboot -w"; do
    # shellcheck disable=SC2086
    run "$bin/tl" $c
    yes_if [ $rc -eq 2 ] && grep -q "^Usage: tl " "$err" && ! grep -q 'control domain' "$err"
    check "operands/$(echo "$c" | tr ' ' '_')"
done

run "$bin/tl" li
yes_if [ $rc -eq 3 ] && grep -q "'list' needs" "$err"
check unambiguous-prefix

run "$bin/tl" d
yes_if [ $rc -eq 2 ] && grep -q "ambiguous command 'd'" "$err"
check ambiguous-prefix

run "$bin/tl" -q list
yes_if [ $rc -eq 2 ] && grep -q "unknown global option '-q'" "$err"
check bad-global-option

run "$bin/tl" frobnicate
yes_if [ $rc -eq 2 ] && grep -q "unknown command 'frobnicate'" "$err"
check unknown-command

run "$bin/tl" list -Q
yes_if [ $rc -eq 2 ] && grep -q "unknown option -Q" "$err"
check bad-option

run "$bin/tl" create
yes_if [ $rc -eq 2 ] && grep -q "no config file" "$err"
check create-without-config

# Dry runs, overrides after the file, -f, global -N.
run "$bin/tl" create -n "$cases/pv-example.cfg" memory=1024 'vcpus=3' 'extra="x"'
yes_if [ $rc -eq 0 ] && grep -q '"target_memkb": 1048576' "$out" && grep -q '"max_vcpus": 3' "$out" &&
    grep -q "warning: 'cmdline' is set, so 'extra' is ignored" "$err"
check create-dry-run-overrides

run "$bin/tl" create -n -f "$cases/pv-example.xml" 'on_crash="restart"'
yes_if [ $rc -eq 0 ] && grep -q '"on_crash": "restart"' "$out"
check create-dry-run-xml-override

run "$bin/tl" -vvf -t -N create "$cases/pvh.cfg"
yes_if [ $rc -eq 0 ] && grep -q '"type": "pvh"' "$out"
check global-dry-run

run "$bin/tl" create -n "$cases/pv-example.cfg" memory=lots
yes_if [ $rc -eq 1 ] && grep -q "'memory' expects a number" "$err"
check create-bad-override

run "$bin/tl" create -n "$cases/pv-example.cfg" notasetting
yes_if [ $rc -eq 2 ] && grep -q "is not a key=value setting" "$err"
check create-operand-not-setting

run "$bin/tl" create -n "$work/does-not-exist.cfg"
yes_if [ $rc -eq 1 ] && grep -q "cannot read config: No such file" "$err"
check create-missing-file

# Without -n: the config and kernel are checked, then the hypervisor is needed.
cat > "$work/bad-kernel.cfg" <<CFG
name = "k"
kernel = "/etc/hostname"
CFG
run "$bin/tl" create "$work/bad-kernel.cfg"
yes_if [ $rc -eq 1 ] && grep -q "kernel /etc/hostname: not a kernel image" "$err"
check create-refuses-bad-kernel

run "$bin/tl" create -q "$cases/real-world.cfg"
yes_if [ $rc -ne 0 ] && [ ! -s "$out" ] && ! grep -q warning "$err"
check create-quiet-hides-warnings

run "$bin/tl" domxml-from-cfg "$cases/pv-example.cfg"
yes_if [ $rc -eq 0 ] && grep -q "<domain type=\"xen\">" "$out" && grep -q '<source bridge="xenbr0"/>' "$out"
check domxml-from-cfg

run "$bin/tl" domxml-to-cfg "$cases/hvm.xml"
yes_if [ $rc -eq 0 ] && grep -q '^type = "hvm"$' "$out" && grep -q '^cap = 50$' "$out"
check domxml-to-cfg

run "$bin/tl" cfg-keys
yes_if [ $rc -eq 0 ] && grep -q '^bootloader  *refused' "$out" && grep -q '^disk  *supported' "$out"
check cfg-keys

# The console client end to end, on pseudo-terminals.
run python3 "$here/console_session.py" "$bin/tl"
yes_if [ $rc -eq 0 ]
check console-session

run "$bin/tl" console -D "$work/no-such-tty"
yes_if [ $rc -eq 1 ] && grep -q "cannot open" "$err"
check console-bad-device

run "$bin/tl" image-info /etc/hostname
yes_if [ $rc -eq 1 ] && grep -q "refused: not a kernel image" "$err"
check image-info-refuses

exit 0
