#!/bin/sh
# Installs the Debian packages the build and tests need, and only those that
# are missing. Each component lists its own in mk/packages/<component>.txt
# (one package per line, '#' starts a comment). Silent when nothing is missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
wanted=$(cat "$here"/packages/*.txt | sed 's/#.*//' | tr -s ' \t' '\n' | sed '/^$/d' | sort -u)
missing=""
for pkg in $wanted; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    case "$status" in
    *" installed") ;;
    *) missing="$missing $pkg" ;;
    esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "tessera: missing Debian packages:$missing" >&2
    echo "tessera: run 'make deps' as root, or: apt-get install$missing" >&2
    exit 1
fi
echo "tessera: installing missing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
