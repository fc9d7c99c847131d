#!/usr/bin/env python3
"""make bench-io: block and network throughput of Linux domUs through dom0's
xen-blkback and xen-netback, Tessera against real Xen 4.17, and against
dom0 doing the same work itself.

Both hypervisors boot the same machine (the same QEMU line, Debian's kernel
as dom0, Tessera's dom0 image with tl, xenstored-lite and tessera-consoled:
they run on Xen 4.17 as they do on Tessera), so only the hypervisor differs.
In dom0, dom0-io.sh starts two domUs of the example's kernel from a tools
disk (mk-io-tools.sh: iperf3, randio, io/run.sh): one serves iperf3, the
other runs dd and randio on its xvdc (a raw file in dom0 over a loop
device) and iperf3 to dom0 both ways and to the first domU; then dom0 runs
the same block work on the loop device and iperf3 over loopback. Rounds
alternate Tessera and Xen.

usage: io_bench.py --tessera HV --xen XEN_ELF --vmlinux ELF --initrd IMG
           --tools IMG [--rounds N] [--secs S] [--out DIR]
Writes OUT/io.md (the table) and OUT/io-runs.jsonl (one record per boot).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import bench_stats  # noqa: E402

RUN_DOM0 = os.path.join(HERE, "..", "..", "guest-patches", "run-dom0.py")
HV_ARGS = {
    "tessera": "dom0_mem=512M",
    "xen": "console=com1 com1=115200,8n1 dom0_mem=512M,max:512M",
}
LINE = re.compile(r"BENCH-IO (\S+)(.*)")
FIELD = re.compile(r"(\w+)=([0-9.]+)")
# metric name -> (unit, how to get it from a line's fields); higher is better.
UNITS = {"seq": "MB/s", "rand": "IOPS", "net": "Mbit/s"}


def value(name, fields):
    """The figure a BENCH-IO line gives, in its metric's unit."""
    if "bytes" in fields and "seconds" in fields and fields["seconds"] > 0:
        return fields["bytes"] / fields["seconds"] / 1e6
    if "iops" in fields:
        return fields["iops"]
    if "mbps" in fields:
        return fields["mbps"]
    return None


def parse(text):
    """{metric: value} and the error lines of one boot's serial log."""
    results, errors, done = {}, [], False
    for line in text.splitlines():
        m = LINE.search(line)
        if not m:
            continue
        name, rest = m.group(1), m.group(2)
        if "error" in name:
            errors.append(line.strip())
            continue
        if name == "dom0-done":
            done = True
            continue
        fields = {k: float(v) for k, v in FIELD.findall(rest)}
        v = value(name, fields)
        if v is not None:
            results[name] = v
    if not done:
        errors.append("no BENCH-IO dom0-done line")
    return results, errors


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def boot(hv, image, a, log_path, timeout):
    with open(os.path.join(HERE, "dom0-io.sh")) as f:
        script = f.read()
    cmd = ["python3", RUN_DOM0, "--hypervisor", image, "--kernel", a.vmlinux,
           "--initrd", a.initrd, "--smp", "2", "--mem", "1024",
           "--append", HV_ARGS[hv], "--timeout", str(timeout),
           "--file", a.tools + "=/var/lib/tessera/io-tools.img",
           "--cmd", "BENCH_SECS=%d\n%s" % (a.secs, script)]
    t0 = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout + 60)
    text = p.stdout.decode(errors="replace")
    with open(log_path, "w") as f:
        f.write(text)
    return text, time.time() - t0


def metric_label(name):
    kind = name.split("-")[1] if name.startswith(("domu-", "native-")) else name
    return "%s (%s)" % (name, UNITS.get(kind.split("-")[0], "?"))


def report(runs, a):
    """The markdown table: medians per side, Tessera/Xen and domU/native."""
    names = sorted({n for r in runs for n in r["results"] if n.startswith("domu-")})
    lines = ["| metric | Tessera median (n) | Xen 4.17 median (n) | Tessera / Xen "
             "| Tessera domU / native | Xen domU / native |",
             "| --- | --- | --- | --- | --- | --- |"]

    def med(hv, name):
        vals = [r["results"][name] for r in runs if r["hv"] == hv and name in r["results"]]
        return (bench_stats.median(vals), len(vals)) if vals else (None, 0)

    def fmt(x):
        return "%.2f" % x if x is not None else "n/a"

    for name in names:
        (t, nt), (x, nx) = med("tessera", name), med("xen", name)
        native = "native-" + name[len("domu-"):]
        if native.startswith("native-net"):
            native = "native-net-loopback"
        (tn, _), (xn, _) = med("tessera", native), med("xen", native)
        lines.append("| %s | %s (%d) | %s (%d) | %s | %s | %s |" % (
            metric_label(name), fmt(t), nt, fmt(x), nx, fmt(bench_stats.ratio(t, x)),
            fmt(bench_stats.ratio(t, tn)), fmt(bench_stats.ratio(x, xn))))
    for name in sorted({n for r in runs for n in r["results"] if n.startswith("native-")}):
        (t, nt), (x, nx) = med("tessera", name), med("xen", name)
        lines.append("| %s | %s (%d) | %s (%d) | %s | | |" % (
            metric_label(name), fmt(t), nt, fmt(x), nx, fmt(bench_stats.ratio(t, x))))
    loads = ", ".join("%s %s->%s" % (r["hv"], r["load_start"], r["load_end"]) for r in runs)
    return "\n".join(lines) + "\n\nhost load (1/5/15 min) per boot: " + loads + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tessera", required=True)
    ap.add_argument("--xen", required=True)
    ap.add_argument("--vmlinux", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--tools", required=True)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--secs", type=int, default=5)
    ap.add_argument("--only", choices=["tessera", "xen"])
    ap.add_argument("--out", default="build/bench")
    a = ap.parse_args()
    os.makedirs(os.path.join(a.out, "logs"), exist_ok=True)
    images = {"tessera": a.tessera, "xen": a.xen}
    order = [a.only] if a.only else ["tessera", "xen"]
    runs, failed = [], 0
    with open(os.path.join(a.out, "io-runs.jsonl"), "w") as jl:
        for rnd in range(1, a.rounds + 1):
            for hv in order:
                log = os.path.join(a.out, "logs", "io-%s-%d.log" % (hv, rnd))
                load0 = loadavg()
                text, secs = boot(hv, images[hv], a, log, 1200 + 30 * a.secs)
                results, errors = parse(text)
                run = dict(hv=hv, round=rnd, seconds=round(secs, 1), results=results,
                           errors=errors, load_start=load0, load_end=loadavg())
                runs.append(run)
                jl.write(json.dumps(run) + "\n")
                failed += bool(errors)
                print("bench-io: round %d %-7s %.0f s, %d figures%s (load %s -> %s)" % (
                    rnd, hv, secs, len(results),
                    "; ERRORS: " + " | ".join(errors) if errors else "", load0,
                    run["load_end"]), flush=True)
    text = report(runs, a)
    with open(os.path.join(a.out, "io.md"), "w") as f:
        f.write(text)
    print(text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
