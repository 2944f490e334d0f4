#!/usr/bin/env python3
"""Lints the Grafana dashboards and checks metric names against docs/metrics.md.

Run from the repository root (ctest does):
    python3 tests/assets/lint_dashboards.py            # lint the repo
    python3 tests/assets/lint_dashboards.py --self-test

Dashboard rules (dashboards/*.json, dashboard-linter conventions):
  D1  valid JSON, schemaVersion >= 39, "editable": false
  D2  a template variable `datasource` of type datasource with query prometheus
  D3  template variables `job` and `target`: includeAll true, allValue ".+"
  D4  every panel except rows has a description and fieldConfig.defaults.unit
  D5  every panel, and every query of it, uses the datasource ${datasource}
  D6  rate(), irate() and increase() ranges are [$__rate_interval]
  D7  every pgconn_* selector in a panel query has job=~"$job" and
      target=~"$target". Exceptions: pgconn_exporter_build_info and
      pgconn_config_last_reload_successful have no target label (job only);
      pgconn_pool_* may use target=~"$target|" because pools embedded in
      applications carry no target label. A dashboard with a variable
      `server_target` that follows $target through pgconn_pooler_link_info
      (the PostgreSQL targets behind the selected poolers) may select
      target=~"$server_target" instead.
Metric names:
  M1  every pgconn_* name used in dashboards/*.json (queries and variable
      queries) and in alerts/**/*.yml (rules and rule tests) appears in
      docs/metrics.md in backticks, e.g. `pgconn_up`; the histogram suffixes
      _bucket, _sum and _count are stripped first. Words ending in "_"
      (wildcards such as pgconn_threshold_*) and the program name
      pgconn_exporter are not metric names.
Exit status 0 when clean, 1 with one line per problem otherwise.
Standard library only.
"""
import glob
import json
import os
import re
import sys

NO_TARGET_LABEL = {"pgconn_exporter_build_info", "pgconn_config_last_reload_successful"}
NOT_METRICS = {"pgconn_exporter"}
NAME_RE = re.compile(r"\bpgconn_[a-z0-9_]+")
RATE_RE = re.compile(r"\b(rate|irate|increase)\s*\(")
JOB_RE = re.compile(r'\bjob\s*=~\s*"\$(job|\{job\})"')
TARGET_RE = re.compile(r'\btarget\s*=~\s*"\$(target|\{target\})"')
TARGET_POOL_RE = re.compile(r'\btarget\s*=~\s*"\$(target|\{target\})\|?"')
TARGET_OR_SERVER_RE = re.compile(r'\btarget\s*=~\s*"\$(target|\{target\}|server_target|\{server_target\})"')
DATASOURCE = "${datasource}"


# ------------------------------------------------------------------ helpers
def _closing(text, start, open_ch, close_ch):
    """Index of the bracket closing the one at text[start], or -1."""
    depth, quote = 0, None
    for i in range(start, len(text)):
        c = text[i]
        if quote:
            if c == "\\":
                continue
            if c == quote and text[i - 1] != "\\":
                quote = None
        elif c in "\"'`":
            quote = c
        elif c == open_ch:
            depth += 1
        elif c == close_ch:
            depth -= 1
            if depth == 0:
                return i
    return -1


def _uses_datasource_var(ds):
    if isinstance(ds, str):
        return ds == DATASOURCE
    if isinstance(ds, dict):
        return ds.get("uid") == DATASOURCE
    return False


def iter_panels(panels):
    for p in panels or []:
        yield p
        yield from iter_panels(p.get("panels"))


def metric_names(text):
    """pgconn_* metric names in text, histogram suffixes stripped."""
    names = set()
    for m in NAME_RE.finditer(text):
        name = m.group(0)
        if name.endswith("_") or name in NOT_METRICS:
            continue
        name = re.sub(r"_(bucket|sum|count)$", "", name)
        names.add(name)
    return names


# --------------------------------------------------------------- the rules
def server_target_follows(variables):
    """True when the dashboard's `server_target` variable derives from $target."""
    v = variables.get("server_target")
    if not v:
        return False
    q = v.get("query")
    q = q.get("query", "") if isinstance(q, dict) else str(q or "")
    return "pgconn_pooler_link_info" in q and bool(TARGET_RE.search(q))


def lint_expr(expr, where, server_target=False):
    errors = []
    for m in RATE_RE.finditer(expr):
        open_at = m.end() - 1
        close_at = _closing(expr, open_at, "(", ")")
        body = expr[open_at:close_at + 1] if close_at > 0 else expr[open_at:]
        ranges = re.findall(r"\[([^\]]*)\]", body)
        if not ranges or any(r.strip() != "$__rate_interval" for r in ranges):
            errors.append(f"{where}: D6 {m.group(1)}() must use [$__rate_interval]: {body}")
    for m in NAME_RE.finditer(expr):
        name = m.group(0)
        if name.endswith("_") or name in NOT_METRICS:
            continue
        rest = expr[m.end():]
        stripped = rest.lstrip()
        if not stripped.startswith("{"):
            errors.append(f'{where}: D7 {name} has no selector; needs job=~"$job", target=~"$target"')
            continue
        brace = len(rest) - len(stripped) + m.end()
        close = _closing(expr, brace, "{", "}")
        selector = expr[brace:close + 1] if close > 0 else expr[brace:]
        if not JOB_RE.search(selector):
            errors.append(f'{where}: D7 {name}{selector} lacks job=~"$job"')
        if name in NO_TARGET_LABEL:
            continue
        target_re = (TARGET_POOL_RE if name.startswith("pgconn_pool_")
                     else TARGET_OR_SERVER_RE if server_target else TARGET_RE)
        if not target_re.search(selector):
            errors.append(f'{where}: D7 {name}{selector} lacks target=~"$target"')
    return errors


def lint_dashboard(d, name):
    errors = []
    if not isinstance(d.get("schemaVersion"), int) or d["schemaVersion"] < 39:
        errors.append(f"{name}: D1 schemaVersion must be >= 39, is {d.get('schemaVersion')}")
    if d.get("editable") is not False:
        errors.append(f'{name}: D1 "editable" must be false')

    variables = {v.get("name"): v for v in d.get("templating", {}).get("list", [])}
    ds = variables.get("datasource")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        errors.append(f"{name}: D2 needs a variable `datasource` of type datasource, query prometheus")
    server_target = server_target_follows(variables)
    for var in ("job", "target"):
        v = variables.get(var)
        if not v:
            errors.append(f"{name}: D3 needs a template variable `{var}`")
        elif v.get("includeAll") is not True or v.get("allValue") != ".+":
            errors.append(f'{name}: D3 variable `{var}` needs includeAll true and allValue ".+"')

    for p in iter_panels(d.get("panels")):
        if p.get("type") == "row":
            continue
        where = f"{name}: panel {p.get('title')!r}"
        if not str(p.get("description", "")).strip():
            errors.append(f"{where}: D4 has no description")
        unit = p.get("fieldConfig", {}).get("defaults", {}).get("unit")
        if not unit:
            errors.append(f"{where}: D4 has no unit (fieldConfig.defaults.unit)")
        if not _uses_datasource_var(p.get("datasource")):
            errors.append(f"{where}: D5 datasource must be {DATASOURCE}")
        for t in p.get("targets", []):
            if "datasource" in t and not _uses_datasource_var(t["datasource"]):
                errors.append(f"{where}: D5 query {t.get('refId')} datasource must be {DATASOURCE}")
            if t.get("expr"):
                errors += lint_expr(t["expr"], f"{where} query {t.get('refId')}", server_target)
    return errors


def dashboard_names(d):
    texts = []
    for p in iter_panels(d.get("panels")):
        texts += [t.get("expr", "") for t in p.get("targets", [])]
    for v in d.get("templating", {}).get("list", []):
        q = v.get("query")
        texts.append(q.get("query", "") if isinstance(q, dict) else str(q or ""))
        texts.append(str(v.get("definition", "")))
    return metric_names("\n".join(texts))


def yaml_names(text):
    """Names in a YAML file, comment lines skipped."""
    lines = [l for l in text.splitlines() if not l.lstrip().startswith("#")]
    return metric_names("\n".join(lines))


def undocumented(used, metrics_md):
    """used: {name: [files]}; returns problem lines."""
    return [f"{', '.join(sorted(files))}: M1 `{n}` is not documented in docs/metrics.md"
            for n, files in sorted(used.items()) if f"`{n}`" not in metrics_md]


# --------------------------------------------------------------------- main
def lint_repo(root):
    errors, used = [], {}
    paths = sorted(glob.glob(os.path.join(root, "dashboards", "*.json")))
    if not paths:
        errors.append("dashboards/: no *.json dashboard found")
    for path in paths:
        rel = os.path.relpath(path, root)
        try:
            with open(path, encoding="utf-8") as f:
                d = json.load(f)
        except ValueError as e:
            errors.append(f"{rel}: D1 invalid JSON: {e}")
            continue
        errors += lint_dashboard(d, rel)
        for n in dashboard_names(d):
            used.setdefault(n, set()).add(rel)
    for path in sorted(glob.glob(os.path.join(root, "alerts", "**", "*.yml"), recursive=True)):
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as f:
            for n in yaml_names(f.read()):
                used.setdefault(n, set()).add(rel)
    md_path = os.path.join(root, "docs", "metrics.md")
    if not os.path.exists(md_path):
        errors.append("docs/metrics.md: M1 not found; every pgconn_* name used must be documented there")
    else:
        with open(md_path, encoding="utf-8") as f:
            errors += undocumented(used, f.read())
    return errors


def self_test():
    """Each rule must catch its own violation and pass the good dashboard."""
    import copy

    sel = 'job=~"$job", target=~"$target"'
    good = {
        "schemaVersion": 39, "editable": False,
        "templating": {"list": [
            {"name": "datasource", "type": "datasource", "query": "prometheus"},
            {"name": "job", "type": "query", "includeAll": True, "allValue": ".+",
             "query": {"query": "label_values(pgconn_up, job)"}},
            {"name": "target", "type": "query", "includeAll": True, "allValue": ".+",
             "query": {"query": 'label_values(pgconn_up{job=~"$job"}, target)'}},
        ]},
        "panels": [
            {"type": "row", "title": "r", "panels": []},
            {"type": "timeseries", "title": "p", "description": "d",
             "datasource": {"type": "prometheus", "uid": "${datasource}"},
             "fieldConfig": {"defaults": {"unit": "short"}},
             "targets": [
                 {"refId": "A", "datasource": {"uid": "${datasource}"},
                  "expr": f"sum by (target) (rate(pgconn_poll_errors_total{{{sel}}}[$__rate_interval]))"},
                 {"refId": "B", "expr": 'pgconn_pool_pending_requests{job=~"$job", target=~"$target|"}'},
                 {"refId": "C", "expr": 'pgconn_exporter_build_info{job=~"$job"}'},
                 {"refId": "D", "expr": f"histogram_quantile(0.9, sum by (le) (rate(pgconn_pool_acquire_duration_seconds_bucket{{{sel}}}[$__rate_interval])))"},
             ]},
        ],
    }

    def mutate(fn):
        d = copy.deepcopy(good)
        fn(d)
        return d

    panel = lambda d: d["panels"][1]  # noqa: E731
    var = lambda d, n: next(v for v in d["templating"]["list"] if v["name"] == n)  # noqa: E731
    cases = [
        ("D1", lambda d: d.update(schemaVersion=38)),
        ("D1", lambda d: d.update(editable=True)),
        ("D2", lambda d: var(d, "datasource").update(query="loki")),
        ("D2", lambda d: d["templating"]["list"].pop(0)),
        ("D3", lambda d: var(d, "job").update(allValue=".*")),
        ("D3", lambda d: var(d, "target").update(includeAll=False)),
        ("D4", lambda d: panel(d).update(description="")),
        ("D4", lambda d: panel(d)["fieldConfig"]["defaults"].pop("unit")),
        ("D5", lambda d: panel(d).update(datasource={"uid": "prometheus"})),
        ("D5", lambda d: panel(d)["targets"][0].update(datasource="Prometheus")),
        ("D6", lambda d: panel(d)["targets"][0].update(
            expr=f"rate(pgconn_poll_errors_total{{{sel}}}[5m])")),
        ("D6", lambda d: panel(d)["targets"][0].update(
            expr=f"increase(pgconn_poll_errors_total{{{sel}}}[1h])")),
        ("D7", lambda d: panel(d)["targets"][0].update(expr='pgconn_up{target=~"$target"}')),
        ("D7", lambda d: panel(d)["targets"][0].update(expr='pgconn_up{job=~"$job"}')),
        ("D7", lambda d: panel(d)["targets"][0].update(expr="pgconn_up")),
        ("D7", lambda d: panel(d)["targets"][0].update(expr='pgconn_up{job=~"$job", target=~"$target|"}')),
        # $server_target only with a server_target variable that follows $target
        ("D7", lambda d: panel(d)["targets"][0].update(expr='pgconn_up{job=~"$job", target=~"$server_target"}')),
        ("D7", lambda d: (d["templating"]["list"].append(
            {"name": "server_target", "type": "query",
             "query": {"query": 'label_values(pgconn_pooler_link_info{job=~"$job"}, server_target)'}}),
            panel(d)["targets"][0].update(expr='pgconn_up{job=~"$job", target=~"$server_target"}'))),
    ]
    failures = []
    base = lint_dashboard(good, "good")
    if base:
        failures.append(f"good dashboard reported problems: {base}")
    linked = mutate(lambda d: (d["templating"]["list"].append(
        {"name": "server_target", "type": "query",
         "query": {"query": 'label_values(pgconn_pooler_link_info{job=~"$job", target=~"$target"}, server_target)'}}),
        panel(d)["targets"].append({"refId": "E", "expr": 'pgconn_connection_limit{job=~"$job", target=~"$server_target"}'})))
    base = lint_dashboard(linked, "linked")
    if base:
        failures.append(f"dashboard with a server_target variable reported problems: {base}")
    for rule, fn in cases:
        errs = lint_dashboard(mutate(fn), "bad")
        if not any(f" {rule} " in e for e in errs):
            failures.append(f"{rule} not detected; got {errs}")
    names = dashboard_names(good)
    expected = {"pgconn_up", "pgconn_poll_errors_total", "pgconn_pool_pending_requests",
                "pgconn_exporter_build_info", "pgconn_pool_acquire_duration_seconds"}
    if names != expected:
        failures.append(f"dashboard_names: {sorted(names)} != {sorted(expected)}")
    yn = yaml_names("# pgconn_commented_out\nexpr: pgconn_up == 0 # see pgconn_threshold_*\n"
                    "url: https://x/pgconn_exporter/blob/main\n")
    if yn != {"pgconn_up"}:
        failures.append(f"yaml_names: {sorted(yn)}")
    md = "| `pgconn_up` | gauge |\n## `pgconn_poll_errors_total`\n"
    und = undocumented({"pgconn_up": {"a"}, "pgconn_poll_errors_total": {"a"}, "pgconn_nope": {"b"}}, md)
    if len(und) != 1 or "pgconn_nope" not in und[0]:
        failures.append(f"undocumented: {und}")
    for f in failures:
        print("self-test:", f)
    print(f"self-test: {len(cases)} violations checked, {'FAILED' if failures else 'ok'}")
    return 1 if failures else 0


def main(argv):
    if "--self-test" in argv:
        return self_test()
    root = os.getcwd()
    errors = lint_repo(root)
    for e in errors:
        print(e)
    print(f"lint_dashboards: {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
