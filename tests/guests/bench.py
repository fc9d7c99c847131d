#!/usr/bin/env python3
"""Benchmark kernels side by side: real Xen 4.17 and other hypervisor images.

    bench.py OUT_DIR TIMEOUT XEN_IMAGE [IMAGE...] -- KERNEL... [--rounds N]

Each kernel (OUT_DIR/KERNEL.elf) runs as the first domain on every image,
same QEMU command line (-smp 2), in two ways:

- wall: ROUNDS rounds (5 by default), the images alternating within each
  round so that a change in the machine's load falls on all of them; the
  kernel's own best-of-5 cycles per iteration, then the median over the
  rounds. Moves with the load of this shared machine: printed beside it.
- icount: one run each with QEMU's -icount shift=0,sleep=off, where the
  guest's clock advances by one nanosecond per instruction executed, so
  "cycles" count the instructions of guest and hypervisor together. The
  same on a quiet machine and a busy one (the analogue of callgrind's
  counts for host code). Rows whose time is mostly waiting for another
  vCPU (the busy two-vCPU ping-pong) mean nothing here: under -icount
  QEMU runs the vCPUs in turn on one thread.

Ratios are to Xen (below 1.00: fewer cycles than Xen); grant_copy_MB/s
is a throughput (above 1.00: faster). The boot row is QEMU start to the
kernel's first console line (wall only).
"""
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROW = re.compile(r"bench: ([a-z_0-9]+) ([0-9]+) cycles/iter")
MBS = re.compile(r"bench: grant_copy_throughput ([0-9]+) MB/s")
FIRST_LINE = re.compile(r"^\[ *([0-9.]+)\] .*--- Tessera PV test kernel", re.M)
# Two CPUs for every image, said here rather than left to run-guest.py's
# default: bench_hypercall's vCPU ping-pong needs them, and each hypervisor
# gives its first domain one vCPU per CPU.
SMP = 2
ICOUNT = ["--qemu-arg=-icount", "--qemu-arg=shift=0,sleep=off"]


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def run_once(image, kernel, timeout, log, extra):
    """{row: value} of one boot; prints its verdict line with the load."""
    before = load()
    p = subprocess.run([sys.executable, os.path.join(HERE, "run-guest.py"), "--hypervisor", image,
                        "--kernel", kernel, "--smp", str(SMP), "--timeout", str(timeout),
                        "--quiet", "--log", log] + extra,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    verdict = (p.stdout.strip().splitlines() or ["no verdict"])[-1]
    print("== %s on %s%s: %s (load %s)" % (os.path.basename(kernel), os.path.basename(image),
                                           " -icount" if extra else "", verdict, before), flush=True)
    if not os.path.exists(log):
        return {}
    with open(log, errors="replace") as f:
        text = f.read()
    rows = {m.group(1): float(m.group(2)) for m in ROW.finditer(text)}
    m = MBS.search(text)
    if m:
        rows["grant_copy_MB/s"] = float(m.group(1))
    m = FIRST_LINE.search(text)
    if m and not extra:
        rows["boot_to_first_line_ms"] = float(m.group(1)) * 1000
    return rows


def table(title, names, results):
    """results: {image: {row: value}}, the first image Xen."""
    rows = []
    for r in results[names[0]]:
        rows.append(r)
    for n in names[1:]:
        rows += [r for r in results[n] if r not in rows]
    print(title)
    print("%-30s" % "benchmark" + "".join("%16s" % n[:16] for n in names) +
          "".join("%10s" % "ratio" for _ in names[1:]))
    for r in rows:
        vals = [results[n].get(r) for n in names]
        line = "%-30s" % r + "".join("%16s" % ("%d" % v if v is not None else "-") for v in vals)
        for v in vals[1:]:
            line += "%10s" % ("%.2f" % (v / vals[0]) if v and vals[0] else "-")
        print(line)
    print()


def main(argv):
    rounds = 5
    if "--rounds" in argv:
        i = argv.index("--rounds")
        rounds = int(argv[i + 1])
        del argv[i:i + 2]
    out, timeout = argv[0], float(argv[1])
    sep = argv.index("--")
    images, kernels = [os.path.abspath(i) for i in argv[2:sep]], argv[sep + 1:]
    names = [os.path.basename(i) for i in images]
    logs = os.path.join(out, "logs", "bench")
    os.makedirs(logs, exist_ok=True)
    failed = False
    for k in kernels:
        elf = os.path.join(out, k + ".elf")
        wall = {n: {} for n in names}
        for r in range(rounds):
            for image, n in zip(images, names):
                rows = run_once(image, elf, timeout, os.path.join(logs, "%s.%s.%d.log" % (k, n, r)), [])
                failed |= not rows
                for row, v in rows.items():
                    wall[n].setdefault(row, []).append(v)
        icount = {}
        for image, n in zip(images, names):
            icount[n] = run_once(image, elf, timeout * 4,
                                 os.path.join(logs, "%s.%s.icount.log" % (k, n)), ICOUNT)
            failed |= not icount[n]
        print()
        table("%s, wall: cycles/iteration, median of %d rounds (load now %s)" % (k, rounds, load()),
              names, {n: {row: statistics.median(v) for row, v in wall[n].items()} for n in names})
        table("%s, -icount: instructions per iteration, guest and hypervisor" % k, names, icount)
    return 1 if failed else 0


if __name__ == "__main__":
    t0 = time.monotonic()
    rc = main(sys.argv[1:])
    print("bench.py: %.0f s" % (time.monotonic() - t0))
    sys.exit(rc)
