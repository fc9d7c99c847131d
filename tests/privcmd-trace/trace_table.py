#!/usr/bin/env python3
"""Side by side: what the tools asked of two hypervisors (docs/xen-tools.md).

usage: trace_table.py XEN_TRACE TESSERA_TRACE

Each file holds privcmd-trace.so's lines ("PCT pid program call ... = result",
other lines are skipped, so a whole console log will do). A call is reduced
to (program, call and sub-op, result): domain ids, page counts, sizes and
other values that differ from run to run are masked; what tells calls of
one sub-op apart is kept (cpupool op and pool, scheduler and op, policy
index, resource type, the value a version query returns). Prints a Markdown
table of how many times each was made on each, rows that differ first.
"""
import collections
import re
import sys

# Arguments whose values vary between runs of the same steps.
MASKED = re.compile(r"\b(dom|out_dom|first|max|got|nr|order|n|num|foreigndom|id|idx|v)=[0-9a-fx]+")
LINE = re.compile(r"^PCT \d+ (\S+) (.*)$")


def reduce_line(text):
    """(program, call, result) of one trace line, or None for other lines."""
    m = LINE.match(text.strip())
    if not m or m.group(2).startswith("exec "):
        return None
    program, rest = m.group(1), m.group(2)
    call, sep, result = rest.rpartition(" = ")
    if not sep:
        return None
    call = MASKED.sub(lambda v: v.group(1) + "=*", call)
    # cpupool FREEINFO (op 7) takes no pool: the field holds whatever was there.
    call = re.sub(r"(op=7 pool=)\d+", r"\1*", call)
    # An event channel's port number and a populate's count vary too.
    if call.startswith("ioctl:EVTCHN_BIND") or "populate_physmap" in call:
        result = re.sub(r"^ok:\d+$", "ok:*", result)
    return program, call, result


def count(path):
    counts = collections.Counter()
    with open(path, errors="replace") as f:
        for line in f:
            key = reduce_line(line)
            if key:
                counts[key] += 1
    return counts


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    xen, tessera = count(argv[1]), count(argv[2])
    keys = sorted(set(xen) | set(tessera),
                  key=lambda k: (xen[k] == tessera[k], k[0], k[1], k[2]))
    print("| program | call | result | Xen 4.17 | Tessera |")
    print("| --- | --- | --- | --- | --- |")
    for k in keys:
        mark = "" if xen[k] == tessera[k] else " *"
        print("| %s | %s | %s | %d | %d%s |" % (k[0], k[1], k[2], xen[k], tessera[k], mark))
    same = sum(1 for k in keys if xen[k] == tessera[k])
    print("\n%d kinds of call, %d with the same count on both; %d calls on Xen, %d on Tessera"
          % (len(keys), same, sum(xen.values()), sum(tessera.values())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
