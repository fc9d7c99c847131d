"""Memory per node: writes N nodes (pipelined) to the daemon at SOCKET and
reports how much the daemon's resident memory grew, per node.
usage: memnodes.py SOCKET PID [N]"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "py"))
import xsraw  # noqa: E402
from xsraw import strs  # noqa: E402


def rss_kib(pid):
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    sock, pid = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 100000
    c = xsraw.Conn(sock, timeout=60)
    before = rss_kib(pid)
    batch = 500
    for start in range(0, n, batch):
        for i in range(start, min(n, start + batch)):
            c.send("WRITE", strs("/memtest/d%03d/node%05d" % (i // 1000, i)) + b"value")
        for i in range(start, min(n, start + batch)):
            m = c.reply()
            if m[0] != "WRITE":
                print("memnodes: write failed: %r" % (m,), file=sys.stderr)
                return 1
    after = rss_kib(pid)
    c.call("RM", "/memtest")
    c.close()
    print("mem nodes=%d rss_growth_kib=%d bytes_per_node=%.0f" % (n, after - before, (after - before) * 1024.0 / n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
