// Rule group pgconn-pools. In-process pools (pgconn_pool_*, scraped from the
// applications: not selected by pgconnSelector) and declared application pools.
local folded = import 'folded.libsonnet';

function(config)
  {
    name: 'pgconn-pools',
    rules: [
      {
        alert: 'PgconnPoolUtilizationHigh',
        expr: 'pgconn_pool_utilization_ratio > 0.8' % config,
        labels: { severity: 'warning', alertgroup: 'pool-capacity' },
        annotations: {
          summary: 'A connection pool is more than 80% in use.',
          description: folded(|||
            Pool {{ $labels.pool }} ({{ $labels.job }}/{{ $labels.instance }}) has been
            {{ $value | humanizePercentage }} in use for 10 minutes.
          |||),
        },
      },
      {
        alert: 'PgconnPoolExhausted',
        expr: 'pgconn_pool_utilization_ratio >= 1' % config,
        labels: { severity: 'critical', alertgroup: 'pool-capacity' },
        annotations: {
          summary: 'A connection pool has every connection in use.',
          description: folded(|||
            Pool {{ $labels.pool }} ({{ $labels.job }}/{{ $labels.instance }}) has had
            every connection, overflow included, in use for 5 minutes
            ({{ $value | humanizePercentage }}). Further callers wait or time out.
          |||),
        },
      },
      {
        alert: 'PgconnPoolCallersWaiting',
        expr: 'pgconn_pool_pending_requests > 0' % config,
        labels: { severity: 'warning', alertgroup: 'pool-capacity' },
        annotations: {
          summary: 'Callers keep waiting for a pool connection.',
          description: folded(|||
            Pool {{ $labels.pool }} ({{ $labels.job }}/{{ $labels.instance }}) has had
            callers waiting for a connection for 5 minutes ({{ $value | humanize }}
            waiting now).
          |||),
        },
      },
      {
        alert: 'PgconnPoolAcquireTimeouts',
        expr: 'increase(pgconn_pool_acquires_total{result="timeout"}[5m]) > 0' % config,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'Callers gave up waiting for a pool connection.',
          description: folded(|||
            About {{ $value | humanize }} acquires from pool {{ $labels.pool }}
            ({{ $labels.job }}/{{ $labels.instance }}) timed out in the last 5 minutes;
            those callers got an error instead of a connection.
          |||),
        },
      },
      {
        alert: 'PgconnPoolOverflowHigh',
        expr: 'pgconn_pool_overflow_connections > 2' % config,
        labels: { severity: 'warning', alertgroup: 'pool-overflow' },
        annotations: {
          summary: 'A pool runs more than 2 overflow connections.',
          description: folded(|||
            Pool {{ $labels.pool }} ({{ $labels.job }}/{{ $labels.instance }}) has had
            {{ $value | humanize }} overflow connections open beyond its base size for
            10 minutes.
          |||),
        },
      },
      {
        alert: 'PgconnPoolOverflowFrequent',
        expr: 'avg_over_time((pgconn_pool_overflow_connections >bool 0)[1h:1m]) > 0.25' % config,
        labels: { severity: 'info', alertgroup: 'pool-overflow' },
        annotations: {
          summary: 'A pool has used overflow connections for more than a quarter of the last hour.',
          description: folded(|||
            Pool {{ $labels.pool }} ({{ $labels.job }}/{{ $labels.instance }}) ran with
            overflow connections {{ $value | humanizePercentage }} of the last hour. Its
            base size is too small for the usual load.
          |||),
        },
      },
      {
        alert: 'PgconnApplicationPoolUtilizationHigh',
        expr: 'pgconn_application_pool_utilization_ratio{%(pgconnSelector)s} > 0.8' % config,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'An application uses more than 80% of its declared pool capacity.',
          description: folded(|||
            Application "{{ $labels.application_name }}" on target {{ $labels.target }}
            holds {{ $value | humanizePercentage }} of the connections its declared pools
            allow (processes x (pool_size + max_overflow)) for 10 minutes.
          |||),
        },
      },
    ],
  }
