#!/usr/bin/env python3
"""Boot an ISO under Bochs (the emulator with VT-x) and judge the serial log.

    tests/run-bochs.py --iso build/tests/tessera-grub.iso --expect "Tessera ready" \
        [--cpu corei7_haswell_4770] [--smp 1] [--mem 256] [--timeout 300] [--log FILE] \
        [--reject REGEX] [--expect-num REGEX:MIN:MAX] [--send "REGEX=>TEXT"]

Bochs writes COM1 to a file; the run ends when every --expect pattern has
been seen, Bochs exits (a test image can end it through port 0x8900 or ACPI
power-off), or the timeout passes (a failure). Exit status: 0 pass, 1 fail,
2 timeout. With --send (type TEXT once REGEX is in the log; \\r is Enter,
\\xNN any byte, as tests/run-qemu.py's), COM1 is a pseudo-terminal
instead (Bochs's term mode), read and typed into here and copied to the log.
--expect-num checks the number REGEX's first group gives.
"""
import argparse
import os
import re
import select
import subprocess
import sys
import tempfile
import time
import tty

CONFIG = """\
display_library: rfb, options="timeout=0"
megs: {mem}
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
cpu: model={cpu}, count={smp}, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=0
ata0-master: type=cdrom, path={iso}, status=inserted
boot: cdrom
clock: sync=none, time0=local
port_e9_hack: enabled=1
com1: enabled=1, mode={com1_mode}, dev={com1}
log: {bochslog}
panic: action=fatal
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
"""


def copy_terminal(term, path):
    """Append what Bochs wrote to COM1 (the pseudo-terminal) since the last call to path."""
    data = b""
    while select.select([term], [], [], 0)[0]:
        try:
            chunk = os.read(term, 65536)
        except (BlockingIOError, OSError):
            break
        if not chunk:
            break
        data += chunk
    if data:
        with open(path, "ab") as f:
            f.write(data)


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--iso", required=True)
    p.add_argument("--cpu", default="corei7_haswell_4770")
    p.add_argument("--smp", type=int, default=1)
    p.add_argument("--mem", type=int, default=256)
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--expect", action="append", default=[])
    p.add_argument("--reject", action="append", default=[])
    p.add_argument("--expect-num", action="append", default=[])
    p.add_argument("--send", action="append", default=[])
    p.add_argument("--log", help="keep the serial log here")
    a = p.parse_args(argv)

    work = tempfile.mkdtemp(prefix="tessera-bochs-")
    com1 = a.log or os.path.join(work, "com1.log")
    open(com1, "w").close()
    cfg = os.path.join(work, "tessera.bxrc")
    rc_file = os.path.join(work, "cont.rc")
    term = None
    if a.send:
        # COM1 on a pseudo-terminal, raw both ways, so that keys can be typed.
        term, slave = os.openpty()
        tty.setraw(slave)
        os.set_blocking(term, False)
        com1_mode, com1_dev = "term", os.ttyname(slave)
    else:
        com1_mode, com1_dev = "file", com1
    with open(cfg, "w") as f:
        f.write(CONFIG.format(mem=a.mem, cpu=a.cpu, smp=a.smp, iso=os.path.abspath(a.iso),
                              com1_mode=com1_mode, com1=com1_dev,
                              bochslog=os.path.join(work, "bochs.log")))
    with open(rc_file, "w") as f:
        f.write("c\nquit\n")
    start = time.monotonic()
    proc = subprocess.Popen(["bochs", "-q", "-f", cfg, "-rc", rc_file],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=work)
    timed_out = False
    text = ""
    sends = [x.split("=>", 1) for x in a.send]
    sent = [False] * len(sends)
    while True:
        if term is not None:
            copy_terminal(term, com1)
        with open(com1, errors="replace") as f:
            text = f.read().replace("\r", "")
        for i, (pat, keys) in enumerate(sends):
            if not sent[i] and re.search(pat, text, re.M):
                sent[i] = True
                for byte in keys.encode().decode("unicode_escape").encode("latin-1"):
                    os.write(term, bytes([byte]))
                    time.sleep(0.05)
        if a.expect and all(re.search(x, text, re.M) for x in a.expect):
            break
        if proc.poll() is not None:
            break
        if time.monotonic() - start > a.timeout:
            timed_out = True
            break
        time.sleep(0.5)
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    if term is not None:
        copy_terminal(term, com1)
    with open(com1, errors="replace") as f:
        text = f.read().replace("\r", "")
    failures = ["timed out after %.0f s" % a.timeout] if timed_out else []
    failures += ["never saw /%s/" % x for x in a.expect if not re.search(x, text, re.M)]
    failures += ["never sent %r: no /%s/" % (k, p) for (p, k), done in zip(sends, sent)
                 if not done]
    for spec in a.expect_num:
        pat, lo, hi = spec.rsplit(":", 2)
        m = re.search(pat, text, re.M)
        if not m:
            failures.append("never saw /%s/" % pat)
        elif not float(lo) <= float(m.group(1)) <= float(hi):
            failures.append("/%s/ gave %s, outside [%s, %s]" % (pat, m.group(1), lo, hi))
    failures += ["saw rejected /%s/" % x for x in a.reject if re.search(x, text, re.M)]
    print("bochs: %.1f s" % (time.monotonic() - start), file=sys.stderr)
    for f in failures:
        print("FAILURE: " + f, file=sys.stderr)
    if failures and not a.log:
        sys.stderr.write(text[-3000:])
    return 2 if timed_out else (1 if failures else 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
