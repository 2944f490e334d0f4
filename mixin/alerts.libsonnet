// The alerting rules, rendered to alerts/pgconn.rules.yml by scripts/render-mixin.sh.
//
// Conventions (checked by tests/assets/check_alerts.py):
// - CamelCase alert names, `severity` is critical|warning|info, a static
//   `summary`, a templated `description`, a `runbook_url` pointing at the
//   docs/runbook.md section named after the lowercased alert (served by the
//   exporter at /runbook, see _config.runbookURLPattern), at most 20 rules
//   per group.
// - Every series the exporter exports is selected with _config.pgconnSelector
//   (its scrape job); the in-process pool metrics (pgconn_pool_*) come from the
//   applications' own scrape jobs and are not.
// - Thresholds come from the exporter's pgconn_threshold_* gauges, joined on
//   the series identity (job, instance, target). Joining on `target` alone
//   would break evaluation ("many-to-many matching not allowed") as soon as two
//   exporters in one Prometheus use the same target name (HA pair, or one
//   exporter per cluster each calling its target "primary"). Only the pool,
//   pooler and hygiene rules without a threshold gauge use constants; each
//   constant is listed in docs/runbook.md ("Constants in the rules").
// - PgBouncer targets (kind = "pgbouncer") get pgconn_up, the poll errors and
//   the threshold gauges like PostgreSQL targets, so the pgconn-exporter group
//   covers them; their own rules are in pgconn-poolers.
// - Warning/critical pairs share an `alertgroup` label; Alertmanager inhibits
//   the warning while the critical of the same alertgroup fires for the same
//   job/instance/target (see alertmanager/alertmanager.yml).
// - `for:` durations are in _config.alertFor (an alert missing there has none).
{
  local config = self._config,

  // A text block as one line, like YAML's `>-`: the descriptions read as
  // paragraphs here and render as single lines in the rules.
  local folded(text) = std.join(' ', std.split(std.rstripChars(text, '\n'), '\n')),

  // Adds what every rule gets from _config: its `for:` and its runbook_url.
  local withConfig(rule) = rule {
    [if std.objectHas(config.alertFor, rule.alert) then 'for']: config.alertFor[rule.alert],
    annotations+: {
      runbook_url: (if std.member(config.alertsWithoutExporterInstance, rule.alert)
                    then config.runbookURLPatternAnyExporter
                    else config.runbookURLPattern) % std.asciiLower(rule.alert),
    },
  },

  prometheusAlerts+:: {
    groups+: [
      group { rules: std.map(withConfig, group.rules) }
      for group in self.ruleGroups
    ],
    ruleGroups:: [
      {
        name: 'pgconn-exporter',
        rules: [
          {
            alert: 'PgconnExporterDown',
            expr: 'up{%(pgconnSelector)s} == 0' % $._config,
            labels: { severity: 'warning' },
            annotations: {
              summary: 'pgconn_exporter cannot be scraped; connection-slot alerts are blind.',
              description: folded(|||
                Prometheus has failed to scrape the pgconn_exporter at {{ $labels.instance }}
                (job {{ $labels.job }}) for 5 minutes. No connection-slot alert can fire
                for the targets it watches until it is back.
              |||),
            },
          },
          {
            alert: 'PgconnExporterAbsent',
            expr: 'absent(up{%(pgconnSelector)s})' % $._config,
            labels: { severity: 'warning' },
            annotations: {
              summary: 'No pgconn_exporter is being scraped at all.',
              description: folded(|||
                Prometheus has no scrape target in job {{ $labels.job }} for 15 minutes:
                the exporter was removed from service discovery or the scrape config
                changed. Connection-slot alerts are blind.
              |||),
            },
          },
          {
            alert: 'PgconnTargetDown',
            expr: 'pgconn_up{%(pgconnSelector)s} == 0' % $._config,
            labels: { severity: 'critical', alertgroup: 'polling' },
            annotations: {
              summary: 'pgconn_exporter cannot poll a target (PostgreSQL or PgBouncer).',
              description: folded(|||
                Every poll of target {{ $labels.target }} (exporter {{ $labels.instance }})
                has failed for 5 minutes. Check pgconn_poll_errors_total for the reason; a
                reason of too_many_connections means the server is out of slots.
              |||),
            },
          },
          {
            alert: 'PgconnPollsFailing',
            expr: 'increase(pgconn_poll_errors_total{%(pgconnSelector)s}[5m]) > 0' % $._config,
            labels: { severity: 'warning', alertgroup: 'polling' },
            annotations: {
              summary: 'Polls of a target (PostgreSQL or PgBouncer) keep failing.',
              description: folded(|||
                Polls of target {{ $labels.target }} (exporter {{ $labels.instance }}) have
                been failing with reason {{ $labels.reason }} for 15 minutes (about
                {{ $value | humanize }} failed polls in the last 5 minutes). The metrics for this target are
                stale or missing between successful polls.
              |||),
            },
          },
          {
            alert: 'PgconnConfigReloadFailed',
            expr: 'pgconn_config_last_reload_successful{%(pgconnSelector)s} == 0' % $._config,
            labels: { severity: 'warning' },
            annotations: {
              summary: 'pgconn_exporter failed to reload its configuration.',
              description: folded(|||
                The last configuration reload of the exporter at {{ $labels.instance }}
                failed; it keeps running with the previous configuration. Fix the file and
                reload again.
              |||),
            },
          },
        ],
      },
      {
        name: 'pgconn-capacity',
        rules: [
          {
            alert: 'PgconnConnectionsAboveWarning',
            expr: |||
              pgconn_connections_used{%(pgconnSelector)s}
                > on(job, instance, target) group_left()
              (pgconn_threshold_connections_warning{%(pgconnSelector)s} > 0)
            ||| % $._config,
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
            ||| % $._config,
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
            ||| % $._config,
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
            ||| % $._config,
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
            expr: 'pgconn_connections_available{%(pgconnSelector)s} <= 0' % $._config,
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
            ||| % $._config,
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
            ||| % $._config,
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
            ||| % $._config,
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
      },
      {
        name: 'pgconn-sessions',
        rules: [
          {
            alert: 'PgconnIdleInTransactionTooLong',
            expr: |||
              pgconn_application_oldest_idle_in_transaction_age_seconds{%(pgconnSelector)s}
                > on(job, instance, target) group_left()
              (pgconn_threshold_idle_in_transaction_seconds{%(pgconnSelector)s} > 0)
            ||| % $._config,
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
            expr: 'pgconn_application_oldest_transaction_age_seconds{%(pgconnSelector)s} > 1800' % $._config,
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
            expr: 'pgconn_leak_suspect_connections{%(pgconnSelector)s,reason="age"} > 0' % $._config,
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
            ||| % $._config,
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
            ||| % $._config,
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
      },
      {
        name: 'pgconn-pools',
        rules: [
          {
            alert: 'PgconnPoolUtilizationHigh',
            expr: 'pgconn_pool_utilization_ratio > 0.8' % $._config,
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
            expr: 'pgconn_pool_utilization_ratio >= 1' % $._config,
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
            expr: 'pgconn_pool_pending_requests > 0' % $._config,
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
            expr: 'increase(pgconn_pool_acquires_total{result="timeout"}[5m]) > 0' % $._config,
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
            expr: 'pgconn_pool_overflow_connections > 2' % $._config,
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
            expr: 'avg_over_time((pgconn_pool_overflow_connections >bool 0)[1h:1m]) > 0.25' % $._config,
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
            expr: 'pgconn_application_pool_utilization_ratio{%(pgconnSelector)s} > 0.8' % $._config,
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
      },
      // PgBouncer targets (kind = "pgbouncer"). Per-pool alerts carry the pool's
      // `database` and `user` labels; Alertmanager's inhibit rules compare those
      // too, so a critical of one pool never silences a warning of another.
      {
        name: 'pgconn-poolers',
        rules: [
          {
            alert: 'PgconnPoolerClientsWaiting',
            expr: |||
              sum by (job, instance, target, database, user) (
                pgconn_pgbouncer_clients{%(pgconnSelector)s,state="waiting"}
              ) > 0
            ||| % $._config,
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
            ||| % $._config,
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
            expr: 'pgconn_pgbouncer_max_wait_seconds{%(pgconnSelector)s} > 1' % $._config,
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
            ||| % $._config,
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
            expr: 'pgconn_pgbouncer_client_utilization_ratio{%(pgconnSelector)s} >= 1' % $._config,
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
            ||| % $._config,
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
      },
    ],
  },
}
