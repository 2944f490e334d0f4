// pgconn / Pools: the in-process connection pools (pgconn pool library)
// and the client pools declared to the exporter.
local g = import 'grafana.libsonnet';

function(config)
  local p = g.poolSel;
  local s = g.sel;
  local variables = g.jobTargetVars('label_values({__name__=~"pgconn_up|pgconn_pool_max_connections"}, job)') + [g.queryVar('pool', 'Pool', 'label_values(pgconn_pool_max_connections{job=~"$job"}, pool)')];
  local q(quantile, metric) =
    'histogram_quantile(' + quantile + ', sum by (job, instance, pool, le) (rate(' + metric + '_bucket{' + p + '}[$__rate_interval])))';
  local items = [
    g.row('In-process pools'),
    [g.timeseries(
      'Pool utilization',
      'Connections in use / pool maximum. PgconnPoolUtilizationHigh fires above 80% for 10 minutes, PgconnPoolExhausted at 100%.',
      'percentunit',
      g.targets([['pgconn_pool_utilization_ratio{' + p + '}', '{{pool}} {{instance}}']]),
      thresholds=g.steps([[0.8, 'orange'], [1, 'red']]),
      threshold_lines=true,
    ), 12, 8],
    [g.timeseries(
      'Pool connections',
      "Pool connections by state (stacked) against the pool's current size and maximum (dashed).",
      'short',
      g.targets(
        [['sum by (pool, instance, state) (pgconn_pool_connections{' + p + '})', '{{pool}} {{state}} {{instance}}'], ['pgconn_pool_size_connections{' + p + '}', 'size {{pool}} {{instance}}'], ['pgconn_pool_max_connections{' + p + '}', 'max {{pool}} {{instance}}']],
      ),
      stack=true,
      overrides=[g.dashed('^size.*', 'blue'), g.dashed('^max.*', 'red')],
    ), 12, 8],
    [g.timeseries(
      'Overflow connections',
      'Connections open beyond the base pool size. PgconnPoolOverflowHigh fires above 2.',
      'short',
      g.targets([['pgconn_pool_overflow_connections{' + p + '}', '{{pool}} {{instance}}']]),
      thresholds=g.steps([[2.5, 'orange']]),
      threshold_lines=true,
    ), 8, 8],
    [g.timeseries(
      'Waiting callers',
      'Callers queued for a connection. Sustained waiting fires PgconnPoolCallersWaiting.',
      'short',
      g.targets([['pgconn_pool_pending_requests{' + p + '}', '{{pool}} {{instance}}']]),
    ), 8, 8],
    [g.timeseries(
      'Oldest waiting caller',
      'How long the longest-waiting caller has been queued.',
      's',
      g.targets([['pgconn_pool_oldest_pending_seconds{' + p + '}', '{{pool}} {{instance}}']]),
    ), 8, 8],
    [g.timeseries(
      'Acquire latency',
      'Time to get a connection from the pool: median, 90th and 99th percentile (histogram pgconn_pool_acquire_duration_seconds).',
      's',
      g.targets(
        [[q('0.5', 'pgconn_pool_acquire_duration_seconds'), 'p50 {{pool}} {{instance}}'], [q('0.9', 'pgconn_pool_acquire_duration_seconds'), 'p90 {{pool}} {{instance}}'], [q('0.99', 'pgconn_pool_acquire_duration_seconds'), 'p99 {{pool}} {{instance}}']],
      ),
    ), 12, 8],
    [g.timeseries(
      'Acquires by result',
      'Acquires per second that got a connection, timed out or failed.',
      'ops',
      g.targets(
        [[
          'sum by (pool, result) (rate(pgconn_pool_acquires_total{' + p + '}[$__rate_interval]))',
          '{{pool}} {{result}}',
        ]],
      ),
    ), 12, 8],
    [g.timeseries(
      'Hold and connect time',
      '99th percentile of how long callers hold a connection, and of how long opening a new server connection takes.',
      's',
      g.targets(
        [[q('0.99', 'pgconn_pool_use_duration_seconds'), 'hold p99 {{pool}} {{instance}}'], [q('0.99', 'pgconn_pool_connect_duration_seconds'), 'connect p99 {{pool}} {{instance}}']],
      ),
    ), 8, 8],
    [g.timeseries(
      'Connections opened and closed',
      'Server connections opened and closed per second by reason; churn means the pool is too small or recycles too eagerly.',
      'ops',
      g.targets(
        [['sum by (pool) (rate(pgconn_pool_connections_opened_total{' + p + '}[$__rate_interval]))', 'opened {{pool}}'], [
          'sum by (pool, reason) (rate(pgconn_pool_connections_closed_total{' + p + '}[$__rate_interval]))',
          'closed {{pool}} {{reason}}',
        ], [
          'sum by (pool, result) (rate(pgconn_pool_pre_pings_total{' + p + '}[$__rate_interval]))',
          'pre-ping {{pool}} {{result}}',
        ]],
      ),
    ), 8, 8],
    [g.timeseries(
      'Pool leaks',
      "Connections checked out longer than the pool's leak threshold right now, and leaks detected over time.",
      'short',
      g.targets(
        [['pgconn_pool_suspected_leaks{' + p + '}', 'suspected {{pool}} {{instance}}'], [
          'sum by (pool) (increase(pgconn_pool_leaks_detected_total{' + p + '}[$__rate_interval]))',
          'detected {{pool}}',
        ]],
      ),
    ), 8, 8],
    g.row('Declared application pools'),
    [g.timeseries(
      'Declared pool utilization',
      'Connections each application holds / the capacity its pools declare (processes x (pool_size + max_overflow)). PgconnApplicationPoolUtilizationHigh fires above 80%.',
      'percentunit',
      g.targets([['pgconn_application_pool_utilization_ratio{' + s + '}', '{{application_name}} {{target}}']]),
      thresholds=g.steps([[0.8, 'orange'], [1, 'red']]),
      threshold_lines=true,
    ), 12, 8],
    [g.timeseries(
      'Declared capacity vs limit',
      'Sum of all declared pool capacities against the connection limit. Above the limit, a burst can exhaust the server (PgconnDeclaredCapacityAboveLimit).',
      'short',
      g.targets(
        [['pgconn_declared_capacity_connections{' + s + '}', 'declared {{target}}'], ['pgconn_connection_limit{' + s + '}', 'limit {{target}}']],
      ),
      overrides=[g.dashed('^limit.*', 'red')],
    ), 12, 8],
    [g.timeseries(
      'Declared pools per application',
      'Per application: declared capacity, base connections (pool_size) and overflow allowance (max_overflow), times processes.',
      'short',
      g.targets(
        [['pgconn_application_pool_capacity_connections{' + s + '}', 'capacity {{application_name}} {{target}}'], ['pgconn_application_pool_base_connections{' + s + '}', 'base {{application_name}} {{target}}'], ['pgconn_application_pool_overflow_connections{' + s + '}', 'overflow {{application_name}} {{target}}']],
      ),
    ), 24, 8],
  ];
  g.dashboard(
    'pgconn-pools',
    'pgconn / Pools',
    'In-process connection pools (pgconn pool library) and the client pools declared to the exporter.',
    config.dashboardTags,
    variables,
    items,
    g.links,
  )
