// Rule group pgconn-exporter. The exporter and its polls (PostgreSQL and PgBouncer targets alike).
local folded = import 'folded.libsonnet';

function(config)
  {
    name: 'pgconn-exporter',
    rules: [
      {
        alert: 'PgconnExporterDown',
        expr: 'up{%(pgconnSelector)s} == 0' % config,
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
        expr: 'absent(up{%(pgconnSelector)s})' % config,
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
        expr: 'pgconn_up{%(pgconnSelector)s} == 0' % config,
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
        expr: 'increase(pgconn_poll_errors_total{%(pgconnSelector)s}[5m]) > 0' % config,
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
        expr: 'pgconn_config_last_reload_successful{%(pgconnSelector)s} == 0' % config,
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
  }
