#!/bin/sh
# The harness's own test: every way a test program can go wrong must end as
# a FAIL line, a good program as PASS lines, and the closing summary must
# count and judge them. Each proof runs the harness on a misbehaving program
# (misbehave.c) or a fake QEMU into a scratch results file and checks that
# file; one "PASS harness/<behaviour>" (or FAIL) per proof goes to $RESULTS.
#
#   selftest.sh
#
# The pieces under test can be swapped, to show a proof fails on an older
# harness: HARNESS_RUN_TEST (default mk/run-test.sh), HARNESS_SUMMARIZE
# (tests/summarize.sh), HARNESS_GUEST_RUNNER (tests/guests/run-tests.sh).
# Every proof has a time limit of its own, so a harness that never stops a
# hang fails the proof instead of hanging here.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${RESULTS:?RESULTS must name the results file}"
run_test=${HARNESS_RUN_TEST:-$top/mk/run-test.sh}
summarize=${HARNESS_SUMMARIZE:-$top/tests/summarize.sh}
guest_runner=${HARNESS_GUEST_RUNNER:-$top/tests/guests/run-tests.sh}
work=${BUILD:-$top/build}/tests/harness
rm -rf "$work"
mkdir -p "$work"

gcc -std=gnu11 -Wall -Wextra -Werror -O1 -o "$work/misbehave" "$here/misbehave.c" || {
    echo "FAIL harness/build" >> "$RESULTS"; exit 1; }

verdict() { # verdict BEHAVIOUR OK(0/1) WHY: one line in the real results
    if [ "$2" = 0 ]; then
        echo "PASS harness/$1" >> "$RESULTS"
    else
        echo "FAIL harness/$1" >> "$RESULTS"
        echo "FAIL harness/$1: $3"
        [ -f "$work/$1.txt" ] && sed 's/^/    /' "$work/$1.txt"
    fi
}

# harness BEHAVIOUR [RUN-TEST OPTIONS] -- MODE: runs misbehave MODE through
# the harness (as test "selftest/MODE") into $work/BEHAVIOUR.txt.
harness() {
    name=$1; shift
    scratch=$work/$name.txt
    : > "$scratch"
    opts=""
    while [ "$1" != -- ]; do opts="$opts $1"; shift; done
    shift
    # shellcheck disable=SC2086
    TEST_KILL_AFTER=1 timeout -k 1 30 sh "$run_test" --results "$scratch" --timeout 2 $opts \
        "selftest/$1" -- "$work/misbehave" "$@" > "$work/$name.out" 2>&1
}

has()     { grep -qE "$2" "$work/$1.txt"; }           # has BEHAVIOUR REGEX
count()   { grep -cE "$2" "$work/$1.txt"; }           # count BEHAVIOUR REGEX
running() { [ -r "/proc/$1/stat" ] && ! awk '{ exit $3 != "Z" }' "/proc/$1/stat"; }
child_of() { awk '{ print $2 }' "$work/$1.pid" 2>/dev/null; }   # the hang's child
# An old harness may leave a hang behind: stop it here, whatever the verdict.
stop_hang() { [ -s "$work/$1.pid" ] && kill -s KILL $(cat "$work/$1.pid") 2>/dev/null; }

# selftest_hang's judge (tests/guests/run-tests.sh and run-guest.py): only a
# live hang passes. A fake qemu-system-x86_64 plays each outcome; the
# hypervisor image's name picks which. These run in the background while
# the proofs below do (they mostly wait); their verdicts are read at the end.
mkdir -p "$work/fakebin" "$work/hv"
cat > "$work/fakebin/qemu-system-x86_64" <<'FAKE'
#!/bin/sh
# Plays a QEMU run for the harness self-test; the -kernel file's name says how.
while [ $# -gt 0 ]; do [ "$1" = -kernel ] && kind=$(basename "$2"); shift; done
beat() { echo "(d0) selftest_hang: still running ($1)"; sleep 0.3; }
echo "(XEN) fake boot"
case $kind in
alive)    i=0; while :; do beat $i; i=$((i + 1)); done ;;
exits)    beat 0; beat 1; exit 0 ;;
panics)   beat 0; beat 1; echo "(XEN) Panic on CPU 0:"; while :; do sleep 1; done ;;
silent)   while :; do sleep 1; done ;;
stalls)   beat 0; beat 1; while :; do sleep 1; done ;;
finishes) beat 0; beat 1; echo "(d0) Test result: SUCCESS"; while :; do sleep 1; done ;;
esac
FAKE
chmod +x "$work/fakebin/qemu-system-x86_64"
for kind in alive exits panics silent stalls finishes missing; do
    [ $kind = missing ] || : > "$work/hv/$kind"
    mkdir -p "$work/guests-$kind"                 # logs of its own
    : > "$work/guests-$kind/selftest_hang.elf"
    : > "$work/hang-$kind.txt"
    PATH=$work/fakebin:$PATH HANG_TIMEOUT=6 timeout -k 1 40 sh "$guest_runner" "$work/hv/$kind" \
        "$work/guests-$kind" "$work/hang-$kind.txt" guests/fake 1 30 selftest_hang > "$work/hang-$kind.out" 2>&1 &
done

# A program that crashes (before any result line, and after one) fails.
harness crash-is-fail -- crash
has crash-is-fail '^FAIL selftest/crash( |$)'; verdict crash-is-fail $? "no FAIL line for a SIGSEGV"
harness crash-after-pass-is-fail -- crash-after-pass
has crash-after-pass-is-fail '^FAIL selftest/crash-after-pass( |$)'
verdict crash-after-pass-is-fail $? "a PASS line then abort() was not a FAIL"

# A program that hangs is stopped at its time limit and fails, and the
# helpers it started are stopped with it, even when they ignore TERM.
harness hang-is-fail -- hang "$work/hang.pid"
has hang-is-fail '^FAIL selftest/hang( |$)'; verdict hang-is-fail $? "no FAIL line for a hang"
sleep 0.2
[ -n "$(child_of hang)" ] && ! running "$(child_of hang)"
verdict hang-stops-helpers $? "the hung program's child is still running (or never started)"
stop_hang hang
harness hang-ignoring-term-is-fail -- hang-ignore-term "$work/hang-term.pid"
has hang-ignoring-term-is-fail '^FAIL selftest/hang-ignore-term( |$)'
verdict hang-ignoring-term-is-fail $? "a hang that ignores SIGTERM was not a FAIL"
sleep 0.2
[ -n "$(child_of hang-term)" ] && ! running "$(child_of hang-term)"
verdict hang-ignoring-term-stops-helpers $? "a child ignoring SIGTERM outlived its test"
stop_hang hang-term

# The harness itself stopped (make interrupted): the test it runs goes too.
: > "$work/interrupted.txt"
sh "$run_test" --results "$work/interrupted.txt" --timeout 60 selftest/hang -- \
    "$work/misbehave" hang "$work/interrupted.pid" > "$work/interrupted.out" 2>&1 &
harness_pid=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$work/interrupted.pid" ] && break; sleep 0.2; done
kill -s TERM $harness_pid; wait $harness_pid
sleep 0.3
[ -n "$(child_of interrupted)" ] && ! running "$(child_of interrupted)" &&
    ! running "$(awk '{ print $1 }' "$work/interrupted.pid")"
verdict interrupt-stops-test $? "the test outlived the harness that ran it"
stop_hang interrupted

# PASS lines then a non-zero exit is a failure (with 3, and with 1 when
# the program recorded no FAIL line to stand for it).
harness exit-after-pass-is-fail -- exit-after-pass
has exit-after-pass-is-fail '^FAIL selftest/exit-after-pass( |$)'
verdict exit-after-pass-is-fail $? "exit 3 after PASS lines was not a FAIL"
harness exit1-after-pass-is-fail -- exit1-after-pass
has exit1-after-pass-is-fail '^FAIL selftest/exit1-after-pass( |$)'
verdict exit1-after-pass-is-fail $? "exit 1 after PASS lines only was not a FAIL"

# A program that records nothing fails; so does one that leaves out a
# result line it was expected to give.
harness no-result-lines-is-fail -- silent
has no-result-lines-is-fail '^FAIL selftest/silent( |$)'
verdict no-result-lines-is-fail $? "a run with no result line was not a FAIL"
harness missing-expected-line-is-fail --expect-name selftest/partial/a \
    --expect-name selftest/partial/b -- partial
has missing-expected-line-is-fail '^FAIL selftest/partial/b( |$)' &&
    ! has missing-expected-line-is-fail '^FAIL selftest/partial/a'
verdict missing-expected-line-is-fail $? "the missing line was not a FAIL (or the present one was)"

# The other side: a good program passes, untouched, and a program that
# reports its own failure is counted once, not twice.
harness good-program-passes --expect-name selftest/good/a -- good
[ "$(count good-program-passes '^PASS selftest/good/')" = 2 ] && ! has good-program-passes '^FAIL'
verdict good-program-passes $? "a good program did not pass cleanly"
harness own-failure-counted-once -- fail
[ "$(count own-failure-counted-once '^FAIL')" = 1 ] && has own-failure-counted-once '^FAIL selftest/fail/b$'
verdict own-failure-counted-once $? "a program's own FAIL line was lost or doubled"

# --status: the exit status is the verdict.
harness status-mode --status -- good
has status-mode '^PASS selftest/good$' && ok=0 || ok=1
harness status-mode-fail --status -- exit-after-pass
[ $ok = 0 ] && has status-mode-fail '^FAIL selftest/exit-after-pass( |$)'
verdict status-mode $? "--status did not turn exit 0 into PASS and exit 3 into FAIL"

# The closing summary: counts skips, fails on a FAIL, on no PASS at all,
# and on a missing results file; the count line is the last line.
summary() { # summary BEHAVIOUR EXPECTED-STATUS EXPECTED-LAST-LINE LINES...
    name=$1 want_rc=$2 want_line=$3; shift 3
    printf '%s\n' "$@" > "$work/$name.results"
    sh "$summarize" "$work/$name.results" > "$work/$name.txt" 2>&1
    rc=$?
    [ "$want_rc" = any-failure ] && { [ $rc != 0 ] && rc=any-failure; }
    [ "$rc" = "$want_rc" ] && [ "$(tail -1 "$work/$name.txt")" = "$want_line" ]
    verdict "$name" $? "exit $rc, expected $want_rc and last line '$want_line'"
}
summary summary-all-pass 0 "2 passed, 0 failed, 0 skipped" "PASS a" "PASS b"
summary summary-counts-skips 0 "1 passed, 0 failed, 2 skipped" "PASS a" "SKIP b" "SKIP c"
summary summary-fail-is-failure any-failure "1 passed, 1 failed, 1 skipped" "PASS a" "FAIL b (why)" "SKIP c"
summary summary-no-pass-is-failure any-failure "0 passed, 0 failed, 1 skipped" "SKIP a"
rm -f "$work/none.results"
sh "$summarize" "$work/none.results" > "$work/summary-no-results-is-failure.txt" 2>/dev/null
[ $? != 0 ]; verdict summary-no-results-is-failure $? "a missing results file passed"

wait   # for the fake QEMU runs started above
has hang-alive '^PASS guests/fake/selftest_hang$'
verdict selftest-hang-passes-live-hang $? "a live hang was not passed"
for kind in exits panics silent stalls finishes missing; do
    has hang-$kind '^FAIL guests/fake/selftest_hang$'
    verdict selftest-hang-refuses-$kind $? "selftest_hang was not failed when the run $kind"
done
exit 0
