#!/bin/sh
# Include-what-you-use check: every pvabi header must compile on its own,
# first thing in a translation unit, in each of these modes:
#   c             gcc -std=gnu11 -Wall -Wextra -Werror, hosted
#   freestanding  the same with -ffreestanding and no libc headers at all
#   clang         clang, hosted, same warnings
#   asm           preprocessed as assembly (only the macros must survive);
#                 only for headers that promise it with an __ASSEMBLY__ guard
# Headers under control/ are compiled with PVABI_TOOLSTACK, and must fail
# without it (the negative test). One result line per header and mode.
#
# usage: check_headers.sh INCLUDE_DIR WORK_DIR RESULTS
set -u
inc=$1 work=$2 results=$3
mkdir -p "$work"
warn="-std=gnu11 -Wall -Wextra -Werror -pedantic-errors -Wno-gnu-statement-expression -Wno-language-extension-token"
gccinc=$(gcc -print-file-name=include)
status=0

record() { # record PASS|FAIL name
    echo "$1 $2" >> "$results"
    [ "$1" = PASS ] || status=1
}

compile() { # compile MODE HEADER EXTRA...
    mode=$1 hdr=$2; shift 2
    src=$work/$(echo "$hdr" | tr '/.' '__')-$mode.c
    printf '#include <pvabi/%s>\n' "$hdr" > "$src"
    case $mode in
    c)            gcc $warn -Wno-pedantic "$@" -I"$inc" -c "$src" -o /dev/null ;;
    freestanding) gcc $warn -Wno-pedantic "$@" -ffreestanding -nostdinc -isystem "$gccinc" \
                      -I"$inc" -c "$src" -o /dev/null ;;
    clang)        clang $warn -Wno-pedantic "$@" -I"$inc" -c "$src" -o /dev/null ;;
    asm)          gcc "$@" -I"$inc" -x assembler-with-cpp -c "$src" -o /dev/null ;;
    esac
}

headers=$(cd "$inc" && find pvabi -name '*.h' | sed 's|^pvabi/||' | sort)
[ -n "$headers" ] || { record FAIL pv-abi/header/none-found; exit 1; }

for hdr in $headers; do
    extra=""
    case $hdr in control/*) extra=-DPVABI_TOOLSTACK ;; esac
    modes="c freestanding clang"
    grep -q '__ASSEMBLY__' "$inc/pvabi/$hdr" && modes="$modes asm"
    for mode in $modes; do
        if compile $mode "$hdr" $extra 2> "$work/last.err"; then
            record PASS "pv-abi/header/$hdr/$mode"
        else
            head -20 "$work/last.err" >&2
            record FAIL "pv-abi/header/$hdr/$mode"
        fi
    done
    case $hdr in control/*)
        # Must refuse to build into guest code, and say why.
        if compile c "$hdr" 2> "$work/last.err"; then
            echo "$hdr compiled without PVABI_TOOLSTACK" >&2
            record FAIL "pv-abi/header/$hdr/refused-without-toolstack"
        elif grep -q 'toolstack-only' "$work/last.err"; then
            record PASS "pv-abi/header/$hdr/refused-without-toolstack"
        else
            cat "$work/last.err" >&2
            record FAIL "pv-abi/header/$hdr/refused-without-toolstack"
        fi ;;
    esac
done
exit $status
