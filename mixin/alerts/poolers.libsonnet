// Rule group pgconn-poolers: PgBouncer targets (kind = "pgbouncer").
// Per-pool alerts carry the pool's `database` and `user` labels;
// Alertmanager's inhibit rules compare those too, so a critical of one
// pool never silences a warning of another.
local folded = import 'folded.libsonnet';

function(config)
  {
    name: 'pgconn-poolers',
    rules: [
      {
        alert: 'PgconnPoolerClientsWaiting',
        expr: |||
          sum by (job, instance, target, database, user) (
            pgconn_pgbouncer_clients{%(pgconnSelector)s,state="waiting"}
          ) > 0
        ||| % config,
        labels: { severity: 'warning', alertgroup: 'pooler-wait' },
        annotations: {
          summary: 'Clients keep waiting for a PgBouncer server connection.',
          description: folded(|||
            Pool {{ $labels.database }}/{{ $labels.user }} of PgBouncer target {{ $labels.target }}
            (exporter {{ $labels.instance }}) has had clients waiting for a server connection
            for 5 minutes ({{ $value | humanize }} waiting now). Their queries are delayed by the wait.
          |||),
        },
      },
      {
        alert: 'PgconnPoolerServersSaturated',
        expr: |||
          (
            sum by (job, instance, target, database, user) (pgconn_pgbouncer_servers{%(pgconnSelector)s,state="active"})
              >= on(job, instance, target, database) group_left()
            (pgconn_pgbouncer_database_pool_size_connections{%(pgconnSelector)s} > 0)
          )
          and on(job, instance, target, database, user)
          (
            sum by (job, instance, target, database, user) (pgconn_pgbouncer_clients{%(pgconnSelector)s,state="waiting"}) > 0
          )
        ||| % config,
        labels: { severity: 'warning', alertgroup: 'pooler-wait' },
        annotations: {
          summary: 'A PgBouncer pool uses its whole pool_size while clients wait.',
          description: folded(|||
            Pool {{ $labels.database }}/{{ $labels.user }} of PgBouncer target {{ $labels.target }}
            has had {{ $value | humanize }} active server connections, its whole pool_size of
            {{ with printf "pgconn_pgbouncer_database_pool_size_connections{job=%q,instance=%q,target=%q,database=%q}" $labels.job $labels.instance $labels.target $labels.database | query }}{{ . | first | value | humanize }}{{ end }},
            with clients waiting, for 5 minutes. The pool is too small for its load or its
            transactions are too long.
          |||),
        },
      },
      {
        alert: 'PgconnPoolerMaxWaitHigh',
        expr: 'pgconn_pgbouncer_max_wait_seconds{%(pgconnSelector)s} > 1' % config,
        labels: { severity: 'critical', alertgroup: 'pooler-wait' },
        annotations: {
          summary: 'Clients of a PgBouncer pool wait more than a second for a server connection.',
          description: folded(|||
            The oldest waiting client of pool {{ $labels.database }}/{{ $labels.user }} on
            PgBouncer target {{ $labels.target }} has waited {{ $value | humanizeDuration }} for a
            server connection, and waits have stayed above 1s for 2 minutes. Requests through this
            pool are slowed down or time out.
          |||),
        },
      },
      {
        alert: 'PgconnPoolerClientLimitNear',
        expr: |||
          pgconn_pgbouncer_client_utilization_ratio{%(pgconnSelector)s}
            > on(job, instance, target) group_left()
          (pgconn_threshold_utilization_warning_ratio{%(pgconnSelector)s} > 0)
        ||| % config,
        labels: { severity: 'warning', alertgroup: 'pooler-clients' },
        annotations: {
          summary: 'PgBouncer client connections consistently above the warning ratio of its client limit.',
          description: folded(|||
            PgBouncer target {{ $labels.target }} has held {{ $value | humanizePercentage }} of its
            client limit (max_client_conn, or the target's connection_limit) for 10 minutes
            (warning at
            {{ with printf "pgconn_threshold_utilization_warning_ratio{job=%q,instance=%q,target=%q}" $labels.job $labels.instance $labels.target | query }}{{ . | first | value | humanizePercentage }}{{ end }}).
            At the limit new clients are refused.
          |||),
        },
      },
      {
        alert: 'PgconnPoolerClientLimitReached',
        expr: 'pgconn_pgbouncer_client_utilization_ratio{%(pgconnSelector)s} >= 1' % config,
        labels: { severity: 'critical', alertgroup: 'pooler-clients' },
        annotations: {
          summary: 'PgBouncer holds as many client connections as it admits; new clients are refused.',
          description: folded(|||
            PgBouncer target {{ $labels.target }} holds
            {{ with printf "pgconn_pgbouncer_client_connections{job=%q,instance=%q,target=%q}" $labels.job $labels.instance $labels.target | query }}{{ . | first | value | humanize }}{{ end }}
            client connections, {{ $value | humanizePercentage }} of its client limit. New clients
            get "no more connections allowed (max_client_conn)".
          |||),
        },
      },
      {
        alert: 'PgconnPoolerServerCapacityAboveLimit',
        expr: |||
          label_replace(
            sum by (job, instance, server_target) (
              pgconn_pgbouncer_server_connections_max{%(pgconnSelector)s}
                * on(job, instance, target) group_left(server_target)
              pgconn_pooler_link_info{%(pgconnSelector)s}
            ),
            "target", "$1", "server_target", "(.*)"
          )
            > on(job, instance, target) group_left()
          pgconn_connection_limit{%(pgconnSelector)s}
        ||| % config,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'The PgBouncer pools in front of a server can open more connections than it allows.',
          description: folded(|||
            The PgBouncer pools linked to target {{ $labels.target }}
            ({{ with printf "pgconn_pooler_link_info{job=%q,instance=%q,server_target=%q}" $labels.job $labels.instance $labels.target | query | sortByLabel "target" }}{{ range $i, $s := . }}{{ if $i }}, {{ end }}{{ $s.Labels.target }}{{ end }}{{ end }})
            may open {{ $value | humanize }} server connections (pool_size + reserve_pool per pool),
            more than its connection limit of
            {{ with printf "pgconn_connection_limit{job=%q,instance=%q,target=%q}" $labels.job $labels.instance $labels.target | query }}{{ . | first | value | humanize }}{{ end }}.
            Under load the poolers exhaust the server.
          |||),
        },
      },
    ],
  }
