#!/usr/bin/env python3
"""pgconn_exporter side by side with Debian's prometheus-postgres-exporter.

Everything runs on this machine, in one run, against one throwaway
PostgreSQL 15 (private port and socket directory, loopback only, data in a
temporary folder removed at the end, even on failure or Ctrl-C):

  * client connections (10, 1,000, 5,000 by default) held by clients.py,
    spread over 50 application_names, 5 roles and 5 databases, 10 % idle in
    transaction and 1 % active;
  * each exporter in turn with 1 and with 100 targets (100 [[targets]], or
    100 comma-separated DATA_SOURCE_NAME entries, all on the same server);
  * per scenario: /metrics latency and throughput (wrk), plain and with
    Accept-Encoding: gzip as Prometheus scrapes, resident memory after the
    load (total and anonymous, i.e. private: shared libraries not counted),
    CPU per poll (/proc/PID/stat utime+stime, and schedstat in ns),
    statements, rows and server time per poll (pg_stat_statements, reset
    before, filtered by the exporter's role), backends held, and for 100
    targets the time to poll them all.

Usage: see run.sh (bash bench/compare/run.sh --help).
"""
import argparse
import json
import os
import platform
import re
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

PG_BIN = "/usr/lib/postgresql/15/bin"
PGEXP_BIN_DEFAULT = "/usr/bin/prometheus-postgres-exporter"
HERE = os.path.dirname(os.path.abspath(__file__))
OURS_ROLE = "bench_pgconn"
PGEXP_ROLE = "bench_pgexp"
DATABASES = ["postgres", "bench_db_1", "bench_db_2", "bench_db_3", "bench_db_4"]
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Its collector-package metrics (database sizes, bgwriter) carry no server label, so with more than one
# DSN every scrape fails on duplicate series: off in every scenario (fewer queries, in its favour).
PGEXP_FLAGS = ["--no-collector.database", "--no-collector.bgwriter"]


class Abort(Exception):
    pass


def log(msg):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(argv, timeout=120, check=True, env=None, input_text=None):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout, env=env,
                       input=input_text, universal_newlines=True)
    if check and p.returncode != 0:
        raise Abort("command failed (%d): %s\n%s" % (p.returncode, " ".join(argv), p.stdout))
    return p.stdout


GZIP = {"Accept-Encoding": "gzip"}


def http_get(url, timeout=60, headers=None):
    """(status, body, seconds); with headers=GZIP the body is the raw (compressed) bytes."""
    started = time.monotonic()
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=timeout) as r:
        raw = r.read()
        body = raw if headers else raw.decode("utf-8", errors="replace")
        return r.status, body, time.monotonic() - started


def wait_listening(port, deadline_s, proc=None):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise Abort("process exited with %s before listening on %d" % (proc.returncode, port))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise Abort("nothing listening on 127.0.0.1:%d after %ss" % (port, deadline_s))


SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)')
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def samples(text, name):
    """[(labels dict, value)] of one metric name in Prometheus text format."""
    out = []
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        m = SAMPLE_RE.match(line)
        if not m or m.group(1) != name:
            continue
        labels = dict(LABEL_RE.findall(m.group(2) or ""))
        out.append((labels, float(m.group(3))))
    return out


# ---------------------------------------------------------------- /proc

def proc_cpu_seconds(pid):
    """utime+stime of the whole process (all threads, dead ones included), in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # fields 14 and 15 of proc(5)


def proc_sched_seconds(pid):
    """CPU time of the live threads from schedstat (ns resolution), in seconds."""
    total = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total / 1e9


def proc_memory_kib(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "Threads"):
                out[key] = int(value.split()[0])
    return out


# ---------------------------------------------------------------- processes

class Processes:
    """Every child the benchmark starts, stopped in reverse order at the end."""

    def __init__(self):
        self.procs = []

    def start(self, name, argv, log_path, env=None, stdin=None, stdout=None):
        logf = open(log_path, "ab")
        p = subprocess.Popen(argv, stdin=stdin, stdout=stdout if stdout is not None else logf, stderr=logf,
                             env=env, start_new_session=True)
        logf.close()
        self.procs.append((name, p))
        return p

    def stop(self, p, grace=10):
        if p.poll() is None:
            try:
                p.send_signal(signal.SIGTERM)
                p.wait(grace)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(30)
            except ProcessLookupError:
                pass
        self.procs = [(n, q) for n, q in self.procs if q is not p]

    def stop_all(self):
        for name, p in reversed(list(self.procs)):
            try:
                # Closing thousands of client connections takes a while on 2 cores.
                self.stop(p, grace=60 if name == "clients" else 10)
            except Exception as e:  # keep cleaning up
                log("could not stop pid %d: %s" % (p.pid, e))


# ---------------------------------------------------------------- PostgreSQL

class Postgres:
    def __init__(self, workdir, max_connections):
        self.workdir = workdir
        self.data = os.path.join(workdir, "data")
        self.port = free_port()
        self.max_connections = max_connections
        self.as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.running = False

    def pg(self, argv, timeout=120):
        return run(self.as_pg + argv, timeout=timeout)

    def init(self):
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres", "postgres")
        os.chmod(self.workdir, 0o755)
        self.pg([PG_BIN + "/initdb", "-N", "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C",
                 "-D", self.data])
        conf = [
            "listen_addresses = '127.0.0.1'",
            "port = %d" % self.port,
            "unix_socket_directories = '%s'" % self.workdir,
            "max_connections = %d" % self.max_connections,
            "superuser_reserved_connections = 3",
            "shared_buffers = 32MB",
            "huge_pages = off",
            "fsync = off", "synchronous_commit = off", "full_page_writes = off",
            "logging_collector = off",
            "shared_preload_libraries = 'pg_stat_statements'",
            "pg_stat_statements.track = top",
            "pg_stat_statements.track_planning = on",
            "pg_stat_statements.max = 10000",
        ]
        with open(os.path.join(self.data, "postgresql.auto.conf"), "a") as f:
            f.write("\n".join(conf) + "\n")
        with open(os.path.join(self.data, "pg_hba.conf"), "w") as f:
            f.write("local all all trust\nhost all all 127.0.0.1/32 trust\n")

    def start(self):
        self.pg([PG_BIN + "/pg_ctl", "-w", "-t", "120", "-D", self.data, "-l",
                 os.path.join(self.workdir, "server.log"), "start"], timeout=150)
        self.running = True

    def stop(self):
        if self.running:
            self.pg([PG_BIN + "/pg_ctl", "-w", "-t", "60", "-m", "immediate", "-D", self.data, "stop"], timeout=90)
            self.running = False

    def psql(self, sql, db="postgres", timeout=60):
        out = run(self.as_pg + ["/usr/bin/psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                                "-h", self.workdir, "-p", str(self.port), "-U", "postgres", "-d", db, "-c", sql],
                  timeout=timeout)
        return [line.split("\t") for line in out.splitlines() if line]

    def url(self, role, db="postgres"):
        return "postgresql://%s@127.0.0.1:%d/%s" % (role, self.port, db)

    def setup(self):
        self.psql("CREATE EXTENSION pg_stat_statements")
        for role in (OURS_ROLE, PGEXP_ROLE):
            self.psql("CREATE ROLE %s LOGIN IN ROLE pg_monitor" % role)
        for i in range(5):
            self.psql("CREATE ROLE bench_app_%d LOGIN" % i)
        for db in DATABASES[1:]:
            self.psql("CREATE DATABASE %s" % db)

    def version(self):
        return self.psql("SHOW server_version")[0][0]

    def backends_of(self, role):
        return int(self.psql("SELECT count(*) FROM pg_stat_activity WHERE usename = '%s'" % role)[0][0])

    def backend_pids(self, role):
        return [int(r[0]) for r in self.psql("SELECT pid FROM pg_stat_activity WHERE usename = '%s'" % role)]

    def client_backends(self):
        return int(self.psql("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")[0][0])

    def reset_statements(self):
        self.psql("SELECT pg_stat_statements_reset()")

    def statements_of(self, role):
        row = self.psql(
            "SELECT coalesce(sum(calls), 0), coalesce(sum(rows), 0), "
            "coalesce(sum(total_exec_time + total_plan_time), 0), "
            "coalesce(sum(calls) FILTER (WHERE query LIKE '%%pg_has_role(current_user%%'), 0) "
            "FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = '%s'" % role)[0]
        return {"calls": int(row[0]), "rows": int(row[1]), "server_ms": float(row[2]),
                "settings_calls": int(row[3])}


# ---------------------------------------------------------------- clients

class Clients:
    def __init__(self, procs, pg, workdir, max_seconds):
        base = "host=%s port=%d" % (pg.workdir, pg.port)
        self.p = procs.start("clients", [sys.executable, os.path.join(HERE, "clients.py"), "--base", base,
                                         "--databases", ",".join(DATABASES), "--max-seconds", str(max_seconds)],
                             os.path.join(workdir, "clients.log"), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.held = 0

    def open(self, total, timeout=330):
        self.p.stdin.write(("open %d\n" % total).encode())
        self.p.stdin.flush()
        ready, _, _ = select.select([self.p.stdout], [], [], timeout)
        line = self.p.stdout.readline().decode().strip() if ready else ""
        if not line.startswith("ready"):
            raise Abort("clients.py: %s" % (line or "no answer within %ss" % timeout))
        self.held = int(line.split()[1])
        return float(line.split()[2])


# ---------------------------------------------------------------- wrk

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    return float(m.group(1)) * UNITS[m.group(2)] if m else None


def run_wrk(url, duration, threads, connections, timeout_s=60, gzip=False):
    argv = ["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % duration, "--latency",
            "--timeout", "%ds" % timeout_s] + (["-H", "Accept-Encoding: gzip"] if gzip else []) + [url]
    out = run(argv, timeout=duration + timeout_s + 60)
    res = {"command": " ".join(argv[:-1]) + " URL", "requests": 0, "errors": 0}
    m = re.search(r"^\s*50%\s+(\S+)", out, re.M)
    res["p50_ms"] = to_ms(m.group(1)) if m else None
    m = re.search(r"^\s*99%\s+(\S+)", out, re.M)
    res["p99_ms"] = to_ms(m.group(1)) if m else None
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    res["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"(\d+) requests in", out)
    res["requests"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        res["errors"] += sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        res["errors"] += int(m.group(1))
    m = re.search(r"Transfer/sec:\s+(\S+)", out)
    res["transfer_per_s"] = m.group(1) if m else ""
    return res


class WrkThread(threading.Thread):
    def __init__(self, *args):
        super().__init__(daemon=True)
        self.args = args
        self.result = None
        self.error = None

    def run(self):
        try:
            self.result = run_wrk(*self.args)
        except Exception as e:
            self.error = e


# ---------------------------------------------------------------- exporters

def ours_config(pg, targets, interval, timeout, listen):
    lines = ['[web]', 'listen_address = "%s"' % listen,
             '[poll]', 'interval = "%s"' % interval, 'timeout = "%s"' % timeout, 'workers = 4']
    for i in range(targets):
        lines += ['[[targets]]', 'name = "t%03d"' % i, 'dsn = "%s"' % pg.url(OURS_ROLE)]
    return "\n".join(lines) + "\n"


def backends_cpu_seconds(pids):
    """CPU time of PostgreSQL backends (single-threaded processes) from schedstat, ns resolution."""
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/schedstat" % pid) as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass  # a backend that went away
    return total / 1e9


def measure_cpu_window(pid, backends, seconds=None, action=None):
    """CPU used by pid and by its database backends while sleeping `seconds` or running `action`."""
    cpu0, sched0, be0, t0 = proc_cpu_seconds(pid), proc_sched_seconds(pid), backends_cpu_seconds(backends), \
        time.monotonic()
    extra = action() if action else time.sleep(seconds)
    cpu1, sched1, be1, t1 = proc_cpu_seconds(pid), proc_sched_seconds(pid), backends_cpu_seconds(backends), \
        time.monotonic()
    return {"cpu_s": cpu1 - cpu0, "sched_s": sched1 - sched0, "server_cpu_s": be1 - be0, "wall_s": t1 - t0,
            "extra": extra}


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def scenario(args, procs, pg, workdir, which, conns, targets):
    """Runs one exporter against the server with `targets` targets; returns its figures."""
    port = free_port()
    url = "http://127.0.0.1:%d/metrics" % port
    r = {"exporter": which, "connections": conns, "targets": targets}
    log_path = os.path.join(workdir, "%s-%d-%d.log" % (which, conns, targets))
    interval_s, timeout = (1, "1s") if targets == 1 else (5, "3s")
    started_wall = time.time()
    if which == "ours":
        cfg = os.path.join(workdir, "ours-%d-%d.toml" % (conns, targets))
        with open(cfg, "w") as f:
            f.write(ours_config(pg, targets, "%ds" % interval_s, timeout, "127.0.0.1:%d" % port))
        r["poll_interval_s"] = interval_s
        p = procs.start(which, [args.exporter, "--config.file=" + cfg, "--log.level=info"], log_path)
        role = OURS_ROLE
    else:
        # postgres_exporter 0.11.1 labels a DSN's series by host:port as written and fails a scrape that
        # yields the same series twice, so DSN i spells the port with i leading zeros (same server).
        dsns = ["host=127.0.0.1 port=%s%d user=%s dbname=postgres sslmode=disable application_name=pgexp_t%03d"
                % ("0" * i, pg.port, PGEXP_ROLE, i) for i in range(targets)]
        env = dict(os.environ, DATA_SOURCE_NAME=",".join(dsns))
        p = procs.start(which, [args.pgexp, "--web.listen-address=127.0.0.1:%d" % port, "--log.level=warn"]
                        + PGEXP_FLAGS, log_path, env=env)
        role = PGEXP_ROLE
    try:
        wait_listening(port, 20, p)
        if which == "ours":
            startup_wrk = None
            if targets > 1 and args.wrk_duration >= 5:
                # /metrics latency while the first cycle connects to and polls every target.
                startup_wrk = WrkThread(url, 5, args.wrk_threads, args.wrk_connections)
                startup_wrk.start()
            end = time.monotonic() + 60
            while True:
                _, body, _ = http_get(url)
                ups = samples(body, "pgconn_up")
                if len(ups) == targets and all(v == 1 for _, v in ups):
                    break
                if time.monotonic() > end:
                    raise Abort("ours: not every target up after 60 s (%d of %d)" %
                                (sum(1 for _, v in ups if v == 1), targets))
                time.sleep(0.1)
            stamps = [v for _, v in samples(body, "pgconn_last_poll_success_timestamp_seconds")]
            r["first_cycle_s"] = max(stamps) - started_wall
            if startup_wrk:
                startup_wrk.join(60)
                if startup_wrk.result:
                    r["startup_wrk"] = startup_wrk.result
            time.sleep(interval_s)  # let at least one steady-state poll pass
        else:
            http_get(url, timeout=120)  # first scrape opens its connections
        r["backends"] = pg.backends_of(role)
        backends = pg.backend_pids(role)

        # Database-side and exporter CPU cost of polls, no scrapes in between for ours.
        pg.reset_statements()
        if which == "ours":
            cpu = measure_cpu_window(p.pid, backends, seconds=args.cost_window)
            st = pg.statements_of(role)
            polls = max(1, st["settings_calls"])
            r["scrape_durations_s"] = []
        else:
            def scrapes():
                durations = []
                end = time.monotonic() + args.cost_window
                while len(durations) < args.pgexp_scrapes and (len(durations) < 2 or time.monotonic() < end):
                    durations.append(http_get(url, timeout=120)[2])
                return durations
            cpu = measure_cpu_window(p.pid, backends, action=scrapes)
            st = pg.statements_of(role)
            r["scrape_durations_s"] = cpu["extra"]
            polls = len(cpu["extra"]) * targets
        r["polls_measured"] = polls
        r["cpu_ms_per_poll"] = cpu["cpu_s"] * 1e3 / polls
        r["sched_ms_per_poll"] = cpu["sched_s"] * 1e3 / polls
        r["statements_per_poll"] = st["calls"] / polls
        r["rows_per_poll"] = st["rows"] / polls
        r["server_ms_per_poll"] = st["server_ms"] / polls
        r["server_cpu_ms_per_poll"] = cpu["server_cpu_s"] * 1e3 / polls
        r["loadavg"] = loadavg()

        # Plain and as Prometheus scrapes (gzip); then a scrape's own latency, one in flight as
        # Prometheus sends them (the runs with 10 in flight measure throughput, and their median
        # includes queueing behind the others on 2 shared cores).
        for suffix, gzip in (("", False), ("_gzip", True)):
            r["wrk" + suffix] = run_wrk(url, args.wrk_duration, args.wrk_threads, args.wrk_connections, gzip=gzip)
            r["wrk1" + suffix] = run_wrk(url, max(1, args.wrk_duration // 2), 1, 1, gzip=gzip)
        r["rps"], r["rps_sequential"] = r["wrk"]["rps"], False
        r["rps_gzip"], r["rps_gzip_sequential"] = r["wrk_gzip"]["rps"], False
        if r["wrk"]["requests"] < 10 and r["scrape_durations_s"]:
            # Too slow for wrk's window: throughput of back-to-back scrapes instead.
            r["rps"], r["rps_sequential"] = 1 / statistics.median(r["scrape_durations_s"]), True
        if r["wrk_gzip"]["requests"] < 10 and r["scrape_durations_s"]:
            timed = []
            end = time.monotonic() + args.cost_window
            while len(timed) < 5 and (len(timed) < 2 or time.monotonic() < end):
                timed.append(http_get(url, timeout=120, headers=GZIP)[2])
            r["rps_gzip"], r["rps_gzip_sequential"] = 1 / statistics.median(timed), True
        if which == "ours":
            # As Prometheus scrapes: less often than the exporter polls, so each scrape finds every
            # target's text new (the wrk runs above mostly send text cached by the scrape before).
            paced = {False: [], True: []}
            for _ in range(args.paced_scrapes):
                for gzip in (False, True):
                    time.sleep(interval_s * 1.2)
                    paced[gzip].append(http_get(url, timeout=120, headers=GZIP if gzip else None)[2])
            r["paced_p50_ms"] = statistics.median(paced[False]) * 1e3
            r["paced_gzip_p50_ms"] = statistics.median(paced[True]) * 1e3
        # After the load: what the scrapes left behind.
        mem = proc_memory_kib(p.pid)
        r["rss_mib"] = mem["VmRSS"] / 1024
        r["rss_anon_mib"] = mem.get("RssAnon", 0) / 1024
        r["hwm_mib"] = mem["VmHWM"] / 1024
        r["threads"] = mem["Threads"]
        r["gzip_body_bytes"] = len(http_get(url, timeout=120, headers=GZIP)[1])

        _, body, dt = http_get(url, timeout=120)
        r["body_bytes"] = len(body.encode())
        if which == "ours":
            durations = [v for _, v in samples(body, "pgconn_poll_duration_seconds")]
            stamps = [v for _, v in samples(body, "pgconn_last_poll_success_timestamp_seconds")]
            ages = [v for _, v in samples(body, "pgconn_snapshot_age_seconds")]
            r["poll_duration_max_s"] = max(durations)
            r["poll_duration_sum_s"] = sum(durations)
            r["last_success_spread_s"] = max(stamps) - min(stamps)
            r["snapshot_age_max_s"] = max(ages)
            r["time_all_targets_s"] = r["poll_duration_sum_s"] / min(4, targets)  # 4 workers
        else:
            r["time_all_targets_s"] = statistics.median(r["scrape_durations_s"])
        if p.poll() is not None:
            raise Abort("%s exited with %s during the scenario" % (which, p.returncode))
    finally:
        procs.stop(p)
    return r


# ---------------------------------------------------------------- report

def fmt(v, digits=2):
    if v is None:
        return "-"
    if isinstance(v, int):
        return "{:,}".format(v)
    if abs(v) >= 1000:
        return "{:,.0f}".format(v)
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 10:
        return "%.1f" % v
    return ("%." + str(digits) + "f") % v


def ratio_of(a, b):
    return a / b if b else None


def one_in_flight_p50(r, run):
    """wrk's median, or None when it completed too few scrapes for one (postgres_exporter, 100 targets)."""
    return r[run]["p50_ms"] if r[run]["requests"] >= 10 else None


def table(results):
    by_key = {(r["exporter"], r["connections"], r["targets"]): r for r in results}
    head = ["exporter", "client conns", "targets", "req/s plain", "req/s gzip", "ours/theirs plain",
            "ours/theirs gzip", "one in flight p50 ms plain", "gzip", "after a poll p50 ms plain", "gzip",
            "body KiB (gzip)", "RssAnon MiB",
            "ours/theirs RssAnon", "RSS MiB", "CPU ms/poll", "stmts/poll", "rows/poll", "server ms/poll",
            "server CPU ms/poll", "backends", "all targets s"]
    rows = []
    for r in results:
        other = by_key.get(("postgres_exporter", r["connections"], r["targets"]))
        ours = r["exporter"] == "ours" and other
        plain = ratio_of(r["rps"], other["rps"]) if ours else None
        gzip = ratio_of(r["rps_gzip"], other["rps_gzip"]) if ours else None
        anon = ratio_of(r["rss_anon_mib"], other["rss_anon_mib"]) if ours else None
        rows.append([r["exporter"], fmt(r["connections"]), fmt(r["targets"]),
                     fmt(r["rps"]) + ("*" if r["rps_sequential"] else ""),
                     fmt(r["rps_gzip"]) + ("*" if r["rps_gzip_sequential"] else ""),
                     fmt(plain, 1) + ("x" if plain else ""), fmt(gzip, 1) + ("x" if gzip else ""),
                     fmt(one_in_flight_p50(r, "wrk1"), 3), fmt(one_in_flight_p50(r, "wrk1_gzip"), 3),
                     fmt(r.get("paced_p50_ms"), 3), fmt(r.get("paced_gzip_p50_ms"), 3),
                     "%s (%s)" % (fmt(r["body_bytes"] / 1024, 1), fmt(r["gzip_body_bytes"] / 1024, 1)),
                     fmt(r["rss_anon_mib"], 1), fmt(anon, 2) + ("x" if anon else ""), fmt(r["rss_mib"], 1),
                     fmt(r["sched_ms_per_poll"], 3), fmt(r["statements_per_poll"], 1), fmt(r["rows_per_poll"], 1),
                     fmt(r["server_ms_per_poll"], 3), fmt(r["server_cpu_ms_per_poll"], 3),
                     fmt(r["backends"]), fmt(r["time_all_targets_s"], 3)])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def detail(results):
    lines = []
    for r in results:
        bits = ["%s %d conns %d targets:" % (r["exporter"], r["connections"], r["targets"]),
                "wrk %d requests, %d errors, %s/s" % (r["wrk"]["requests"], r["wrk"]["errors"],
                                                     r["wrk"]["transfer_per_s"]),
                "peak RSS %.1f MiB, %d threads" % (r["hwm_mib"], r["threads"]),
                "load average %.1f" % r["loadavg"],
                "CPU/poll from utime+stime %.2f ms (10 ms ticks) over %d polls" % (r["cpu_ms_per_poll"],
                                                                                r["polls_measured"])]
        for suffix, name in (("", "plain"), ("_gzip", "gzip")):
            w = r["wrk1" + suffix]
            if w["requests"] >= 10:
                bits.append("one %s scrape in flight (wrk -t1 -c1): p50 %s ms, p99 %s ms, %s req/s" %
                            (name, fmt(w["p50_ms"], 3), fmt(w["p99_ms"], 3), fmt(w["rps"])))
        bits.append("gzip wrk %d requests, %d errors, %s/s" % (r["wrk_gzip"]["requests"], r["wrk_gzip"]["errors"],
                                                             r["wrk_gzip"]["transfer_per_s"]))
        if "first_cycle_s" in r:
            bits.append("first cycle (start to every target polled) %.3f s" % r["first_cycle_s"])
        if "poll_duration_sum_s" in r:
            bits.append("poll durations sum %.3f s, max %.4f s; last-success spread %.3f s; max snapshot age %.3f s"
                        % (r["poll_duration_sum_s"], r["poll_duration_max_s"], r["last_success_spread_s"],
                           r["snapshot_age_max_s"]))
        if r.get("scrape_durations_s"):
            d = r["scrape_durations_s"]
            bits.append("back-to-back scrape (= poll of every target) %.4f s median over %d" % (statistics.median(d),
                                                                                              len(d)))
        if "startup_wrk" in r:
            w = r["startup_wrk"]
            bits.append("/metrics during the first cycle: p50 %s ms, p99 %s ms, %s req/s" %
                        (fmt(w["p50_ms"], 3), fmt(w["p99_ms"], 3), fmt(w["rps"])))
        lines.append("- " + "; ".join(bits))
    return "\n".join(lines)


def verdicts(results):
    out = []

    def say(name, ok, figure):
        out.append(("MET" if ok else "NOT MET") + ": " + name + " (" + figure + ")")

    ours = [r for r in results if r["exporter"] == "ours"]
    theirs = {(r["connections"], r["targets"]): r for r in results if r["exporter"] == "postgres_exporter"}
    for r in ours:
        key = "%d conns, %d target%s" % (r["connections"], r["targets"], "s" if r["targets"] > 1 else "")
        p50 = r["wrk"]["p50_ms"]
        say("/metrics median below 1 ms, " + key, p50 is not None and p50 < 1.0,
            "%s ms with 10 in flight; %s ms with one" % (fmt(p50, 3), fmt(r["wrk1"]["p50_ms"], 3)))
        if r["targets"] >= 100:
            p1, g1 = r["wrk1"]["p50_ms"], r["wrk1_gzip"]["p50_ms"]
            say("one gzip scrape in flight no slower than a plain one (p50, back to back), " + key,
                p1 is not None and g1 is not None and g1 <= p1, "gzip %s ms, plain %s ms" % (fmt(g1, 3), fmt(p1, 3)))
            pp, pg = r["paced_p50_ms"], r["paced_gzip_p50_ms"]
            say("a gzip scrape after a poll no slower than a plain one (p50, as Prometheus scrapes), " + key,
                pg <= pp, "gzip %s ms, plain %s ms" % (fmt(pg, 3), fmt(pp, 3)))
        other = theirs.get((r["connections"], r["targets"]))
        if other:
            ratio = r["rps"] / other["rps"] if other["rps"] > 0 else float("inf")
            say("throughput at least 10x postgres_exporter, plain, " + key, ratio >= 10,
                "%s vs %s%s req/s = %.1fx" % (fmt(r["rps"]), fmt(other["rps"]),
                                             " (back-to-back scrapes)" if other["rps_sequential"] else "", ratio))
            ratio = r["rps_gzip"] / other["rps_gzip"] if other["rps_gzip"] > 0 else float("inf")
            if r["targets"] == 1:
                say("throughput at least 50x postgres_exporter as Prometheus scrapes (gzip), " + key, ratio >= 50,
                    "%s vs %s%s req/s = %.1fx" % (fmt(r["rps_gzip"]), fmt(other["rps_gzip"]),
                                                 " (back-to-back scrapes)" if other["rps_gzip_sequential"] else "",
                                                 ratio))
            say("private memory (RssAnon) after the load at most half of postgres_exporter's, " + key,
                r["rss_anon_mib"] <= other["rss_anon_mib"] / 2,
                "RssAnon %.1f vs %.1f MiB; total VmRSS %.1f vs %.1f MiB (shared libraries not held against us)"
                % (r["rss_anon_mib"], other["rss_anon_mib"], r["rss_mib"], other["rss_mib"]))
        else:
            out.append("n/a: throughput and memory against postgres_exporter, %s (not measured in this run)" % key)
        say("one backend per target, " + key, r["backends"] == r["targets"],
            "%d backends for %d targets" % (r["backends"], r["targets"]))
        if r["connections"] >= 5000:
            say("one poll under 20 ms of server time, " + key, r["server_ms_per_poll"] < 20,
                "%.1f ms in pg_stat_statements, %.1f ms backend CPU" % (r["server_ms_per_poll"],
                                                                       r["server_cpu_ms_per_poll"]))
        if r["targets"] >= 100:
            interval = r["poll_interval_s"]
            ok = r["first_cycle_s"] < interval and r["time_all_targets_s"] < interval
            say("%d targets polled within one %d s interval, %s" % (r["targets"], interval, key), ok,
                "first cycle %.2f s incl. connects, steady cycle %.2f s on 4 workers"
                % (r["first_cycle_s"], r["time_all_targets_s"]))
    if not any(r["connections"] >= 5000 for r in ours):
        out.append("n/a: one poll at 5,000 connections under 20 ms (5,000 connections not measured)")
    if not any(r["targets"] >= 100 for r in ours):
        out.append("n/a: 100 targets polled within one interval (100 targets not measured)")
    return out


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--exporter", required=True, help="pgconn_exporter binary")
    ap.add_argument("--pgexp", default=PGEXP_BIN_DEFAULT, help="postgres_exporter binary")
    ap.add_argument("--exporters", default="ours,postgres_exporter")
    ap.add_argument("--connections", default="10,1000,5000")
    ap.add_argument("--targets", default="1,100")
    ap.add_argument("--wrk-duration", type=int, default=10)
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--wrk-connections", type=int, default=10)
    ap.add_argument("--cost-window", type=int, default=10, help="seconds of polls measured for CPU and SQL cost")
    ap.add_argument("--pgexp-scrapes", type=int, default=20, help="at most this many timed scrapes of postgres_exporter")
    ap.add_argument("--paced-scrapes", type=int, default=4,
                    help="scrapes of ours, plain and gzip each, one per poll interval (as Prometheus scrapes)")
    ap.add_argument("--deadline", type=int, default=1800, help="abort (and clean up) after this many seconds")
    ap.add_argument("--json", help="write every figure here")
    ap.add_argument("--keep-logs", help="copy the logs into this folder before cleaning up")
    args = ap.parse_args()

    exporters = [e.strip() for e in args.exporters.split(",") if e.strip()]
    levels = sorted(int(x) for x in args.connections.split(","))
    target_counts = sorted(int(x) for x in args.targets.split(","))
    for tool in ("wrk", PG_BIN + "/initdb", args.exporter):
        if not shutil.which(tool):
            raise SystemExit("missing %s (bash scripts/install-deps.sh; build pgconn_exporter)" % tool)
    if "postgres_exporter" in exporters and not os.access(args.pgexp, os.X_OK):
        raise SystemExit("missing %s: apt-get install --no-install-recommends prometheus-postgres-exporter "
                         "(bench/compare/install-deps.sh)" % args.pgexp)

    def on_signal(signum, _frame):
        raise Abort("stopped by signal %d" % signum)
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
        signal.signal(s, on_signal)
    signal.alarm(args.deadline)

    started = time.monotonic()
    procs = Processes()
    workdir = tempfile.mkdtemp(prefix="pgconn-bench-")
    max_conn = max(levels) + 2 * max(target_counts) + 100
    pg = Postgres(workdir, max_conn)
    results = []
    info = {}
    try:
        nofile = subprocess.run(["sh", "-c", "ulimit -n"], stdout=subprocess.PIPE,
                                universal_newlines=True).stdout.strip()
        info = {
            "loadavg_start": loadavg(),
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "kernel": platform.release(),
            "cpus": os.cpu_count(),
            "ulimit_n": nofile,
            "max_connections": max_conn,
            "ours_version": run([args.exporter, "--version"], check=False).strip().splitlines()[0],
        }
        if "postgres_exporter" in exporters:
            info["pgexp_version"] = run([args.pgexp, "--version"], check=False).strip().splitlines()[0]
        log("PostgreSQL in %s, max_connections %d, ulimit -n %s" % (workdir, max_conn, nofile))
        pg.init()
        pg.start()
        pg.setup()
        info["postgres"] = pg.version()
        clients = Clients(procs, pg, workdir, args.deadline + 60)
        info["connect_seconds"] = {}
        for conns in levels:
            took = clients.open(conns)
            info["connect_seconds"][conns] = took
            log("%d client connections held (opened in %.1f s; server reports %d client backends)" %
                (conns, took, pg.client_backends()))
            for targets in target_counts:
                for which in exporters:
                    log("%s, %d connections, %d targets" % (which, conns, targets))
                    results.append(scenario(args, procs, pg, workdir, which, conns, targets))
        info["seconds"] = time.monotonic() - started
        info["loadavg_end"] = loadavg()
    except Exception as e:  # Abort, a failed request, a dead process: report, clean up, fail
        log("ABORTED: %s: %s" % (type(e).__name__, e))
        return 2
    finally:
        signal.alarm(0)
        procs.stop_all()
        try:
            pg.stop()
        except Exception as e:
            log("pg_ctl stop failed: %s" % e)
        if args.keep_logs:
            os.makedirs(args.keep_logs, exist_ok=True)
            for name in os.listdir(workdir):
                if name.endswith(".log"):
                    shutil.copy(os.path.join(workdir, name), args.keep_logs)
        shutil.rmtree(workdir, ignore_errors=True)

    print("## pgconn_exporter vs postgres_exporter")
    print()
    print("%s; %d CPUs; kernel %s; load average %.1f at start, %.1f at end; PostgreSQL %s (max_connections %d); "
          "ulimit -n %s; %s%s" % (
              info["date"], info["cpus"], info["kernel"], info["loadavg_start"], info["loadavg_end"], info["postgres"],
              info["max_connections"], info["ulimit_n"], info["ours_version"],
              "; " + info["pgexp_version"] if "pgexp_version" in info else ""))
    print("wrk: %s; client connections opened in %s s" % (
        results[0]["wrk"]["command"] if results else "-",
        ", ".join("%d: %.1f" % (k, v) for k, v in info["connect_seconds"].items())))
    print()
    print(table(results))
    print()
    print("req/s marked * are back-to-back scrapes (wrk completed fewer than 10 requests in its window); "
          "gzip = Accept-Encoding: gzip, as Prometheus scrapes; memory read after the load: RssAnon is private "
          "memory, RSS (VmRSS) includes shared libraries; per poll = per target polled; CPU from "
          "/proc/PID/task/*/schedstat (utime+stime in the details); server CPU from the exporter's backends' "
          "schedstat.")
    print()
    print(detail(results))
    print()
    print("Targets:")
    for line in verdicts(results):
        print("- " + line)
    print()
    print("run took %.0f s" % info["seconds"])
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"info": info, "results": results}, f, indent=1)
    complete = all(r["wrk"]["requests"] > 0 and r["wrk"]["p50_ms"] is not None for r in results)
    return 0 if results and complete else 1


if __name__ == "__main__":
    sys.exit(main())
