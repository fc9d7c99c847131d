"""python3-pyxs (an independent client implementation) against a daemon.
usage: pyxs_peer.py SOCKET"""
import os
import sys

import pyxs

sock = sys.argv[1]
base = ("/pyxs-test-%d" % os.getpid()).encode()


def check(cond, what):
    if not cond:
        print("FAILED:", what)
        sys.exit(1)


with pyxs.Client(unix_socket_path=sock) as c:
    c.write(base + b"/a", b"1")
    check(c.read(base + b"/a") == b"1", "read back")
    check(c.exists(base + b"/a") and not c.exists(base + b"/zz"), "exists")
    c.mkdir(base + b"/d")
    check(sorted(c.list(base)) == [b"a", b"d"], "list %r" % c.list(base))
    c.set_perms(base + b"/a", [b"b0", b"r3"])
    check(c.get_perms(base + b"/a") == [b"b0", b"r3"], "perms %r" % c.get_perms(base + b"/a"))
    check(c.get_domain_path(4) == b"/local/domain/4", "domain path")
    check(c.is_domain_introduced(0), "dom0 introduced")
    walked = [p for p, _, _ in c.walk(base)]
    check(walked[0] == base and len(walked) == 3, "walk %r" % walked)

    # transactions: a commit, and a conflict reported as False
    c.transaction()
    c.write(base + b"/t", b"x")
    check(c.commit(), "commit")
    check(c.read(base + b"/t") == b"x", "committed value")
    with pyxs.Client(unix_socket_path=sock) as other:
        c.transaction()
        c.read(base + b"/t")
        other.write(base + b"/t", b"y")
        c.write(base + b"/t", b"z")
        check(not c.commit(), "conflict must fail the commit")
    check(c.read(base + b"/t") == b"y", "value after conflict")

    # errors come back as PyXSError with the errno
    try:
        c.read(base + b"/missing")
        check(False, "read of a missing node")
    except pyxs.PyXSError as e:
        check(e.args[0] == 2, "ENOENT expected, got %r" % (e.args,))

    # watches through a monitor
    m = c.monitor()
    m.watch(base + b"/w", b"tok")
    events = m.wait()
    ev = next(events)
    check(ev.path == base + b"/w" and ev.token == b"tok", "initial event %r" % (ev,))
    c.write(base + b"/w/x", b"1")
    ev = next(events)
    check(ev.path == base + b"/w/x", "change event %r" % (ev,))
    m.unwatch(base + b"/w", b"tok")
    m.close()

    c.delete(base)
    check(not c.exists(base), "delete")
print("OK")
