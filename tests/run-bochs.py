#!/usr/bin/env python3
"""Boot an ISO under Bochs (the emulator with VT-x) and judge the serial log.

    tests/run-bochs.py --iso build/tests/tessera-grub.iso --expect "Tessera ready" \
        [--cpu corei7_haswell_4770] [--smp 1] [--mem 256] [--timeout 300] [--log FILE]

Bochs writes COM1 to a file; the run ends when every --expect pattern has
been seen, Bochs exits (a test image can end it through port 0x8900 or ACPI
power-off), or the timeout passes (a failure). Exit status: 0 pass, 1 fail,
2 timeout.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

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
com1: enabled=1, mode=file, dev={com1}
log: {bochslog}
panic: action=fatal
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
"""


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--iso", required=True)
    p.add_argument("--cpu", default="corei7_haswell_4770")
    p.add_argument("--smp", type=int, default=1)
    p.add_argument("--mem", type=int, default=256)
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--expect", action="append", default=[])
    p.add_argument("--reject", action="append", default=[])
    p.add_argument("--log", help="keep the serial log here")
    a = p.parse_args(argv)

    work = tempfile.mkdtemp(prefix="tessera-bochs-")
    com1 = a.log or os.path.join(work, "com1.log")
    open(com1, "w").close()
    cfg = os.path.join(work, "tessera.bxrc")
    rc_file = os.path.join(work, "cont.rc")
    with open(cfg, "w") as f:
        f.write(CONFIG.format(mem=a.mem, cpu=a.cpu, smp=a.smp, iso=os.path.abspath(a.iso),
                              com1=com1, bochslog=os.path.join(work, "bochs.log")))
    with open(rc_file, "w") as f:
        f.write("c\nquit\n")
    start = time.monotonic()
    proc = subprocess.Popen(["bochs", "-q", "-f", cfg, "-rc", rc_file],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=work)
    timed_out = False
    text = ""
    while True:
        with open(com1, errors="replace") as f:
            text = f.read()
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
    with open(com1, errors="replace") as f:
        text = f.read()
    failures = ["timed out after %.0f s" % a.timeout] if timed_out else []
    failures += ["never saw /%s/" % x for x in a.expect if not re.search(x, text, re.M)]
    failures += ["saw rejected /%s/" % x for x in a.reject if re.search(x, text, re.M)]
    print("bochs: %.1f s" % (time.monotonic() - start), file=sys.stderr)
    for f in failures:
        print("FAILURE: " + f, file=sys.stderr)
    if failures and not a.log:
        sys.stderr.write(text[-3000:])
    return 2 if timed_out else (1 if failures else 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
