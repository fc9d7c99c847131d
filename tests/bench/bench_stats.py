"""Summaries for make bench: min/median/max of each metric on each
hypervisor, the ratio of the medians against the reference and the goal.
Kept apart from the runner so make check can test it without an emulator
(test_bench_stats.py)."""


def median(values):
    """The middle value; the mean of the two middle ones for an even count."""
    if not values:
        raise ValueError("median of no values")
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2.0


def summary(values):
    """(count, min, median, max), or None when there are no values."""
    if not values:
        return None
    return (len(values), min(values), median(values), max(values))


def ratio(ours, reference):
    """ours/reference of two medians; None when either is missing or the
    reference is not positive."""
    if ours is None or reference is None or reference <= 0:
        return None
    return ours / reference


def verdict(r, goal):
    """'met' when the ratio is at most the goal, 'missed' above it, 'n/a'
    when there is no ratio or no goal."""
    if r is None or goal is None:
        return "n/a"
    return "met" if r <= goal else "missed"


def compare(ours, reference, goal=None):
    """One metric, ours against the reference: a dict with each side's
    summary (count, min, median, max, or None), the ratio of the medians,
    the goal (the highest ratio wanted, or None) and the verdict."""
    so, sr = summary(ours), summary(reference)
    r = ratio(so[2] if so else None, sr[2] if sr else None)
    return dict(ours=so, reference=sr, ratio=r, goal=goal,
                verdict=verdict(r, goal) if goal is not None else None)


def _cell(s):
    return "%.2f / %.2f / %.2f (%d)" % (s[1], s[2], s[3], s[0]) if s else "none"


def table(rows, ours_name, ref_name):
    """A markdown table. rows: (metric, our values, reference values, goal
    or None) in seconds; each cell is min / median / max (count)."""
    head = "| metric | %s min / median / max (n) | %s min / median / max (n) " \
           "| ratio of medians | goal | |" % (ours_name, ref_name)
    lines = [head, "| --- | --- | --- | --- | --- | --- |"]
    for metric, ours, ref, goal in rows:
        c = compare(ours, ref, goal)
        r = c["ratio"]
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            metric, _cell(c["ours"]), _cell(c["reference"]), "%.2f" % r if r is not None else "n/a",
            "<= %.2f" % goal if goal is not None else "", c["verdict"] or ""))
    return "\n".join(lines) + "\n"
