#!/usr/bin/env python3
"""Boot one PV test kernel on a hypervisor under QEMU (TCG) and report its verdict.

    tests/guests/run-guest.py --hypervisor build/guests/xen-4.17.elf \
        --kernel build/guests/boot_console.elf [--append "HYPERVISOR ARGS"] \
        [--kernel-args "ARGS"] [--initrd FILE] [--timeout 60] [--log FILE]

    tests/guests/run-guest.py --hypervisor build/guests/xen-4.17.elf \
        --dom0 /boot/vmlinuz-VERSION --dom0-initrd build/guests/dom0.cpio.gz \
        --guests boot_console[,other...]

The test kernel is the first multiboot module (on real Xen: the initial
domain). --kernel may be repeated for a hypervisor that starts one domain
per module (Tessera): then a verdict is awaited from each, and the worst
wins; --kernel-args applies to the first, "--kernel 'FILE ARGS'" gives a
kernel its own. --initrd FILE is one more module after the kernels, one that
is no domain (on Xen: the initial domain's initrd); without it, a test
kernel NAME.elf whose folder tests/guests/NAME/ holds initrd.txt gets that
file (so run-tests.sh needs no per-test options). With --dom0, a Linux dom0 starts the named test kernels as domUs
with xl instead (tests/guests/domu/), and prints their logs and a combined
verdict. The verdict is taken from the last "Test result: X" line on the
serial console; QEMU is stopped a moment after it appears. No verdict
before --timeout, QEMU dying first, a missing file or a hypervisor panic is
an ERROR. Prints "RESULT <verdict> <seconds> [<why>]" last, where why is
one word (timeout, qemu-exited, panic, no-such-file, missing-verdicts,
alive-at-timeout, ...); exit status 0 only for SUCCESS (2 for SKIP, 1
otherwise).

--expect-hang REGEX turns the verdict round, for a kernel meant to hang
(selftest_hang): SUCCESS only if the timeout is reached with QEMU still
running, no verdict and no panic printed, and REGEX (the kernel's
heartbeat) seen at least twice, the last time within --alive-window
seconds of the timeout. Anything else (a missing file, QEMU exiting, a
panic, a kernel that finished or fell silent) is a FAILURE, so a broken
run cannot pass for a hang.
"""
import argparse
import os
import re
import select
import signal
import subprocess
import sys
import time

XEN_APPEND = ("console=com1 com1=115200,8n1 dom0_mem=64M loglvl=all "
              "guest_loglvl=all noreboot")
XEN_APPEND_LINUX_DOM0 = ("console=com1 com1=115200,8n1 dom0_mem=384M,max:384M loglvl=all "
                         "guest_loglvl=all noreboot")
RESULT_RE = re.compile(r"Test result: (SUCCESS|SKIP|ERROR|FAILURE)")
# The hypervisor died: no verdict can follow.
FATAL_RE = re.compile(r"Panic on CPU|\*\*\*\* PANIC|Domain 0 crashed|"
                      r"domain_crash|Tessera panic", re.I)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--hypervisor", required=True, help="multiboot1 image for qemu -kernel")
    p.add_argument("--kernel", action="append",
                   help="a PV test kernel (ELF64) as a multiboot module, 'FILE [ARGS]'; repeatable")
    p.add_argument("--dom0", help="a Linux kernel to boot as dom0 instead (domU mode)")
    p.add_argument("--dom0-initrd", help="its initramfs (tests/guests/domu/mkdom0.sh)")
    p.add_argument("--guests", help="domU mode: test kernels to start, comma separated")
    p.add_argument("--kernel-args", default="", help="the test kernel's command line")
    p.add_argument("--initrd", help="a module after the kernels (Xen: dom0's initrd); "
                   "default: tests/guests/NAME/initrd.txt for a kernel NAME.elf, if it exists")
    p.add_argument("--append", help="hypervisor command line (default: Xen's, for the mode)")
    p.add_argument("--smp", type=int, default=2)
    p.add_argument("--mem", help="RAM in MiB (default 512, 1024 in domU mode)")
    p.add_argument("--cpu", default="max,-smap")
    p.add_argument("--qemu-arg", action="append", default=[],
                   help="one more QEMU argument (repeatable), e.g. --qemu-arg=-icount --qemu-arg=shift=0")
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--log", help="write the serial log here")
    p.add_argument("--quiet", action="store_true", help="do not echo the serial log")
    p.add_argument("--grace", type=float, default=0.3,
                   help="seconds to keep reading after the verdict")
    p.add_argument("--expect-hang", metavar="REGEX",
                   help="pass only on a timeout with this heartbeat still arriving")
    p.add_argument("--alive-window", type=float, default=3.0,
                   help="--expect-hang: the last heartbeat at most this long before the timeout")
    a = p.parse_args(argv)
    if bool(a.kernel) == bool(a.dom0):
        p.error("give exactly one of --kernel or --dom0")
    if a.dom0 and not (a.dom0_initrd and a.guests):
        p.error("--dom0 needs --dom0-initrd and --guests")
    if a.append is None:
        a.append = XEN_APPEND_LINUX_DOM0 if a.dom0 else XEN_APPEND
    if a.mem is None:
        a.mem = "1024" if a.dom0 else "512"
    a.expect = len(a.kernel) if a.kernel else 1
    if a.kernel and a.initrd is None:
        a.initrd = default_initrd(a.kernel[0].split()[0])
    return a


def default_initrd(kernel):
    """tests/guests/NAME/initrd.txt for a kernel NAME.elf, or None."""
    name = os.path.basename(kernel)
    if not name.endswith(".elf"):
        return None
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name[:-4], "initrd.txt")
    return path if os.path.isfile(path) else None


def qemu_command(a):
    if a.dom0:
        # QEMU splits -initrd at commas, so the guest list travels with '+'.
        module = "%s console=hvc0 quiet guests=%s,%s" % (a.dom0, a.guests.replace(",", "+"),
                                                          a.dom0_initrd)
    else:
        mods = list(a.kernel)
        if a.kernel_args:
            mods[0] += " " + a.kernel_args
        if a.initrd:
            mods.append(a.initrd)
        module = ",".join(mods)
    return ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-cpu", a.cpu,
            "-m", str(a.mem), "-smp", str(a.smp), "-display", "none",
            "-serial", "stdio", "-monitor", "none", "-no-reboot",
            "-kernel", a.hypervisor, "-append", a.append, "-initrd", module] + a.qemu_arg


def run(a):
    files = [a.hypervisor] + ([k.split()[0] for k in a.kernel] if a.kernel else
                              [a.dom0, a.dom0_initrd]) + ([a.initrd] if a.initrd else [])
    for path in files:
        if not os.path.exists(path):
            print("run-guest: no such file: %s" % path, file=sys.stderr)
            return "ERROR", 0.0, "no-such-file"
    start = time.monotonic()
    proc = subprocess.Popen(qemu_command(a), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    log = open(a.log, "w") if a.log else None
    verdict, stop_at, buf, why = None, None, b"", None
    verdicts = []
    heartbeat = re.compile(a.expect_hang) if a.expect_hang else None
    beats, last_beat, panicked = 0, None, False
    worst = {"SUCCESS": 0, "SKIP": 1, "ERROR": 2, "FAILURE": 3}
    fd = proc.stdout.fileno()
    try:
        while True:
            now = time.monotonic()
            if stop_at is not None and now >= stop_at:
                break
            if now - start > a.timeout:
                print("run-guest: timeout after %.0f s" % a.timeout, file=sys.stderr)
                verdict = verdict or "ERROR"
                why = why or "timeout"
                break
            ready, _, _ = select.select([fd], [], [], 0.1)
            if not ready:
                continue
            data = os.read(fd, 65536)
            if not data:
                why = why or "qemu-exited"
                break
            buf += data
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                line = raw.decode("utf-8", "replace").rstrip("\r")
                if log:
                    log.write("[%7.3f] %s\n" % (time.monotonic() - start, line))
                if not a.quiet:
                    print(line, flush=True)
                if heartbeat and heartbeat.search(line):
                    beats, last_beat = beats + 1, time.monotonic()
                m = RESULT_RE.search(line)
                if m:
                    verdicts.append(m.group(1))
                    verdict = max(verdicts, key=worst.get)
                    if len(verdicts) >= a.expect:
                        stop_at = stop_at or time.monotonic() + a.grace
                elif FATAL_RE.search(line) and verdict is None:
                    verdict, why, panicked = "ERROR", "panic", True
                    stop_at = time.monotonic() + 1.0
    finally:
        qemu_ran_to_the_end = proc.poll() is None
        if qemu_ran_to_the_end:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        if log:
            log.close()
    end = time.monotonic()
    if heartbeat:
        verdict, why = judge_hang(a, why, verdicts, panicked, qemu_ran_to_the_end, beats,
                                  None if last_beat is None else end - last_beat)
        return verdict, end - start, why
    if verdict and len(verdicts) < a.expect:
        print("run-guest: %d of %d verdicts" % (len(verdicts), a.expect), file=sys.stderr)
        verdict = max([verdict, "ERROR"], key=worst.get)
        why = why or "missing-verdicts"
    return verdict or "ERROR", end - start, why


def judge_hang(a, why, verdicts, panicked, qemu_alive, beats, since_beat):
    """--expect-hang: (verdict, why). A pass needs all of: the timeout hit,
    QEMU still running then, no verdict, no panic, and the heartbeat seen
    twice or more, the last within --alive-window seconds of the end."""
    if panicked:
        return "FAILURE", "panic"
    if verdicts:
        return "FAILURE", "finished"
    if why != "timeout" or not qemu_alive:
        return "FAILURE", why or "qemu-exited"
    if beats < 2 or since_beat is None or since_beat > a.alive_window:
        print("run-guest: %d heartbeats, the last %s before the timeout" %
              (beats, "never" if since_beat is None else "%.1f s" % since_beat),
              file=sys.stderr)
        return "FAILURE", "silent"
    return "SUCCESS", "alive-at-timeout"


def main(argv):
    a = parse_args(argv)
    # Stopped by a time limit (mk/run-test.sh): QEMU is in a session of its
    # own, so unwind through run()'s clean-up, which kills it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    verdict, secs, why = run(a)
    print("RESULT %s %.1f%s" % (verdict, secs, " " + why if why else ""))
    return {"SUCCESS": 0, "SKIP": 2}.get(verdict, 1)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
