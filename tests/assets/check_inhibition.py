#!/usr/bin/env python3
"""Runs the real Alertmanager with alertmanager/alertmanager.yml and checks
which alerts its inhibit rules suppress.

Run from the repository root (ctest does): python3 tests/assets/check_inhibition.py
Needs prometheus-alertmanager (Debian package of the same name) on PATH or
at /usr/bin/prometheus-alertmanager. Standard library only.

The receivers point at the compose stack's alert-sink, which does not exist
here: notifications fail and are logged; inhibition is what is checked.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

CONFIG = "alertmanager/alertmanager.yml"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alert(name, severity, **labels):
    labels.update(alertname=name, severity=severity)
    return {"labels": labels, "annotations": {"summary": name}}


# (alert, expected to be inhibited)
CASES = [
    # critical silences the warning of the same alertgroup and target ...
    (alert("PgconnUtilizationAboveCritical", "critical", alertgroup="utilization",
           job="pgconn", instance="e:9188", target="main"), False),
    (alert("PgconnUtilizationAboveWarning", "warning", alertgroup="utilization",
           job="pgconn", instance="e:9188", target="main"), True),
    # ... not on another target,
    (alert("PgconnUtilizationAboveWarning", "warning", alertgroup="utilization",
           job="pgconn", instance="e:9188", target="other"), False),
    # ... not of another family,
    (alert("PgconnConnectionsAboveWarning", "warning", alertgroup="connections-count",
           job="pgconn", instance="e:9188", target="main"), False),
    # ... and not a warning without any alertgroup, even when a critical
    # without alertgroup fires for the same target (the alertgroup=~".+" guard:
    # Alertmanager treats a label missing on both sides as equal)
    (alert("PostgresqlReplicationBroken", "critical", job="pgconn", instance="e:9188",
           target="main"), False),
    (alert("PgconnIdleInTransactionTooLong", "warning", job="pgconn", instance="e:9188",
           target="main", application_name="api"), False),
    # pools: matched on pool too
    (alert("PgconnPoolExhausted", "critical", alertgroup="pool-capacity",
           job="orders", instance="o1:8080", pool="orders"), False),
    (alert("PgconnPoolUtilizationHigh", "warning", alertgroup="pool-capacity",
           job="orders", instance="o1:8080", pool="orders"), True),
    (alert("PgconnPoolUtilizationHigh", "warning", alertgroup="pool-capacity",
           job="orders", instance="o1:8080", pool="billing"), False),
    # warning silences the info of the same family
    (alert("PgconnPoolOverflowHigh", "warning", alertgroup="pool-overflow",
           job="orders", instance="o1:8080", pool="orders"), False),
    (alert("PgconnPoolOverflowFrequent", "info", alertgroup="pool-overflow",
           job="orders", instance="o1:8080", pool="orders"), True),
    # no slot left: count/utilization warnings and the prediction are noise
    (alert("PgconnConnectionsExhausted", "critical", alertgroup="exhaustion",
           job="pgconn", instance="e:9188", target="full"), False),
    (alert("PgconnConnectionsAboveWarning", "warning", alertgroup="connections-count",
           job="pgconn", instance="e:9188", target="full"), True),
    (alert("PgconnConnectionsExhaustionPredicted", "warning", alertgroup="exhaustion",
           job="pgconn", instance="e:9188", target="full"), True),
    # a critical never silences a critical
    (alert("PgconnNewClientsRefused", "critical", alertgroup="exhaustion",
           job="pgconn", instance="e:9188", target="full"), False),
    # PgBouncer pools: matched on database and user too
    (alert("PgconnPoolerMaxWaitHigh", "critical", alertgroup="pooler-wait",
           job="pgconn", instance="e:9188", target="bouncer", database="orders", user="app"), False),
    (alert("PgconnPoolerClientsWaiting", "warning", alertgroup="pooler-wait",
           job="pgconn", instance="e:9188", target="bouncer", database="orders", user="app"), True),
    (alert("PgconnPoolerServersSaturated", "warning", alertgroup="pooler-wait",
           job="pgconn", instance="e:9188", target="bouncer", database="orders", user="app"), True),
    (alert("PgconnPoolerClientsWaiting", "warning", alertgroup="pooler-wait",
           job="pgconn", instance="e:9188", target="bouncer", database="reports", user="app"), False),
    (alert("PgconnPoolerClientsWaiting", "warning", alertgroup="pooler-wait",
           job="pgconn", instance="e:9188", target="bouncer", database="orders", user="batch"), False),
    # a saturated pool silences the plain "clients waiting" of the same pool only
    (alert("PgconnPoolerServersSaturated", "warning", alertgroup="pooler-wait",
           job="pgconn", instance="e:9188", target="bouncer", database="billing", user="app"), False),
    (alert("PgconnPoolerClientsWaiting", "warning", alertgroup="pooler-wait",
           job="pgconn", instance="e:9188", target="bouncer", database="billing", user="app"), True),
    (alert("PgconnPoolerClientsWaiting", "warning", alertgroup="pooler-wait",
           job="pgconn", instance="e:9188", target="bouncer", database="billing", user="batch"), False),
    # the pooler's client limit: reached silences near
    (alert("PgconnPoolerClientLimitReached", "critical", alertgroup="pooler-clients",
           job="pgconn", instance="e:9188", target="bouncer"), False),
    (alert("PgconnPoolerClientLimitNear", "warning", alertgroup="pooler-clients",
           job="pgconn", instance="e:9188", target="bouncer"), True),
    (alert("PgconnPoolerClientLimitNear", "warning", alertgroup="pooler-clients",
           job="pgconn", instance="e:9188", target="bouncer-2"), False),
]


def key(labels):
    return tuple(sorted(labels.items()))


def main():
    binary = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    if not binary:
        print("check_inhibition: prometheus-alertmanager not found (apt-get install prometheus-alertmanager)")
        return 1
    port = free_port()
    base = f"http://127.0.0.1:{port}/api/v2"
    tmp = tempfile.mkdtemp(prefix="pgconn-am-")
    log = open(os.path.join(tmp, "alertmanager.log"), "w")
    proc = subprocess.Popen(
        [binary, f"--config.file={os.path.abspath(CONFIG)}", f"--storage.path={tmp}",
         f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=",
         "--log.level=warn"],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.1)
        else:
            print("check_inhibition: alertmanager did not become ready")
            return 1
        if proc.poll() is not None:
            log.flush()
            print("check_inhibition: alertmanager exited:", open(log.name).read())
            return 1
        body = json.dumps([a for a, _ in CASES]).encode()
        req = urllib.request.Request(f"{base}/alerts", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=5)
        expected = {key(a["labels"]): inhibited for a, inhibited in CASES}
        errors = []
        for _ in range(50):  # inhibition is applied as alerts are read; allow a moment
            got = json.load(urllib.request.urlopen(f"{base}/alerts", timeout=5))
            state = {key(a["labels"]): bool(a["status"]["inhibitedBy"]) for a in got}
            errors = []
            for k, want in expected.items():
                if k not in state:
                    errors.append(f"missing alert {dict(k)}")
                elif state[k] != want:
                    errors.append(f"{dict(k)['alertname']} {dict(k)}: inhibited={state[k]}, want {want}")
            if not errors:
                break
            time.sleep(0.2)
        for e in errors:
            print(e)
        print(f"check_inhibition: {len(CASES)} alerts, {len(errors)} problem(s)")
        return 1 if errors else 0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
