"""Holds N idle watches on a daemon (on paths nothing else writes), so the
benchmark can show what many watches cost every write. Prints "ready" once
they are registered and stays until it is killed.
usage: watchfan.py SOCKET N"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "py"))
import xsraw  # noqa: E402
from xsraw import strs  # noqa: E402

sock, n = sys.argv[1], int(sys.argv[2])
c = xsraw.Conn(sock, timeout=60)
for start in range(0, n, 100):
    for i in range(start, min(n, start + 100)):
        c.send("WATCH", strs("/fan/d%d/w%d" % (i % 50, i), "t"))
    for i in range(start, min(n, start + 100)):
        c.reply()
    c.pending.clear()
print("ready", flush=True)
c.s.settimeout(None)
while c.s.recv(65536):
    pass
