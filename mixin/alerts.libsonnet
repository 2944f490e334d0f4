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
    // One file per rule group, each a function of _config.
    ruleGroups:: [
      (import 'alerts/exporter.libsonnet')(config),
      (import 'alerts/capacity.libsonnet')(config),
      (import 'alerts/sessions.libsonnet')(config),
      (import 'alerts/pools.libsonnet')(config),
      (import 'alerts/poolers.libsonnet')(config),
    ],
  },
}
