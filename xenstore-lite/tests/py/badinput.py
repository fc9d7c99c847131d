"""Bad input against our daemon: each case gets the behaviour the protocol
specifies, and the daemon neither crashes nor blocks other clients.
usage: badinput.py SOCKET [--results FILE --prefix NAME]"""
import socket
import struct
import sys
import time

import xsraw
from xsraw import strs

SOCK = sys.argv[1]
results = prefix = None
if "--results" in sys.argv:
    results = sys.argv[sys.argv.index("--results") + 1]
    prefix = sys.argv[sys.argv.index("--prefix") + 1]


def healthy():
    """Another client is served promptly."""
    c = xsraw.Conn(SOCK, timeout=2)
    r = c.call("GET_DOMAIN_PATH", "3")
    c.close()
    return r[3] == b"/local/domain/3\0"


def closed(conn):
    try:
        conn.s.settimeout(2)
        return conn.s.recv(1) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def case_oversized_payload():
    c = xsraw.Conn(SOCK)
    c.send_raw(xsraw.HDR.pack(11, 1, 0, 4097))
    ok = closed(c)
    c.close()
    return ok and healthy()


def case_max_payload_ok():
    c = xsraw.Conn(SOCK)
    r = c.call("WRITE", raw=strs("/bad/max") + b"v" * (4096 - 9))
    c.call("RM", "/bad")
    c.close()
    return r[3] == b"OK\0"


def case_truncated_header_then_close():
    c = xsraw.Conn(SOCK)
    c.send_raw(b"\x02\x00\x00")
    c.close()
    return healthy()


def case_garbage_stream():
    c = xsraw.Conn(SOCK)
    c.send_raw(bytes(range(256)) * 8)
    c.close()
    return healthy()


def case_unknown_operations():
    c = xsraw.Conn(SOCK)
    rs = [c.call(t, raw=strs("x")) for t in (20, 23, 1000, 0xFFFF, 15, 16)]
    c.close()
    return all(r[0] == "ERROR" and r[3] == b"ENOSYS\0" for r in rs)


def case_bad_paths():
    c = xsraw.Conn(SOCK)
    names = ["", "/a//b", "/a/", "/a b", "/\x7f", "/" + "a" * 3100, "x" * 2100]
    rs = [c.call("WRITE", raw=n.encode() + b"\0v") for n in names]
    c.close()
    return all(r[3] == b"EINVAL\0" for r in rs)


def case_missing_nul():
    c = xsraw.Conn(SOCK)
    rs = [c.call("READ", raw=b"/tool"), c.call("MKDIR", raw=b"/x"),
          c.call("WATCH", raw=b"/x\0tok"), c.call("WRITE", raw=b"/x")]
    c.close()
    return all(r[3] == b"EINVAL\0" for r in rs)


def case_never_reads_replies():
    """A client that floods requests and never reads must not block others."""
    c = xsraw.Conn(SOCK)
    c.s.setblocking(False)
    msg = xsraw.HDR.pack(10, 1, 0, 2) + b"1\0"
    sent = 0
    deadline = time.time() + 3
    try:
        while time.time() < deadline and sent < 200000:
            c.s.send(msg * 64)
            sent += 64
    except BlockingIOError:
        pass
    ok = healthy()
    c.close()
    return ok and healthy()


def case_watch_flood_unread():
    """Events for a watcher that never reads are bounded, others unaffected."""
    w = xsraw.Conn(SOCK)
    w.send("WATCH", strs("/flood", "t"))
    c = xsraw.Conn(SOCK)
    for i in range(3000):
        c.send("WRITE", strs("/flood") + b"x")
    for i in range(3000):
        c.reply()
    ok = healthy()
    c.call("RM", "/flood")
    c.close()
    w.close()
    return ok


def case_disconnect_mid_transaction():
    c = xsraw.Conn(SOCK)
    tx = int(c.call("TRANSACTION_START", "")[3].rstrip(b"\0"))
    c.call("WRITE", raw=strs("/midtx") + b"1", tx=tx)
    c.close()
    d = xsraw.Conn(SOCK)
    r = d.call("READ", "/midtx")
    d.close()
    return r[3] == b"ENOENT\0" and healthy()


def case_many_transactions_then_close():
    c = xsraw.Conn(SOCK)
    for i in range(200):
        tx = int(c.call("TRANSACTION_START", "")[3].rstrip(b"\0"))
        c.call("WRITE", raw=strs("/manytx/%d" % i) + b"1", tx=tx)
    c.close()
    return healthy()


def case_partial_message_others_served():
    """A half-sent request does not stall anyone else."""
    c = xsraw.Conn(SOCK)
    c.send_raw(xsraw.HDR.pack(2, 1, 0, 10) + b"/to")
    ok = healthy()
    c.send_raw(b"ol\0\0\0\0\0")   # rest of the 10 bytes: "/tool" and padding nuls
    r = c.reply()
    c.close()
    return ok and r[0] == "ERROR"


CASES = [(n[5:], f) for n, f in sorted(globals().items()) if n.startswith("case_")]


def main():
    out = open(results, "a") if results else None
    bad = 0
    for name, f in CASES:
        try:
            ok = bool(f())
        except Exception as e:   # a crash of the daemon shows up here
            print(name, "raised", repr(e))
            ok = False
        bad += not ok
        print("%s %s" % ("PASS" if ok else "FAIL", name))
        if out:
            out.write("%s %s/%s\n" % ("PASS" if ok else "FAIL", prefix, name))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
