// Rule group pgconn-sessions. Session hygiene: idle in transaction, long transactions,
// leaks, idle growth, one dominant application.
local folded = import 'folded.libsonnet';

function(config)
  {
    name: 'pgconn-sessions',
    rules: [
      {
        alert: 'PgconnIdleInTransactionTooLong',
        expr: |||
          pgconn_application_oldest_idle_in_transaction_age_seconds{%(pgconnSelector)s}
            > on(job, instance, target) group_left()
          (pgconn_threshold_idle_in_transaction_seconds{%(pgconnSelector)s} > 0)
        ||| % config,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'A session has been idle in transaction longer than the threshold.',
          description: folded(|||
            Application "{{ $labels.application_name }}" on target {{ $labels.target }}
            has a session idle in transaction for {{ $value | humanizeDuration }}, longer
            than the threshold of
            {{ with printf "pgconn_threshold_idle_in_transaction_seconds{job=%q,instance=%q,target=%q}" $labels.job $labels.instance $labels.target | query }}{{ . | first | value | humanizeDuration }}{{ end }}.
            It holds a slot, its locks and the xmin horizon. Which replica:
            pgconn_client_address_leak_suspect_connections{target="{{ $labels.target }}",reason="idle_in_transaction"}
            (or pgconn_exporter diagnose) names the client addresses.
          |||),
        },
      },
      {
        alert: 'PgconnLongRunningTransaction',
        expr: 'pgconn_application_oldest_transaction_age_seconds{%(pgconnSelector)s} > 1800' % config,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'A transaction has been open for more than 30 minutes.',
          description: folded(|||
            Application "{{ $labels.application_name }}" on target {{ $labels.target }}
            has a transaction open for {{ $value | humanizeDuration }}. It holds its
            connection, its locks and blocks vacuum.
          |||),
        },
      },
      {
        alert: 'PgconnConnectionLeakSuspected',
        expr: 'pgconn_leak_suspect_connections{%(pgconnSelector)s,reason="age"} > 0' % config,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'Connections older than the age threshold; a leak is suspected.',
          description: folded(|||
            Application "{{ $labels.application_name }}" on target {{ $labels.target }}
            holds {{ $value | humanize }} connection(s) older than the connection-age
            threshold (pgconn_threshold_connection_age_seconds). A client is probably
            not returning connections to its pool. Which replica:
            pgconn_client_address_leak_suspect_connections{target="{{ $labels.target }}",reason="age"}
            (or pgconn_exporter diagnose) names the client addresses.
          |||),
        },
      },
      {
        alert: 'PgconnIdleConnectionsGrowing',
        expr: |||
          deriv(pgconn_connections{%(pgconnSelector)s,state="idle"}[1h]) * 3600
            > on(job, instance, target) group_left()
          (0.1 * pgconn_connection_limit{%(pgconnSelector)s})
        ||| % config,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'Idle connections have been growing steadily for an hour.',
          description: folded(|||
            Idle connections on target {{ $labels.target }} grow by about
            {{ $value | humanize }} per hour (more than 10% of the connection limit per
            hour, sustained). Some client opens connections and never closes them.
          |||),
        },
      },
      {
        alert: 'PgconnApplicationHoldsMajority',
        expr: |||
          sum by (job, instance, target, application_name) (pgconn_application_connections{%(pgconnSelector)s})
            > on(job, instance, target) group_left()
          (0.5 * pgconn_connection_limit{%(pgconnSelector)s})
        ||| % config,
        labels: { severity: 'info' },
        annotations: {
          summary: 'One application holds more than half of the connection limit.',
          description: folded(|||
            Application "{{ $labels.application_name }}" holds {{ $value | humanize }}
            connections on target {{ $labels.target }}, more than half of its connection
            limit. (An empty name means clients that set no application_name.)
          |||),
        },
      },
    ],
  }
