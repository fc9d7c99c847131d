#!/bin/sh
# Golden-file tests of tl's config readers and writers.
#
# For every config in cases/ (xl.cfg *.cfg or libvirt *.xml), "tl create -n"
# must either print exactly NAME.json (with exactly NAME.stderr, or nothing,
# on stderr) and exit 0, or, when NAME.err exists, print exactly that on
# stderr and exit 1. Valid configs are also converted and read back:
#   roundtrip-json: the expected JSON, read back, prints itself
#   roundtrip-cfg: xl.cfg export read back gives the same JSON
#   roundtrip-xml: XML export read back and exported again is unchanged, and
#                  gives the same JSON unless the case is in xml-lossy.txt
#   domxml:        when NAME.domxml exists, the XML export equals it
#
# usage: run.sh TL RESULTS WORKDIR
set -u
tl=$1 results=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"

record() {  # record PASS|FAIL name [diff-a diff-b]
    echo "$1 dom0-tools/golden/$2" >> "$results"
    if [ "$1" = FAIL ]; then
        echo "FAIL dom0-tools/golden/$2" >&2
        [ $# -ge 4 ] && diff -u "$3" "$4" >&2 | head -40
    fi
    return 0
}

lossy() { grep -qx "$1" "$here/xml-lossy.txt"; }

cd "$here/cases" || exit 1
for cfg in *.cfg *.xml; do
    name=${cfg%.*}
    [ "${cfg##*.}" = xml ] && name="$name.xml"
    base=${cfg%.*}
    out="$work/$name.out" err="$work/$name.stderr"
    "$tl" create -n "$cfg" > "$out" 2> "$err"
    rc=$?
    if [ -f "$base.err" ] && [ "${cfg##*.}" = cfg ] || [ -f "$cfg.err" ]; then
        expected=$base.err
        [ -f "$cfg.err" ] && expected=$cfg.err
        if [ $rc -eq 1 ] && [ ! -s "$out" ] && cmp -s "$expected" "$err"; then
            record PASS "$name"
        else
            echo "  exit code $rc" >&2
            record FAIL "$name" "$expected" "$err"
        fi
        continue
    fi

    expected=$base.json
    [ -f "$cfg.json" ] && expected=$cfg.json
    expected_err=/dev/null
    [ -f "$base.stderr" ] && [ "${cfg##*.}" = cfg ] && expected_err=$base.stderr
    [ -f "$cfg.stderr" ] && expected_err=$cfg.stderr
    if [ ! -f "$expected" ]; then
        echo "  no $expected for $cfg" >&2
        record FAIL "$name"
        continue
    fi
    if [ $rc -eq 0 ] && cmp -s "$expected" "$out" && cmp -s "$expected_err" "$err"; then
        record PASS "$name"
    else
        echo "  exit code $rc; stderr:" >&2; cat "$err" >&2
        record FAIL "$name" "$expected" "$out"
        continue
    fi

    # The JSON itself, read back: the same JSON.
    "$tl" create -n "$expected" > "$work/$name.rt-json.json" 2>/dev/null
    if [ $? -eq 0 ] && cmp -s "$expected" "$work/$name.rt-json.json"; then
        record PASS "roundtrip-json/$name"
    else
        record FAIL "roundtrip-json/$name" "$expected" "$work/$name.rt-json.json"
    fi

    # xl.cfg export, read back: the same JSON.
    "$tl" domxml-to-cfg "$cfg" > "$work/$name.rt.cfg" 2>/dev/null &&
        "$tl" create -n "$work/$name.rt.cfg" > "$work/$name.rt-cfg.json" 2>/dev/null
    if [ $? -eq 0 ] && cmp -s "$expected" "$work/$name.rt-cfg.json"; then
        record PASS "roundtrip-cfg/$name"
    else
        record FAIL "roundtrip-cfg/$name" "$expected" "$work/$name.rt-cfg.json"
    fi

    # XML export, read back and exported again: stable; same JSON unless lossy.
    "$tl" domxml-from-cfg "$cfg" > "$work/$name.a.xml" 2>/dev/null &&
        "$tl" domxml-from-cfg "$work/$name.a.xml" > "$work/$name.b.xml" 2>/dev/null &&
        "$tl" create -n "$work/$name.a.xml" > "$work/$name.rt-xml.json" 2>/dev/null
    ok=$?
    if [ $ok -eq 0 ] && cmp -s "$work/$name.a.xml" "$work/$name.b.xml" &&
       { lossy "$name" || cmp -s "$expected" "$work/$name.rt-xml.json"; }; then
        record PASS "roundtrip-xml/$name"
    else
        record FAIL "roundtrip-xml/$name" "$expected" "$work/$name.rt-xml.json"
    fi

    if [ -f "$base.domxml" ]; then
        if cmp -s "$base.domxml" "$work/$name.a.xml"; then
            record PASS "domxml/$name"
        else
            record FAIL "domxml/$name" "$base.domxml" "$work/$name.a.xml"
        fi
    fi
done
exit 0
