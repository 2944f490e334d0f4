"""Holds N PostgreSQL connections from M loopback addresses (127.0.x.y)
without libpq, which cannot choose a source address: each socket binds its
address, then speaks the startup protocol (trust authentication). Every
tenth connection is left idle in a transaction. Prints "ready" when all
are connected and holds them until stdin closes.
  clients.py PORT CONNECTIONS ADDRESSES"""
import socket
import struct
import sys


def message(sock):
    header = b""
    while len(header) < 5:
        chunk = sock.recv(5 - len(header))
        if not chunk:
            raise RuntimeError("server closed the connection")
        header += chunk
    kind, length = header[:1], struct.unpack("!i", header[1:])[0]
    body = b""
    while len(body) < length - 4:
        body += sock.recv(length - 4 - len(body))
    return kind, body


def until_ready(sock):
    while True:
        kind, body = message(sock)
        if kind == b"E":
            raise RuntimeError(body.decode(errors="replace"))
        if kind == b"Z":
            return


def main():
    port, count, addresses = (int(a) for a in sys.argv[1:4])
    held = []
    for i in range(count):
        n = i % addresses
        sock = socket.socket()
        sock.bind(("127.0.%d.%d" % (1 + n // 250, 2 + n % 250), 0))
        sock.connect(("127.0.0.1", port))
        params = b"user\0postgres\0database\0postgres\0application_name\0app-%d\0\0" % (i % 20)
        sock.sendall(struct.pack("!ii", len(params) + 8, 196608) + params)
        until_ready(sock)
        if i % 10 == 0:
            sql = b"BEGIN\0"
            sock.sendall(b"Q" + struct.pack("!i", len(sql) + 4) + sql)
            until_ready(sock)
        held.append(sock)
    print("ready", flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
