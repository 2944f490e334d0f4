// Rule group pgconn-capacity. Connection slots: counts and utilization against the thresholds,
// exhaustion, refused clients, declared capacity.
local folded = import 'folded.libsonnet';

function(config)
  {
    name: 'pgconn-capacity',
    rules: [
      {
        alert: 'PgconnConnectionsAboveWarning',
        expr: |||
          pgconn_connections_used{%(pgconnSelector)s}
            > on(job, instance, target) group_left()
          (pgconn_threshold_connections_warning{%(pgconnSelector)s} > 0)
        ||| % config,
        labels: { severity: 'warning', alertgroup: 'connections-count' },
        annotations: {
          summary: 'Connections consistently above the warning count.',
          description: folded(|||
            Target {{ $labels.target }} has had more connections than its warning
            threshold for 10 minutes: {{ $value | humanize }} in use, warning at
            {{ with printf "pgconn_threshold_connections_warning{job=%q,instance=%q,target=%q}" $labels.job $labels.instance $labels.target | query }}{{ . | first | value | humanize }}{{ end }}.
          |||),
        },
      },
      {
        alert: 'PgconnConnectionsAboveCritical',
        expr: |||
          pgconn_connections_used{%(pgconnSelector)s}
            >= on(job, instance, target) group_left()
          (pgconn_threshold_connections_critical{%(pgconnSelector)s} > 0)
        ||| % config,
        labels: { severity: 'critical', alertgroup: 'connections-count' },
        annotations: {
          summary: 'Connections at or above the critical count.',
          description: folded(|||
            Target {{ $labels.target }} has {{ $value | humanize }} connections in use,
            at or above its critical threshold of
            {{ with printf "pgconn_threshold_connections_critical{job=%q,instance=%q,target=%q}" $labels.job $labels.instance $labels.target | query }}{{ . | first | value | humanize }}{{ end }}.
            New clients will soon be refused.
          |||),
        },
      },
      {
        alert: 'PgconnUtilizationAboveWarning',
        expr: |||
          pgconn_connections_utilization_ratio{%(pgconnSelector)s}
            > on(job, instance, target) group_left()
          (pgconn_threshold_utilization_warning_ratio{%(pgconnSelector)s} > 0)
        ||| % config,
        labels: { severity: 'warning', alertgroup: 'utilization' },
        annotations: {
          summary: 'Connection-slot utilization consistently above the warning ratio.',
          description: folded(|||
            Target {{ $labels.target }} has used {{ $value | humanizePercentage }} of its
            connection limit for 10 minutes (warning at
            {{ with printf "pgconn_threshold_utilization_warning_ratio{job=%q,instance=%q,target=%q}" $labels.job $labels.instance $labels.target | query }}{{ . | first | value | humanizePercentage }}{{ end }}).
          |||),
        },
      },
      {
        alert: 'PgconnUtilizationAboveCritical',
        expr: |||
          pgconn_connections_utilization_ratio{%(pgconnSelector)s}
            >= on(job, instance, target) group_left()
          (pgconn_threshold_utilization_critical_ratio{%(pgconnSelector)s} > 0)
        ||| % config,
        labels: { severity: 'critical', alertgroup: 'utilization' },
        annotations: {
          summary: 'Connection-slot utilization at or above the critical ratio.',
          description: folded(|||
            Target {{ $labels.target }} uses {{ $value | humanizePercentage }} of its
            connection limit (critical at
            {{ with printf "pgconn_threshold_utilization_critical_ratio{job=%q,instance=%q,target=%q}" $labels.job $labels.instance $labels.target | query }}{{ . | first | value | humanizePercentage }}{{ end }}).
          |||),
        },
      },
      {
        alert: 'PgconnConnectionsExhausted',
        expr: 'pgconn_connections_available{%(pgconnSelector)s} <= 0' % config,
        labels: { severity: 'critical', alertgroup: 'exhaustion' },
        annotations: {
          summary: 'No usable connection slot is left.',
          description: folded(|||
            Target {{ $labels.target }} has no connection slot left for ordinary clients
            ({{ $value | humanize }} available): max_connections minus the reserved slots
            is used up and new clients are refused with "too many clients".
          |||),
        },
      },
      {
        alert: 'PgconnConnectionsExhaustionPredicted',
        expr: |||
          predict_linear(pgconn_connections_used{%(pgconnSelector)s}[1h], 3600)
            >= on(job, instance, target) group_left()
          pgconn_connection_limit{%(pgconnSelector)s}
        ||| % config,
        labels: { severity: 'warning', alertgroup: 'exhaustion' },
        annotations: {
          summary: 'Connections are predicted to reach the limit within an hour.',
          description: folded(|||
            At the growth rate of the last hour, target {{ $labels.target }} will reach
            its connection limit within an hour (about {{ $value | humanize }}
            connections predicted in one hour).
          |||),
        },
      },
      {
        alert: 'PgconnNewClientsRefused',
        expr: |||
          sum by (job, instance, target) (
            increase(pgconn_connect_probe_failures_total{%(pgconnSelector)s,reason=~"too_many_connections|reserved_slots_only"}[5m])
          ) > 0
          or
          sum by (job, instance, target) (
            increase(pgconn_poll_errors_total{%(pgconnSelector)s,reason=~"too_many_connections|reserved_slots_only"}[5m])
          ) > 0
        ||| % config,
        labels: { severity: 'critical', alertgroup: 'exhaustion' },
        annotations: {
          summary: 'PostgreSQL is refusing new clients for lack of connection slots.',
          description: folded(|||
            In the last 5 minutes about {{ $value | humanize }} connection attempts of the
            exporter to target {{ $labels.target }} were refused with too_many_connections
            or reserved_slots_only. Applications are getting the same error.
          |||),
        },
      },
      {
        alert: 'PgconnDeclaredCapacityAboveLimit',
        expr: |||
          pgconn_declared_capacity_connections{%(pgconnSelector)s}
            > on(job, instance, target) group_left()
          pgconn_connection_limit{%(pgconnSelector)s}
        ||| % config,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'Declared client pools can open more connections than the server allows.',
          description: folded(|||
            The client pools declared for target {{ $labels.target }} add up to
            {{ $value | humanize }} connections (processes x (pool_size + max_overflow)),
            more than its connection limit of
            {{ with printf "pgconn_connection_limit{job=%q,instance=%q,target=%q}" $labels.job $labels.instance $labels.target | query }}{{ . | first | value | humanize }}{{ end }}.
            A traffic burst can exhaust the server.
          |||),
        },
      },
    ],
  }
