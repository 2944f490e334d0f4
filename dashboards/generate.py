#!/usr/bin/env python3
"""Generates the Grafana dashboards in this folder (standard library only).

    python3 dashboards/generate.py          # rewrites dashboards/*.json
    python3 dashboards/generate.py --check  # fails when the JSON is out of date

The JSON files are committed; edit this script, not the JSON, and run it.
tests/assets/lint_dashboards.py checks the result (units, descriptions,
datasource variable, job/target selectors, $__rate_interval, and that every
pgconn_* name is documented in docs/metrics.md).

Selector conventions: every pgconn_* selector carries job=~"$job" and
target=~"$target". In-process pool metrics (pgconn_pool_*) use
target=~"$target|" instead, because pools embedded in applications have no
`target` label (only the exporter's own pools do); the extra empty
alternative keeps them visible. Panels about the PostgreSQL server behind a
PgBouncer target select target=~"$server_target", a hidden variable holding
the server_target of the poolers selected in $target, so the server stays
visible when $target names only the pooler.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DS = {"type": "prometheus", "uid": "${datasource}"}
SEL = 'job=~"$job", target=~"$target"'
POOL_SEL = 'job=~"$job", target=~"$target|", pool=~"$pool"'


# ---------------------------------------------------------------- variables
def datasource_var():
    return {
        "name": "datasource", "label": "Data source", "type": "datasource",
        "query": "prometheus", "current": {}, "hide": 0, "regex": "",
        "refresh": 1, "options": [], "includeAll": False, "multi": False,
    }


def query_var(name, label, query, all_value=".+", multi=True):
    return {
        "name": name, "label": label, "type": "query", "datasource": DS,
        "definition": query,
        "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
        "current": {}, "hide": 0, "includeAll": True, "allValue": all_value,
        "multi": multi, "refresh": 2, "regex": "", "sort": 1, "options": [],
    }


def server_target_var():
    """The PostgreSQL targets behind the poolers selected in $target (hidden).

    All of them by default: no allValue, so "All" means exactly the linked
    targets. Panels about the linked server select target=~"$server_target",
    so they keep showing the server when $target names only the pooler.
    """
    v = query_var("server_target", "Server behind the pooler",
                  'label_values(pgconn_pooler_link_info{job=~"$job", target=~"$target"}, server_target)')
    del v["allValue"]
    v.update(hide=2, current={"selected": True, "text": ["All"], "value": ["$__all"]})
    return v


def job_target_vars(job_query="label_values(pgconn_up, job)"):
    return [
        datasource_var(),
        query_var("job", "Job", job_query),
        query_var("target", "Target", 'label_values(pgconn_up{job=~"$job"}, target)'),
    ]


# ------------------------------------------------------------------- panels
def target(expr, legend, ref, instant=False):
    t = {"datasource": DS, "expr": expr, "legendFormat": legend, "refId": ref}
    if instant:
        t.update({"instant": True, "range": False, "format": "table"})
    else:
        t.update({"range": True})
    return t


def targets(*pairs, instant=False):
    return [target(e, l, chr(ord("A") + i), instant) for i, (e, l) in enumerate(pairs)]


def dashed(regex, color):
    """Override drawing matching series as a dashed reference line."""
    return {
        "matcher": {"id": "byRegexp", "options": regex},
        "properties": [
            {"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10, 10]}},
            {"id": "custom.fillOpacity", "value": 0},
            {"id": "custom.stacking", "value": {"mode": "none", "group": "A"}},
            {"id": "color", "value": {"mode": "fixed", "fixedColor": color}},
        ],
    }


def steps(*pairs):
    out = [{"color": "green", "value": None}]
    out += [{"color": c, "value": v} for v, c in pairs]
    return {"mode": "absolute", "steps": out}


def timeseries(title, desc, unit, tgts, stack=False, overrides=None, thresholds=None,
               min_zero=True, threshold_lines=False):
    custom = {
        "drawStyle": "line", "lineWidth": 1, "fillOpacity": 15 if stack else 5,
        "showPoints": "never", "spanNulls": False,
        "stacking": {"mode": "normal" if stack else "none", "group": "A"},
        "thresholdsStyle": {"mode": "dashed" if threshold_lines else "off"},
    }
    defaults = {"unit": unit, "custom": custom, "color": {"mode": "palette-classic"}}
    if min_zero:
        defaults["min"] = 0
    if thresholds:
        defaults["thresholds"] = thresholds
    return {
        "type": "timeseries", "title": title, "description": desc, "datasource": DS,
        "targets": tgts,
        "fieldConfig": {"defaults": defaults, "overrides": overrides or []},
        "options": {
            "legend": {"displayMode": "table", "placement": "bottom", "showLegend": True,
                       "calcs": ["lastNotNull", "max"]},
            "tooltip": {"mode": "multi", "sort": "desc"},
        },
    }


def stat(title, desc, unit, tgts, thresholds=None, mappings=None):
    return {
        "type": "stat", "title": title, "description": desc, "datasource": DS,
        "targets": tgts,
        "fieldConfig": {
            "defaults": {"unit": unit, "thresholds": thresholds or steps(),
                         "mappings": mappings or [], "color": {"mode": "thresholds"}},
            "overrides": [],
        },
        "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                    "colorMode": "background", "graphMode": "none", "textMode": "value_and_name",
                    "justifyMode": "auto", "orientation": "auto"},
    }


def bargauge(title, desc, unit, tgts, thresholds=None):
    return {
        "type": "bargauge", "title": title, "description": desc, "datasource": DS,
        "targets": tgts,
        "fieldConfig": {"defaults": {"unit": unit, "min": 0,
                                     "thresholds": thresholds or steps(),
                                     "color": {"mode": "thresholds"}},
                        "overrides": []},
        "options": {"displayMode": "gradient", "orientation": "horizontal",
                    "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                    "showUnfilled": True},
    }


def table(title, desc, unit, tgts, hide=(), rename=None, units=None):
    """hide: columns to drop; rename: {column: header}; units: {column: unit}."""
    overrides = [{"matcher": {"id": "byName", "options": col},
                  "properties": [{"id": "unit", "value": u}]}
                 for col, u in (units or {}).items()]
    return {
        "type": "table", "title": title, "description": desc, "datasource": DS,
        "targets": tgts,
        "fieldConfig": {"defaults": {"unit": unit, "custom": {"align": "auto"}}, "overrides": overrides},
        "options": {"showHeader": True, "footer": {"show": False}},
        "transformations": [
            {"id": "merge", "options": {}},
            {"id": "organize", "options": {"excludeByName": {"Time": True, **{c: True for c in hide}},
                                           "renameByName": rename or {}}},
        ],
    }


def alertlist(title, desc):
    return {
        "type": "alertlist", "title": title, "description": desc, "datasource": DS,
        "fieldConfig": {"defaults": {"unit": "none"}, "overrides": []},
        "options": {
            "viewMode": "list", "groupMode": "default", "groupBy": [], "maxItems": 20,
            "sortOrder": 1, "dashboardAlerts": False, "alertName": "Pgconn",
            "alertInstanceLabelFilter": '{job=~"$job"}',
            "datasource": "${datasource}",
            "stateFilter": {"firing": True, "pending": True, "noData": False,
                            "normal": False, "error": True},
        },
    }


def row(title):
    return {"type": "row", "title": title, "collapsed": False, "panels": []}


# ------------------------------------------------------------------- layout
def layout(items):
    """items: row dicts or (panel, width, height). Assigns ids and gridPos."""
    panels, x, y, line_h, pid = [], 0, 0, 0, 1
    for item in items:
        if isinstance(item, dict):  # row
            if x:
                y += line_h
            x, line_h = 0, 0
            item["gridPos"] = {"h": 1, "w": 24, "x": 0, "y": y}
            y += 1
            p = item
        else:
            p, w, h = item
            if x + w > 24:
                x, y, line_h = 0, y + line_h, 0
            p["gridPos"] = {"h": h, "w": w, "x": x, "y": y}
            x += w
            line_h = max(line_h, h)
        p["id"] = pid
        pid += 1
        panels.append(p)
    return panels


def dashboard(uid, title, desc, variables, items, links_to):
    return {
        "uid": uid, "title": title, "description": desc,
        "tags": ["pgconn", "postgresql", "connections"],
        "editable": False, "graphTooltip": 1, "schemaVersion": 39, "version": 1,
        "timezone": "", "refresh": "30s", "time": {"from": "now-6h", "to": "now"},
        "fiscalYearStartMonth": 0, "liveNow": False, "weekStart": "",
        "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
            "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts", "type": "dashboard"}]},
        "links": [{"title": t, "type": "link", "url": f"/d/{u}?${{__url_time_range}}&${{__all_variables}}",
                   "targetBlank": False, "icon": "dashboard", "asDropdown": False,
                   "includeVars": False, "keepTime": False, "tags": [], "tooltip": ""}
                  for u, t in links_to],
        "templating": {"list": variables},
        "panels": layout(items),
    }


LINKS = [("pgconn-overview", "Overview"), ("pgconn-applications", "Applications and leaks"),
         ("pgconn-pools", "Pools")]


# ----------------------------------------------------------------- overview
def overview():
    s = SEL
    pct = steps((0.8, "orange"), (0.9, "red"))
    items = [
        row("Status"),
        (stat("Target up", "1 when the last poll of the target succeeded (pgconn_up).", "none",
              targets((f"pgconn_up{{{s}}}", "{{target}}")),
              thresholds={"mode": "absolute", "steps": [{"color": "red", "value": None},
                                                        {"color": "green", "value": 1}]},
              mappings=[{"type": "value", "options": {"0": {"text": "DOWN"}, "1": {"text": "UP"}}}]),
         4, 5),
        (stat("Utilization", "Connections used divided by the connection limit.", "percentunit",
              targets((f"pgconn_connections_utilization_ratio{{{s}}}", "{{target}}")), thresholds=pct),
         5, 5),
        (stat("Available", "Connection slots left for ordinary clients before new ones are refused.",
              "short", targets((f"pgconn_connections_available{{{s}}}", "{{target}}")),
              thresholds={"mode": "absolute", "steps": [{"color": "red", "value": None},
                                                        {"color": "orange", "value": 1},
                                                        {"color": "green", "value": 3}]}),
         5, 5),
        (stat("Snapshot age", "Age of the data behind the metrics; grows when polls fail.", "s",
              targets((f"pgconn_snapshot_age_seconds{{{s}}}", "{{target}}")),
              thresholds=steps((60, "orange"), (300, "red"))),
         4, 5),
        (stat("Exporter build", "Version of the running exporter(s) and whether the last config reload worked.",
              "none", targets((f'pgconn_exporter_build_info{{job=~"$job"}}', "{{version}}"),
                              (f'pgconn_config_last_reload_successful{{job=~"$job"}}', "reload ok {{instance}}")),
              thresholds={"mode": "absolute", "steps": [{"color": "red", "value": None},
                                                        {"color": "green", "value": 1}]}),
         6, 5),
        (alertlist("Firing pgconn alerts",
                   "Prometheus alerts whose name starts with Pgconn, firing or pending. See docs/runbook.md."),
         24, 6),
        row("Connections"),
        (timeseries("Connections used vs limit",
                    "Connections in use against the budget (pgconn_connection_limit), the server's "
                    "max_connections and the warning/critical counts configured in the exporter "
                    "(pgconn_threshold_connections_*), drawn dashed.",
                    "short",
                    targets((f"pgconn_connections_used{{{s}}}", "used {{target}}"),
                            (f"pgconn_connection_limit{{{s}}}", "limit {{target}}"),
                            (f"pgconn_server_max_connections{{{s}}}", "max_connections {{target}}"),
                            (f"pgconn_threshold_connections_warning{{{s}}}", "warning {{target}}"),
                            (f"pgconn_threshold_connections_critical{{{s}}}", "critical {{target}}")),
                    overrides=[dashed("^warning.*", "orange"), dashed("^critical.*", "red"),
                               dashed("^limit.*", "purple"), dashed("^max_connections.*", "blue")]),
         12, 9),
        (timeseries("Utilization",
                    "Used / limit, with the warning and critical ratios configured in the exporter "
                    "(pgconn_threshold_utilization_*), drawn dashed.",
                    "percentunit",
                    targets((f"pgconn_connections_utilization_ratio{{{s}}}", "{{target}}"),
                            (f"pgconn_threshold_utilization_warning_ratio{{{s}}}", "warning {{target}}"),
                            (f"pgconn_threshold_utilization_critical_ratio{{{s}}}", "critical {{target}}")),
                    overrides=[dashed("^warning.*", "orange"), dashed("^critical.*", "red")]),
         12, 9),
        (timeseries("Available connections",
                    "Slots left for ordinary clients (limit minus used). At 0 new clients get "
                    "'too many clients'.", "short",
                    targets((f"pgconn_connections_available{{{s}}}", "{{target}}")),
                    thresholds=steps((0, "red")), threshold_lines=False),
         8, 8),
        (timeseries("Connections by state",
                    "Client connections by pg_stat_activity state, stacked.", "short",
                    targets((f"sum by (target, state) (pgconn_connections{{{s}}})", "{{target}} {{state}}")),
                    stack=True),
         8, 8),
        (timeseries("Backends by type",
                    "All server processes by backend_type, including background workers that "
                    "take slots outside the client budget.", "short",
                    targets((f"sum by (target, backend_type) (pgconn_backends{{{s}}})",
                             "{{target}} {{backend_type}}")), stack=True),
         8, 8),
        (timeseries("Server settings",
                    "max_connections and the slots reserved for superusers and replication.",
                    "short",
                    targets((f"pgconn_server_max_connections{{{s}}}", "max_connections {{target}}"),
                            (f"pgconn_server_reserved_connections{{{s}}}", "reserved {{target}}"))),
         8, 7),
        (timeseries("Connections per database and user",
                    "Connections per database and per user; compare with their CONNECTION LIMIT.",
                    "short",
                    targets((f"sum by (target, datname) (pgconn_database_connections{{{s}}})",
                             "db {{datname}} {{target}}"),
                            (f"sum by (target, usename) (pgconn_user_connections{{{s}}})",
                             "user {{usename}} {{target}}"))),
         16, 7),
        *poolers_row(),
        row("Exporter"),
        (timeseries("Poll errors", "Failed polls per second by reason (pgconn_poll_errors_total).", "ops",
                    targets((f"sum by (target, reason) (rate(pgconn_poll_errors_total{{{s}}}[$__rate_interval]))",
                             "{{target}} {{reason}}"))),
         8, 7),
        (timeseries("Poll duration", "How long the last poll of each target took.", "s",
                    targets((f"pgconn_poll_duration_seconds{{{s}}}", "{{target}}"))),
         8, 7),
        (timeseries("Connect probe",
                    "Opt-in connect probe: time to open a fresh connection, and failures by reason.",
                    "s",
                    targets((f"pgconn_connect_probe_duration_seconds{{{s}}}", "duration {{target}}"),
                            (f"sum by (target, reason) (increase(pgconn_connect_probe_failures_total{{{s}}}[$__rate_interval]))",
                             "failures {{target}} {{reason}}"),
                            (f"pgconn_connect_probe_success{{{s}}}", "success {{target}}")),
                    overrides=[{"matcher": {"id": "byRegexp", "options": "^(failures|success).*"},
                                "properties": [{"id": "unit", "value": "short"},
                                               {"id": "custom.axisPlacement", "value": "right"}]}]),
         8, 7),
        (timeseries("Seconds since last successful poll",
                    "time() minus pgconn_last_poll_success_timestamp_seconds.", "s",
                    targets((f"time() - pgconn_last_poll_success_timestamp_seconds{{{s}}}", "{{target}}"))),
         24, 6),
    ]
    return dashboard("pgconn-overview", "pgconn / Overview",
                     "Connection slots of each PostgreSQL target: used vs limit, utilization, states; "
                     "PgBouncer targets in the Poolers row.",
                     job_target_vars() + [server_target_var()], items, LINKS)


def poolers_row():
    """PgBouncer targets (kind = "pgbouncer"); empty when there is none."""
    s = SEL
    pools = f'{SEL}, database!="pgbouncer"'  # the admin console has no servers
    linked = f"* on(job, instance, target) group_left(server_target) pgconn_pooler_link_info{{{s}}}"
    server = 'job=~"$job", target=~"$server_target"'
    pct = steps((0.8, "orange"), (1, "red"))
    return [
        row("Poolers"),
        (timeseries("Pooler clients per pool",
                    "PgBouncer client connections per pool (database/user): active (paired with a "
                    "server connection) and waiting for one, stacked. Waiting clients at every "
                    "evaluation for 5 minutes fire PgconnPoolerClientsWaiting. The pool "
                    "pgbouncer/<user> is the exporter's own console connection.", "short",
                    targets((f"sum by (target, database, user, state) (pgconn_pgbouncer_clients{{{s}}})",
                             "{{state}} {{database}}/{{user}} {{target}}")),
                    stack=True,
                    overrides=[{"matcher": {"id": "byRegexp", "options": "^waiting.*"},
                                "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": "red"}}]}]),
         12, 8),
        (timeseries("Client wait",
                    "How long the oldest waiting client of each pool has waited (PgconnPoolerMaxWaitHigh "
                    "fires above 1 s for 2 minutes), and the average wait per pooled transaction of "
                    "each database (rate of pgconn_pgbouncer_client_wait_seconds_total / rate of "
                    "pgconn_pgbouncer_transactions_total).", "s",
                    targets((f"pgconn_pgbouncer_max_wait_seconds{{{s}}}", "oldest {{database}}/{{user}} {{target}}"),
                            (f"sum by (target, database) (rate(pgconn_pgbouncer_client_wait_seconds_total{{{s}}}[$__rate_interval]))"
                             f" / sum by (target, database) (rate(pgconn_pgbouncer_transactions_total{{{s}}}[$__rate_interval]))",
                             "average per transaction {{database}} {{target}}")),
                    thresholds=steps((1, "red")), threshold_lines=True),
         12, 8),
        (timeseries("Client connections vs max_client_conn",
                    "Client connections PgBouncer holds (the exporter's included) against "
                    "max_client_conn (dashed). At max_client_conn new clients get \"no more connections "
                    "allowed\" (PgconnPoolerClientLimitReached).", "short",
                    targets((f"pgconn_pgbouncer_client_connections{{{s}}}", "clients {{target}}"),
                            (f"pgconn_pgbouncer_max_client_connections{{{s}}}", "max_client_conn {{target}}")),
                    overrides=[dashed("^max_client_conn.*", "red")]),
         8, 8),
        (timeseries("Pooler client utilization",
                    "Client connections / the client limit (max_client_conn, or the target's "
                    "connection_limit), with the target's warning and critical ratios dashed "
                    "(PgconnPoolerClientLimitNear fires above the warning ratio for 10 minutes).",
                    "percentunit",
                    targets((f"pgconn_pgbouncer_client_utilization_ratio{{{s}}}", "{{target}}"),
                            (f"pgconn_threshold_utilization_warning_ratio{{{s}}} and on(job, instance, target) "
                             f"pgconn_pgbouncer_client_utilization_ratio{{{s}}}", "warning {{target}}"),
                            (f"pgconn_threshold_utilization_critical_ratio{{{s}}} and on(job, instance, target) "
                             f"pgconn_pgbouncer_client_utilization_ratio{{{s}}}", "critical {{target}}")),
                    overrides=[dashed("^warning.*", "orange"), dashed("^critical.*", "red")]),
         8, 8),
        (timeseries("Pooled traffic",
                    "Transactions and queries per second pooled by PgBouncer, per database (SHOW STATS).",
                    "ops",
                    targets((f"sum by (target, database) (rate(pgconn_pgbouncer_transactions_total{{{pools}}}[$__rate_interval]))",
                             "transactions {{database}} {{target}}"),
                            (f"sum by (target, database) (rate(pgconn_pgbouncer_queries_total{{{pools}}}[$__rate_interval]))",
                             "queries {{database}} {{target}}"))),
         8, 8),
        (timeseries("Server connections per pool vs pool_size",
                    "Server connections of each pool: active (serving a client) and all open ones, "
                    "against the database's pool_size and pool_size + reserve_pool (dashed). Active "
                    "at pool_size while clients wait fires PgconnPoolerServersSaturated.", "short",
                    targets((f'pgconn_pgbouncer_servers{{{pools}, state="active"}}',
                             "active {{database}}/{{user}} {{target}}"),
                            (f"sum by (target, database, user) (pgconn_pgbouncer_servers{{{pools}}})",
                             "open {{database}}/{{user}} {{target}}"),
                            (f"pgconn_pgbouncer_database_pool_size_connections{{{pools}}}",
                             "pool_size {{database}} {{target}}"),
                            (f"pgconn_pgbouncer_database_pool_size_connections{{{pools}}} + on(job, instance, target, database) "
                             f"pgconn_pgbouncer_database_reserve_pool_connections{{{pools}}}",
                             "with reserve_pool {{database}} {{target}}")),
                    overrides=[dashed("^pool_size.*", "red"), dashed("^with reserve_pool.*", "orange")]),
         12, 8),
        (table("Pool modes and limits",
               "Per pool: its pool_mode, the clients it admits (pool_size in session mode, "
               "max_client_conn in transaction and statement mode) and how much of that its active "
               "and waiting clients use.", "short",
               targets((f"max by (target, database, user, pool_mode) (pgconn_pgbouncer_pool_mode{{{pools}}})", "mode"),
                       (f"max by (target, database, user) (pgconn_pgbouncer_pool_client_limit{{{pools}}})",
                        "client limit"),
                       (f"max by (target, database, user) (pgconn_pgbouncer_pool_client_utilization_ratio{{{pools}}})",
                        "client utilization"),
                       instant=True),
               hide=["Value #A"],
               rename={"Value #B": "client limit", "Value #C": "client utilization"},
               units={"Value #C": "percentunit"}),
         12, 8),
        (table("Pooler databases",
               "Per PgBouncer database: pool_size, reserve_pool, max_db_connections (0 = no limit) "
               "and the server connections it holds now.", "short",
               targets(*[(f"max by (target, database) ({m}{{{pools}}})", legend) for m, legend in (
                   ("pgconn_pgbouncer_database_pool_size_connections", "pool_size"),
                   ("pgconn_pgbouncer_database_reserve_pool_connections", "reserve_pool"),
                   ("pgconn_pgbouncer_database_max_connections", "max_db_connections"),
                   ("pgconn_pgbouncer_database_current_connections", "current"))], instant=True),
               rename={"Value #A": "pool_size", "Value #B": "reserve_pool",
                       "Value #C": "max_db_connections", "Value #D": "server connections"}),
         12, 8),
        (timeseries("Pooler clients per application and state",
                    "PgBouncer's clients (SHOW CLIENTS) per application_name: linked (holds a server "
                    "connection), idle (holds only a client slot) and waiting (queued for a server), "
                    "stacked; the exporters' own console sessions are not counted.", "short",
                    targets((f"sum by (target, application_name, state) (pgconn_pgbouncer_application_clients{{{s}}})",
                             "{{application_name}} {{state}} {{target}}")),
                    stack=True),
         12, 8),
        (timeseries("Pooler leak suspects",
                    "PgBouncer clients connected longer than connection_age_seconds, per application; "
                    "pgconn_pgbouncer_client_address_clients tells which addresses hold the slots.", "short",
                    targets((f"pgconn_pgbouncer_leak_suspect_clients{{{s}}}",
                             "{{application_name}} {{target}}"),
                            (f"topk(10, sum by (target, client_addr) (pgconn_pgbouncer_client_address_clients{{{s}}}))",
                             "clients from {{client_addr}} {{target}}")),
                    thresholds=steps((1, "red")), threshold_lines=True),
         12, 8),
        (timeseries("Linked server: pooler capacity vs connection limit",
                    "For each PostgreSQL target behind the selected poolers (their server_target): the "
                    "server connections all those poolers may open (pool_size + reserve_pool of every "
                    "pool) and hold now, beside the server's connection limit and max_connections "
                    "(dashed) and all its client connections. Potential above the limit fires "
                    "PgconnPoolerServerCapacityAboveLimit.", "short",
                    targets((f"sum by (job, instance, server_target) (pgconn_pgbouncer_server_connections_max{{{s}}} {linked})",
                             "poolers' potential {{server_target}}"),
                            (f"sum by (job, instance, server_target) (pgconn_pgbouncer_server_connections{{{s}}} {linked})",
                             "poolers' server connections {{server_target}}"),
                            (f"pgconn_connections_used{{{server}}}", "used (all clients) {{target}}"),
                            (f"pgconn_connection_limit{{{server}}}", "limit {{target}}"),
                            (f"pgconn_server_max_connections{{{server}}}", "max_connections {{target}}")),
                    overrides=[dashed("^limit.*", "red"), dashed("^max_connections.*", "blue")]),
         24, 8),
    ]


# ------------------------------------------------------ applications, leaks
def applications():
    s = SEL
    a = f'{SEL}, application_name=~"$application"'
    variables = job_target_vars() + [
        query_var("application", "Application",
                  f'label_values(pgconn_application_connections{{{SEL}}}, application_name)',
                  all_value=".*"),
    ]
    items = [
        row("Who holds the connections"),
        (timeseries("Connections per application",
                    "Connections held by each application_name (empty = not set), stacked.",
                    "short",
                    targets((f"sum by (target, application_name) (pgconn_application_connections{{{a}}})",
                             "{{application_name}} {{target}}"),
                            (f"pgconn_connection_limit{{{s}}}", "limit {{target}}")),
                    stack=True, overrides=[dashed("^limit.*", "red")]),
         16, 9),
        (bargauge("Top holders", "The ten applications holding the most connections right now.",
                  "short",
                  targets((f"topk(10, sum by (target, application_name) (pgconn_application_connections{{{a}}}))",
                           "{{application_name}} {{target}}"), instant=True)),
         8, 9),
        (timeseries("Connections per application and state",
                    "Each application's connections split by state: idle ones are pool reserves "
                    "or leaks, idle in transaction ones hold locks.", "short",
                    targets((f"sum by (target, application_name, state) (pgconn_application_connections{{{a}}})",
                             "{{application_name}} {{state}} {{target}}"))),
         12, 8),
        (timeseries("Idle in transaction per application",
                    "Sessions that opened a transaction and went quiet without COMMIT/ROLLBACK.",
                    "short",
                    targets((f'sum by (target, application_name) (pgconn_application_connections{{{a}, state=~"idle_in_transaction|idle_in_transaction_aborted"}})',
                             "{{application_name}} {{target}}"),
                            (f'pgconn_connections{{{s}, state="idle_in_transaction"}}', "all apps {{target}}")),
                    thresholds=steps((1, "orange"))),
         12, 8),
        (bargauge("Connections by client address (top 10)",
                  "The client addresses holding the most connections: replicas of one service share "
                  "their application_name, the address tells them apart. Beyond "
                  "[metrics] max_client_addresses the rest is summed under other; local is a "
                  "Unix-socket client.", "short",
                  targets((f"topk(10, sum by (target, client_addr) (pgconn_client_address_connections{{{s}}}))",
                           "{{client_addr}} {{target}}"), instant=True)),
         8, 8),
        (timeseries("Connections per client address and state",
                    "Each address's connections by state (aborted transactions counted as idle in "
                    "transaction), for the ten addresses holding the most.", "short",
                    targets((f"sum by (target, client_addr, state) (pgconn_client_address_connections{{{s}}}) "
                             f"and on(target, client_addr) topk(10, sum by (target, client_addr) "
                             f"(pgconn_client_address_connections{{{s}}}))",
                             "{{client_addr}} {{state}} {{target}}"))),
         16, 8),
        row("Oldest ages"),
        (timeseries("Oldest idle in transaction per application",
                    "Age of the oldest idle-in-transaction session per application, with the "
                    "exporter's threshold (pgconn_threshold_idle_in_transaction_seconds) dashed.",
                    "s",
                    targets((f"pgconn_application_oldest_idle_in_transaction_age_seconds{{{a}}}",
                             "{{application_name}} {{target}}"),
                            (f"pgconn_threshold_idle_in_transaction_seconds{{{s}}}", "threshold {{target}}")),
                    overrides=[dashed("^threshold.*", "red")]),
         8, 8),
        (timeseries("Oldest transaction per application",
                    "Age of the oldest open transaction per application; PgconnLongRunningTransaction "
                    "fires above 30 minutes.", "s",
                    targets((f"pgconn_application_oldest_transaction_age_seconds{{{a}}}",
                             "{{application_name}} {{target}}")),
                    thresholds=steps((1800, "red")), threshold_lines=True),
         8, 8),
        (timeseries("Oldest connection per application",
                    "Age of the oldest connection per application, with the leak threshold "
                    "(pgconn_threshold_connection_age_seconds) dashed.", "s",
                    targets((f"pgconn_application_oldest_connection_age_seconds{{{a}}}",
                             "{{application_name}} {{target}}"),
                            (f"pgconn_threshold_connection_age_seconds{{{s}}}", "threshold {{target}}")),
                    overrides=[dashed("^threshold.*", "red")]),
         8, 8),
        (timeseries("Oldest ages, whole target",
                    "Oldest connection, transaction and idle-in-transaction session on each target.",
                    "s",
                    targets((f"pgconn_oldest_connection_age_seconds{{{s}}}", "connection {{target}}"),
                            (f"pgconn_oldest_transaction_age_seconds{{{s}}}", "transaction {{target}}"),
                            (f"pgconn_oldest_idle_in_transaction_age_seconds{{{s}}}",
                             "idle in transaction {{target}}"))),
         24, 7),
        row("Leaks"),
        (timeseries("Leak suspects",
                    "Connections the exporter suspects are leaked, per application and reason "
                    "(older than the age threshold, or idle in transaction too long).", "short",
                    targets((f"pgconn_leak_suspect_connections{{{a}}}",
                             "{{application_name}} {{reason}} {{target}}")),
                    thresholds=steps((1, "red")), threshold_lines=True),
         12, 8),
        (timeseries("Leak suspects by client address",
                    "The same suspects per client address: which replica, pod or host leaks.", "short",
                    targets((f"pgconn_client_address_leak_suspect_connections{{{s}}}",
                             "{{client_addr}} {{reason}} {{target}}")),
                    thresholds=steps((1, "red")), threshold_lines=True),
         12, 8),
        (timeseries("Idle connections trend",
                    "Idle connections and their growth per hour over the last hour "
                    "(PgconnIdleConnectionsGrowing fires above 10% of the limit per hour).", "short",
                    targets((f'pgconn_connections{{{s}, state="idle"}}', "idle {{target}}"),
                            (f'deriv(pgconn_connections{{{s}, state="idle"}}[1h]) * 3600',
                             "growth per hour {{target}}"))),
         12, 8),
        (timeseries("Sessions ended abnormally",
                    "Sessions abandoned by the client, ended by a fatal error or killed, per "
                    "database (PostgreSQL 14+ pg_stat_database counters).", "short",
                    targets((f"sum by (target, datname) (increase(pgconn_database_sessions_abandoned_total{{{s}}}[$__rate_interval]))",
                             "abandoned {{datname}} {{target}}"),
                            (f"sum by (target, datname) (increase(pgconn_database_sessions_fatal_total{{{s}}}[$__rate_interval]))",
                             "fatal {{datname}} {{target}}"),
                            (f"sum by (target, datname) (increase(pgconn_database_sessions_killed_total{{{s}}}[$__rate_interval]))",
                             "killed {{datname}} {{target}}"))),
         12, 8),
        (timeseries("New sessions per second",
                    "Session start rate per database; a high rate with short sessions means "
                    "clients connect per request instead of pooling.", "ops",
                    targets((f"sum by (target, datname) (rate(pgconn_database_sessions_total{{{s}}}[$__rate_interval]))",
                             "{{datname}} {{target}}"))),
         12, 8),
        (table("Database and user limits",
               "CONNECTION LIMIT of each database and role (-1 = unlimited) next to current use.",
               "short",
               targets((f"pgconn_database_connection_limit{{{s}}}", "db limit"),
                       (f"pgconn_user_connection_limit{{{s}}}", "user limit"),
                       instant=True)),
         24, 7),
    ]
    return dashboard("pgconn-applications", "pgconn / Applications and leaks",
                     "Which applications hold the connection slots, how old their sessions are, "
                     "and which look leaked.", variables, items, LINKS)


# -------------------------------------------------------------------- pools
def pools():
    p = POOL_SEL
    s = SEL
    variables = job_target_vars(
        'label_values({__name__=~"pgconn_up|pgconn_pool_max_connections"}, job)') + [
        query_var("pool", "Pool", 'label_values(pgconn_pool_max_connections{job=~"$job"}, pool)'),
    ]

    def q(quantile, metric):
        return (f"histogram_quantile({quantile}, sum by (job, instance, pool, le) "
                f"(rate({metric}_bucket{{{p}}}[$__rate_interval])))")

    items = [
        row("In-process pools"),
        (timeseries("Pool utilization",
                    "Connections in use / pool maximum. PgconnPoolUtilizationHigh fires above 80% "
                    "for 10 minutes, PgconnPoolExhausted at 100%.", "percentunit",
                    targets((f"pgconn_pool_utilization_ratio{{{p}}}", "{{pool}} {{instance}}")),
                    thresholds=steps((0.8, "orange"), (1, "red")), threshold_lines=True),
         12, 8),
        (timeseries("Pool connections",
                    "Pool connections by state (stacked) against the pool's current size and maximum (dashed).",
                    "short",
                    targets((f"sum by (pool, instance, state) (pgconn_pool_connections{{{p}}})",
                             "{{pool}} {{state}} {{instance}}"),
                            (f"pgconn_pool_size_connections{{{p}}}", "size {{pool}} {{instance}}"),
                            (f"pgconn_pool_max_connections{{{p}}}", "max {{pool}} {{instance}}")),
                    stack=True, overrides=[dashed("^size.*", "blue"), dashed("^max.*", "red")]),
         12, 8),
        (timeseries("Overflow connections",
                    "Connections open beyond the base pool size. PgconnPoolOverflowHigh fires above 2.",
                    "short",
                    targets((f"pgconn_pool_overflow_connections{{{p}}}", "{{pool}} {{instance}}")),
                    thresholds=steps((2.5, "orange")), threshold_lines=True),
         8, 8),
        (timeseries("Waiting callers",
                    "Callers queued for a connection. Sustained waiting fires PgconnPoolCallersWaiting.",
                    "short",
                    targets((f"pgconn_pool_pending_requests{{{p}}}", "{{pool}} {{instance}}"))),
         8, 8),
        (timeseries("Oldest waiting caller",
                    "How long the longest-waiting caller has been queued.", "s",
                    targets((f"pgconn_pool_oldest_pending_seconds{{{p}}}", "{{pool}} {{instance}}"))),
         8, 8),
        (timeseries("Acquire latency",
                    "Time to get a connection from the pool: median, 90th and 99th percentile "
                    "(histogram pgconn_pool_acquire_duration_seconds).", "s",
                    targets((q(0.5, "pgconn_pool_acquire_duration_seconds"), "p50 {{pool}} {{instance}}"),
                            (q(0.9, "pgconn_pool_acquire_duration_seconds"), "p90 {{pool}} {{instance}}"),
                            (q(0.99, "pgconn_pool_acquire_duration_seconds"), "p99 {{pool}} {{instance}}"))),
         12, 8),
        (timeseries("Acquires by result",
                    "Acquires per second that got a connection, timed out or failed.", "ops",
                    targets((f"sum by (pool, result) (rate(pgconn_pool_acquires_total{{{p}}}[$__rate_interval]))",
                             "{{pool}} {{result}}"))),
         12, 8),
        (timeseries("Hold and connect time",
                    "99th percentile of how long callers hold a connection, and of how long "
                    "opening a new server connection takes.", "s",
                    targets((q(0.99, "pgconn_pool_use_duration_seconds"), "hold p99 {{pool}} {{instance}}"),
                            (q(0.99, "pgconn_pool_connect_duration_seconds"), "connect p99 {{pool}} {{instance}}"))),
         8, 8),
        (timeseries("Connections opened and closed",
                    "Server connections opened and closed per second by reason; churn means the "
                    "pool is too small or recycles too eagerly.", "ops",
                    targets((f"sum by (pool) (rate(pgconn_pool_connections_opened_total{{{p}}}[$__rate_interval]))",
                             "opened {{pool}}"),
                            (f"sum by (pool, reason) (rate(pgconn_pool_connections_closed_total{{{p}}}[$__rate_interval]))",
                             "closed {{pool}} {{reason}}"),
                            (f"sum by (pool, result) (rate(pgconn_pool_pre_pings_total{{{p}}}[$__rate_interval]))",
                             "pre-ping {{pool}} {{result}}"))),
         8, 8),
        (timeseries("Pool leaks",
                    "Connections checked out longer than the pool's leak threshold right now, and "
                    "leaks detected over time.", "short",
                    targets((f"pgconn_pool_suspected_leaks{{{p}}}", "suspected {{pool}} {{instance}}"),
                            (f"sum by (pool) (increase(pgconn_pool_leaks_detected_total{{{p}}}[$__rate_interval]))",
                             "detected {{pool}}"))),
         8, 8),
        row("Declared application pools"),
        (timeseries("Declared pool utilization",
                    "Connections each application holds / the capacity its pools declare "
                    "(processes x (pool_size + max_overflow)). "
                    "PgconnApplicationPoolUtilizationHigh fires above 80%.", "percentunit",
                    targets((f"pgconn_application_pool_utilization_ratio{{{s}}}",
                             "{{application_name}} {{target}}")),
                    thresholds=steps((0.8, "orange"), (1, "red")), threshold_lines=True),
         12, 8),
        (timeseries("Declared capacity vs limit",
                    "Sum of all declared pool capacities against the connection limit. Above the "
                    "limit, a burst can exhaust the server (PgconnDeclaredCapacityAboveLimit).",
                    "short",
                    targets((f"pgconn_declared_capacity_connections{{{s}}}", "declared {{target}}"),
                            (f"pgconn_connection_limit{{{s}}}", "limit {{target}}")),
                    overrides=[dashed("^limit.*", "red")]),
         12, 8),
        (timeseries("Declared pools per application",
                    "Per application: declared capacity, base connections (pool_size) and overflow "
                    "allowance (max_overflow), times processes.", "short",
                    targets((f"pgconn_application_pool_capacity_connections{{{s}}}",
                             "capacity {{application_name}} {{target}}"),
                            (f"pgconn_application_pool_base_connections{{{s}}}",
                             "base {{application_name}} {{target}}"),
                            (f"pgconn_application_pool_overflow_connections{{{s}}}",
                             "overflow {{application_name}} {{target}}"))),
         24, 8),
    ]
    return dashboard("pgconn-pools", "pgconn / Pools",
                     "In-process connection pools (pgconn pool library) and the client pools "
                     "declared to the exporter.", variables, items, LINKS)


def main(argv):
    check = "--check" in argv
    stale = []
    for name, build in (("pgconn-overview", overview), ("pgconn-applications", applications),
                        ("pgconn-pools", pools)):
        path = os.path.join(HERE, name + ".json")
        text = json.dumps(build(), indent=2) + "\n"
        if check:
            current = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
            if current != text:
                stale.append(os.path.relpath(path))
            continue
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote", os.path.relpath(path))
    for path in stale:
        print(f"{path} is out of date: edit dashboards/generate.py and run it")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
