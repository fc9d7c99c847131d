"""The ring transport end to end, through the daemon's host stand-in: a
shared file as the guest's page and FIFOs as its event channel. Plays the
guest side of xenstore_domain_interface in Python.
usage: ring_host.py SOCKET RINGDIR [--results FILE --prefix NAME]"""
import mmap
import os
import select
import struct
import sys
import time

import xsraw
from xsraw import HDR, TYPES, strs

SOCK, RINGS = sys.argv[1], sys.argv[2]
results = prefix = None
if "--results" in sys.argv:
    results = sys.argv[sys.argv.index("--results") + 1]
    prefix = sys.argv[sys.argv.index("--prefix") + 1]
RING = 1024
REQ_CONS, REQ_PROD, RSP_CONS, RSP_PROD, FEATURES, CONNECTION, ERROR = range(2048, 2076, 4)


class Guest:
    def __init__(self, domid):
        base = os.path.join(RINGS, "dom%d" % domid)
        with open(base + ".page", "wb") as f:
            f.write(b"\0" * 4096)
        for end in ("kick", "notify"):
            if os.path.exists(base + "." + end):
                os.unlink(base + "." + end)
            os.mkfifo(base + "." + end)
        self.fd = os.open(base + ".page", os.O_RDWR)
        self.page = mmap.mmap(self.fd, 4096)
        self.kick = os.open(base + ".kick", os.O_RDWR | os.O_NONBLOCK)
        self.notify = os.open(base + ".notify", os.O_RDWR | os.O_NONBLOCK)
        self.buf = b""

    def get(self, off):
        return struct.unpack_from("=I", self.page, off)[0]

    def set(self, off, v):
        struct.pack_into("=I", self.page, off, v & 0xFFFFFFFF)

    def send(self, mtype, payload, tx=0):
        data = HDR.pack(TYPES[mtype] if isinstance(mtype, str) else mtype, 1, tx, len(payload)) + payload
        while data:
            prod, cons = self.get(REQ_PROD), self.get(REQ_CONS)
            space = RING - (prod - cons)
            if space == 0:
                self.wait()
                continue
            n = min(space, len(data), RING - prod % RING)
            self.page[RING * 0 + prod % RING: prod % RING + n] = data[:n]
            self.set(REQ_PROD, prod + n)
            data = data[n:]
            os.write(self.kick, b"k")

    def wait(self, timeout=3.0):
        r, _, _ = select.select([self.notify], [], [], timeout)
        if not r:
            raise TimeoutError("no notification from the daemon")
        try:
            os.read(self.notify, 4096)
        except BlockingIOError:
            pass

    def recv(self):
        deadline = time.time() + 5
        while True:
            cons, prod = self.get(RSP_CONS), self.get(RSP_PROD)
            while cons != prod:
                self.buf += bytes([self.page[RING + cons % RING]])
                cons += 1
            self.set(RSP_CONS, cons)
            os.write(self.kick, b"k")
            if len(self.buf) >= 16:
                t, rid, tx, ln = HDR.unpack(self.buf[:16])
                if len(self.buf) >= 16 + ln:
                    body = self.buf[16:16 + ln]
                    self.buf = self.buf[16 + ln:]
                    return xsraw.NAMES.get(t, str(t)), body
            if time.time() > deadline:
                raise TimeoutError("no reply on the ring")
            try:
                self.wait(0.5)
            except TimeoutError:
                pass

    def call(self, mtype, payload, tx=0):
        self.send(mtype, payload, tx)
        while True:
            m = self.recv()
            if m[0] != "WATCH_EVENT":
                return m


def main():
    checks = []

    def check(name, cond):
        checks.append((name, bool(cond)))
        print("%s %s" % ("PASS" if cond else "FAIL", name))

    dom0 = xsraw.Conn(SOCK)
    watcher = xsraw.Conn(SOCK)
    watcher.call("WATCH", "@introduceDomain", "in")
    watcher.call("WATCH", "@releaseDomain", "out")
    watcher.event(), watcher.event()

    g = Guest(9)
    dom0.call("WRITE", raw=strs("/local/domain/9"))
    dom0.call("SET_PERMS", "/local/domain/9", "n9")
    r = dom0.call("INTRODUCE", "9", "4242", "3")
    check("introduce", r[3] == b"OK\0")
    check("introduce-event", watcher.event() == b"@introduceDomain\0in\0")
    check("features", g.get(FEATURES) == 3)

    check("domain-path", g.call("GET_DOMAIN_PATH", strs("9")) == ("GET_DOMAIN_PATH", b"/local/domain/9\0"))
    check("write-own-home", g.call("WRITE", strs("data/x") + b"from-guest") == ("WRITE", b"OK\0"))
    r = dom0.call("READ", "/local/domain/9/data/x")
    check("dom0-sees-guest-write", r[3] == b"from-guest")
    check("guest-owns-node", dom0.call("GET_PERMS", "/local/domain/9/data/x")[3] == b"n9\0")
    check("guest-unprivileged", g.call("READ", strs("/tool")) == ("ERROR", b"EACCES\0"))
    check("guest-no-introduce", g.call("INTRODUCE", strs("10", "1", "1")) == ("ERROR", b"EACCES\0"))

    # a reply bigger than the ring
    dom0.call("WRITE", raw=strs("/local/domain/9/big") + b"B" * 3000)
    t, body = g.call("READ", strs("big"))
    check("big-reply", t == "READ" and body == b"B" * 3000)

    # watch over the ring, relative path
    g.send("WATCH", strs("data", "gw"))
    msgs = [g.recv(), g.recv()]
    check("guest-watch", ("WATCH", b"OK\0") in msgs and ("WATCH_EVENT", b"data\0gw\0") in msgs)
    dom0.call("WRITE", raw=strs("/local/domain/9/data/y") + b"1")
    check("guest-watch-event", g.recv() == ("WATCH_EVENT", b"data/y\0gw\0"))

    # transaction over the ring
    t, body = g.call("TRANSACTION_START", strs(""))
    tx = int(body.rstrip(b"\0"))
    g.call("WRITE", strs("data/t") + b"1", tx=tx)
    check("guest-transaction", g.call("TRANSACTION_END", strs("T"), tx=tx) == ("TRANSACTION_END", b"OK\0"))

    # introducing the domain again keeps its connection and watches
    check("reintroduce", dom0.call("INTRODUCE", "9", "4242", "3")[3] == b"OK\0")
    dom0.call("WRITE", raw=strs("/local/domain/9/data/z") + b"1")
    check("watch-survives-reintroduce", g.recv() == ("WATCH_EVENT", b"data/z\0gw\0"))

    # protocol violation: payload too long sets the error field
    g.send(11, b"")
    bad = HDR.pack(11, 1, 0, 5000)
    prod = g.get(REQ_PROD)
    for i, b in enumerate(bad):
        g.page[(prod + i) % RING] = b
    g.set(REQ_PROD, prod + len(bad))
    os.write(g.kick, b"k")
    time.sleep(0.2)
    check("proto-error", g.get(ERROR) == 3)
    # the guest resets the connection and carries on
    g.set(CONNECTION, 1)
    os.write(g.kick, b"k")
    time.sleep(0.2)
    g.buf = b""
    check("reconnect", g.get(CONNECTION) == 0 and g.get(ERROR) == 0)
    check("after-reconnect", g.call("GET_DOMAIN_PATH", strs("9")) == ("GET_DOMAIN_PATH", b"/local/domain/9\0"))

    # a live update keeps the guest's ring connection and its watch
    if "--live-update" in sys.argv:
        import subprocess
        tool, binary = sys.argv[sys.argv.index("--live-update") + 1:][:2]
        g.send("WATCH", strs("data", "lw"))   # the reconnect above dropped "gw"
        got = [g.recv(), g.recv()]
        check("watch-before-update", ("WATCH", b"OK\0") in got)
        env = dict(os.environ, XENSTORED_PATH=SOCK)
        r = subprocess.run([tool, "control", "live-update", binary], capture_output=True, timeout=20, env=env)
        check("live-update", r.returncode == 0)
        dom0.call("WRITE", raw=strs("/local/domain/9/data/lu") + b"1")
        check("guest-watch-after-update", g.recv() == ("WATCH_EVENT", b"data/lu\0lw\0"))
        check("guest-request-after-update",
              g.call("READ", strs("data/lu")) == ("READ", b"1"))

    r = dom0.call("RELEASE", "9")
    check("release", r[3] == b"OK\0")
    check("release-event", watcher.event() == b"@releaseDomain\0out\0")
    check("released", dom0.call("IS_DOMAIN_INTRODUCED", "9")[3] == b"F\0")
    dom0.call("RM", "/local/domain/9")

    out = open(results, "a") if results else None
    if out:
        for name, ok in checks:
            out.write("%s %s/%s\n" % ("PASS" if ok else "FAIL", prefix, name))
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
