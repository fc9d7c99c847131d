"""A raw xenstore protocol client for tests: sends exact bytes, returns
exactly what the daemon answered (type, req_id, tx_id, payload)."""
import socket
import struct

TYPES = {
    "CONTROL": 0, "DIRECTORY": 1, "READ": 2, "GET_PERMS": 3, "WATCH": 4,
    "UNWATCH": 5, "TRANSACTION_START": 6, "TRANSACTION_END": 7,
    "INTRODUCE": 8, "RELEASE": 9, "GET_DOMAIN_PATH": 10, "WRITE": 11,
    "MKDIR": 12, "RM": 13, "SET_PERMS": 14, "WATCH_EVENT": 15, "ERROR": 16,
    "IS_DOMAIN_INTRODUCED": 17, "RESUME": 18, "SET_TARGET": 19,
    "RESET_WATCHES": 21, "DIRECTORY_PART": 22,
}
NAMES = {v: k for k, v in TYPES.items()}
HDR = struct.Struct("=IIII")


class Conn:
    def __init__(self, path, timeout=5.0):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.req_id = 0
        self.pending = []   # watch events that arrived before a reply

    def close(self):
        self.s.close()

    def send_raw(self, data):
        self.s.sendall(data)

    def send(self, mtype, payload=b"", tx=0, req_id=None):
        if isinstance(mtype, str):
            mtype = TYPES[mtype]
        if req_id is None:
            self.req_id += 1
            req_id = self.req_id
        self.send_raw(HDR.pack(mtype, req_id, tx, len(payload)) + payload)
        return req_id

    def _recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise EOFError("daemon closed the connection")
            buf += chunk
        return buf

    def recv(self):
        t, rid, tx, ln = HDR.unpack(self._recv_exact(HDR.size))
        return (NAMES.get(t, str(t)), rid, tx, self._recv_exact(ln))

    def reply(self):
        """The next message that is not a watch event (events are kept)."""
        while True:
            m = self.recv()
            if m[0] != "WATCH_EVENT":
                return m
            self.pending.append(m[3])

    def event(self):
        if self.pending:
            return self.pending.pop(0)
        m = self.recv()
        assert m[0] == "WATCH_EVENT", m
        return m[3]

    def call(self, mtype, *args, tx=0, raw=None):
        payload = raw if raw is not None else b"".join(
            a if isinstance(a, bytes) else a.encode() + b"\0" for a in args)
        self.send(mtype, payload, tx)
        return self.reply()


def strs(*a):
    return b"".join(x.encode() + b"\0" for x in a)
