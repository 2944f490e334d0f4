// The Poolers row of pgconn / Overview: PgBouncer targets (kind =
// "pgbouncer"); its panels stay empty when there is none.
local g = import 'grafana.libsonnet';

local s = g.sel;
local pools = g.sel + ', database!="pgbouncer"';
local linked = '* on(job, instance, target) group_left(server_target) pgconn_pooler_link_info{' + s + '}';
local server = 'job=~"$job", target=~"$server_target"';
[
  g.row('Poolers'),
  [g.timeseries(
    'Pooler clients per pool',
    "PgBouncer client connections per pool (database/user): active (paired with a server connection) and waiting for one, stacked. Waiting clients at every evaluation for 5 minutes fire PgconnPoolerClientsWaiting. The pool pgbouncer/<user> is the exporter's own console connection.",
    'short',
    g.targets(
      [[
        'sum by (target, database, user, state) (pgconn_pgbouncer_clients{' + s + '})',
        '{{state}} {{database}}/{{user}} {{target}}',
      ]],
    ),
    stack=true,
    overrides=[
      {
        matcher: { id: 'byRegexp', options: '^waiting.*' },
        properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }],
      },
    ],
  ), 12, 8],
  [g.timeseries(
    'Client wait',
    'How long the oldest waiting client of each pool has waited (PgconnPoolerMaxWaitHigh fires above 1 s for 2 minutes), and the average wait per pooled transaction of each database (rate of pgconn_pgbouncer_client_wait_seconds_total / rate of pgconn_pgbouncer_transactions_total).',
    's',
    g.targets(
      [['pgconn_pgbouncer_max_wait_seconds{' + s + '}', 'oldest {{database}}/{{user}} {{target}}'], [
        'sum by (target, database) (rate(pgconn_pgbouncer_client_wait_seconds_total{' + s + '}[$__rate_interval])) / sum by (target, database) (rate(pgconn_pgbouncer_transactions_total{' + s + '}[$__rate_interval]))',
        'average per transaction {{database}} {{target}}',
      ]],
    ),
    thresholds=g.steps([[1, 'red']]),
    threshold_lines=true,
  ), 12, 8],
  [g.timeseries(
    'Client connections vs max_client_conn',
    "Client connections PgBouncer holds (the exporter's included) against max_client_conn (dashed). At max_client_conn new clients get \"no more connections allowed\" (PgconnPoolerClientLimitReached).",
    'short',
    g.targets(
      [['pgconn_pgbouncer_client_connections{' + s + '}', 'clients {{target}}'], ['pgconn_pgbouncer_max_client_connections{' + s + '}', 'max_client_conn {{target}}']],
    ),
    overrides=[g.dashed('^max_client_conn.*', 'red')],
  ), 8, 8],
  [g.timeseries(
    'Pooler client utilization',
    "Client connections / the client limit (max_client_conn, or the target's connection_limit), with the target's warning and critical ratios dashed (PgconnPoolerClientLimitNear fires above the warning ratio for 10 minutes).",
    'percentunit',
    g.targets(
      [['pgconn_pgbouncer_client_utilization_ratio{' + s + '}', '{{target}}'], [
        'pgconn_threshold_utilization_warning_ratio{' + s + '} and on(job, instance, target) pgconn_pgbouncer_client_utilization_ratio{' + s + '}',
        'warning {{target}}',
      ], [
        'pgconn_threshold_utilization_critical_ratio{' + s + '} and on(job, instance, target) pgconn_pgbouncer_client_utilization_ratio{' + s + '}',
        'critical {{target}}',
      ]],
    ),
    overrides=[g.dashed('^warning.*', 'orange'), g.dashed('^critical.*', 'red')],
  ), 8, 8],
  [g.timeseries(
    'Pooled traffic',
    'Transactions and queries per second pooled by PgBouncer, per database (SHOW STATS).',
    'ops',
    g.targets(
      [[
        'sum by (target, database) (rate(pgconn_pgbouncer_transactions_total{' + pools + '}[$__rate_interval]))',
        'transactions {{database}} {{target}}',
      ], [
        'sum by (target, database) (rate(pgconn_pgbouncer_queries_total{' + pools + '}[$__rate_interval]))',
        'queries {{database}} {{target}}',
      ]],
    ),
  ), 8, 8],
  [g.timeseries(
    'Server connections per pool vs pool_size',
    "Server connections of each pool: active (serving a client) and all open ones, against the database's pool_size and pool_size + reserve_pool (dashed). Active at pool_size while clients wait fires PgconnPoolerServersSaturated.",
    'short',
    g.targets(
      [['pgconn_pgbouncer_servers{' + pools + ', state="active"}', 'active {{database}}/{{user}} {{target}}'], [
        'sum by (target, database, user) (pgconn_pgbouncer_servers{' + pools + '})',
        'open {{database}}/{{user}} {{target}}',
      ], ['pgconn_pgbouncer_database_pool_size_connections{' + pools + '}', 'pool_size {{database}} {{target}}'], [
        'pgconn_pgbouncer_database_pool_size_connections{' + pools + '} + on(job, instance, target, database) pgconn_pgbouncer_database_reserve_pool_connections{' + pools + '}',
        'with reserve_pool {{database}} {{target}}',
      ]],
    ),
    overrides=[g.dashed('^pool_size.*', 'red'), g.dashed('^with reserve_pool.*', 'orange')],
  ), 12, 8],
  [g.table(
    'Pool modes and limits',
    'Per pool: its pool_mode, the clients it admits (pool_size in session mode, max_client_conn in transaction and statement mode) and how much of that its active and waiting clients use.',
    'short',
    g.targets(
      [['max by (target, database, user, pool_mode) (pgconn_pgbouncer_pool_mode{' + pools + '})', 'mode'], ['max by (target, database, user) (pgconn_pgbouncer_pool_client_limit{' + pools + '})', 'client limit'], [
        'max by (target, database, user) (pgconn_pgbouncer_pool_client_utilization_ratio{' + pools + '})',
        'client utilization',
      ]],
      instant=true,
    ),
    hide=['Value #A'],
    rename={ 'Value #B': 'client limit', 'Value #C': 'client utilization' },
    units={ 'Value #C': 'percentunit' },
  ), 12, 8],
  [g.table(
    'Pooler databases',
    'Per PgBouncer database: pool_size, reserve_pool, max_db_connections (0 = no limit) and the server connections it holds now.',
    'short',
    g.targets(
      [['max by (target, database) (' + ml[0] + '{' + pools + '})', ml[1]] for ml in [
        ['pgconn_pgbouncer_database_pool_size_connections', 'pool_size'],
        ['pgconn_pgbouncer_database_reserve_pool_connections', 'reserve_pool'],
        ['pgconn_pgbouncer_database_max_connections', 'max_db_connections'],
        ['pgconn_pgbouncer_database_current_connections', 'current'],
      ]],
      instant=true,
    ),
    rename={
      'Value #A': 'pool_size',
      'Value #B': 'reserve_pool',
      'Value #C': 'max_db_connections',
      'Value #D': 'server connections',
    },
  ), 12, 8],
  [g.timeseries(
    'Pooler clients per application and state',
    "PgBouncer's clients (SHOW CLIENTS) per application_name: linked (holds a server connection), idle (holds only a client slot) and waiting (queued for a server), stacked; the exporters' own console sessions are not counted.",
    'short',
    g.targets(
      [[
        'sum by (target, application_name, state) (pgconn_pgbouncer_application_clients{' + s + '})',
        '{{application_name}} {{state}} {{target}}',
      ]],
    ),
    stack=true,
  ), 12, 8],
  [g.timeseries(
    'Pooler leak suspects',
    'PgBouncer clients connected longer than connection_age_seconds, per application; pgconn_pgbouncer_client_address_clients tells which addresses hold the slots.',
    'short',
    g.targets(
      [['pgconn_pgbouncer_leak_suspect_clients{' + s + '}', '{{application_name}} {{target}}'], [
        'topk(10, sum by (target, client_addr) (pgconn_pgbouncer_client_address_clients{' + s + '}))',
        'clients from {{client_addr}} {{target}}',
      ]],
    ),
    thresholds=g.steps([[1, 'red']]),
    threshold_lines=true,
  ), 12, 8],
  [g.timeseries(
    'Linked server: pooler capacity vs connection limit',
    "For each PostgreSQL target behind the selected poolers (their server_target): the server connections all those poolers may open (pool_size + reserve_pool of every pool) and hold now, beside the server's connection limit and max_connections (dashed) and all its client connections. Potential above the limit fires PgconnPoolerServerCapacityAboveLimit.",
    'short',
    g.targets(
      [[
        'sum by (job, instance, server_target) (pgconn_pgbouncer_server_connections_max{' + s + '} ' + linked + ')',
        "poolers' potential {{server_target}}",
      ], [
        'sum by (job, instance, server_target) (pgconn_pgbouncer_server_connections{' + s + '} ' + linked + ')',
        "poolers' server connections {{server_target}}",
      ], ['pgconn_connections_used{' + server + '}', 'used (all clients) {{target}}'], ['pgconn_connection_limit{' + server + '}', 'limit {{target}}'], ['pgconn_server_max_connections{' + server + '}', 'max_connections {{target}}']],
    ),
    overrides=[g.dashed('^limit.*', 'red'), g.dashed('^max_connections.*', 'blue')],
  ), 24, 8],
]
