#!/usr/bin/env python3
"""Checks the alerting-rule conventions promtool does not check.

Run from the repository root (ctest does): python3 tests/assets/check_alerts.py

  A1  at most 20 rules per group
  A2  alert names are CamelCase
  A3  labels.severity is critical, warning or info
  A4  annotations: a static summary (no template), a templated description
      (contains "{{"), runbook_url = the exporter's /runbook#<alert name
      lowercased>, reached through the alert's instance or, for alerts whose
      instance is no exporter, through the first exporter that is up
  A5  docs/runbook.md has a heading for each alert whose anchor is that
      lowercased name, and its in-page links (#anchor) resolve
  A6  every alert has a promtool test in alerts/tests/*.yml that expects it
      to fire and one that expects it not to fire (empty exp_alerts), and
      every test group sets `interval`
  A7  an alertgroup label pairs alerts of different severities (otherwise
      the inhibit rules in alertmanager/alertmanager.yml have nothing to do)

Needs PyYAML (Debian package python3-yaml, a dependency of docker-compose).
"""
import glob
import os
import re
import sys

try:
    import yaml
except ImportError:  # pragma: no cover
    print("check_alerts: PyYAML missing: install python3-yaml (scripts/install-deps.sh)")
    sys.exit(1)

RULES = "alerts/pgconn.rules.yml"
TESTS = "alerts/tests/*.yml"
RUNBOOK = "docs/runbook.md"
# The two forms mixin/config.libsonnet renders with its default _config.
RUNBOOK_URLS = (
    "http://{{ $labels.instance }}/runbook#",
    '{{ with query "up{job=\\"pgconn\\"} == 1" }}{{ with first . }}http://{{ .Labels.instance }}{{ end }}{{ end }}/runbook#',
)
SEVERITIES = {"critical", "warning", "info"}


def github_anchor(heading):
    """GitHub's anchor for a markdown heading text."""
    a = heading.strip().lower()
    a = re.sub(r"[^\w\- ]", "", a)
    return a.replace(" ", "-")


def main():
    errors = []
    with open(RULES, encoding="utf-8") as f:
        groups = yaml.safe_load(f)["groups"]
    alerts = {}
    for g in groups:
        if len(g["rules"]) > 20:
            errors.append(f"A1 group {g['name']} has {len(g['rules'])} rules (max 20)")
        for r in g["rules"]:
            if "alert" not in r:
                continue
            name = r["alert"]
            alerts[name] = r
            if not re.fullmatch(r"(?:[A-Z][a-z0-9]+)+", name):
                errors.append(f"A2 {name}: not CamelCase")
            labels, ann = r.get("labels", {}), r.get("annotations", {})
            if labels.get("severity") not in SEVERITIES:
                errors.append(f"A3 {name}: severity {labels.get('severity')!r}")
            if not ann.get("summary") or "{{" in ann["summary"]:
                errors.append(f"A4 {name}: summary must be present and static")
            if "{{" not in ann.get("description", ""):
                errors.append(f"A4 {name}: description must be templated")
            if ann.get("runbook_url") not in [base + name.lower() for base in RUNBOOK_URLS]:
                errors.append(f"A4 {name}: runbook_url must be one of {[b + name.lower() for b in RUNBOOK_URLS]}")

    anchors, runbook = set(), ""
    if os.path.exists(RUNBOOK):
        with open(RUNBOOK, encoding="utf-8") as f:
            runbook = f.read()
        for heading in re.findall(r"^#{1,6}\s+(.*)$", runbook, re.M):
            anchors.add(github_anchor(heading))
    for link in sorted(set(re.findall(r"\]\(#([^)]+)\)", runbook)) - anchors):
        errors.append(f"A5 {RUNBOOK}: link #{link} has no heading")
    for name in alerts:
        if name.lower() not in anchors:
            errors.append(f"A5 {name}: no heading with anchor #{name.lower()} in {RUNBOOK}")

    fires, quiet = set(), set()
    test_files = sorted(glob.glob(TESTS))
    if not test_files:
        errors.append(f"A6 no test files match {TESTS}")
    for path in test_files:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        for t in doc.get("tests", []):
            if "interval" not in t:
                errors.append(f"A6 {path}: test {t.get('name', '?')!r} does not set interval")
            for case in t.get("alert_rule_test", []):
                (fires if case.get("exp_alerts") else quiet).add(case["alertname"])
    for name in alerts:
        if name not in fires:
            errors.append(f"A6 {name}: no test expects it to fire")
        if name not in quiet:
            errors.append(f"A6 {name}: no test expects it not to fire")
    for name in (fires | quiet) - set(alerts):
        errors.append(f"A6 tests mention unknown alert {name}")

    families = {}
    for name, r in alerts.items():
        fam = r.get("labels", {}).get("alertgroup")
        if fam:
            families.setdefault(fam, set()).add(r["labels"]["severity"])
    for fam, sevs in sorted(families.items()):
        if len(sevs) < 2:
            errors.append(f"A7 alertgroup {fam} has only severity {sorted(sevs)}; nothing to inhibit")

    for e in errors:
        print(e)
    print(f"check_alerts: {len(alerts)} alerts, {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
