"""Live update end to end: the daemon execs its successor, which keeps the
store, the connections (same sockets), their watches, queued output and a
half-sent request; an open transaction's commit fails with EAGAIN.
usage: live_update.py SOCKET PIDFILE TOOL BINARY"""
import os
import subprocess
import sys
import time

import xsraw
from xsraw import HDR, TYPES, strs

sock, pidfile, tool, binary = sys.argv[1:5]
env = dict(os.environ, XENSTORED_PATH=sock)
checks = []


def check(name, cond):
    checks.append((name, bool(cond)))
    print("%s %s" % ("PASS" if cond else "FAIL", name))


pid_before = open(pidfile).read().strip()
c = xsraw.Conn(sock)
w = xsraw.Conn(sock)
c.call("WRITE", raw=strs("/lu/a") + b"before")
w.call("WATCH", "/lu", "tok")
w.event()
tx = int(c.call("TRANSACTION_START", "")[3].rstrip(b"\0"))
c.call("WRITE", raw=strs("/lu/in-tx") + b"1", tx=tx)
# A request cut in half: its second half is sent after the update.
half = xsraw.Conn(sock)
msg = HDR.pack(TYPES["READ"], 77, 0, 6) + b"/lu/a\0"
half.send_raw(msg[:10])
time.sleep(0.2)

r = subprocess.run([tool, "control", "live-update", binary], capture_output=True, text=True, timeout=20, env=env)
check("update-answered", r.returncode == 0)
check("same-process", open(pidfile).read().strip() == pid_before)
check("store-kept", c.call("READ", "/lu/a")[3] == b"before")
check("transaction-retry", c.call("TRANSACTION_END", "T", tx=tx)[3] == b"EAGAIN\0")
check("transaction-not-applied", c.call("READ", "/lu/in-tx")[3] == b"ENOENT\0")
half.send_raw(msg[10:])
m = half.reply()
check("half-request-completed", m[0] == "READ" and m[1] == 77 and m[3] == b"before")
c.call("WRITE", raw=strs("/lu/b") + b"after")
check("watch-kept", w.event() == b"/lu/b\0tok\0")
new = xsraw.Conn(sock)
check("new-clients-accepted", new.call("GET_DOMAIN_PATH", "2")[3] == b"/local/domain/2\0")
r = subprocess.run([tool, "control", "live-update", "/nonexistent/binary"], capture_output=True, timeout=10, env=env)
check("bad-binary-refused", r.returncode != 0 and c.call("READ", "/lu/b")[3] == b"after")
c.call("RM", "/lu")
sys.exit(0 if all(ok for _, ok in checks) else 1)
