// What a user of the mixin may change: override with
//   (import 'mixin/mixin.libsonnet') + { _config+:: { pgconnSelector: 'job="dbmon"' } }
{
  _config+:: {
    // Selects the exporter's own series: its scrape job.
    pgconnSelector: 'job="pgconn"',

    // runbook_url of an alert on the exporter's series; %s is the lowercased
    // alert name, the anchor of its section. The exporter serves
    // docs/runbook.md at /runbook, and {{ $labels.instance }} is its address
    // when Prometheus scrapes its /metrics directly over plain HTTP. Change it
    // when Prometheus reaches the exporter otherwise (TLS: https://; /probe
    // with relabelled instance or a proxy: the exporter's real address).
    runbookURLPattern: 'http://{{ $labels.instance }}/runbook#%s',

    // Alerts whose instance label is not an exporter: the in-process pools
    // (scraped from the applications) and the absent exporter. Their link is
    // runbookURLPattern with the first exporter Prometheus can scrape as the
    // instance (a pattern without {{ $labels.instance }} is used as is).
    alertsWithoutExporterInstance: [
      'PgconnExporterAbsent',
      'PgconnPoolUtilizationHigh',
      'PgconnPoolExhausted',
      'PgconnPoolCallersWaiting',
      'PgconnPoolAcquireTimeouts',
      'PgconnPoolOverflowHigh',
      'PgconnPoolOverflowFrequent',
    ],
    // The selector goes into a Go template string: backslashes and quotes
    // escaped (a regex's "\\." would reach PromQL as "\." and fail to parse),
    // '%' doubled for the `%` that puts the alert name in.
    local instance = '{{ $labels.instance }}',
    local pattern = self.runbookURLPattern,
    local instanceAt = std.findSubstr(instance, pattern),
    local templateSelector = std.strReplace(std.strReplace(std.strReplace(
      self.pgconnSelector, '\\', '\\\\'), '"', '\\"'), '%', '%%'),
    runbookURLPatternAnyExporter:
      if std.length(instanceAt) == 0 then pattern
      else '{{ with query "up{%s} == 1" }}{{ with first . }}' % templateSelector +
           std.substr(pattern, 0, instanceAt[0]) + '{{ .Labels.instance }}{{ end }}{{ end }}' +
           std.substr(pattern, instanceAt[0] + std.length(instance), std.length(pattern)),

    // Alert name -> its `for:`. Alerts not listed fire at once.
    alertFor: {
      PgconnExporterDown: '5m',
      PgconnExporterAbsent: '15m',
      PgconnTargetDown: '5m',
      PgconnPollsFailing: '15m',
      PgconnConfigReloadFailed: '5m',
      PgconnConnectionsAboveWarning: '10m',
      PgconnConnectionsAboveCritical: '2m',
      PgconnUtilizationAboveWarning: '10m',
      PgconnUtilizationAboveCritical: '2m',
      PgconnConnectionsExhausted: '1m',
      PgconnConnectionsExhaustionPredicted: '15m',
      PgconnDeclaredCapacityAboveLimit: '15m',
      PgconnIdleInTransactionTooLong: '2m',
      PgconnLongRunningTransaction: '5m',
      PgconnConnectionLeakSuspected: '5m',
      PgconnIdleConnectionsGrowing: '30m',
      PgconnApplicationHoldsMajority: '15m',
      PgconnPoolUtilizationHigh: '10m',
      PgconnPoolExhausted: '5m',
      PgconnPoolCallersWaiting: '5m',
      PgconnPoolOverflowHigh: '10m',
      PgconnPoolOverflowFrequent: '10m',
      PgconnApplicationPoolUtilizationHigh: '10m',
      PgconnPoolerClientsWaiting: '5m',
      PgconnPoolerServersSaturated: '5m',
      PgconnPoolerMaxWaitHigh: '2m',
      PgconnPoolerClientLimitNear: '10m',
      PgconnPoolerClientLimitReached: '1m',
      PgconnPoolerServerCapacityAboveLimit: '15m',
    },

    dashboardTags: ['pgconn', 'postgresql', 'connections'],
  },
}
