#!/usr/bin/env python3
"""Boot an image under QEMU (TCG) and judge the run from its serial log.

Usable on its own:

    tests/run-qemu.py --kernel build/hypervisor/tessera --smp 2 \
        --append "on_ready=poweroff debug_exit" \
        --expect "Tessera ready: 2 of 2" --exit-code 1 --log /tmp/boot.log

Every serial line is timestamped (seconds since QEMU started) in the log.
The run passes when every --expect pattern was seen, no --reject pattern
was, and QEMU ended with --exit-code (if given). Hitting --timeout is a
failure, never a pass. Exit status: 0 pass, 1 fail, 2 timeout.
"""
import argparse
import os
import re
import select
import subprocess
import sys
import time

DEBUG_EXIT = ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kernel", help="multiboot image for -kernel")
    p.add_argument("--cdrom", help="ISO image to boot instead of --kernel")
    p.add_argument("--module", action="append", default=[],
                   help='"FILE ARGS": a multiboot module (repeatable, in order)')
    p.add_argument("--append", default="", help="hypervisor command line")
    p.add_argument("--smp", type=int, default=1)
    p.add_argument("--mem", default="256", help="RAM, as for qemu -m")
    p.add_argument("--cpu", default="max,-smap",
                   help="qemu -cpu model (default: max without SMAP, as real Xen needs)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds before giving up")
    p.add_argument("--expect", action="append", default=[], help="regex that must appear")
    p.add_argument("--expect-num", action="append", default=[],
                   help="REGEX:MIN:MAX, the regex's first group must be a number in range")
    p.add_argument("--reject", action="append", default=[], help="regex that must not appear")
    p.add_argument("--send", action="append", default=[],
                   help="REGEX=>TEXT: once REGEX is seen, type TEXT (\\r for Enter, "
                        "\\xNN for any byte, e.g. \\x1d for Ctrl-])")
    p.add_argument("--in-order", action="store_true",
                   help="each --send waits for its REGEX in what came after the previous "
                        "one was typed (a dialogue), not anywhere in the log")
    p.add_argument("--prompt", action="append", default=["tessera> "],
                   help="regex: a line still unfinished that matches it counts as seen "
                        "(a shell's prompt waits for input with no newline after it)")
    p.add_argument("--stop-on", action="append", default=[],
                   help="regex that ends the run at once when seen")
    p.add_argument("--exit-code", type=int, help="QEMU exit status required")
    p.add_argument("--log", help="keep the timestamped serial log here")
    p.add_argument("--quiet", action="store_true", help="do not echo the serial log")
    p.add_argument("--qemu-arg", action="append", default=[], help="extra QEMU argument")
    return p.parse_args(argv)


def qemu_command(a):
    cmd = ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-cpu", a.cpu,
           "-smp", str(a.smp), "-m", a.mem, "-display", "none", "-monitor", "none",
           "-serial", "stdio", "-no-reboot"] + DEBUG_EXIT
    if a.cdrom:
        cmd += ["-cdrom", a.cdrom, "-boot", "d"]
    else:
        cmd += ["-kernel", a.kernel, "-append", a.append]
        if a.module:
            # QEMU separates modules with commas; a comma inside is doubled.
            cmd += ["-initrd", ",".join(m.replace(",", ",,") for m in a.module)]
    return cmd + a.qemu_arg


def run(a):
    cmd = qemu_command(a)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    log = open(a.log, "w") if a.log else None
    if log:
        log.write("# " + " ".join(cmd) + "\n")
    text, pending, first_seen = "", b"", {}
    sends = [s.split("=>", 1) for s in a.send]
    sent = [False] * len(sends)
    since = 0       # --in-order: where in text the next send's REGEX is looked for
    timed_out = stopped = False

    while True:
        elapsed = time.monotonic() - start
        if elapsed > a.timeout:
            timed_out = True
            break
        ready, _, _ = select.select([proc.stdout], [], [], 0.2)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        prompt = pending.decode("utf-8", "replace")
        for raw in lines + ([pending] if any(re.search(p, prompt) for p in a.prompt) else []):
            line = raw.decode("utf-8", "replace").rstrip("\r")
            if raw is pending:
                pending = b""
            stamp = time.monotonic() - start
            text += line + "\n"
            if log:
                log.write("[%8.3f] %s\n" % (stamp, line))
            if not a.quiet:
                print(line, flush=True)
            for pat in a.expect:
                if pat not in first_seen and re.search(pat, line):
                    first_seen[pat] = stamp
        for i, (pat, keys) in enumerate(sends):
            if sent[i] or (a.in_order and (i and not sent[i - 1])):
                continue
            if re.search(pat, text[since:] if a.in_order else text):
                sent[i] = True
                since = len(text)
                text_keys = keys.encode().decode("unicode_escape").encode()
                for byte in text_keys:
                    proc.stdin.write(bytes([byte]))
                    proc.stdin.flush()
                    time.sleep(0.01)
        if any(re.search(p, text) for p in a.stop_on):
            stopped = True
            break

    if proc.poll() is None:
        proc.kill()
    proc.wait()
    text += pending.decode("utf-8", "replace")
    duration = time.monotonic() - start
    failures = []
    if timed_out:
        failures.append("timed out after %.0f s" % a.timeout)
    for pat in a.expect:
        if not re.search(pat, text, re.M):
            failures.append("never saw /%s/" % pat)
    for spec in a.expect_num:
        pat, lo, hi = spec.rsplit(":", 2)
        m = re.search(pat, text, re.M)
        if not m:
            failures.append("never saw /%s/" % pat)
        elif not float(lo) <= float(m.group(1)) <= float(hi):
            failures.append("/%s/ gave %s, outside [%s, %s]" % (pat, m.group(1), lo, hi))
    for pat in a.reject:
        m = re.search(pat, text, re.M)
        if m:
            failures.append("saw rejected /%s/: %r" % (pat, m.group(0)))
    if a.exit_code is not None and not timed_out and not stopped \
            and proc.returncode != a.exit_code:
        failures.append("QEMU exited with %s, expected %d" % (proc.returncode, a.exit_code))
    summary = "qemu: %.2f s, exit %s" % (duration, proc.returncode)
    for pat, t in sorted(first_seen.items(), key=lambda kv: kv[1]):
        summary += "; /%s/ at %.3f s" % (pat, t)
    if log:
        log.write("# %s\n" % summary)
        for f in failures:
            log.write("# FAILURE: %s\n" % f)
        log.close()
    print(summary, file=sys.stderr)
    for f in failures:
        print("FAILURE: " + f, file=sys.stderr)
    if timed_out:
        return 2
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(run(parse_args(sys.argv[1:])))
