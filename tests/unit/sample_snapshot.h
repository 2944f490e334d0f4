// Hand-built snapshots for renderer and threshold tests.
#pragma once

#include "model/assessment.h"

namespace pgconn::sample {

using namespace pgconn::model;

inline ApplicationStateRow row(const std::string& app, const std::string& state, int64_t n) {
  ApplicationStateRow r;
  r.application_name = app;
  r.state = state;
  r.connections = n;
  r.oldest_connection_age_seconds = 10.0 * static_cast<double>(n);
  return r;
}

// max_connections 20, 3 reserved: limit 17. 12 client connections.
inline ServerStats sample_stats() {
  ServerStats s;
  s.leak_thresholds = {1800, 60};  // the defaults, as the collector records them
  s.max_connections = 20;
  s.superuser_reserved_connections = 3;
  s.sees_all_sessions = true;
  s.activity.push_back(row("web", "idle", 5));
  s.activity.push_back(row("web", "active", 1));
  auto iit = row("worker", "idle_in_transaction", 2);
  iit.oldest_idle_in_transaction_age_seconds = 120;
  iit.oldest_transaction_age_seconds = 125;
  iit.idle_in_transaction_too_long = 2;
  iit.sample_pids = {101, 102};
  s.activity.push_back(iit);
  s.activity.push_back(row("", "idle", 3));
  s.activity.push_back(row("pgconn_exporter", "active", 1));
  s.activity.back().monitoring = true;  // as the collector marks the exporter's family
  s.activity.back().oldest_connection_age_seconds.reset();
  s.databases["postgres"] = {12, -1};
  s.databases["app"] = {0, 5};
  s.users["postgres"] = {12, -1};
  s.backends_by_type["client backend"] = 12;
  s.backends_by_type["autovacuum launcher"] = 1;
  s.sessions = std::map<std::string, SessionCounters>{{"postgres", {30, 2, 1, 0}}};
  return s;
}

inline Snapshot sample_snapshot(const std::string& target = "main") {
  Snapshot snap;
  snap.target = target;
  snap.up = true;
  snap.last_success_unix = 1000;
  snap.poll_duration_seconds = 0.004;
  snap.stats = std::make_shared<const ServerStats>(sample_stats());
  return snap;
}

}  // namespace pgconn::sample

namespace pgconn::sample {

// What the poller publishes for `snapshot` under `target`.
inline Published published(const Snapshot& snapshot, const config::Target& target, Cardinality caps = {}) {
  return publish(std::make_shared<const Snapshot>(snapshot), target, caps);
}

}  // namespace pgconn::sample
