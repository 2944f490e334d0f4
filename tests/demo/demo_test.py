#!/usr/bin/env python3
"""Runs scripts/run-demo.sh to its first firing alert, then stops it with Ctrl-C.

    python3 tests/demo/demo_test.py --script scripts/run-demo.sh --exporter build/src/pgconn_exporter

The script runs as a user would start it, with private ports (PG_PORT, LISTEN,
PROMETHEUS_LISTEN, ALERTMANAGER_LISTEN) and PGCONN_EXPORTER_BIN naming the
exporter of the build tree under test (which replaces only its build step).
Checks, each bounded in time:
  - the script prints every URL, and each answers 200: Prometheus alerts,
    Alertmanager, /metrics (with both workload applications), /health, /runbook
  - an alert fires in Prometheus within 150 s of the start, reaches
    Alertmanager, and its runbook_url answers
  - the printed `reset` command lists leaky-worker's sessions; with --execute
    it terminates them and the workload opens them again
  - SIGINT to the script's process group (what Ctrl-C in a terminal sends)
    ends the script; every process it started (PostgreSQL and its backends,
    the workload and its psql clients, the exporter, Prometheus, Alertmanager)
    is gone, its temporary folder is removed and every port is free again.
Exit status 0 when every check passed, 1 otherwise (with the script's output).
"""
import argparse
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

FIRST_ALERT_WITHIN_S = 150
STARTUP_WITHIN_S = 90       # install-deps (a no-op) and every process ready
STOP_WITHIN_S = 45          # the script's bounded waits add up to less
URL_LABELS = ("Prometheus alerts", "Alertmanager", "Exporter metrics", "Exporter health", "Runbook")
DEFAULT_PORTS = {9090, 9093, 9188, 55432}


class TestFailure(Exception):
    pass


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_ports(count):
    """Distinct free loopback ports, none of them a default of the script."""
    ports = set()
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in DEFAULT_PORTS:
            ports.add(port)
        if len(ports) == count:
            return sorted(ports)
    raise TestFailure(f"could not find {count} free ports")


def port_is_free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def http_get(url, timeout=5):
    """(status, body); an HTTP error status is returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def eventually(what, predicate, timeout, interval=1.0):
    end = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except TestFailure:
            raise
        except Exception as e:  # noqa: BLE001 - reported on timeout
            last_error = e
        if time.monotonic() >= end:
            why = f" (last error: {last_error})" if last_error else ""
            raise TestFailure(f"timed out after {timeout:.0f}s waiting for {what}{why}")
        time.sleep(interval)


# ---------------------------------------------------------------- processes
def process_table():
    """pid -> (ppid, start time, command line) of every process now."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue  # ended while we looked
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
        table[int(entry)] = (int(fields[1]), fields[19], cmdline)
    return table


def started_by(root_pid, workdir):
    """(pid, start time) -> command line of every descendant of root_pid and every process naming workdir."""
    table = process_table()
    children = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = set(), [root_pid]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            if child not in found:
                found.add(child)
                todo.append(child)
    found |= {pid for pid, (_, _, cmd) in table.items() if workdir and workdir in cmd}
    return {(pid, table[pid][1]): table[pid][2] for pid in found if pid in table}


def still_running(processes):
    table = process_table()
    return {key: cmd for key, cmd in processes.items() if key[0] in table and table[key[0]][1] == key[1]}


class Demo:
    """The script as a user runs it, in its own process group, its output collected."""

    def __init__(self, script, env):
        self.lines = []
        self.process = subprocess.Popen(["bash", script], env=env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        start_new_session=True, text=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self):
        return "\n".join(self.lines)

    def check_running(self):
        if self.process.poll() is not None:
            raise TestFailure(f"run-demo.sh exited with status {self.process.returncode}")

    def urls(self):
        self.check_running()
        found = {}
        for line in list(self.lines):
            m = re.match(r"\s+(.+?)\s{2,}(http://\S+)$", line)
            if m:
                found[m.group(1)] = m.group(2)
        return found if all(label in found for label in URL_LABELS) else None

    def workdir(self):
        for line in self.lines:
            m = re.search(r"\(folder (/tmp/pgconn-demo-[A-Za-z0-9]+),", line)
            if m:
                return m.group(1)
        raise TestFailure("run-demo.sh did not print its folder")


# --------------------------------------------------------------------- test
def no_leftovers(processes):
    left = still_running(processes)
    if left:
        raise ValueError("still running: " + "; ".join(left.values()))
    return True


def check_urls(urls, listen):
    _, metrics = http_get(urls["Exporter metrics"])
    for needle in ('pgconn_up{', 'application_name="leaky-worker"', 'application_name="growing-api"'):
        if needle not in metrics:
            raise TestFailure(f"/metrics lacks {needle}")
    if not re.search(r'^pgconn_up\{[^}]*\} 1$', metrics, re.M):
        raise TestFailure("/metrics does not report pgconn_up 1")
    for label in URL_LABELS:
        status, _ = http_get(urls[label])
        if status != 200:
            raise TestFailure(f"{label} {urls[label]} answered {status}")
        if label.startswith("Exporter") or label == "Runbook":
            if not urls[label].startswith(f"http://{listen}/"):
                raise TestFailure(f"{label} {urls[label]} is not on LISTEN={listen}")
    log("every printed URL answers 200: " + ", ".join(urls[label] for label in URL_LABELS))


def firing_alerts(prometheus):
    alerts = json.loads(http_get(f"http://{prometheus}/api/v1/alerts")[1])["data"]["alerts"]
    return [a for a in alerts if a["state"] == "firing"]


def check_alertmanager_has(alertmanager, names):
    url = f"http://{alertmanager}/api/v2/alerts?" + urllib.parse.urlencode({"active": "true"})
    received = {a["labels"]["alertname"] for a in json.loads(http_get(url)[1])}
    return names & received


def check_reset(demo, workdir):
    """The printed reset command lists leaky-worker's sessions; with --execute they go and come back."""
    command = next((shlex.split(line) for line in demo.lines if " reset --config.file=" in line), None)
    if not command:
        raise TestFailure("run-demo.sh printed no reset command")
    dry = subprocess.run(command, capture_output=True, text=True, timeout=30)
    if dry.returncode != 0 or "leaky-worker" not in dry.stdout or "dry run" not in dry.stdout:
        raise TestFailure(f"the printed reset command failed ({dry.returncode}): {dry.stdout}{dry.stderr}")
    done = subprocess.run(command + ["--execute"], capture_output=True, text=True, timeout=30)
    if done.returncode != 0 or "terminated" not in done.stdout:
        raise TestFailure(f"reset --execute failed ({done.returncode}): {done.stdout}{done.stderr}")
    terminated = done.stdout.count(" terminated\n")

    def reopened():
        with open(os.path.join(workdir, "workload.log")) as f:
            text = f.read()
        after = text[text.find("was terminated; reopening"):]
        return "was terminated; reopening" in text and "leaky-worker: 1/4 sessions" in after
    eventually("the workload to reopen leaky-worker's sessions", reopened, 20)
    log(f"reset terminated {terminated} leaky-worker session(s); the workload opened them again")


def run(args):
    pg_port, listen_port, prometheus_port, alertmanager_port = free_ports(4)
    listen = f"127.0.0.1:{listen_port}"
    prometheus = f"127.0.0.1:{prometheus_port}"
    alertmanager = f"127.0.0.1:{alertmanager_port}"
    env = dict(os.environ, PG_PORT=str(pg_port), LISTEN=listen, PROMETHEUS_LISTEN=prometheus,
               ALERTMANAGER_LISTEN=alertmanager, PGCONN_EXPORTER_BIN=os.path.abspath(args.exporter))
    log(f"run-demo.sh with PG_PORT={pg_port} LISTEN={listen} PROMETHEUS_LISTEN={prometheus} "
        f"ALERTMANAGER_LISTEN={alertmanager}")
    t0 = time.monotonic()
    demo = Demo(args.script, env)
    processes, workdir = {}, None
    try:
        urls = eventually("run-demo.sh to print its URLs", demo.urls, STARTUP_WITHIN_S, 0.5)
        workdir = demo.workdir()
        log(f"ready after {time.monotonic() - t0:.1f}s, folder {workdir}")

        def first_firing():
            demo.check_running()
            return firing_alerts(prometheus)
        firing = eventually("an alert firing in Prometheus", first_firing,
                            FIRST_ALERT_WITHIN_S - (time.monotonic() - t0))
        names = {a["labels"]["alertname"] for a in firing}
        log(f"firing after {time.monotonic() - t0:.1f}s: {', '.join(sorted(names))}")
        check_urls(urls, listen)
        received = eventually("Alertmanager to receive a firing alert",
                              lambda: check_alertmanager_has(alertmanager, names), 30)
        log(f"Alertmanager has {', '.join(sorted(received))}")
        runbook = firing[0]["annotations"].get("runbook_url", "")
        page, _, anchor = runbook.partition("#")
        status, body = http_get(page)
        if status != 200 or f'id="{anchor}"' not in body:
            raise TestFailure(f"runbook_url {runbook} of {firing[0]['labels']['alertname']} answered {status}"
                              f"{'' if status != 200 else ' without that anchor'}")
        log(f"its runbook_url {runbook} answers 200 with that anchor")

        check_reset(demo, workdir)

        processes = started_by(demo.process.pid, workdir)
        kinds = ("bin/postgres -D", "pgconn_exporter", "prometheus --config", "prometheus-alertmanager",
                 "workload.py", "psql")
        for kind in kinds:
            if not any(kind in cmd for cmd in processes.values()):
                raise TestFailure(f"no {kind} process among those run-demo.sh started: {processes}")
        log(f"{len(processes)} processes started by run-demo.sh; sending SIGINT to its process group")

        stop_t0 = time.monotonic()
        os.killpg(demo.process.pid, signal.SIGINT)
        try:
            status = demo.process.wait(timeout=STOP_WITHIN_S)
        except subprocess.TimeoutExpired:
            raise TestFailure(f"run-demo.sh still runs {STOP_WITHIN_S}s after SIGINT")
        log(f"run-demo.sh exited with status {status} after {time.monotonic() - stop_t0:.1f}s")
        if status != 130:
            raise TestFailure(f"run-demo.sh exited with status {status} after SIGINT, expected 130")
        eventually("every process of the demo to be gone", lambda: no_leftovers(processes), 5, 0.5)
        if os.path.exists(workdir):
            raise TestFailure(f"{workdir} still exists")
        busy = [p for p in (pg_port, listen_port, prometheus_port, alertmanager_port) if not port_is_free(p)]
        if busy:
            raise TestFailure(f"ports still in use after the stop: {busy}")
        log(f"no process left ({len(processes)} checked), {workdir} removed, ports free")
    finally:
        if demo.process.poll() is None:
            processes = processes or started_by(demo.process.pid, workdir)
            os.killpg(demo.process.pid, signal.SIGKILL)
            demo.process.wait()
        leftovers = still_running(processes) if processes else {}
        for pid, _ in leftovers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if leftovers:
            log("killed what was left: " + "; ".join(leftovers.values()))
        if workdir and os.path.exists(workdir):
            subprocess.run(["rm", "-rf", workdir], check=False)
        demo.reader.join(timeout=5)
        sys.stdout.write("---- run-demo.sh output ----\n" + demo.output() + "\n----\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--script", required=True, help="scripts/run-demo.sh")
    parser.add_argument("--exporter", required=True, help="the pgconn_exporter binary under test")
    args = parser.parse_args()
    # A SIGINT ignored by whoever started us would be ignored by the script too
    # (bash cannot trap a signal ignored on entry): make sure it is not.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        run(args)
    except TestFailure as e:
        log(f"FAIL: {e}")
        return 1
    log("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
