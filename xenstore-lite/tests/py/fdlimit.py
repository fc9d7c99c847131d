"""A daemon out of file descriptors neither spins nor loses the waiting
clients: once some clients leave, the waiting ones are served.
usage: fdlimit.py SOCKET DAEMON_PID CLIENTS"""
import sys
import time

import xsraw

sock, pid, n = sys.argv[1], sys.argv[2], int(sys.argv[3])


def cpu_seconds():
    with open("/proc/%s/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0


conns = [xsraw.Conn(sock, timeout=10) for _ in range(n)]
time.sleep(0.5)
c0 = cpu_seconds()
time.sleep(1.0)
spent = cpu_seconds() - c0
if spent > 0.3:
    print("FAILED: daemon used %.2fs of CPU in 1s while out of descriptors" % spent)
    sys.exit(1)
# Free far more descriptors than the clients still waiting need.
keep = n // 4
for c in conns[: n - keep]:
    c.close()
for i, c in enumerate(conns[n - keep:]):
    r = c.call("GET_DOMAIN_PATH", "1")
    if r[3] != b"/local/domain/1\0":
        print("FAILED: client %d got %r" % (i, r))
        sys.exit(1)
print("OK (daemon CPU while saturated: %.2fs)" % spent)
