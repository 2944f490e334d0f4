#!/usr/bin/env python3
"""Holds many PostgreSQL client connections cheaply, for bench/compare.

libpq through ctypes (python3 stdlib only), non-blocking connects with a
bounded number in flight, so thousands of connections open in seconds from
one process. Connection i gets application_name app_NN (NN = i mod 50), role
bench_app_(i mod 5), database from --databases (round robin); every 10th
connection is left idle in transaction (BEGIN; SELECT 1) and every 100th
(offset 1) is active (a long pg_sleep), the rest are idle.

Protocol on stdin/stdout, one line each:
    open N   -> grows to N connections in total, answers "ready N SECONDS"
    quit     -> closes everything and exits (so does end of input)
Errors answer "error TEXT" and exit non-zero. The process also exits on its
own after --max-seconds, whatever happens to its parent.
"""
import argparse
import ctypes
import ctypes.util
import os
import select
import signal
import sys
import time

CONNECTION_OK, CONNECTION_BAD = 0, 1
POLLING_FAILED, POLLING_READING, POLLING_WRITING, POLLING_OK = 0, 1, 2, 3
PGRES_COMMAND_OK, PGRES_TUPLES_OK = 1, 2
APPLICATIONS = 50
ROLES = 5


def load_libpq():
    path = ctypes.util.find_library("pq") or "libpq.so.5"
    lib = ctypes.CDLL(path)
    lib.PQconnectStart.restype = ctypes.c_void_p
    lib.PQconnectStart.argtypes = [ctypes.c_char_p]
    lib.PQconnectPoll.restype = ctypes.c_int
    lib.PQconnectPoll.argtypes = [ctypes.c_void_p]
    lib.PQstatus.restype = ctypes.c_int
    lib.PQstatus.argtypes = [ctypes.c_void_p]
    lib.PQsocket.restype = ctypes.c_int
    lib.PQsocket.argtypes = [ctypes.c_void_p]
    lib.PQerrorMessage.restype = ctypes.c_char_p
    lib.PQerrorMessage.argtypes = [ctypes.c_void_p]
    lib.PQexec.restype = ctypes.c_void_p
    lib.PQexec.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.PQresultStatus.restype = ctypes.c_int
    lib.PQresultStatus.argtypes = [ctypes.c_void_p]
    lib.PQclear.restype = None
    lib.PQclear.argtypes = [ctypes.c_void_p]
    lib.PQsendQuery.restype = ctypes.c_int
    lib.PQsendQuery.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.PQfinish.restype = None
    lib.PQfinish.argtypes = [ctypes.c_void_p]
    return lib


class Holder:
    def __init__(self, lib, base, databases, max_seconds, in_flight):
        self.lib = lib
        self.base = base
        self.databases = databases
        self.max_seconds = max_seconds
        self.in_flight = in_flight
        self.conns = []

    def conninfo(self, i):
        db = self.databases[i % len(self.databases)]
        return "%s dbname=%s user=bench_app_%d application_name=app_%02d connect_timeout=30" % (
            self.base, db, i % ROLES, i % APPLICATIONS)

    def settle(self, i, conn):
        """Puts connection i into its state once it is open."""
        if i % 10 == 0:
            res = self.lib.PQexec(conn, b"BEGIN; SELECT 1")
            ok = self.lib.PQresultStatus(res) in (PGRES_COMMAND_OK, PGRES_TUPLES_OK)
            self.lib.PQclear(res)
            if not ok:
                raise RuntimeError("BEGIN failed: %s" % self.lib.PQerrorMessage(conn).decode(errors="replace"))
        elif i % 100 == 1:
            sql = "SELECT pg_sleep(%d)" % self.max_seconds
            if not self.lib.PQsendQuery(conn, sql.encode()):
                raise RuntimeError("pg_sleep failed: %s" % self.lib.PQerrorMessage(conn).decode(errors="replace"))

    def grow(self, total, deadline):
        """Opens connections until `total` are held; non-blocking, bounded in flight."""
        pending = {}  # fd -> (index, conn, want_write)
        poller = select.poll()
        next_index = len(self.conns)
        while len(self.conns) < total:
            if time.monotonic() > deadline:
                raise RuntimeError("timed out opening connections (%d of %d open)" % (len(self.conns), total))
            while len(pending) < self.in_flight and next_index < total:
                conn = self.lib.PQconnectStart(self.conninfo(next_index).encode())
                if not conn or self.lib.PQstatus(conn) == CONNECTION_BAD:
                    msg = self.lib.PQerrorMessage(conn).decode(errors="replace") if conn else "out of memory"
                    raise RuntimeError("connect %d failed: %s" % (next_index, msg.strip()))
                fd = self.lib.PQsocket(conn)
                pending[fd] = (next_index, conn)
                poller.register(fd, select.POLLOUT)
                next_index += 1
            for fd, _ in poller.poll(1000):
                index, conn = pending[fd]
                state = self.lib.PQconnectPoll(conn)
                if state == POLLING_FAILED:
                    msg = self.lib.PQerrorMessage(conn).decode(errors="replace").strip()
                    raise RuntimeError("connect %d failed: %s" % (index, msg))
                if state == POLLING_OK:
                    poller.unregister(fd)
                    del pending[fd]
                    self.settle(index, conn)
                    self.conns.append(conn)
                    continue
                new_fd = self.lib.PQsocket(conn)  # libpq may switch sockets (e.g. a second host)
                poller.unregister(fd)
                del pending[fd]
                pending[new_fd] = (index, conn)
                poller.register(new_fd, select.POLLIN if state == POLLING_READING else select.POLLOUT)

    def close(self):
        for conn in self.conns:
            self.lib.PQfinish(conn)
        self.conns = []


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True, help='libpq conninfo prefix, e.g. "host=/tmp/x port=5432"')
    ap.add_argument("--databases", default="postgres", help="comma-separated database names")
    ap.add_argument("--max-seconds", type=int, default=3600, help="exit on its own after this long")
    ap.add_argument("--in-flight", type=int, default=16, help="connects in progress at once")
    args = ap.parse_args()

    signal.signal(signal.SIGALRM, lambda *_: os._exit(3))
    signal.alarm(args.max_seconds)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    holder = Holder(load_libpq(), args.base, args.databases.split(","), args.max_seconds, args.in_flight)
    try:
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            if words[0] == "open" and len(words) == 2:
                started = time.monotonic()
                holder.grow(int(words[1]), started + 300)
                print("ready %d %.2f" % (len(holder.conns), time.monotonic() - started), flush=True)
            elif words[0] == "quit":
                break
            else:
                print("error unknown command %r" % line.strip(), flush=True)
    except Exception as e:  # report, then close what is open
        print("error %s" % e, flush=True)
        holder.close()
        return 1
    holder.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
