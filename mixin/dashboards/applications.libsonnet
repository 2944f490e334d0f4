// pgconn / Applications and leaks: which applications hold the slots, how
// old their sessions are, and which look leaked.
local g = import 'grafana.libsonnet';

function(config)
  local s = g.sel;
  local a = g.sel + ', application_name=~"$application"';
  local variables = g.jobTargetVars('label_values(pgconn_up{%s}, job)' % config.pgconnSelector) + [
    g.queryVar(
      'application',
      'Application',
      'label_values(pgconn_application_connections{' + g.sel + '}, application_name)',
      all_value='.*',
    ),
  ];
  local items = [
    g.row('Who holds the connections'),
    [g.timeseries(
      'Connections per application',
      'Connections held by each application_name (empty = not set), stacked.',
      'short',
      g.targets(
        [[
          'sum by (target, application_name) (pgconn_application_connections{' + a + '})',
          '{{application_name}} {{target}}',
        ], ['pgconn_connection_limit{' + s + '}', 'limit {{target}}']],
      ),
      stack=true,
      overrides=[g.dashed('^limit.*', 'red')],
    ), 16, 9],
    [g.bargauge(
      'Top holders',
      'The ten applications holding the most connections right now.',
      'short',
      g.targets(
        [[
          'topk(10, sum by (target, application_name) (pgconn_application_connections{' + a + '}))',
          '{{application_name}} {{target}}',
        ]],
        instant=true,
      ),
    ), 8, 9],
    [g.timeseries(
      'Connections per application and state',
      "Each application's connections split by state: idle ones are pool reserves or leaks, idle in transaction ones hold locks.",
      'short',
      g.targets(
        [[
          'sum by (target, application_name, state) (pgconn_application_connections{' + a + '})',
          '{{application_name}} {{state}} {{target}}',
        ]],
      ),
    ), 12, 8],
    [g.timeseries(
      'Idle in transaction per application',
      'Sessions that opened a transaction and went quiet without COMMIT/ROLLBACK.',
      'short',
      g.targets(
        [[
          'sum by (target, application_name) (pgconn_application_connections{' + a + ', state=~"idle_in_transaction|idle_in_transaction_aborted"})',
          '{{application_name}} {{target}}',
        ], ['pgconn_connections{' + s + ', state="idle_in_transaction"}', 'all apps {{target}}']],
      ),
      thresholds=g.steps([[1, 'orange']]),
    ), 12, 8],
    [g.bargauge(
      'Connections by client address (top 10)',
      'The client addresses holding the most connections: replicas of one service share their application_name, the address tells them apart. Beyond [metrics] max_client_addresses the rest is summed under other; local is a Unix-socket client.',
      'short',
      g.targets(
        [[
          'topk(10, sum by (target, client_addr) (pgconn_client_address_connections{' + s + '}))',
          '{{client_addr}} {{target}}',
        ]],
        instant=true,
      ),
    ), 8, 8],
    [g.timeseries(
      'Connections per client address and state',
      "Each address's connections by state (aborted transactions counted as idle in transaction), for the ten addresses holding the most.",
      'short',
      g.targets(
        [[
          'sum by (target, client_addr, state) (pgconn_client_address_connections{' + s + '}) and on(target, client_addr) topk(10, sum by (target, client_addr) (pgconn_client_address_connections{' + s + '}))',
          '{{client_addr}} {{state}} {{target}}',
        ]],
      ),
    ), 16, 8],
    g.row('Oldest ages'),
    [g.timeseries(
      'Oldest idle in transaction per application',
      "Age of the oldest idle-in-transaction session per application, with the exporter's threshold (pgconn_threshold_idle_in_transaction_seconds) dashed.",
      's',
      g.targets(
        [['pgconn_application_oldest_idle_in_transaction_age_seconds{' + a + '}', '{{application_name}} {{target}}'], ['pgconn_threshold_idle_in_transaction_seconds{' + s + '}', 'threshold {{target}}']],
      ),
      overrides=[g.dashed('^threshold.*', 'red')],
    ), 8, 8],
    [g.timeseries(
      'Oldest transaction per application',
      'Age of the oldest open transaction per application; PgconnLongRunningTransaction fires above 30 minutes.',
      's',
      g.targets([['pgconn_application_oldest_transaction_age_seconds{' + a + '}', '{{application_name}} {{target}}']]),
      thresholds=g.steps([[1800, 'red']]),
      threshold_lines=true,
    ), 8, 8],
    [g.timeseries(
      'Oldest connection per application',
      'Age of the oldest connection per application, with the leak threshold (pgconn_threshold_connection_age_seconds) dashed.',
      's',
      g.targets(
        [['pgconn_application_oldest_connection_age_seconds{' + a + '}', '{{application_name}} {{target}}'], ['pgconn_threshold_connection_age_seconds{' + s + '}', 'threshold {{target}}']],
      ),
      overrides=[g.dashed('^threshold.*', 'red')],
    ), 8, 8],
    [g.timeseries(
      'Oldest ages, whole target',
      'Oldest connection, transaction and idle-in-transaction session on each target.',
      's',
      g.targets(
        [['pgconn_oldest_connection_age_seconds{' + s + '}', 'connection {{target}}'], ['pgconn_oldest_transaction_age_seconds{' + s + '}', 'transaction {{target}}'], ['pgconn_oldest_idle_in_transaction_age_seconds{' + s + '}', 'idle in transaction {{target}}']],
      ),
    ), 24, 7],
    g.row('Leaks'),
    [g.timeseries(
      'Leak suspects',
      'Connections the exporter suspects are leaked, per application and reason (older than the age threshold, or idle in transaction too long).',
      'short',
      g.targets([['pgconn_leak_suspect_connections{' + a + '}', '{{application_name}} {{reason}} {{target}}']]),
      thresholds=g.steps([[1, 'red']]),
      threshold_lines=true,
    ), 12, 8],
    [g.timeseries(
      'Leak suspects by client address',
      'The same suspects per client address: which replica, pod or host leaks.',
      'short',
      g.targets(
        [['pgconn_client_address_leak_suspect_connections{' + s + '}', '{{client_addr}} {{reason}} {{target}}']],
      ),
      thresholds=g.steps([[1, 'red']]),
      threshold_lines=true,
    ), 12, 8],
    [g.timeseries(
      'Idle connections trend',
      'Idle connections and their growth per hour over the last hour (PgconnIdleConnectionsGrowing fires above 10% of the limit per hour).',
      'short',
      g.targets(
        [['pgconn_connections{' + s + ', state="idle"}', 'idle {{target}}'], ['deriv(pgconn_connections{' + s + ', state="idle"}[1h]) * 3600', 'growth per hour {{target}}']],
      ),
    ), 12, 8],
    [g.timeseries(
      'Sessions ended abnormally',
      'Sessions abandoned by the client, ended by a fatal error or killed, per database (PostgreSQL 14+ pg_stat_database counters).',
      'short',
      g.targets(
        [[
          'sum by (target, datname) (increase(pgconn_database_sessions_abandoned_total{' + s + '}[$__rate_interval]))',
          'abandoned {{datname}} {{target}}',
        ], [
          'sum by (target, datname) (increase(pgconn_database_sessions_fatal_total{' + s + '}[$__rate_interval]))',
          'fatal {{datname}} {{target}}',
        ], [
          'sum by (target, datname) (increase(pgconn_database_sessions_killed_total{' + s + '}[$__rate_interval]))',
          'killed {{datname}} {{target}}',
        ]],
      ),
    ), 12, 8],
    [g.timeseries(
      'New sessions per second',
      'Session start rate per database; a high rate with short sessions means clients connect per request instead of pooling.',
      'ops',
      g.targets(
        [[
          'sum by (target, datname) (rate(pgconn_database_sessions_total{' + s + '}[$__rate_interval]))',
          '{{datname}} {{target}}',
        ]],
      ),
    ), 12, 8],
    [g.table(
      'Database and user limits',
      'CONNECTION LIMIT of each database and role (-1 = unlimited) next to current use.',
      'short',
      g.targets(
        [['pgconn_database_connection_limit{' + s + '}', 'db limit'], ['pgconn_user_connection_limit{' + s + '}', 'user limit']],
        instant=true,
      ),
    ), 24, 7],
  ];
  g.dashboard(
    'pgconn-applications',
    'pgconn / Applications and leaks',
    'Which applications hold the connection slots, how old their sessions are, and which look leaked.',
    config.dashboardTags,
    variables,
    items,
    g.links,
  )
