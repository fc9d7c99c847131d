#!/bin/sh
# Runs one test program under a time limit and makes sure its outcome is in
# the results file, whatever the program did: every test makefile runs its
# test programs through this script (mk/test-rules.mk gives the make-side
# spelling), so none can crash, hang or stop early without a FAIL line.
#
# usage: run-test.sh [OPTION...] NAME -- COMMAND [ARG...]
#
#   --results FILE      the results file (default: $RESULTS)
#   --timeout SECS      stop COMMAND (and its process group) after SECS
#                       seconds (default: $TEST_TIMEOUT, else 300); KILL
#                       follows $TEST_KILL_AFTER (10) seconds later
#   --status            COMMAND's exit status is its verdict: records
#                       "PASS NAME" on 0, "FAIL NAME (...)" otherwise. Without
#                       it, COMMAND appends its own PASS/FAIL lines to
#                       $RESULTS (exported to it) and this script checks them.
#   --expect-name N     a PASS, FAIL or SKIP line naming exactly N must appear
#                       (repeatable); a missing one becomes "FAIL N (...)"
#   --expect-names FILE the same for each line of FILE
#   --log FILE          COMMAND's output goes to FILE; its tail is shown when
#                       the run fails
#
# Without --status, the run gets one "FAIL NAME (why)" line when COMMAND
#   - timed out (the time limit was hit: a hang),
#   - was killed by a signal (a crash),
#   - exited non-zero without recording a FAIL line of its own, or with a
#     status other than 1 (a program's usual "some test failed"),
#   - recorded no PASS/FAIL/SKIP line at all.
# Exits 0 once the outcome is recorded, passed or failed (the results file
# is the verdict, and make goes on to the next test); 2 on a usage error.
#
# Lines are told apart from earlier ones by position: do not run two of
# these on one results file at once (make check runs them one at a time).
set -u

results=${RESULTS:-}
limit=${TEST_TIMEOUT:-300}
kill_after=${TEST_KILL_AFTER:-10}
status_mode=0
log=
expected=$(mktemp)
trap 'rm -f "$expected"' EXIT

while [ $# -gt 0 ]; do
    case $1 in
    --results)      results=$2; shift 2 ;;
    --timeout)      limit=$2; shift 2 ;;
    --status)       status_mode=1; shift ;;
    --expect-name)  printf '%s\n' "$2" >> "$expected"; shift 2 ;;
    --expect-names) cat "$2" >> "$expected" || exit 2; shift 2 ;;
    --log)          log=$2; shift 2 ;;
    --) echo "run-test: no NAME before --" >&2; exit 2 ;;
    -*) echo "run-test: unknown option $1" >&2; exit 2 ;;
    *)  break ;;
    esac
done
name=${1:-}
[ $# -ge 3 ] && [ "$2" = -- ] && [ -n "$results" ] ||
    { echo "usage: run-test.sh [--results FILE] [--timeout S] [--status] NAME -- COMMAND..." >&2; exit 2; }
shift 2

touch "$results"
before=$(wc -l < "$results")

# timeout puts itself and COMMAND in a process group of its own (its pid)
# and sends TERM to all of it, so helpers COMMAND started go too. Its KILL
# (when TERM is ignored) reaches COMMAND only: whatever is left of the
# group afterwards is killed here, so nothing outlives its test.
if [ -n "$log" ]; then
    mkdir -p "$(dirname "$log")"
    RESULTS=$results timeout -k "$kill_after" "$limit" "$@" > "$log" 2>&1 < /dev/null &
else
    RESULTS=$results timeout -k "$kill_after" "$limit" "$@" < /dev/null &
fi
group=$!
# Interrupted (make stopped, Ctrl-C reaches make's group, not this one):
# the test goes too.
trap 'kill -s TERM -- "-$group" 2>/dev/null; sleep 1; kill -s KILL -- "-$group" 2>/dev/null; exit 143' INT TERM HUP
wait $group
rc=$?
trap - INT TERM HUP
kill -s KILL -- "-$group" 2>/dev/null

fail() { # fail WHY: records the run's own failure
    echo "FAIL $name ($1)" >> "$results"
    echo "FAIL $name ($1)"
}

new=$(tail -n +"$((before + 1))" "$results")
own_fails=$(printf '%s\n' "$new" | grep -c '^FAIL ')
own_lines=$(printf '%s\n' "$new" | grep -cE '^(PASS|FAIL|SKIP) ')

case $rc in
0)       why= ;;
124)     why="timed out after $limit s" ;;
137)     why="killed by signal 9 (time limit $limit s)" ;;
12[5-7]) why="could not run: exit $rc" ;;
1[3-9][0-9]|2[0-5][0-9])
         why="killed by signal $((rc - 128))" ;;
*)       why="exit status $rc" ;;
esac

if [ $status_mode = 1 ]; then
    if [ $rc = 0 ]; then echo "PASS $name" >> "$results"; else fail "$why"; fi
elif [ -n "$why" ]; then
    # Status 1 after a FAIL line of its own is a program saying "some test
    # failed": that failure is counted already.
    [ $rc = 1 ] && [ "$own_fails" -gt 0 ] || fail "$why"
elif [ "$own_lines" = 0 ]; then
    fail "no result lines"
fi

while IFS= read -r want; do
    [ -n "$want" ] || continue
    printf '%s\n' "$new" | awk -v w="$want" '
        $0 == "PASS " w || $0 == "SKIP " w || $0 == "FAIL " w || index($0, "FAIL " w " ") == 1 { found = 1 }
        END { exit !found }' ||
        { echo "FAIL $want (no result: the run of $name ended without one)" >> "$results"
          echo "FAIL $want (no result: the run of $name ended without one)"; }
done < "$expected"

if [ -n "$log" ] && tail -n +"$((before + 1))" "$results" | grep -q '^FAIL '; then
    echo "--- last lines of $log"; tail -40 "$log"
fi
exit 0
