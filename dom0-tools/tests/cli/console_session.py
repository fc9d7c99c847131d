#!/usr/bin/env python3
"""Drives "tl console -D PTY" end to end, as a person at a terminal would.

tl runs on a pseudo-terminal of its own (the user's terminal); a second
pseudo-terminal pair stands in for the domain console. Checks that guest
output reaches the user, typed input reaches the guest, Ctrl-] detaches
with exit 0, and the user's terminal is back in its original mode.
usage: console_session.py TL    (exit 0 when all of that held)
"""
import os
import pty
import select
import sys
import termios
import time


def read_until(fd, want, timeout=5.0):
    seen = b""
    end = time.time() + timeout
    while want not in seen and time.time() < end:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return want in seen


def main():
    tl = sys.argv[1]
    cons_master, cons_slave = os.openpty()
    slave_name = os.ttyname(cons_slave)
    user_master, user_slave = os.openpty()
    before = termios.tcgetattr(user_slave)

    pid = os.fork()
    if pid == 0:
        os.setsid()
        for fd in (0, 1, 2):
            os.dup2(user_slave, fd)
        os.execv(tl, [tl, "console", "-D", slave_name])

    # Wait until tl has put the user's terminal in raw mode.
    for _ in range(500):
        if not termios.tcgetattr(user_slave)[3] & termios.ICANON:
            break
        time.sleep(0.01)
    else:
        print("tl never put the terminal in raw mode", file=sys.stderr)
        return 1

    ok = True
    os.write(cons_master, b"login: ")
    ok &= read_until(user_master, b"login: ")
    os.write(user_master, b"root\r")
    ok &= read_until(cons_master, b"root\r")
    os.write(user_master, b"\x1d")
    _, status = os.waitpid(pid, 0)
    ok &= os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    after = termios.tcgetattr(user_slave)
    ok &= after[3] == before[3] and after[0] == before[0] and after[1] == before[1]
    if not ok:
        print("console session failed: status %d" % status, file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
