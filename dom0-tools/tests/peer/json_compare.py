#!/usr/bin/env python3
"""Compares tl's "create -n" JSON with Debian xl's for the same config.

Drops what xl takes from its global xl.conf or invents at random, which tl
deliberately does not: run_hotplug_scripts, claim_mode, the empty arch_*
maps, and the UUID and MACs xl generates when the config gives none; and
the vCPU and memory defaults tl prints but xl leaves to libxl.
usage: json_compare.py TL_JSON XL_JSON   (exit 0 when they agree)
"""
import json
import sys


def normalise(tl, xl):
    xl.get("c_info", {}).pop("run_hotplug_scripts", None)
    # Devices of keys tl ignores with a warning (vnc=, vkb=, pci= ...).
    for key in ("vfbs", "vkbs", "pcidevs", "vtpms", "channels", "p9s", "usbctrls", "usbdevs"):
        xl.pop(key, None)
    for key in ("claim_mode", "arch_arm", "arch_x86"):
        xl.get("b_info", {}).pop(key, None)
    if "uuid" not in tl.get("c_info", {}):
        xl.get("c_info", {}).pop("uuid", None)
    # tl prints the defaults it applied (xl leaves them to libxl).
    defaults = {"max_vcpus": 1, "avail_vcpus": [0], "max_memkb": 32768, "target_memkb": 32768}
    for key, value in defaults.items():
        if key not in xl.get("b_info", {}) and tl.get("b_info", {}).get(key) == value:
            del tl["b_info"][key]
    for mine, theirs in zip(tl.get("nics", []), xl.get("nics", [])):
        if "mac" not in mine:
            theirs.pop("mac", None)


def main():
    with open(sys.argv[1]) as f:
        tl = json.load(f)
    with open(sys.argv[2]) as f:
        xl = json.load(f)
    normalise(tl, xl)
    if tl == xl:
        return 0
    a = json.dumps(tl, indent=1, sort_keys=True).splitlines()
    b = json.dumps(xl, indent=1, sort_keys=True).splitlines()
    import difflib
    for line in difflib.unified_diff(a, b, "tl", "xl", lineterm="", n=2):
        print(line, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
