#!/usr/bin/env python3
"""Multiboot2 boots through a GRUB ISO, under QEMU or under Bochs (the
emulator with VT-x, and x2APIC); both run in make check (Bochs takes ~5 s).

    tests/boot/grub_tests.py qemu|bochs ISO

Appends "PASS boot/grub-EMULATOR" or "FAIL ..." to $RESULTS when set.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
BUILD = os.environ.get("BUILD", os.path.join(os.path.dirname(TESTS), "build"))


def main():
    emulator, iso = sys.argv[1], sys.argv[2]
    logs = os.path.join(BUILD, "tests", "boot", "logs")
    os.makedirs(logs, exist_ok=True)
    log = os.path.join(logs, "grub-%s.log" % emulator)
    expect = [r"Loader: GRUB.*, multiboot2", r"Tessera ready: 1 of 1 CPUs online",
              r"Powering off"]
    if emulator == "bochs":
        # Bochs's Haswell model has x2APIC (QEMU 7.2's TCG does not).
        expect.append(r"apic: x2APIC mode")
    if emulator == "qemu":
        cmd = [sys.executable, os.path.join(TESTS, "run-qemu.py"), "--cdrom", iso,
               "--timeout", "120", "--quiet", "--log", log, "--exit-code", "1"]
    else:
        cmd = [sys.executable, os.path.join(TESTS, "run-bochs.py"), "--iso", iso,
               "--timeout", "600", "--log", log]
    for e in expect:
        cmd += ["--expect", e]
    rc = subprocess.call(cmd)
    verdict = "PASS" if rc == 0 else "FAIL"
    print("%s boot/grub-%s (log %s)" % (verdict, emulator, log), flush=True)
    if os.environ.get("RESULTS"):
        with open(os.environ["RESULTS"], "a") as f:
            f.write("%s boot/grub-%s\n" % (verdict, emulator))
    return rc


if __name__ == "__main__":
    sys.exit(main())
