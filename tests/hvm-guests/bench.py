#!/usr/bin/env python3
"""HVM exit costs, Tessera against Xen 4.17 on the same QEMU command line.

    tests/hvm-guests/bench.py [--runs N] [--rounds N]

hvm_bench (a PVH test kernel) times CPUID and a VMMCALL hypercall with the
TSC from inside the guest: on Tessera as a PVH domU beside the boot_console
PV dom0, on Xen 4.17 as its PVH dom0 (dom0=pvh dom0-iommu=none). Runs
alternate between the two; each run gives a median per measure, and the
table shows the median of those, in TSC cycles (QEMU's TCG gives the guest
the host's TSC, so cycles are host time), with Tessera / Xen ratios and the
machine's load. Exits 1 if a run gives no numbers.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("BUILD", os.path.join(TOP, "build"))
QEMU = ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-cpu", "max,-smap",
        "-smp", "2", "-m", "256", "-display", "none", "-monitor", "none", "-serial", "stdio",
        "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
XEN_APPEND = ("console=com1 com1=115200,8n1 dom0_mem=64M loglvl=all guest_loglvl=all noreboot "
              "dom0=pvh dom0-iommu=none")
MEASURES = ("cpuid", "hypercall")
LINE = re.compile(r"\((d\d+)\) hvm_bench: (\w+): min (\d+) median (\d+) p90 (\d+) cycles")


def load():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def run(name, kernel, append, initrd, timeout=180):
    """One boot, ended once the guest has printed its result (Xen does not
    power QEMU off when its dom0 does); {measure: median cycles}, or None
    with the output kept."""
    cmd = QEMU + ["-kernel", kernel, "-append", append, "-initrd", initrd]
    t0 = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out, dom = [], None
    try:
        for raw in iter(p.stdout.readline, b""):
            out.append(raw.decode(errors="replace"))
            m = LINE.search(out[-1])
            dom = m.group(1) if m else dom
            if (dom and "(%s) Test result:" % dom in out[-1]) or time.time() - t0 > timeout:
                break
    finally:
        p.kill()
        p.wait()
    text = "".join(out)
    got = {m.group(2): int(m.group(4)) for m in LINE.finditer(text)}
    if set(got) != set(MEASURES) or "(%s) Test result: SUCCESS" % dom not in text:
        log = os.path.join(BUILD, "hvm-guests", "bench-%s.log" % name)
        with open(log, "w") as f:
            f.write(text)
        print("%s: no complete result after %.1f s (output in %s)" % (name, time.time() - t0, log))
        return None
    return got


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2000)
    a = ap.parse_args()
    tessera = os.path.join(BUILD, "hypervisor", "tessera")
    xen = os.path.join(BUILD, "hvm-guests", "xen-4.17.elf")
    bench = os.path.join(BUILD, "hvm-guests", "hvm_bench.elf")
    dom0 = os.path.join(BUILD, "guests", "boot_console.elf")
    for f in (tessera, xen, bench, dom0):
        if not os.path.exists(f):
            sys.exit("bench.py: %s is missing (make -C hypervisor, tests/guests, tests/hvm-guests)" % f)
    args = "rounds=%d" % a.rounds
    sides = {
        "tessera": (tessera, "debug_exit dom0_mem=32M",
                    "%s,%s type=pvh name=hvm_bench mem=16M -- %s" % (dom0, bench, args)),
        "xen": (xen, XEN_APPEND, "%s %s" % (bench, args)),
    }
    results = {s: {m: [] for m in MEASURES} for s in sides}
    load_start = load()
    for r in range(a.runs):
        for side, (kernel, append, initrd) in sides.items():
            got = run("%s-%d" % (side, r), kernel, append, initrd)
            if got is None:
                return 1
            for m in MEASURES:
                results[side][m].append(got[m])
            print("run %d %-7s %s (load %s)" % (r + 1, side,
                  ", ".join("%s %d" % (m, got[m]) for m in MEASURES), load()))
    print()
    print("| exit (TSC cycles, median of %d runs x %d rounds) | Tessera | Xen 4.17 | Tessera / Xen |"
          % (a.runs, a.rounds))
    print("| --- | --- | --- | --- |")
    for m in MEASURES:
        t = statistics.median(results["tessera"][m])
        x = statistics.median(results["xen"][m])
        print("| %s | %d | %d | %.2f |" % (m, t, x, t / x))
    print("load: %s at the start, %s at the end (%d CPUs)" % (load_start, load(), os.cpu_count()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
