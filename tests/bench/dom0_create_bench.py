#!/usr/bin/env python3
"""make bench: Tessera against real Xen 4.17, side by side on the same QEMU
command line (only the hypervisor and its options differ).

Each round boots Tessera + Debian's Linux as dom0 (guest-patches' image),
then Xen 4.17 + the same Linux (the same ELF kernel, the same command line,
dom0_mem=512M) with Debian's toolstack (mk-xen-dom0.sh). In both dom0s the
same script (dom0-create.sh) creates the same example domU (the same config,
kernel and initramfs: 128 MiB, 1 vCPU) CREATES times with `tl create` or
`xl create`, waits for its /init's marker in the console log and destroys it.
Then Tessera boots Xen's dom0 image as far as its /init (the same image on
both). A failed boot is booted again (--retries), and reported.

Measured on the host clock, from the time each serial line arrives:
  dom0 boot   QEMU start -> the first line dom0's /init prints, split at
              Linux's first line (the hypervisor's part, then Linux's)
  create      the line dom0 prints just before `tl/xl create` -> the line it
              prints once the domU's marker is in the console log (polled
              every 0.05 s on both); the first create of a boot and the later
              ones are reported apart (caches differ)
and, for information, when the create command returned, the domU's own
uptime at its marker, and the destroy time.

usage: dom0_create_bench.py --tessera HV --xen XEN_ELF --vmlinux ELF
           --tessera-initrd IMG --xen-initrd IMG [--rounds N] [--creates N]
           [--retries N] [--same-image 0|1] [--only tessera|xen] [--out DIR]
Writes OUT/dom0-create.md (the table), OUT/dom0-create.json (the same as
JSON), OUT/dom0-create-runs.jsonl (one record per boot) and OUT/logs/ (each
boot's serial log, timestamped).
"""
import argparse
import importlib.util
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# No __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import bench_stats  # noqa: E402

# Everything but the hypervisor and its options, for both.
QEMU = ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-cpu", "max,-smap",
        "-smp", "2", "-m", "1024", "-vga", "none", "-no-reboot", "-display", "none",
        "-monitor", "none", "-serial", "stdio",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
LINUX_ARGS = "console=hvc0 loglevel=4"
HYPERVISORS = {
    # Tessera as make run starts it (guest-patches/run-dom0.py --cmd).
    "tessera": dict(args="dom0_console_raw debug_exit dom0_mem=512M", tool="tl",
                    log="/var/log/tessera/console/debian-pv.log"),
    # Xen as a Xen host would: its console on COM1, dom0 fixed at 512 MiB.
    "xen": dict(args="console=com1 com1=115200,8n1 dom0_mem=512M,max:512M", tool="xl",
                log="/var/log/xen/console/guest-debian-pv.log"),
}
GOALS = {"dom0 boot": 0.5, "create, first": 0.25, "create, later": 0.25}

INIT_LINE = re.compile(r"dom0: /init started")
# Linux's first console line as a PV guest, while it sets up its own page
# tables (xen_start_kernel), printed on both hypervisors.
KERNEL_LINE = re.compile(r"mapping kernel into physical memory")
BENCH_LINE = re.compile(r"BENCH-([A-Z0-9-]+)(?: n=(\d+))?(?: uptime=([0-9.]+))?(.*)")
DOMU_UPTIME = re.compile(r"TESSERA-DOMU-INIT uptime=([0-9.]+)")
MEM_FIELDS = re.compile(r"total=(\d+) free=(\d+)")
EXIT_LINE = re.compile(r"TESSERA-DOM0-CMD-EXIT (\d+)")


def load_run_dom0():
    """guest-patches/run-dom0.py, for the image it makes with a command in it."""
    path = os.path.join(HERE, "..", "..", "guest-patches", "run-dom0.py")
    spec = importlib.util.spec_from_file_location("run_dom0", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def parse_run(lines):
    """lines: (host seconds since QEMU start, text). The run's record:
    dom0_kernel, dom0_init, dom0_ready (host s), creates [{n, start, returned, seen,
    destroyed (host s), dom0_start/dom0_seen (dom0's uptime), domu_uptime}],
    done ('ok', 'failed' or None), failure text, exit status."""
    run = dict(dom0_kernel=None, dom0_init=None, dom0_ready=None, creates=[], done=None,
               failure=None, exit_status=None)
    creates = {}
    for t, text in lines:
        if run["dom0_kernel"] is None and KERNEL_LINE.search(text):
            run["dom0_kernel"] = t
        if run["dom0_init"] is None and INIT_LINE.search(text):
            run["dom0_init"] = t
        m = EXIT_LINE.search(text)
        if m:
            run["exit_status"] = int(m.group(1))
        m = BENCH_LINE.search(text)
        if not m:
            continue
        what, n, up, rest = m.group(1), m.group(2), m.group(3), m.group(4)
        if what == "DOM0-READY":
            run["dom0_ready"] = t
        elif what == "MEM":
            mem = MEM_FIELDS.search(rest)
            if mem:
                run["mem_total"], run["mem_free"] = int(mem.group(1)), int(mem.group(2))
        elif what == "DONE":
            run["done"] = rest.strip()
        elif what == "FAIL":
            run["failure"] = text.strip()
        elif n is not None:
            c = creates.setdefault(int(n), dict(n=int(n)))
            key = {"CREATE-START": "start", "CREATE-RETURNED": "returned",
                   "DOMU-SEEN": "seen", "DESTROY-START": "destroy_start",
                   "DESTROYED": "destroyed"}.get(what)
            if key:
                c[key] = t
                if up is not None:
                    c["dom0_" + key] = float(up)
            u = DOMU_UPTIME.search(rest)
            if what == "DOMU-SEEN" and u:
                c["domu_uptime"] = float(u.group(1))
    run["creates"] = [creates[k] for k in sorted(creates)]
    return run


def metrics(run):
    """{metric: [seconds...]} of one run; a create counts once it was seen.
    Tessera's boot of Xen's dom0 image (kind "same-image") has only its
    dom0 boot, compared with Xen's own."""
    out = {}

    def add(name, v):
        out.setdefault(name, []).append(round(v, 3))
    if run["dom0_init"] is not None and run.get("kind") == "same-image":
        add(SAME_IMAGE, run["dom0_init"])
        return out
    if run["dom0_init"] is not None:
        add("dom0 boot", run["dom0_init"])
        if run["hv"] == "xen":
            add(SAME_IMAGE, run["dom0_init"])
    if run["dom0_kernel"] is not None:
        add("QEMU start to dom0 Linux's first line", run["dom0_kernel"])
        if run["dom0_init"] is not None:
            add("dom0 Linux's first line to /init", run["dom0_init"] - run["dom0_kernel"])
    if run["dom0_init"] is not None and run["dom0_ready"] is not None:
        add("dom0 /init to daemons ready", run["dom0_ready"] - run["dom0_init"])
    if run.get("mem_free") is not None:
        add(FREE_MEMORY, run["mem_free"])
    for c in run["creates"]:
        if "start" not in c or "seen" not in c:
            continue
        which = "first" if c["n"] == 1 else "later"
        add("create, " + which, c["seen"] - c["start"])
        add("create (dom0 clock), " + which, c["dom0_seen"] - c["dom0_start"])
        if "returned" in c:
            add("create command returned, " + which, c["returned"] - c["start"])
        if "domu_uptime" in c:
            add("domU uptime at its /init, " + which, c["domu_uptime"])
        if "destroy_start" in c and "destroyed" in c:
            add("destroy until gone", c["destroyed"] - c["destroy_start"])
    return out


SAME_IMAGE = "dom0 boot, both with Xen's dom0 image"
# Not seconds: MiB the hypervisor has free with dom0 (512 MiB) running,
# from `tl info` / `xl info` (free_memory); more is better.
FREE_MEMORY = "free memory with dom0 booted, MiB (tl/xl info)"
METRIC_ORDER = ["dom0 boot", SAME_IMAGE, "QEMU start to dom0 Linux's first line",
                "dom0 Linux's first line to /init", "dom0 /init to daemons ready", FREE_MEMORY,
                "create, first", "create, later",
                "create (dom0 clock), first", "create (dom0 clock), later",
                "create command returned, first", "create command returned, later",
                "domU uptime at its /init, first", "domU uptime at its /init, later",
                "destroy until gone"]


def metric_rows(runs, names=("tessera", "xen")):
    """(metric, Tessera's values, Xen's values, goal) over all runs, in
    METRIC_ORDER (failed boots count with the creates they finished)."""
    values = {n: {} for n in names}
    for r in runs:
        for k, v in r["metrics"].items():
            values[r["hv"]].setdefault(k, []).extend(v)
    return [(m, values[names[0]].get(m, []), values[names[1]].get(m, []), GOALS.get(m))
            for m in METRIC_ORDER]


def summary_json(rows):
    """{metric: {tessera, xen: {n, min, median, max} or None, ratio, goal, verdict}}."""
    def side(s):
        return dict(zip(("n", "min", "median", "max"), s)) if s else None
    out = {}
    for metric, ours, ref, goal in rows:
        c = bench_stats.compare(ours, ref, goal)
        out[metric] = dict(tessera=side(c["ours"]), xen=side(c["reference"]),
                           ratio=round(c["ratio"], 3) if c["ratio"] is not None else None,
                           goal=goal, verdict=c["verdict"])
    return out


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def boot(hv, image, a, log_path, until_init=False):
    """One QEMU run; returns (lines, end reason, seconds). until_init: stop
    it at dom0's /init line."""
    cmd = QEMU + ["-kernel", a.tessera if hv == "tessera" else a.xen,
                  "-append", HYPERVISORS[hv]["args"],
                  "-initrd", "%s %s,%s" % (a.vmlinux, LINUX_ARGS, image)]
    lines, buf, why = [], b"", "exit"
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    stop_at = None
    with open(log_path, "w") as log:
        log.write("# %s\n" % " ".join(cmd))
        while True:
            now = time.monotonic() - t0
            if now > a.timeout:
                why = "timeout"
                break
            if stop_at is not None and now > stop_at:
                why = stop_why
                break
            ready, _, _ = select.select([proc.stdout], [], [], 0.2)
            if not ready:
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            t = time.monotonic() - t0
            buf += chunk
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                text = raw.decode("utf-8", "replace").rstrip("\r")
                lines.append((round(t, 3), text))
                log.write("[%8.3f] %s\n" % (t, text))
                # Both power off after this line; give them 5 s to do it.
                if stop_at is None and EXIT_LINE.search(text):
                    stop_at, stop_why = t + 5.0, "stopped after dom0's exit line"
                if stop_at is None and until_init and INIT_LINE.search(text):
                    stop_at, stop_why = t, "stopped at dom0's /init line"
        if buf:
            lines.append((round(time.monotonic() - t0, 3), buf.decode("utf-8", "replace")))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        log.write("# end: %s after %.3f s, QEMU status %s\n" % (why, time.monotonic() - t0,
                                                               proc.returncode))
    return lines, why, round(time.monotonic() - t0, 3)


def one_boot(hv, rnd, attempt, image, a):
    """Boots HV once with its image; the run's record (parse_run) with its
    metrics, load and verdict."""
    name = "%s-%d" % (hv, rnd) + ("" if attempt == 1 else "-try%d" % attempt)
    log_path = os.path.join(a.out, "logs", name + ".log")
    load0 = loadavg()
    lines, why, secs = boot(hv, image, a, log_path)
    run = parse_run(lines)
    run.update(hv=hv, round=rnd, attempt=attempt, log=log_path, end=why, seconds=secs,
               load_start=load0, load_end=loadavg())
    run["metrics"] = metrics(run)
    run["ok"] = run["done"] == "ok" and run["exit_status"] == 0 and \
        len([c for c in run["creates"] if "seen" in c]) == a.creates
    m = run["metrics"]
    print("bench: round %d %-7s %s: dom0 boot %s, creates %s (load %s -> %s)%s"
          % (rnd, hv, "ok" if run["ok"] else "FAILED", m.get("dom0 boot"),
             m.get("create, first", []) + m.get("create, later", []), load0, run["load_end"],
             "" if run["ok"] else " %s, %s; log %s" % (why, run["failure"], log_path)),
          flush=True)
    return run


def same_image_boot(rnd, xen_image, a):
    """Tessera booting Xen's dom0 image as far as its /init's first line:
    the dom0 boot of both with the very same initramfs (Tessera's own is
    twice the size)."""
    log_path = os.path.join(a.out, "logs", "tessera-xen-image-%d.log" % rnd)
    load0 = loadavg()
    lines, why, secs = boot("tessera", xen_image, a, log_path, until_init=True)
    run = parse_run(lines)
    run.update(hv="tessera", kind="same-image", round=rnd, attempt=1, log=log_path, end=why,
               seconds=secs, load_start=load0, load_end=loadavg())
    run["metrics"] = metrics(run)
    run["ok"] = run["dom0_init"] is not None
    print("bench: round %d tessera with Xen's dom0 image %s: dom0 boot %s (load %s -> %s)"
          % (rnd, "ok" if run["ok"] else "FAILED (%s; log %s)" % (why, log_path),
             run["dom0_init"], load0, run["load_end"]), flush=True)
    return run


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name in ("tessera", "xen", "vmlinux", "tessera-initrd", "xen-initrd"):
        p.add_argument("--" + name, required=True)
    p.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "3")))
    p.add_argument("--creates", type=int, default=3, help="domU creates per boot")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds per boot")
    p.add_argument("--retries", type=int, default=1,
                   help="boots again after a failed boot, at most this many times a round")
    p.add_argument("--same-image", type=int, default=1,
                   help="1: each round also boots Tessera with Xen's dom0 image to its /init")
    p.add_argument("--only", choices=sorted(HYPERVISORS), help="boot this one alone (to debug)")
    p.add_argument("--out", default="build/bench")
    return p.parse_args(argv)


def main():
    a = parse_args(sys.argv[1:])
    os.makedirs(os.path.join(a.out, "logs"), exist_ok=True)
    run_dom0 = load_run_dom0()
    uptime_before = subprocess.run(["uptime"], stdout=subprocess.PIPE, text=True).stdout.strip()
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print("bench: %d rounds of Tessera then Xen 4.17, %d creates per boot; %s"
          % (a.rounds, a.creates, uptime_before), flush=True)
    runs_path = os.path.join(a.out, "dom0-create-runs.jsonl")
    runs, failed, failures = [], 0, []
    with tempfile.TemporaryDirectory(prefix="tessera-bench.") as work, \
            open(runs_path, "w") as jsonl:
        images = {}
        for hv, base in (("tessera", a.tessera_initrd), ("xen", a.xen_initrd)):
            with open(os.path.join(HERE, "dom0-create.sh")) as f:
                script = "set -- %s %s %d\n" % (HYPERVISORS[hv]["tool"], HYPERVISORS[hv]["log"],
                                                a.creates) + f.read()
            d = os.path.join(work, hv)
            os.makedirs(d)
            images[hv] = run_dom0.image_with_commands(base, script, d)
        for rnd in range(1, a.rounds + 1):
            for hv in [a.only] if a.only else ("tessera", "xen"):
                for attempt in range(1, a.retries + 2):
                    run = one_boot(hv, rnd, attempt, images[hv], a)
                    # A failed boot that is tried again stays out of the
                    # numbers but not out of the report.
                    run["retried"] = not run["ok"] and attempt <= a.retries
                    jsonl.write(json.dumps(run) + "\n")
                    jsonl.flush()
                    if not run["ok"]:
                        failures.append("%s round %d try %d: %s" % (
                            hv, rnd, attempt, run["failure"] or run["end"]))
                    if not run["retried"]:
                        runs.append(run)
                        failed += 0 if run["ok"] else 1
                        break
            if not a.only and a.same_image:
                run = same_image_boot(rnd, images["xen"], a)
                jsonl.write(json.dumps(run) + "\n")
                jsonl.flush()
                if run["ok"]:
                    runs.append(run)
                else:
                    failures.append("tessera with Xen's dom0 image, round %d: %s" % (rnd, run["end"]))
    uptime_after = subprocess.run(["uptime"], stdout=subprocess.PIPE, text=True).stdout.strip()
    text = "# make bench: Tessera against Xen 4.17, %s\n\n" % stamp
    text += "%d rounds (Tessera then Xen each round), %d creates per boot.\n" % (a.rounds, a.creates)
    text += "Failed boots (one is booted again, at most %d times a round; only the last " \
            "try counts): %s\n" % (a.retries, "".join("\n- " + f for f in failures) or "none")
    text += "QEMU: %s -kernel HV -append HV_ARGS -initrd \"VMLINUX %s,DOM0_IMAGE\"\n" \
            "Tessera: %s\nXen: %s\nSeconds on the host clock.\n\n" % (
                " ".join(QEMU), LINUX_ARGS,
                HYPERVISORS["tessera"]["args"], HYPERVISORS["xen"]["args"])
    rows = metric_rows(runs)
    text += bench_stats.table(rows, "Tessera", "Xen 4.17")
    text += "\nload before: %s\nload after:  %s\n" % (uptime_before, uptime_after)
    table_path = os.path.join(a.out, "dom0-create.md")
    with open(table_path, "w") as f:
        f.write(text)
    json_path = os.path.join(a.out, "dom0-create.json")
    with open(json_path, "w") as f:
        json.dump(dict(date=stamp, rounds=a.rounds, creates_per_boot=a.creates,
                       failed_boots=failed, failures=failures, qemu=" ".join(QEMU),
                       linux_args=LINUX_ARGS,
                       hypervisor_args={k: v["args"] for k, v in HYPERVISORS.items()},
                       uptime_before=uptime_before, uptime_after=uptime_after,
                       seconds=summary_json(rows)), f, indent=1)
        f.write("\n")
    print(text)
    print("bench: table in %s, summary in %s, each boot in %s and %s/logs/"
          % (table_path, json_path, runs_path, a.out))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
