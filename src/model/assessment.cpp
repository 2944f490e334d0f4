#include "model/assessment.h"

#include <algorithm>

#include "model/findings.h"

namespace pgconn::model {
namespace {

// A down target's reason; "not_polled_yet" before its first poll ended.
DownReason down_reason(const Snapshot& s) {
  if (!s.last_error) return {"not_polled_yet", ""};
  return {reason_label(*s.last_error), s.last_error_message};
}

// Each application's ages against the thresholds its counts were made with.
void judge_applications(std::vector<ApplicationSummary>& apps, const LeakThresholds& leaks) {
  for (auto& app : apps) {
    if (app.oldest_idle_in_transaction_age_seconds) {
      app.idle_in_transaction_severity =
          age_severity(*app.oldest_idle_in_transaction_age_seconds, leaks.idle_in_transaction_seconds);
    }
    // A long-lived connection is a suspected leak, never an emergency.
    if (app.oldest_connection_age_seconds && *app.oldest_connection_age_seconds > leaks.connection_age_seconds) {
      app.age_severity = Severity::warning;
    }
  }
}

PoolerAssessment judge_pooler(const PoolerStats& stats, const config::Target& target, const Cardinality& caps) {
  PoolerAssessment pooler;
  const double age_threshold = target.thresholds.connection_age_seconds;
  pooler.holders = summarize_pooler_clients(stats, caps.applications, caps.client_addresses,
                                            [&](const PgBouncerClient& c) {
                                              return c.connected_seconds && *c.connected_seconds > age_threshold;
                                            });
  // A pgbouncer target's connection_limit overrides max_client_conn.
  pooler.usage = pgbouncer_usage(stats, target.connection_limit);
  pooler.clients = client_usage(pooler.usage);
  pooler.severity = usage_severity(pooler.clients, target.thresholds);
  for (const auto& p : stats.pools) {
    Severity waiting = p.clients_waiting == 0 ? Severity::ok
                       : p.max_wait_seconds >= 5 ? Severity::critical
                                                 : Severity::warning;
    pooler.pools.push_back({p, pgbouncer_pool_budget(stats, p), waiting});
  }
  return pooler;
}

}  // namespace

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::ok: return "ok";
    case Severity::info: return "info";
    case Severity::warning: return "warning";
    case Severity::critical: return "critical";
  }
  return "ok";
}

Severity usage_severity(const Usage& usage, const config::Thresholds& t) {
  if (usage.available == 0 || usage.utilization >= t.utilization_critical ||
      (t.connections_critical && usage.used >= *t.connections_critical)) {
    return Severity::critical;
  }
  if (usage.utilization >= t.utilization_warning || (t.connections_warning && usage.used > *t.connections_warning)) {
    return Severity::warning;
  }
  return Severity::ok;
}

Severity age_severity(double age_seconds, double threshold_seconds) {
  if (age_seconds > 2 * threshold_seconds) return Severity::critical;
  if (age_seconds > threshold_seconds) return Severity::warning;
  return Severity::ok;
}

Severity worst(const std::vector<Finding>& findings) {
  Severity s = Severity::ok;
  for (const auto& f : findings) s = std::max(s, f.severity);
  return s;
}

Cardinality cardinality(const config::Config& config) {
  return {static_cast<size_t>(config.max_applications), static_cast<size_t>(config.max_client_addresses)};
}

Assessment assess(const Snapshot& snapshot, const config::Target& target, const Cardinality& caps) {
  Assessment a;
  a.target = target;
  a.up = snapshot.up;
  if (!snapshot.up) a.down = down_reason(snapshot);
  a.declared_capacity = declared_capacity(target.applications);
  if (snapshot.stats) {
    const ServerStats& stats = *snapshot.stats;
    a.usage = compute_usage(stats, configured_budget(target));
    a.usage_severity = usage_severity(*a.usage, target.thresholds);
    a.applications = summarize_applications(stats, target.applications, caps.applications);
    judge_applications(a.applications, stats.leak_thresholds);
    a.client_addresses = summarize_client_addresses(stats, caps.client_addresses);
  }
  if (snapshot.pooler) a.pooler = judge_pooler(*snapshot.pooler, target, caps);
  a.findings = findings_of(a, snapshot);
  a.worst = worst(a.findings);
  return a;
}

Published publish(SnapshotPtr snapshot, const config::Target& target, const Cardinality& caps) {
  auto assessment = std::make_shared<const Assessment>(assess(*snapshot, target, caps));
  return {std::move(snapshot), std::move(assessment)};
}

}  // namespace pgconn::model
