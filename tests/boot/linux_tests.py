#!/usr/bin/env python3
"""Debian's own Linux kernel as Tessera's control domain, under QEMU TCG.

    tests/boot/linux_tests.py [--slow] [--only NAME] [--runs N] [--list]

The kernel is the newest /boot/vmlinuz-* (its ELF taken out by
guest-patches/extract-vmlinux.py), the initramfs the probe one of
guest-patches/mkinitramfs-probe.sh, whose /init prints TESSERA-LINUX-INIT
and powers off. A case passes when that line comes, the domain shuts down
with "poweroff", and no panic, BUG or oops was printed. Appends "PASS|FAIL
boot/NAME" to $RESULTS. With no kernel in /boot it records a failure: the
machines this runs on have one (PLATFORM.md). make check runs every case
once (one and two CPUs, and typing into dom0's shell); make check-slow
(--slow) runs each of them 5 times.
"""
import argparse
import glob
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("BUILD", os.path.join(TOP, "build"))
IMAGE = os.path.join(BUILD, "hypervisor", "tessera")
WORK = os.path.join(BUILD, "tests", "linux")
RUNNER = os.path.join(TOP, "tests", "run-qemu.py")
PATCHES = os.path.join(TOP, "guest-patches")

LINUX_ARGS = "console=hvc0 earlyprintk=xen loglevel=4"
REJECT = r"Kernel panic|BUG:|Oops|general protection|shut down: crash|PANIC"


def artifacts():
    """(vmlinux, initramfs), built once per kernel into build/tests/linux."""
    kernels = sorted(glob.glob("/boot/vmlinuz-*"))
    if not kernels:
        return None
    os.makedirs(WORK, exist_ok=True)
    vmlinux = os.path.join(WORK, "vmlinux-" + os.path.basename(kernels[-1])[len("vmlinuz-"):])
    initrd = os.path.join(WORK, "probe-initramfs.cpio.gz")
    if not os.path.exists(vmlinux):
        subprocess.check_call([sys.executable, os.path.join(PATCHES, "extract-vmlinux.py"),
                               kernels[-1], vmlinux + ".tmp"], stdout=subprocess.DEVNULL)
        os.rename(vmlinux + ".tmp", vmlinux)
    script = os.path.join(PATCHES, "mkinitramfs-probe.sh")
    if not os.path.exists(initrd) or os.path.getmtime(initrd) < os.path.getmtime(script):
        subprocess.check_call(["sh", script, initrd], stdout=subprocess.DEVNULL)
    return vmlinux, initrd


def probe_args(vmlinux, initrd):
    """A boot to the probe's /init and a clean power-off, nothing worse."""
    return ["--mem", "1024", "--qemu-arg=-vga", "--qemu-arg=none",
            "--module", vmlinux + " " + LINUX_ARGS, "--module", initrd,
            "--expect", r"TESSERA-LINUX-INIT uptime=[0-9.]+ hypervisor=xen",
            "--expect", r"domain 0 \('Domain-0'\) shut down: poweroff",
            "--reject", REJECT, "--stop-on", r"shut down: "]


def cases(vmlinux, initrd):
    common = probe_args(vmlinux, initrd)
    shell = ["--smp", "2", "--mem", "1024", "--qemu-arg=-vga", "--qemu-arg=none",
             "--append", "debug_exit dom0_mem=256M",
             "--module", vmlinux + " " + LINUX_ARGS + " tessera.shell", "--module", initrd,
             "--send", r"'exit' powers off=>echo ANSWER-$((6*7)) $(cat /sys/hypervisor/type)\r",
             "--send", r"ANSWER-42 xen=>exit\r",
             "--expect", r"ANSWER-42 xen",
             "--expect", r"domain 0 \('Domain-0'\) shut down: poweroff",
             "--reject", REJECT, "--stop-on", r"shut down: "]
    return [
        # Linux takes the FIFO event-channel ABI when init_control works.
        ("linux-dom0-smp1", ["--smp", "1", "--append", "debug_exit dom0_mem=256M"] + common +
         ["--expect", r"cpus=1 evtchn=fifo",
          # Linux takes up FSGSBASE and XSAVE, which QEMU's CPU has and Tessera
          # offers (pv/cr4.c, pv/xstate.c).
          "--expect", r"TESSERA-LINUX-CPU fsgsbase=1 xsave=1"]),
        # Two vCPUs on two CPUs. Until SCHEDOP_poll returned for a pending
        # upcall (docs/scheduler.md, "A lost wake-up"), a vCPU sometimes
        # stayed blocked for good here (an RCU stall): 2 of 48 boots.
        ("linux-dom0-smp2", ["--smp", "2", "--append", "debug_exit dom0_mem=256M"] + common +
         ["--expect", r"cpus=2 evtchn=fifo"]),
        # Typing into dom0's shell: serial input reaches Linux's hvc0 (CONSOLEIO_read),
        # and a shell idling on two CPUs (where the stall was most often seen).
        ("linux-dom0-shell", shell),
    ]


# check-slow repeats every case (--runs, 5 unless given).
SLOW_RUNS = 5


def record(results, verdict, name):
    if results:
        with open(results, "a") as f:
            f.write("%s boot/%s\n" % (verdict, name))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--only", action="append")
    p.add_argument("--runs", type=int, default=0, help="runs of each case (1; --slow: %d)" % SLOW_RUNS)
    p.add_argument("--slow", action="store_true", help="check-slow: every case %d times" % SLOW_RUNS)
    p.add_argument("--list", action="store_true", help="print the case names and stop")
    a = p.parse_args()
    if a.list:
        for name, _ in cases("vmlinux", "initrd"):
            if not a.only or name in a.only:
                print(name)
        return 0
    results = os.environ.get("RESULTS")
    try:
        built = artifacts()
    except subprocess.CalledProcessError as e:
        print("FAIL boot/linux-artifacts: %s" % e)
        record(results, "FAIL", "linux-artifacts")
        return 1
    if not built:
        print("FAIL boot/linux-kernel: no /boot/vmlinuz-* on this machine")
        record(results, "FAIL", "linux-kernel")
        return 1
    failed = 0
    runs = a.runs or (SLOW_RUNS if a.slow else 1)
    for name, args in cases(*built):
        if a.only and name not in a.only:
            continue
        for run in range(runs):
            log = os.path.join(WORK, "%s%s.log" % (name, "" if runs == 1 else "-%d" % run))
            t0 = time.monotonic()
            rc = subprocess.call([sys.executable, RUNNER, "--kernel", IMAGE, "--timeout", "120",
                                  "--quiet", "--log", log] + args)
            verdict = "PASS" if rc == 0 else "FAIL"
            failed += rc != 0
            print("%s boot/%s (%.1f s, log %s)" % (verdict, name, time.monotonic() - t0, log),
                  flush=True)
            record(results, verdict, name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
