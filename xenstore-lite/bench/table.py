"""Turns the benchmark's raw lines into the side-by-side table: medians of
the runs for each daemon, and our ratio to the C reference daemon.
usage: table.py RAWFILE"""
import re
import statistics
import sys
from collections import defaultdict

# metric name -> (regex on a phase line, higher_is_better)
METRICS = [
    ("wr pairs/s", "wr", r"rate=([\d.]+)", True),
    ("wr dcpu us/pair", "wr", r"dcpu_us=([\d.]+)", False),
    ("dir/s", "dir", r"rate=([\d.]+)", True),
    ("dir dcpu us/op", "dir", r"dcpu_us=([\d.]+)", False),
    ("ta10/s", "ta10", r"rate=([\d.]+)", True),
    ("ta10 dcpu us/ta", "ta10", r"dcpu_us=([\d.]+)", False),
    ("watch events/s", "watch", r"rate=([\d.]+)", True),
    ("watch p50 us", "watch", r"p50=([\d.]+)", False),
    ("watch p90 us", "watch", r"p90=([\d.]+)", False),
    ("watch p99 us", "watch", r"p99=([\d.]+)", False),
    ("watch dcpu us/ev", "watch", r"dcpu_us=([\d.]+)", False),
    ("mem bytes/node (100k)", "mem", r"bytes_per_node=([\d.]+)", False),
    ("wr pairs/s, 2k watches", "wr2k", r"rate=([\d.]+)", True),
    ("wr2k dcpu us/pair", "wr2k", r"dcpu_us=([\d.]+)", False),
    ("pipelined wr pairs/s", "pwr", r"rate=([\d.]+)", True),
    ("pwr dcpu us/pair", "pwr", r"dcpu_us=([\d.]+)", False),
    ("pipelined dir/s", "pdir", r"rate=([\d.]+)", True),
    ("pdir dcpu us/op", "pdir", r"dcpu_us=([\d.]+)", False),
    ("pipelined wr/s, 2k w.", "pwr2k", r"rate=([\d.]+)", True),
    ("pwr2k dcpu us/pair", "pwr2k", r"dcpu_us=([\d.]+)", False),
    ("wr instr/pair", "irwr", r"ir_per_op=([\d.]+)", False),
    ("dir instr/op", "irdir", r"ir_per_op=([\d.]+)", False),
    ("ta10 instr/ta", "irta10", r"ir_per_op=([\d.]+)", False),
    ("wr2k instr/pair", "irwr2k", r"ir_per_op=([\d.]+)", False),
]
DAEMONS = ["ours", "c", "ocaml"]


def main():
    vals = defaultdict(list)   # (daemon, metric) -> [values]
    loads = []
    for line in open(sys.argv[1]):
        line = line.strip()
        if line.startswith("LOAD"):
            loads.append(line[5:])
            continue
        m = re.match(r"RUN (\d+) (\w+) (\w+)\s+(.*)", line)
        if not m:
            continue
        _, daemon, phase, rest = m.groups()
        for name, ph, rx, _ in METRICS:
            if ph == phase:
                mm = re.search(rx, rest)
                if mm:
                    vals[(daemon, name)].append(float(mm.group(1)))
    print("%-22s %12s %12s %12s %10s" % ("metric (median of runs)", "ours", "C xenstored", "oxenstored", "ours/C"))
    for name, _, _, higher in METRICS:
        med = {}
        for d in DAEMONS:
            v = vals.get((d, name))
            med[d] = statistics.median(v) if v else None
        cells = ["%12.1f" % med[d] if med[d] is not None else "%12s" % "-" for d in DAEMONS]
        ratio = "-"
        if med["ours"] and med["c"]:
            r = med["ours"] / med["c"] if higher else med["c"] / med["ours"]
            ratio = "%.2fx" % r
        print("%-22s %s %s %s %10s" % (name, cells[0], cells[1], cells[2], ratio))
    print("(ours/C: how many times better ours is; >1 means ours wins, for both rates and costs)")
    for l in loads:
        print("load:", l)


if __name__ == "__main__":
    main()
