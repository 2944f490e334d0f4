// pgconn / Overview: connection slots of each target (used vs limit,
// utilization, states), the PgBouncer targets in its Poolers row, and the
// exporter's own health.
local g = import 'grafana.libsonnet';
local poolersRow = import 'poolers_row.libsonnet';

function(config)
  local s = g.sel;
  local pct = g.steps([[0.8, 'orange'], [0.9, 'red']]);
  local items = [
    g.row('Status'),
    [g.stat(
      'Target up',
      '1 when the last poll of the target succeeded (pgconn_up).',
      'none',
      g.targets([['pgconn_up{' + s + '}', '{{target}}']]),
      thresholds={ mode: 'absolute', steps: [{ color: 'red', value: null }, { color: 'green', value: 1 }] },
      mappings=[{ type: 'value', options: { '0': { text: 'DOWN' }, '1': { text: 'UP' } } }],
    ), 4, 5],
    [g.stat(
      'Utilization',
      'Connections used divided by the connection limit.',
      'percentunit',
      g.targets([['pgconn_connections_utilization_ratio{' + s + '}', '{{target}}']]),
      thresholds=pct,
    ), 5, 5],
    [g.stat(
      'Available',
      'Connection slots left for ordinary clients before new ones are refused.',
      'short',
      g.targets([['pgconn_connections_available{' + s + '}', '{{target}}']]),
      thresholds={
        mode: 'absolute',
        steps: [{ color: 'red', value: null }, { color: 'orange', value: 1 }, { color: 'green', value: 3 }],
      },
    ), 5, 5],
    [g.stat(
      'Snapshot age',
      'Age of the data behind the metrics; grows when polls fail.',
      's',
      g.targets([['pgconn_snapshot_age_seconds{' + s + '}', '{{target}}']]),
      thresholds=g.steps([[60, 'orange'], [300, 'red']]),
    ), 4, 5],
    [g.stat(
      'Exporter build',
      'Version of the running exporter(s) and whether the last config reload worked.',
      'none',
      g.targets(
        [['pgconn_exporter_build_info{job=~"$job"}', '{{version}}'], ['pgconn_config_last_reload_successful{job=~"$job"}', 'reload ok {{instance}}']],
      ),
      thresholds={ mode: 'absolute', steps: [{ color: 'red', value: null }, { color: 'green', value: 1 }] },
    ), 6, 5],
    [g.alertlist(
      'Firing pgconn alerts',
      'Prometheus alerts whose name starts with Pgconn, firing or pending. See docs/runbook.md.',
    ), 24, 6],
    g.row('Connections'),
    [g.timeseries(
      'Connections used vs limit',
      "Connections in use against the budget (pgconn_connection_limit), the server's max_connections and the warning/critical counts configured in the exporter (pgconn_threshold_connections_*), drawn dashed.",
      'short',
      g.targets(
        [['pgconn_connections_used{' + s + '}', 'used {{target}}'], ['pgconn_connection_limit{' + s + '}', 'limit {{target}}'], ['pgconn_server_max_connections{' + s + '}', 'max_connections {{target}}'], ['pgconn_threshold_connections_warning{' + s + '}', 'warning {{target}}'], ['pgconn_threshold_connections_critical{' + s + '}', 'critical {{target}}']],
      ),
      overrides=[
        g.dashed('^warning.*', 'orange'),
        g.dashed('^critical.*', 'red'),
        g.dashed('^limit.*', 'purple'),
        g.dashed('^max_connections.*', 'blue'),
      ],
    ), 12, 9],
    [g.timeseries(
      'Utilization',
      'Used / limit, with the warning and critical ratios configured in the exporter (pgconn_threshold_utilization_*), drawn dashed.',
      'percentunit',
      g.targets(
        [['pgconn_connections_utilization_ratio{' + s + '}', '{{target}}'], ['pgconn_threshold_utilization_warning_ratio{' + s + '}', 'warning {{target}}'], ['pgconn_threshold_utilization_critical_ratio{' + s + '}', 'critical {{target}}']],
      ),
      overrides=[g.dashed('^warning.*', 'orange'), g.dashed('^critical.*', 'red')],
    ), 12, 9],
    [g.timeseries(
      'Available connections',
      "Slots left for ordinary clients (limit minus used). At 0 new clients get 'too many clients'.",
      'short',
      g.targets([['pgconn_connections_available{' + s + '}', '{{target}}']]),
      thresholds=g.steps([[0, 'red']]),
      threshold_lines=false,
    ), 8, 8],
    [g.timeseries(
      'Connections by state',
      'Client connections by pg_stat_activity state, stacked.',
      'short',
      g.targets([['sum by (target, state) (pgconn_connections{' + s + '})', '{{target}} {{state}}']]),
      stack=true,
    ), 8, 8],
    [g.timeseries(
      'Backends by type',
      'All server processes by backend_type, including background workers that take slots outside the client budget.',
      'short',
      g.targets([['sum by (target, backend_type) (pgconn_backends{' + s + '})', '{{target}} {{backend_type}}']]),
      stack=true,
    ), 8, 8],
    [g.timeseries(
      'Server settings',
      'max_connections and the slots reserved for superusers and replication.',
      'short',
      g.targets(
        [['pgconn_server_max_connections{' + s + '}', 'max_connections {{target}}'], ['pgconn_server_reserved_connections{' + s + '}', 'reserved {{target}}']],
      ),
    ), 8, 7],
    [g.timeseries(
      'Connections per database and user',
      'Connections per database and per user; compare with their CONNECTION LIMIT.',
      'short',
      g.targets(
        [['sum by (target, datname) (pgconn_database_connections{' + s + '})', 'db {{datname}} {{target}}'], ['sum by (target, usename) (pgconn_user_connections{' + s + '})', 'user {{usename}} {{target}}']],
      ),
    ), 16, 7],
  ] + poolersRow + [
    g.row('Exporter'),
    [g.timeseries(
      'Poll errors',
      'Failed polls per second by reason (pgconn_poll_errors_total).',
      'ops',
      g.targets(
        [[
          'sum by (target, reason) (rate(pgconn_poll_errors_total{' + s + '}[$__rate_interval]))',
          '{{target}} {{reason}}',
        ]],
      ),
    ), 8, 7],
    [g.timeseries(
      'Poll duration',
      'How long the last poll of each target took.',
      's',
      g.targets([['pgconn_poll_duration_seconds{' + s + '}', '{{target}}']]),
    ), 8, 7],
    [g.timeseries(
      'Connect probe',
      'Opt-in connect probe: time to open a fresh connection, and failures by reason.',
      's',
      g.targets(
        [['pgconn_connect_probe_duration_seconds{' + s + '}', 'duration {{target}}'], [
          'sum by (target, reason) (increase(pgconn_connect_probe_failures_total{' + s + '}[$__rate_interval]))',
          'failures {{target}} {{reason}}',
        ], ['pgconn_connect_probe_success{' + s + '}', 'success {{target}}']],
      ),
      overrides=[
        {
          matcher: { id: 'byRegexp', options: '^(failures|success).*' },
          properties: [{ id: 'unit', value: 'short' }, { id: 'custom.axisPlacement', value: 'right' }],
        },
      ],
    ), 8, 7],
    [g.timeseries(
      'Seconds since last successful poll',
      'time() minus pgconn_last_poll_success_timestamp_seconds.',
      's',
      g.targets([['time() - pgconn_last_poll_success_timestamp_seconds{' + s + '}', '{{target}}']]),
    ), 24, 6],
  ];
  g.dashboard(
    'pgconn-overview',
    'pgconn / Overview',
    'Connection slots of each PostgreSQL target: used vs limit, utilization, states; PgBouncer targets in the Poolers row.',
    config.dashboardTags,
    g.jobTargetVars('label_values(pgconn_up{%s}, job)' % config.pgconnSelector) + [g.serverTargetVar()],
    items,
    g.links,
  )
