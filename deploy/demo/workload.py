#!/usr/bin/env python3
"""The demo's misbehaving clients, so the exporter has something to show.

    workload.py --port 55432 --socket-dir DIR [--step 5]

Two applications connect over TCP to 127.0.0.1 as role demo_app:
  leaky-worker  opens one session every step and leaves it idle in
                transaction (BEGIN, then nothing), up to 4 sessions
  growing-api   opens one more idle session every step, up to 10
Each session is one psql whose stdin stays open, so it never exits on its
own. Every step the workload asks the server (as postgres over the Unix
socket, where the reserved slots admit it even when the server is full)
which of its backends still exist: a session terminated by
`pgconn_exporter reset --execute` is closed here and opened again, as a
leaking application would. Bounded: at most 14 sessions, and psql waits at
most 5 s to connect. SIGTERM or SIGINT closes every session and exits.
Standard library and the psql client only.
"""
import argparse
import os
import select
import signal
import subprocess
import sys
import time

PSQL = "/usr/lib/postgresql/15/bin/psql"
USER = "demo_app"
# application_name -> (SQL sent after connecting, number of sessions to hold)
APPLICATIONS = {
    "leaky-worker": ("BEGIN;\nSELECT pg_backend_pid();\n", 4),
    "growing-api": ("SELECT pg_backend_pid();\n", 10),
}
CONNECT_TIMEOUT_S = 5


def log(message):
    print(f"workload: {message}", flush=True)


class Session:
    """One psql kept open on a pipe; backend_pid is read from its first answer."""

    def __init__(self, application, sql, port):
        env = dict(os.environ, PGAPPNAME=application, PGCONNECT_TIMEOUT=str(CONNECT_TIMEOUT_S))
        self.application = application
        self.process = subprocess.Popen(
            [PSQL, "-X", "-q", "-A", "-t", "-h", "127.0.0.1", "-p", str(port), "-U", USER, "-d", "postgres"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.process.stdin.write(sql.encode())
        self.process.stdin.flush()
        self.backend_pid = self._read_backend_pid()

    def _read_backend_pid(self):
        ready, _, _ = select.select([self.process.stdout], [], [], CONNECT_TIMEOUT_S + 2)
        line = self.process.stdout.readline().strip() if ready else b""
        if line.isdigit():
            return int(line)
        self.close()
        error = self.process.stderr.read().decode(errors="replace").strip()
        log(f"{self.application}: could not open a session: {error or 'no answer'}")
        return None

    def close(self):
        if self.process.poll() is None:
            try:
                self.process.stdin.close()  # EOF: psql ends its session and exits
                self.process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()


def live_backends(socket_dir, port):
    """pid of every backend of the workload's applications, or None when the server does not answer."""
    names = ",".join(f"'{name}'" for name in APPLICATIONS)
    try:
        result = subprocess.run(
            [PSQL, "-X", "-A", "-t", "-h", socket_dir, "-p", str(port), "-U", "postgres", "-d", "postgres",
             "-c", f"SELECT pid FROM pg_stat_activity WHERE application_name IN ({names})"],
            capture_output=True, text=True, timeout=10,
            env=dict(os.environ, PGAPPNAME="demo-workload", PGCONNECT_TIMEOUT=str(CONNECT_TIMEOUT_S)))
    except subprocess.TimeoutExpired:
        return None
    if result.returncode != 0:
        log(f"cannot list sessions: {result.stderr.strip()}")
        return None
    return {int(pid) for pid in result.stdout.split()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--socket-dir", required=True)
    parser.add_argument("--step", type=float, default=5.0, help="seconds between two new sessions")
    args = parser.parse_args()

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    sessions = {name: [] for name in APPLICATIONS}
    log(", ".join(f"{name} up to {bound}" for name, (_, bound) in APPLICATIONS.items())
        + f", one more session each every {args.step:g}s")
    try:
        while not stopping:
            alive = live_backends(args.socket_dir, args.port)
            for name, (sql, bound) in APPLICATIONS.items():
                held = sessions[name]
                if alive is not None:
                    for gone in [s for s in held if s.backend_pid not in alive]:
                        log(f"{name}: session of backend {gone.backend_pid} was terminated; reopening")
                        gone.close()
                        held.remove(gone)
                if len(held) < bound:
                    session = Session(name, sql, args.port)
                    if session.backend_pid is not None:
                        held.append(session)
                        log(f"{name}: {len(held)}/{bound} sessions")
            deadline = time.monotonic() + args.step
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        for held in sessions.values():
            for session in held:
                session.close()
        log("closed every session")


if __name__ == "__main__":
    sys.exit(main())
