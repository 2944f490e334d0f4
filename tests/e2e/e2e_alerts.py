#!/usr/bin/env python3
"""End-to-end test of the alerting chain with real binaries, loopback only.

    python3 tests/e2e/e2e_alerts.py --exporter build/src/pgconn_exporter [--source-dir .]

What runs (everything on 127.0.0.1, free private ports, data in one temporary
folder that is removed at the end, also on failure):
  PostgreSQL 15      max_connections=12, superuser_reserved_connections=2, so
                     the connection limit is 10
  PgBouncer          /usr/sbin/pgbouncer (as postgres when run as root), transaction
                     mode, max_client_conn=6, server_idle_timeout=2s; database
                     e2e_pool (pool_size 1) and e2e_big (pool_size 12) on the server
  pgconn_exporter    poll every 1s, connect_probe, low thresholds, two declared
                     applications; a second target kind = "pgbouncer" on the
                     PgBouncer console with server_target = the PostgreSQL target
  Prometheus         /usr/bin/prometheus, scrape and evaluation every 1s, loaded
                     with a test copy of alerts/pgconn.rules.yml in which only
                     the `for:` durations are shortened (and the one 5m
                     window of PgconnNewClientsRefused, see WINDOW_OVERRIDES);
                     the expressions, labels and annotations are the shipped ones
  Alertmanager       /usr/bin/prometheus-alertmanager with a copy of
                     alertmanager/alertmanager.yml: same routes and inhibition
                     rules, shorter group timers, receivers pointed at a
                     webhook this script serves, send_resolved on
Load, with psql clients kept open on a pipe (role e2e_app, not a superuser):
  phase 1  6 used  (> warning 5)          ConnectionsAboveWarning, idle in
                                          transaction, leak (age), declared
                                          capacity, declared pool utilization
  phase 2  9 used  (>= critical 8, 0.9)   ConnectionsAboveCritical,
                                          UtilizationAboveWarning, majority
  phase 3 10 used  (no slot left)         UtilizationAboveCritical, Exhausted,
                                          NewClientsRefused (connect probe);
                                          the warnings are inhibited in
                                          Alertmanager; every dashboard query
                                          is evaluated through the HTTP API
  phase 4  load stopped, declared pools shrunk by a SIGHUP reload: every alert
           that fired must arrive resolved
PgBouncer (the setup opened the e2e_pool pool once, so its panels have data in
phase 3; the exporter's leak/idle-in-transaction thresholds are raised by a
reload first, so the pooler's server session does not re-fire phase 1's alerts):
  phase 5  e2e_pool's one server held by an open transaction, a second client
           waiting; e2e_big opened (pools' potential 1 + 12 > limit 10); 5 of
           6 clients              PoolerMaxWaitHigh, PoolerClientLimitNear,
                                  PoolerServerCapacityAboveLimit at the webhook;
                                  PoolerClientsWaiting, PoolerServersSaturated
                                  firing in Prometheus and inhibited in
                                  Alertmanager (by the critical of their pool)
  phase 6  6 of 6 clients, a 7th refused  PoolerClientLimitReached; Near inhibited
  phase 7  pooler clients closed, e2e_big pool_size 12 -> 2 by RELOAD: every
           pooler alert that fired must arrive resolved
Every wait is bounded; the whole run has a deadline (--deadline, default 210s).
Exit status 0 when everything passed, 1 otherwise (with a summary either way).
"""
import argparse
import glob
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml

PG_BIN = "/usr/lib/postgresql/15/bin"
PROMETHEUS = "/usr/bin/prometheus"
ALERTMANAGER = "/usr/bin/prometheus-alertmanager"
PROMTOOL = "/usr/bin/promtool"
PGBOUNCER = "/usr/sbin/pgbouncer"

JOB = "pgconn"             # the rules select up{job="pgconn"}
TARGET = "e2e"
MAX_CONNECTIONS = 12
RESERVED = 2
LIMIT = MAX_CONNECTIONS - RESERVED
WARNING, CRITICAL = 5, 8
APP = "e2e_app"            # declared: 2 x (5 + 3) = 16 > limit 10
IDLE_APP = "e2e_idle_tx"   # declared: 1 x (1 + 0) = 1, holds 1 -> 100%
POOLER = "e2e_bouncer"     # the pgbouncer target
POOL_DB = "e2e_pool"       # PgBouncer database, pool_size 1: saturated by one transaction
BIG_DB = "e2e_big"         # PgBouncer database, pool_size 12 (2 after phase 7's RELOAD)
BIG_POOL_SIZE = (12, 2)
MAX_CLIENT_CONN = 6        # 5 clients = 83% > utilization_warning 0.8; 6 = the limit
POOLED_APP = "e2e_pooled"  # application_name of the clients that go through PgBouncer
FOR_TEST = "3s"            # every `for:` of the shipped rules becomes this
# Range windows that would keep an alert firing far longer than the test may
# run. Each entry must match exactly `count` times in the rule's expression,
# so a change of the shipped rule makes the test fail instead of silently
# testing something else.
WINDOW_OVERRIDES = {
    "PgconnNewClientsRefused": {"old": "[5m]", "new": "[20s]", "count": 2},
}
POOLER_CLIENT_FAMILIES = re.compile(
    r"pgconn_pgbouncer_(application_clients|client_address_clients|leak_suspect_clients|application_oldest)")
RATE_INTERVAL = "15s"      # $__rate_interval for the dashboard queries

# Alerts that must reach the webhook, the phase in which they must fire, and
# the labels they must carry (besides job and target).
EXPECTED = {
    1: {
        "PgconnConnectionsAboveWarning": {},
        "PgconnIdleInTransactionTooLong": {"application_name": IDLE_APP},
        "PgconnConnectionLeakSuspected": {"application_name": APP},
        "PgconnDeclaredCapacityAboveLimit": {},
        "PgconnApplicationPoolUtilizationHigh": {"application_name": IDLE_APP},
    },
    2: {
        "PgconnConnectionsAboveCritical": {},
        "PgconnUtilizationAboveWarning": {},
        "PgconnApplicationHoldsMajority": {"application_name": APP},
    },
    3: {
        "PgconnUtilizationAboveCritical": {},
        "PgconnConnectionsExhausted": {},
        "PgconnNewClientsRefused": {},
    },
}
# Pooler alerts that must reach the webhook in phases 5 and 6 (resolved in 7).
POOL_LABELS = {"target": POOLER, "database": POOL_DB, "user": APP}
EXPECTED_POOLER = {
    5: {
        "PgconnPoolerMaxWaitHigh": POOL_LABELS,
        "PgconnPoolerClientLimitNear": {"target": POOLER},
        # carries the PostgreSQL target, whose limit the poolers exceed
        "PgconnPoolerServerCapacityAboveLimit": {"target": TARGET, "server_target": TARGET},
    },
    6: {
        "PgconnPoolerClientLimitReached": {"target": POOLER},
    },
}
# Warnings of the saturated pool: they fire with PgconnPoolerMaxWaitHigh, which
# inhibits them (and ServersSaturated inhibits ClientsWaiting), so they are
# checked firing in Prometheus and suppressed in Alertmanager.
INHIBITED_IN_PHASE_5 = {"PgconnPoolerClientsWaiting": POOL_LABELS, "PgconnPoolerServersSaturated": POOL_LABELS}
INHIBITED_IN_PHASE_6 = {"PgconnPoolerClientLimitNear": {"target": POOLER}}
# Must never fire here: the exporter keeps its connections (the PostgreSQL
# target's and the PgBouncer console) and is scraped.
FORBIDDEN = {"PgconnExporterDown", "PgconnExporterAbsent", "PgconnTargetDown", "PgconnPollsFailing",
             "PgconnConfigReloadFailed", "PgconnLongRunningTransaction"}
# Warnings Alertmanager must hold back while phase 3's criticals fire.
INHIBITED_IN_PHASE_3 = {"PgconnConnectionsAboveWarning": {"target": TARGET},
                        "PgconnUtilizationAboveWarning": {"target": TARGET}}
RECEIVER_BY_SEVERITY = {"critical": "pager", "warning": "tickets", "info": "info"}


class TestFailure(Exception):
    pass


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ------------------------------------------------------------------ helpers
class Clock:
    def __init__(self, deadline_s):
        self.t0 = time.monotonic()
        self.deadline = self.t0 + deadline_s

    def elapsed(self):
        return time.monotonic() - self.t0

    def remaining(self):
        return self.deadline - time.monotonic()


CLOCK = None


def wait_for(what, predicate, timeout, interval=0.25):
    """Polls predicate() until it returns a truthy value; bounded in time and by the deadline."""
    end = min(time.monotonic() + timeout, CLOCK.deadline)
    last_error = None
    polls = 0
    while True:
        polls += 1
        try:
            value = predicate()
            if value:
                return value
        except TestFailure:
            raise  # e.g. a process died: no point in waiting further
        except Exception as e:  # noqa: BLE001 - reported on timeout
            last_error = e
        if time.monotonic() >= end:
            why = f" (last error: {last_error})" if last_error else ""
            raise TestFailure(f"timed out after {timeout:.0f}s / {polls} polls waiting for {what}{why}")
        time.sleep(interval)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


def http_json(url, timeout=5):
    return json.loads(http_get(url, timeout)[1])


def parse_metrics(text):
    """Prometheus text format -> {(name, frozenset(labels)): value} (enough for our gauges)."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)", line)
        if not m:
            continue
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        out[(m.group(1), labels)] = float(m.group(4))
    return out


# ---------------------------------------------------------------- processes
class Stack:
    """Owns every process and the temporary folder; cleanup() undoes it all."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="pgconn-e2e-")
        os.chmod(self.dir, 0o755)
        self.procs = []        # (name, Popen, logfile path)
        self.clients = []
        self.pg_data = os.path.join(self.dir, "pgdata")
        self.pg_sock = os.path.join(self.dir, "pgsock")
        self.pg_port = None
        self.pg_started = False
        self.postmaster = None
        self.bouncer_dir = os.path.join(self.dir, "pgbouncer")
        self.bouncer_port = None
        self.webhook = None

    # ---- generic
    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def spawn(self, name, argv, env=None):
        logfile = self.path(f"{name}.log")
        f = open(logfile, "wb")
        p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             env=env, start_new_session=True, cwd=self.dir)
        f.close()
        self.procs.append((name, p, logfile))
        return p

    def check_alive(self):
        for name, p, logfile in self.procs:
            if p.poll() is not None:
                how = f"was killed by signal {-p.returncode}" if p.returncode < 0 else f"exited with status {p.returncode}"
                raise TestFailure(f"{name} {how}; see its log below")

    # ---- PostgreSQL
    def as_postgres(self, argv):
        return (["runuser", "-u", "postgres", "--"] + argv) if os.geteuid() == 0 else argv

    def start_postgres(self):
        os.makedirs(self.pg_sock)
        self.pg_port = free_port()
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", "postgres:postgres", self.dir], check=True)
        run_checked(self.as_postgres([f"{PG_BIN}/initdb", "-N", "-A", "trust", "-U", "postgres",
                                      "-E", "UTF8", "--locale=C", "-D", self.pg_data]))
        conf = (f"listen_addresses = '127.0.0.1'\nport = {self.pg_port}\n"
                f"unix_socket_directories = '{self.pg_sock}'\n"
                f"max_connections = {MAX_CONNECTIONS}\nsuperuser_reserved_connections = {RESERVED}\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "shared_buffers = 16MB\nlogging_collector = off\n")
        with open(os.path.join(self.pg_data, "postgresql.auto.conf"), "a") as f:
            f.write(conf)
        with open(os.path.join(self.pg_data, "pg_hba.conf"), "w") as f:
            f.write("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        # The postmaster runs in the foreground as a child of this script (not daemonized by
        # pg_ctl start), so even a SIGKILL of the whole test tree (ctest timeout) takes it down.
        self.postmaster = self.spawn("postgres", self.as_postgres([f"{PG_BIN}/postgres", "-D", self.pg_data]))
        self.pg_started = True
        wait_for("PostgreSQL to accept connections",
                 lambda: self.check_alive() or subprocess.run(
                     [f"{PG_BIN}/pg_isready", "-q", "-h", self.pg_sock, "-p", str(self.pg_port)],
                     timeout=5).returncode == 0, 30)

    def sql(self, query, timeout=10):
        """Runs SQL as the superuser over the socket (reserved slots: works when full)."""
        r = subprocess.run([f"{PG_BIN}/psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", self.pg_sock,
                            "-p", str(self.pg_port), "-U", "postgres", "-d", "postgres", "-c", query],
                           capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            raise TestFailure(f"psql failed ({query!r}): {r.stderr.strip()}")
        return r.stdout.strip()

    def stop_postgres(self):
        if not self.pg_started:
            return
        self.pg_started = False
        try:
            subprocess.run(self.as_postgres([f"{PG_BIN}/pg_ctl", "-w", "-t", "15", "-m", "fast",
                                             "-D", self.pg_data, "stop"]),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20)
        except subprocess.SubprocessError:
            pass
        kill_group(self.postmaster, wait=10)  # the group: runuser, postmaster and every backend

    # ---- PgBouncer
    def write_pgbouncer_ini(self, big_pool_size):
        ini = os.path.join(self.bouncer_dir, "pgbouncer.ini")
        with open(ini, "w") as f:
            f.write(f"""; written by tests/e2e/e2e_alerts.py
[databases]
{POOL_DB} = host=127.0.0.1 port={self.pg_port} dbname=postgres pool_size=1
{BIG_DB} = host=127.0.0.1 port={self.pg_port} dbname=postgres pool_size={big_pool_size}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.bouncer_port}
unix_socket_dir =
auth_type = trust
auth_file = {self.bouncer_dir}/userlist.txt
admin_users = pgconn_monitor
pool_mode = transaction
max_client_conn = {MAX_CLIENT_CONN}
default_pool_size = 1
reserve_pool_size = 0
server_idle_timeout = 2
""")
        return ini

    def start_pgbouncer(self):
        """PgBouncer in the foreground (it refuses to run as root: as postgres then)."""
        os.makedirs(self.bouncer_dir)
        self.bouncer_port = free_port()
        ini = self.write_pgbouncer_ini(BIG_POOL_SIZE[0])
        with open(os.path.join(self.bouncer_dir, "userlist.txt"), "w") as f:
            f.write('"pgconn_monitor" ""\n"e2e_app" ""\n')
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", "postgres:postgres", self.bouncer_dir], check=True)
        self.spawn("pgbouncer", self.as_postgres([PGBOUNCER, ini]))
        wait_for("PgBouncer to accept console connections",
                 lambda: self.check_alive() or self.console("SHOW VERSION", check=False), 30)

    def console(self, command, timeout=10, check=True):
        """Runs a command on PgBouncer's admin console as pgconn_monitor (admitted even when full).

        On failure: TestFailure, or None with check=False (readiness probes).
        """
        r = subprocess.run([f"{PG_BIN}/psql", "-X", "-At", "-h", "127.0.0.1", "-p", str(self.bouncer_port),
                            "-U", "pgconn_monitor", "-d", "pgbouncer", "-c", command],
                           capture_output=True, text=True, timeout=timeout,
                           env=dict(os.environ, PGCONNECT_TIMEOUT="5"))
        if r.returncode != 0:
            if not check:
                return None
            raise TestFailure(f"PgBouncer console {command!r} failed: {r.stderr.strip()}")
        return r.stdout.strip() or "ok"

    # ---- load clients
    def spawn_client(self, app, statements, user="e2e_app", port=None, database="postgres"):
        """A psql session kept open on a stdin pipe, running `statements` then SELECT 'ready'."""
        env = dict(os.environ, PGAPPNAME=app, PGCONNECT_TIMEOUT="5")
        for key in ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE", "PGOPTIONS"):
            env.pop(key, None)
        p = subprocess.Popen([f"{PG_BIN}/psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                              "-p", str(port or self.pg_port), "-U", user, "-d", database],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env, start_new_session=True)
        self.clients.append(p)
        try:
            p.stdin.write((statements + "\nSELECT 'ready';\n").encode())
            p.stdin.flush()
        except OSError:
            pass  # exited already: reported by the caller
        return p

    def open_client(self, app, statements, user="e2e_app", port=None, database="postgres"):
        """A psql session kept open on a stdin pipe; returns once it has run `statements`.

        Readiness comes from psql itself (it prints "ready" after the statements), so no
        extra connection disturbs the counts while the load is being built.
        """
        p = self.spawn_client(app, statements, user, port, database)
        end = time.monotonic() + min(15, max(1, CLOCK.remaining()))
        out, chunk = b"", None
        while chunk != b"":  # b"": psql exited (refused, or an SQL error)
            readable, _, _ = select.select([p.stdout], [], [], max(0, end - time.monotonic()))
            if not readable:
                self.clients.remove(p)
                kill_group(p)
                raise TestFailure(f"psql client {app} did not get ready within 15s (output {out!r})")
            chunk = os.read(p.stdout.fileno(), 4096)  # unbuffered, so select() stays truthful
            out += chunk
            if b"ready\n" in out:
                return p
        self.clients.remove(p)
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            kill_group(p)
        raise RefusedClient(p.stderr.read().decode().strip())

    def close_clients(self):
        for p in self.clients:
            try:
                p.stdin.close()
            except OSError:
                pass
        end = time.monotonic() + 5
        for p in self.clients:
            try:
                p.wait(max(0.1, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                kill_group(p)
        self.clients = []

    # ---- everything
    def cleanup(self, keep):
        self.close_clients()
        others = [p for _, p, _ in reversed(self.procs) if p is not self.postmaster]
        for p in others:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except OSError:
                    pass
        for p in others:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                kill_group(p)
        self.stop_postgres()
        if self.webhook:
            self.webhook.shutdown()
            self.webhook.server_close()
        if keep:
            log(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def dump_logs(self, lines=25):
        for name in [n for n, _, _ in self.procs]:
            path = self.path(f"{name}.log")
            if not os.path.exists(path):
                continue
            with open(path, errors="replace") as f:
                tail = f.readlines()[-lines:]
            print(f"----- last {len(tail)} lines of {name}.log -----")
            sys.stdout.write("".join(tail))


class RefusedClient(Exception):
    pass


def kill_group(p, wait=5):
    """SIGKILLs a child's process group (unless it already exited) and reaps it."""
    if p.poll() is None:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        p.wait(wait)
    except subprocess.TimeoutExpired:
        pass


def run_checked(argv, timeout=60):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise TestFailure(f"{' '.join(argv)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r.stdout


# ------------------------------------------------------------------ webhook
class Webhook:
    """Records every Alertmanager notification: (monotonic time, receiver path, alert)."""

    def __init__(self):
        self.events = []
        self.lock = threading.Lock()
        self.raw = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    payload = json.loads(body)
                    with outer.lock:
                        outer.raw += 1
                        for a in payload.get("alerts", []):
                            outer.events.append((time.monotonic(), self.path.strip("/"), a))
                except ValueError:
                    pass
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def shutdown(self):
        self.server.shutdown()

    def server_close(self):
        self.server.server_close()

    def find(self, name, status):
        with self.lock:
            return [(t, r, a) for t, r, a in self.events
                    if a["labels"].get("alertname") == name and a["status"] == status]

    def names(self, status=None):
        with self.lock:
            return {a["labels"].get("alertname") for _, _, a in self.events
                    if status is None or a["status"] == status}


# ------------------------------------------------------------ configuration
def test_rules(src, dst):
    """Copy of the shipped rules with `for:` shortened (and WINDOW_OVERRIDES applied)."""
    with open(src) as f:
        doc = yaml.safe_load(f)
    changed = {}
    seen = set()
    for group in doc["groups"]:
        for rule in group["rules"]:
            name = rule.get("alert")
            if "for" in rule:
                changed[name] = f"for {rule['for']} -> {FOR_TEST}"
                rule["for"] = FOR_TEST
            if name in WINDOW_OVERRIDES:
                o = WINDOW_OVERRIDES[name]
                n = rule["expr"].count(o["old"])
                if n != o["count"]:
                    raise TestFailure(f"{name}: expected {o['count']} x {o['old']} in the shipped expression, "
                                      f"found {n}; update WINDOW_OVERRIDES")
                rule["expr"] = rule["expr"].replace(o["old"], o["new"])
                changed[name] = (changed.get(name, "") + f" window {o['old']} -> {o['new']}").strip()
            seen.add(name)
    missing = set(WINDOW_OVERRIDES) - seen
    if missing:
        raise TestFailure(f"WINDOW_OVERRIDES names rules that do not exist: {sorted(missing)}")
    with open(dst, "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False, width=1000)
    return doc, changed


def test_alertmanager_config(src, dst, webhook_port):
    with open(src) as f:
        doc = yaml.safe_load(f)

    def shorten(route):
        route["group_wait"] = "1s"
        route["group_interval"] = "2s"
        route["repeat_interval"] = "1h"
        for child in route.get("routes", []):
            shorten(child)

    shorten(doc["route"])
    for receiver in doc["receivers"]:
        configs = [k for k in receiver if k.endswith("_configs")]
        if configs != ["webhook_configs"]:
            raise TestFailure(f"receiver {receiver['name']} uses {configs}; the test only rewrites webhooks")
        receiver["webhook_configs"] = [{"url": f"http://127.0.0.1:{webhook_port}/{receiver['name']}",
                                        "send_resolved": True}]
    with open(dst, "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False)
    return doc


def exporter_config(pg_port, bouncer_port, app_pool, ages=(2, 4)):
    """ages: idle_in_transaction_seconds, connection_age_seconds."""
    size, overflow, processes = app_pool
    idle_in_transaction, connection_age = ages
    return f"""# written by tests/e2e/e2e_alerts.py
[poll]
interval = "1s"
timeout = "900ms"
# The exporter's own pools stand in for a service that embeds the pool
# library, whose histograms the Pools dashboard shows.
[metrics]
exporter_pool_histograms = true
[thresholds]
connections_warning = {WARNING}
connections_critical = {CRITICAL}
utilization_warning = 0.8
utilization_critical = 0.95
idle_in_transaction_seconds = {idle_in_transaction}
connection_age_seconds = {connection_age}
[[targets]]
name = "{TARGET}"
dsn = "postgresql://pgconn_monitor@127.0.0.1:{pg_port}/postgres"
connect_probe = true
[[targets.applications]]
name = "{APP}"
pool_size = {size}
max_overflow = {overflow}
processes = {processes}
[[targets.applications]]
name = "{IDLE_APP}"
pool_size = 1
max_overflow = 0
processes = 1
[[targets]]
name = "{POOLER}"
kind = "pgbouncer"
dsn = "postgresql://pgconn_monitor@127.0.0.1:{bouncer_port}/pgbouncer"
server_target = "{TARGET}"
"""


# --------------------------------------------------------------- dashboards
def dashboard_queries(source_dir):
    out = []
    for path in sorted(glob.glob(os.path.join(source_dir, "dashboards", "*.json"))):
        with open(path) as f:
            dash = json.load(f)
        panels = []
        for p in dash.get("panels", []):
            panels.append(p)
            panels.extend(p.get("panels", []))  # collapsed rows
        for p in panels:
            for t in p.get("targets", []):
                if t.get("expr"):
                    out.append((os.path.basename(path), p.get("title", "?"), t.get("refId", "?"), t["expr"]))
        variables = dash.get("templating", {}).get("list", [])
        out_vars = [(os.path.basename(path), v) for v in variables if v.get("type") == "query"]
        out.append(("__vars__", os.path.basename(path), out_vars, None))
    return out


def substitute(expr, values):
    def repl(m):
        name = m.group(1) or m.group(2)
        if name not in values:
            raise TestFailure(f"no test value for variable ${name} in {expr}")
        return values[name]
    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)", repl, expr)


# --------------------------------------------------------------------- test
class E2E:
    def __init__(self, args):
        self.args = args
        self.src = os.path.abspath(args.source_dir)
        self.stack = Stack()
        self.phase_start = {}
        self.problems = []      # non-fatal failures, reported at the end
        self.query_report = []  # (dashboard, panel, refId, "N series" | "no data" | "error")
        self.no_data = []
        self.missing_metrics = set()
        self.rule_changes = {}

    # ---- setup
    def start(self):
        s = self.stack
        self.phase_start[0] = time.monotonic()  # "phase 0" = setup
        log(f"workdir {s.dir}")
        s.start_postgres()
        log(f"PostgreSQL 15 on 127.0.0.1:{s.pg_port} (max_connections={MAX_CONNECTIONS}, "
            f"superuser_reserved_connections={RESERVED}, limit {LIMIT})")
        s.sql("CREATE ROLE pgconn_monitor LOGIN CONNECTION LIMIT 3; GRANT pg_monitor TO pgconn_monitor;")
        s.sql("CREATE ROLE e2e_app LOGIN")
        s.sql("CREATE DATABASE e2e_limited CONNECTION LIMIT 5")
        # before the exporter, so its pooler target never sees a failed poll
        s.start_pgbouncer()
        # open the e2e_pool pool once (PgBouncer keeps the pool; its server
        # connection closes after server_idle_timeout), so the pool panels have data
        s.open_client(POOLED_APP, "SELECT 1;", port=s.bouncer_port, database=POOL_DB)
        s.close_clients()
        log(f"PgBouncer 1.x on 127.0.0.1:{s.bouncer_port} (max_client_conn={MAX_CLIENT_CONN}, "
            f"{POOL_DB} pool_size 1, {BIG_DB} pool_size {BIG_POOL_SIZE[0]})")

        s.webhook = Webhook()
        log(f"webhook on 127.0.0.1:{s.webhook.port}")

        self.exporter_port = free_port()
        self.exporter_conf = s.path("pgconn.toml")
        with open(self.exporter_conf, "w") as f:
            f.write(exporter_config(s.pg_port, s.bouncer_port, (5, 3, 2)))
        self.exporter = s.spawn("exporter", [self.args.exporter, f"--config.file={self.exporter_conf}",
                                             f"--web.listen-address=127.0.0.1:{self.exporter_port}"])

        am_port = free_port()
        am_conf = s.path("alertmanager.yml")
        test_alertmanager_config(os.path.join(self.src, "alertmanager", "alertmanager.yml"), am_conf,
                                 s.webhook.port)
        os.makedirs(s.path("am-data"))
        s.spawn("alertmanager", [ALERTMANAGER, f"--config.file={am_conf}", f"--storage.path={s.path('am-data')}",
                                 f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address=",
                                 "--log.level=warn"])
        self.am_url = f"http://127.0.0.1:{am_port}"

        rules = s.path("pgconn.rules.test.yml")
        _, self.rule_changes = test_rules(
            os.path.join(self.src, "alerts", "pgconn.rules.yml"), rules)
        check = subprocess.run([PROMTOOL, "check", "rules", rules], capture_output=True, text=True, timeout=60)
        if check.returncode != 0:
            raise TestFailure(f"promtool rejects the test copy of the rules:\n{check.stdout}{check.stderr}")
        prom_port = free_port()
        prom_conf = s.path("prometheus.yml")
        with open(prom_conf, "w") as f:
            yaml.safe_dump({
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "1s"},
                "rule_files": [rules],
                "alerting": {"alertmanagers": [{"api_version": "v2",
                                                "static_configs": [{"targets": [f"127.0.0.1:{am_port}"]}]}]},
                "scrape_configs": [{"job_name": JOB,
                                    "static_configs": [{"targets": [f"127.0.0.1:{self.exporter_port}"]}]}],
            }, f, sort_keys=False)
        os.makedirs(s.path("prom-data"))
        s.spawn("prometheus", [PROMETHEUS, f"--config.file={prom_conf}",
                               f"--storage.tsdb.path={s.path('prom-data')}",
                               f"--web.listen-address=127.0.0.1:{prom_port}", "--log.level=warn"])
        self.prom_url = f"http://127.0.0.1:{prom_port}"

        alive = s.check_alive
        wait_for("the exporter to report pgconn_up 1", lambda: alive() or self.gauge("pgconn_up") == 1, 30)
        wait_for("the exporter to report pgconn_up 1 for the PgBouncer target",
                 lambda: alive() or self.gauge("pgconn_up", target=POOLER) == 1, 30)
        wait_for("the pooler's server connection to close (1 used: the exporter)",
                 lambda: alive() or self.gauge("pgconn_connections_used") == 1, 30)
        wait_for("Alertmanager to be ready", lambda: alive() or http_get(self.am_url + "/-/ready")[0] == 200, 30)
        wait_for("Prometheus to be ready", lambda: alive() or http_get(self.prom_url + "/-/ready")[0] == 200, 30)
        wait_for("Prometheus to scrape the exporter",
                 lambda: self.query(f'up{{job="{JOB}"}} == 1'), 30)
        wait_for("Prometheus to discover Alertmanager",
                 lambda: http_json(self.prom_url + "/api/v1/alertmanagers")["data"]["activeAlertmanagers"], 30)
        log(f"stack up after {CLOCK.elapsed():.1f}s: exporter :{self.exporter_port}, "
            f"Prometheus :{prom_port}, Alertmanager :{am_port}")

    # ---- probes
    def metrics(self):
        return parse_metrics(http_get(f"http://127.0.0.1:{self.exporter_port}/metrics")[1])

    def gauge(self, name, **labels):
        want = set({"target": TARGET, **labels}.items())
        for (n, ls), v in self.metrics().items():
            if n == name and want <= ls:
                return v
        if name.startswith("pgconn_config_"):
            for (n, ls), v in self.metrics().items():
                if n == name:
                    return v
        return None

    def query(self, expr):
        url = self.prom_url + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        try:
            doc = http_json(url, 10)
        except urllib.error.HTTPError as e:
            doc = json.loads(e.read().decode() or "{}")
        if doc.get("status") != "success":
            raise TestFailure(f"query failed: {expr}: {doc.get('errorType')}: {doc.get('error')}")
        return doc["data"]["result"]

    # ---- phases
    def use(self, n):
        """Waits until the exporter reports `n` connections used."""
        wait_for(f"pgconn_connections_used == {n}",
                 lambda: self.stack.check_alive() or self.gauge("pgconn_connections_used") == n, 15)

    def expect_firing(self, phase, plan=EXPECTED):
        expected = plan[phase]
        t0 = self.phase_start[phase]

        def arrived():
            self.stack.check_alive()
            return all(self.firing_event(name, labels) for name, labels in expected.items())

        wait_for(f"phase {phase} alerts firing at the webhook: {sorted(expected)}", arrived, 60, 0.5)
        for later in [p for p in plan if p > phase]:
            for name in plan[later]:
                if self.firing_event(name):
                    self.problems.append(f"{name} fired in phase {phase}, before phase {later} crossed its threshold")
        for name, labels in expected.items():
            t, receiver, alert = self.firing_event(name, labels) or self.firing_event(name)
            self.check_alert(name, receiver, alert, labels)
            log(f"  firing  {name:42s} +{t - t0:5.1f}s  -> {receiver}: "
                f"{alert.get('annotations', {}).get('description', '')}")

    def firing_event(self, name, labels=None):
        """The first firing notification of `name`; with `labels`, the first
        whose alert carries them (an alert may fire for several series, e.g.
        every application past the age threshold, in either order)."""
        evs = self.stack.webhook.find(name, "firing")
        if labels:
            evs = [e for e in evs if all(e[2]["labels"].get(k) == v for k, v in labels.items())]
        return evs[0] if evs else None

    def check_alert(self, name, receiver, alert, labels):
        ls = alert["labels"]
        want = {"job": JOB, "target": TARGET, **labels}
        wrong = {k: (ls.get(k), v) for k, v in want.items() if ls.get(k) != v}
        if wrong:
            self.problems.append(f"{name}: labels differ (got, want): {wrong}")
        sev = ls.get("severity")
        if RECEIVER_BY_SEVERITY.get(sev) != receiver:
            self.problems.append(f"{name}: severity {sev} routed to {receiver}, "
                                 f"expected {RECEIVER_BY_SEVERITY.get(sev)}")
        for key, text in alert.get("annotations", {}).items():
            if "<no value>" in text or "<error" in text or "%!" in text:
                self.problems.append(f"{name}: annotation {key} did not render: {text!r}")
        for key in ("summary", "description", "runbook_url"):
            if not alert.get("annotations", {}).get(key):
                self.problems.append(f"{name}: annotation {key} missing")
        self.check_runbook_url(name, alert.get("annotations", {}).get("runbook_url", ""))
        if name == "PgconnConnectionsAboveWarning" and f"warning at {WARNING}." not in \
                alert["annotations"].get("description", ""):
            self.problems.append(f"{name}: description lacks the threshold from the gauge: "
                                 f"{alert['annotations'].get('description')!r}")

    def check_runbook_url(self, name, url):
        """The runbook_url, as rendered with the instance this Prometheus
        scrapes, is the exporter's /runbook with a section for the alert."""
        want = f"http://127.0.0.1:{self.exporter_port}/runbook#{name.lower()}"
        if url != want:
            self.problems.append(f"{name}: runbook_url {url!r}, want {want!r}")
            return
        page, anchor = url.split("#", 1)
        try:
            status, body = http_get(page)
        except urllib.error.HTTPError as e:
            status, body = e.code, ""
        if status != 200 or f'id="{anchor}"' not in body:
            self.problems.append(f"{name}: {page} answered {status} without id=\"{anchor}\"")

    def phase(self, n, title):
        self.phase_start[n] = time.monotonic()
        log(f"phase {n}: {title}")

    def check_rules_health(self):
        groups = http_json(self.prom_url + "/api/v1/rules")["data"]["groups"]
        bad = [(r["name"], r.get("lastError")) for g in groups for r in g["rules"]
               if r.get("health") == "err" or r.get("lastError")]
        for name, err in bad:
            self.problems.append(f"rule {name} fails to evaluate: {err}")
        n = sum(len(g["rules"]) for g in groups)
        log(f"  {n} rules loaded, {len(bad)} with evaluation errors")

    def check_inhibition(self, inhibited):
        """inhibited: {alertname: labels}; each such alert must be in Alertmanager, suppressed."""
        def suppressed():
            out = {}
            for name, labels in inhibited.items():
                matchers = [f'alertname="{name}"'] + [f'{k}="{v}"' for k, v in labels.items()]
                q = urllib.parse.urlencode([("filter", m) for m in matchers])
                alerts = http_json(f"{self.am_url}/api/v2/alerts?{q}")
                out[name] = [a["status"] for a in alerts]
            if all(s and all(x["state"] == "suppressed" and x["inhibitedBy"] for x in s) for s in out.values()):
                return out
            self.last_inhibition = out
            return None

        self.last_inhibition = None
        try:
            wait_for(f"{sorted(inhibited)} to be inhibited in Alertmanager", suppressed, 20, 0.5)
            log(f"  inhibited in Alertmanager: {', '.join(inhibited)}")
        except TestFailure as e:
            self.problems.append(f"{e}; last state {self.last_inhibition}")

    def check_prometheus_firing(self, alerts, timeout=30):
        """alerts: {alertname: labels}; each must be firing in Prometheus (ALERTS)."""
        def selector(name, labels):
            ls = ", ".join([f'alertname="{name}"', 'alertstate="firing"', f'job="{JOB}"']
                           + [f'{k}="{v}"' for k, v in labels.items()])
            return f"ALERTS{{{ls}}}"
        try:
            wait_for(f"{sorted(alerts)} firing in Prometheus",
                     lambda: self.stack.check_alive() or all(self.query(selector(n, l)) for n, l in alerts.items()),
                     timeout, 0.5)
            log(f"  firing in Prometheus: {', '.join(alerts)}")
        except TestFailure as e:
            self.problems.append(str(e))

    def check_refused(self):
        r = subprocess.run([f"{PG_BIN}/psql", "-X", "-At", "-h", "127.0.0.1", "-p", str(self.stack.pg_port),
                            "-U", "e2e_app", "-d", "postgres", "-c", "SELECT 1"],
                           capture_output=True, text=True, timeout=15,
                           env=dict(os.environ, PGAPPNAME="e2e_extra", PGCONNECT_TIMEOUT="5"))
        if r.returncode == 0 or "reserved" not in r.stderr:
            self.problems.append(f"an 11th ordinary client was not refused: rc={r.returncode} {r.stderr.strip()}")
        else:
            log(f"  11th client refused: {r.stderr.strip().splitlines()[-1]}")

    def open_clients(self, app, count, statements="SELECT 1;"):
        for _ in range(count):
            for attempt in range(5):
                try:
                    self.stack.open_client(app, statements)
                    break
                except RefusedClient as e:
                    # the exporter's connect probe can hold the last slot for a moment
                    if attempt == 4:
                        raise TestFailure(f"client {app} refused 5 times: {e}")
                    time.sleep(0.3)

    def check_dashboards(self, pooler_clients=False):
        """Every dashboard query returns data. The SHOW CLIENTS families exist only
        while the pooler has clients, so those queries are checked in phase 5
        (pooler_clients=True), the others in phase 3."""
        values = {"job": JOB, "target": f"{TARGET}|{POOLER}", "server_target": TARGET,
                  "application": ".*", "pool": ".+",
                  "__rate_interval": RATE_INTERVAL, "__interval": "1s", "__range": "5m"}
        checked = 0
        for dash, panel, ref, expr in dashboard_queries(self.src):
            if dash == "__vars__":
                for _, v in ref:
                    self.check_variable(panel, v, values)
                continue
            if bool(POOLER_CLIENT_FAMILIES.search(expr)) != pooler_clients:
                continue
            checked += 1
            q = substitute(expr, values)
            try:
                result = self.query(q)
            except TestFailure as e:
                self.problems.append(f"dashboard {dash} / {panel} / {ref}: {e}")
                self.query_report.append((dash, panel, ref, "error"))
                continue
            if not result:
                metrics = sorted(set(re.findall(r"\bpgconn_[a-z0-9_]+", q)))
                lacking = [m for m in metrics if not self.query(f'count({{__name__="{m}", job="{JOB}"}})')]
                self.missing_metrics.update(lacking)
                self.no_data.append((dash, panel, ref, expr, lacking))
                self.query_report.append((dash, panel, ref, "no data"))
            else:
                self.query_report.append((dash, panel, ref, f"{len(result)} series"))
        log(f"  {checked} dashboard queries evaluated: "
            f"{sum(1 for r in self.query_report if r[3].endswith('series'))} with data, "
            f"{len(self.no_data)} without, {sum(1 for r in self.query_report if r[3] == 'error')} errors")
        if self.no_data:
            self.problems.append(f"{len(self.no_data)} dashboard queries returned no data "
                                 f"(missing metrics: {', '.join(sorted(self.missing_metrics)) or 'none'})")

    def check_variable(self, dash, var, values):
        """label_values(selector, label) as Grafana runs it: the label's values among matching series."""
        query = var["query"]["query"] if isinstance(var.get("query"), dict) else var.get("query", "")
        m = re.fullmatch(r"\s*label_values\((.*),\s*(\w+)\)\s*", query)
        if not m:
            self.problems.append(f"dashboard {dash}: variable {var['name']}: unsupported query {query!r}")
            return
        selector = substitute(m.group(1), values)
        url = (f"{self.prom_url}/api/v1/label/{m.group(2)}/values?"
               + urllib.parse.urlencode({"match[]": selector}))
        try:
            got = http_json(url)["data"]
        except urllib.error.HTTPError as e:
            self.problems.append(f"dashboard {dash}: variable {var['name']}: {e.read().decode()}")
            return
        want = {"job": JOB, "target": TARGET, "application": APP, "server_target": TARGET}.get(var["name"])
        if (want and want not in got) or not got:
            self.problems.append(f"dashboard {dash}: variable {var['name']} ({query}) offers {got}, "
                                 f"expected {want or 'at least one value'}")

    def expect_resolved(self, plan=EXPECTED, phase=4):
        expected = sorted({n for p in plan.values() for n in p})
        t0 = self.phase_start[phase]

        def all_resolved():
            self.stack.check_alive()
            return all(self.resolved_after_firing(n) for n in expected)

        wait_for(f"resolved notifications for {expected}", all_resolved, 75, 0.5)
        for n in expected:
            t, receiver, _ = self.resolved_after_firing(n)
            log(f"  resolved {n:42s} +{t - t0:5.1f}s  -> {receiver}")
            if receiver != self.firing_event(n)[1]:
                self.problems.append(f"{n}: resolved went to {receiver}, firing to {self.firing_event(n)[1]}")

    def resolved_after_firing(self, name):
        first = self.firing_event(name)
        if not first:
            return None
        evs = [e for e in self.stack.webhook.find(name, "resolved") if e[0] >= first[0]]
        return evs[0] if evs else None

    def run(self):
        self.start()
        s = self.stack

        self.phase(1, f"6 used (> warning {WARNING}), one session idle in transaction, "
                      f"declared capacity 17 > limit {LIMIT}")
        self.open_clients(IDLE_APP, 1, "BEGIN; SELECT 1;")
        self.open_clients(APP, 4)
        self.use(6)
        self.expect_firing(1)

        self.phase(2, f"9 used (>= critical {CRITICAL}, utilization 0.9)")
        self.open_clients(APP, 3)
        self.use(9)
        self.expect_firing(2)

        self.phase(3, f"10 used: no ordinary slot left (limit {LIMIT})")
        self.open_clients(APP, 1)
        self.use(10)
        self.check_refused()
        self.expect_firing(3)
        self.check_inhibition(INHIBITED_IN_PHASE_3)
        self.check_rules_health()
        self.check_dashboards()

        self.phase(4, "load stopped, declared pools shrunk to 2 x (2 + 1) + 1 = 7 by SIGHUP")
        s.close_clients()
        with open(self.exporter_conf, "w") as f:
            f.write(exporter_config(s.pg_port, s.bouncer_port, (2, 1, 2)))
        self.exporter.send_signal(signal.SIGHUP)
        wait_for("the reload to apply (declared capacity 7)",
                 lambda: self.gauge("pgconn_declared_capacity_connections") == 7
                 and self.gauge("pgconn_config_last_reload_successful") == 1, 15)
        self.use(1)
        self.expect_resolved()

        self.run_pooler()

        forbidden = sorted(s.webhook.names() & FORBIDDEN)
        if forbidden:
            self.problems.append(f"alerts that must not fire did: {forbidden}")

    def reload_exporter(self, config, what, check):
        with open(self.exporter_conf, "w") as f:
            f.write(config)
        self.exporter.send_signal(signal.SIGHUP)
        wait_for(f"the reload to apply ({what})",
                 lambda: check() and self.gauge("pgconn_config_last_reload_successful") == 1, 15)

    def pooler_gauge(self, name, **labels):
        return self.gauge(name, target=POOLER, **labels)

    def run_pooler(self):
        s = self.stack
        self.phase(5, f"{POOL_DB}'s one server held by a transaction, a client waiting; {BIG_DB} opened "
                      f"(pools' potential 1 + {BIG_POOL_SIZE[0]} > limit {LIMIT}); "
                      f"5 of max_client_conn {MAX_CLIENT_CONN} clients")
        # the pooler's server session is old and idle in transaction by design here
        self.reload_exporter(exporter_config(s.pg_port, s.bouncer_port, (2, 1, 2), ages=(3600, 3600)),
                             "leak thresholds 3600s",
                             lambda: self.gauge("pgconn_threshold_connection_age_seconds") == 3600)
        s.open_client(POOLED_APP, "BEGIN; SELECT 1;", port=s.bouncer_port, database=POOL_DB)
        s.spawn_client(POOLED_APP, "SELECT 1;", port=s.bouncer_port, database=POOL_DB)
        wait_for(f"a client waiting in pool {POOL_DB}",
                 lambda: s.check_alive() or self.pooler_gauge("pgconn_pgbouncer_clients", database=POOL_DB,
                                                              state="waiting") == 1, 15)
        for _ in range(2):
            s.open_client(POOLED_APP, "SELECT 1;", port=s.bouncer_port, database=BIG_DB)
        wait_for("5 PgBouncer clients (the exporter's console included) and the pools' potential "
                 f"{1 + BIG_POOL_SIZE[0]}",
                 lambda: s.check_alive() or (self.pooler_gauge("pgconn_pgbouncer_client_connections") == 5 and
                                             self.pooler_gauge("pgconn_pgbouncer_server_connections_max")
                                             == 1 + BIG_POOL_SIZE[0]), 15)
        self.expect_firing(5, EXPECTED_POOLER)
        self.check_prometheus_firing(INHIBITED_IN_PHASE_5)
        self.check_inhibition(INHIBITED_IN_PHASE_5)
        self.check_dashboards(pooler_clients=True)

        self.phase(6, f"{MAX_CLIENT_CONN} of max_client_conn {MAX_CLIENT_CONN} clients")
        s.open_client(POOLED_APP, "SELECT 1;", port=s.bouncer_port, database=BIG_DB)
        wait_for(f"{MAX_CLIENT_CONN} PgBouncer clients",
                 lambda: s.check_alive() or self.pooler_gauge("pgconn_pgbouncer_client_connections")
                 == MAX_CLIENT_CONN, 15)
        self.check_pooler_refused()
        self.expect_firing(6, EXPECTED_POOLER)
        self.check_inhibition(INHIBITED_IN_PHASE_6)

        self.phase(7, f"pooler clients closed, {BIG_DB} pool_size {BIG_POOL_SIZE[0]} -> {BIG_POOL_SIZE[1]} "
                      "by RELOAD")
        s.close_clients()
        s.write_pgbouncer_ini(BIG_POOL_SIZE[1])
        s.console("RELOAD")
        wait_for(f"the pools' potential to drop to {1 + BIG_POOL_SIZE[1]}",
                 lambda: s.check_alive() or self.pooler_gauge("pgconn_pgbouncer_server_connections_max")
                 == 1 + BIG_POOL_SIZE[1], 15)
        self.expect_resolved(EXPECTED_POOLER, 7)
        wait_for("the inhibited pooler warnings to end in Prometheus",
                 lambda: not any(self.query(f'ALERTS{{alertname="{n}", target="{POOLER}"}}')
                                 for n in INHIBITED_IN_PHASE_5), 20, 0.5)

    def check_pooler_refused(self):
        r = subprocess.run([f"{PG_BIN}/psql", "-X", "-At", "-h", "127.0.0.1", "-p", str(self.stack.bouncer_port),
                            "-U", "e2e_app", "-d", BIG_DB, "-c", "SELECT 1"],
                           capture_output=True, text=True, timeout=15,
                           env=dict(os.environ, PGAPPNAME="e2e_extra", PGCONNECT_TIMEOUT="5"))
        if r.returncode == 0 or "max_client_conn" not in r.stderr:
            self.problems.append(f"a client beyond max_client_conn was not refused: rc={r.returncode} "
                                 f"{r.stderr.strip()}")
        else:
            log(f"  client beyond max_client_conn refused: {r.stderr.strip().splitlines()[-1]}")

    def phase_of(self, t):
        started = [(start, n) for n, start in self.phase_start.items() if start <= t]
        return max(started)[1]

    def summary(self, error):
        print("\n================ e2e_alerts summary ================")
        if error:
            print(f"FAILED: {error}")
        hook = self.stack.webhook
        print(f"duration {CLOCK.elapsed():.1f}s; notifications received: {hook.raw if hook else 0}")
        if self.rule_changes:
            windows = [f"{k}: {v}" for k, v in sorted(self.rule_changes.items()) if "window" in v]
            print(f"test copy of the rules: every `for` -> {FOR_TEST}; " + "; ".join(windows))
        print("alerts at the webhook (phase it fired in, seconds from the start of that phase to the firing "
              "notification; seconds from the end of the load, phase 4 or for the pooler 7, to the resolved "
              "notification):")
        pooler = {n for p in EXPECTED_POOLER.values() for n in p}
        expected = {n for p in EXPECTED.values() for n in p} | pooler
        for n in sorted(expected | (hook.names() if hook else set())):
            ev = self.firing_event(n) if hook else None
            if ev:
                ph = self.phase_of(ev[0])
                fired = f"phase {ph} firing +{ev[0] - self.phase_start[ph]:5.1f}s"
            else:
                fired = "NOT FIRED" + " " * 17
            end = 7 if n in pooler else 4
            res = self.resolved_after_firing(n) if ev and end in self.phase_start else None
            resolved = f"resolved +{res[0] - self.phase_start[end]:5.1f}s" if res else "NOT RESOLVED"
            tag = "" if n in expected else ("  (must not fire)" if n in FORBIDDEN else "  (not asserted)")
            print(f"  {n:42s} {fired}  {resolved}{tag}")
        if self.query_report:
            ok = sum(1 for r in self.query_report if r[3].endswith("series"))
            print(f"dashboard queries: {len(self.query_report)} checked, {ok} with data, "
                  f"{len(self.no_data)} without, {sum(1 for r in self.query_report if r[3] == 'error')} errors")
            for dash, panel, ref, expr, lacking in self.no_data:
                print(f"  NO DATA {dash} / {panel} / {ref}: lacks {', '.join(lacking) or '?'}")
        if self.missing_metrics:
            print(f"metrics the dashboards need that the exporter does not expose: "
                  f"{', '.join(sorted(self.missing_metrics))}")
        for p in self.problems:
            print(f"PROBLEM: {p}")
        if error:
            print(f"FAILED: {error}")
        print("RESULT: " + ("PASS" if not error and not self.problems else "FAIL"))


def main():
    global CLOCK
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--exporter", required=True, help="path of the pgconn_exporter binary")
    ap.add_argument("--source-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."),
                    help="repository root (alerts/, alertmanager/, dashboards/)")
    ap.add_argument("--deadline", type=float, default=210, help="seconds for the whole run")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, configs)")
    args = ap.parse_args()
    args.exporter = os.path.abspath(args.exporter)
    CLOCK = Clock(args.deadline)

    for tool in (args.exporter, PROMETHEUS, ALERTMANAGER, PROMTOOL, PGBOUNCER, f"{PG_BIN}/initdb", f"{PG_BIN}/psql"):
        if not os.access(tool, os.X_OK):
            print(f"missing executable: {tool}")
            return 1

    def on_signal(signum, _frame):
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    test = E2E(args)
    error = None
    try:
        test.run()
    except (TestFailure, RefusedClient, subprocess.SubprocessError, OSError, SystemExit) as e:
        error = f"{type(e).__name__}: {e}"
        if not isinstance(e, (TestFailure, SystemExit)):
            traceback.print_exc()
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        error = f"{type(e).__name__}: {e}"
    finally:
        failed = bool(error or test.problems)
        if failed:
            test.stack.dump_logs()
        try:
            test.summary(error)
        finally:
            test.stack.cleanup(keep=args.keep)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
