#!/bin/bash
# The xenstore-* command-line tools against the daemon at $XENSTORED_PATH,
# checking their output. BINDIR holds the tools (Debian's /usr/bin or ours).
#   xenstore-utils.sh BINDIR
set -eu
bin=$1
base=/utils-test-$$
fail() { echo "FAILED: $*" >&2; exit 1; }
expect() {  # expect "WANTED" COMMAND...
    local want=$1; shift
    local got
    got=$("$@") || fail "$* exited $?"
    [ "$got" = "$want" ] || fail "$*: wanted [$want] got [$got]"
}

"$bin/xenstore-write" "$base/a" hello "$base/b/c" deep
expect hello "$bin/xenstore-read" "$base/a"
expect deep "$bin/xenstore-read" "$base/b/c"
expect "$(printf 'a\nb')" "$bin/xenstore-list" "$base"
"$bin/xenstore-exists" "$base/b/c" || fail "exists"
! "$bin/xenstore-exists" "$base/nope" 2>/dev/null || fail "exists on a missing node"
! "$bin/xenstore-read" "$base/nope" 2>/dev/null || fail "read of a missing node"
expect "$(printf 'a = "hello"\nb = ""\n c = "deep"')" "$bin/xenstore-ls" "$base"
"$bin/xenstore-chmod" "$base/a" n0 r5 b7
ls_p=$("$bin/xenstore-ls" -p "$base")
echo "$ls_p" | grep -q 'a = "hello".*n0.*r5.*b7' || fail "chmod/ls -p: $ls_p"
"$bin/xenstore-rm" "$base/b"
expect a "$bin/xenstore-list" "$base"

# watch: the first event is the registration, the second our write
out=$(mktemp)
"$bin/xenstore-watch" -n 2 "$base/w" >"$out" 2>&1 &
wpid=$!
for _ in $(seq 50); do [ -s "$out" ] && break; sleep 0.05; done
"$bin/xenstore-write" "$base/w/x" 1
for _ in $(seq 50); do [ "$(wc -l <"$out")" -ge 2 ] && break; sleep 0.05; done
kill $wpid 2>/dev/null || true
wait $wpid 2>/dev/null || true
grep -q "^$base/w/x" "$out" || { cat "$out"; rm -f "$out"; fail "watch event missing"; }
rm -f "$out"

"$bin/xenstore-rm" "$base"
! "$bin/xenstore-exists" "$base" 2>/dev/null || fail "rm"
echo OK
