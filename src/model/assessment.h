// The one judgement of a snapshot. assess() is called once when a poll
// publishes its snapshot (and again when a reload changes the target's
// configuration); /metrics, /probe, /health, diagnose, monitor and reset
// only format the result. It is the only place thresholds are compared and
// severities decided.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "model/severity.h"
#include "model/snapshot.h"
#include "model/usage.h"

namespace pgconn::model {

struct Finding {
  Severity severity;
  std::string code;      // stable identifier, e.g. "near_limit"
  std::string summary;   // one line
  std::string evidence;  // numbers, applications, pids
  std::string fix;       // what to do; suggested commands are shell-quoted
  std::string application = "";  // the application it is about, when it is about one
};

// Why a target is down: a reason label (pgconn_poll_errors_total's, or
// "not_polled_yet") and the error's message, free of secrets.
struct DownReason {
  std::string label;
  std::string message;
  std::string text() const { return message.empty() ? label : label + ": " + message; }
};

// One PgBouncer pool (database/user pair) and its client budget.
struct PoolAssessment {
  PgBouncerPool pool;
  PoolBudget budget;
  Severity waiting = Severity::ok;  // clients waiting for a server connection
};

struct PoolerAssessment {
  PoolerUsage usage;
  Usage clients;  // the pooler's clients against its client limit
  Severity severity = Severity::ok;
  std::vector<PoolAssessment> pools;
  PoolerClients holders;  // its clients by application and by address, with leak suspects
};

struct Assessment {
  config::Target target;  // the configuration it was judged with
  bool up = false;
  std::optional<DownReason> down;  // when not up
  // PostgreSQL targets with data (the last successful poll's, while later
  // ones fail): usage against the budget and the applications.
  std::optional<Usage> usage;
  Severity usage_severity = Severity::ok;
  std::vector<ApplicationSummary> applications;
  std::vector<ClientAddressSummary> client_addresses;
  int64_t declared_capacity = 0;  // the declared pools together
  std::optional<PoolerAssessment> pooler;  // PgBouncer targets with data
  std::vector<Finding> findings;           // most severe first
  Severity worst = Severity::ok;
};

// How many applications and client addresses keep their own label; the
// rest is summed under "other" ([metrics] in the configuration).
struct Cardinality {
  size_t applications = 50;
  size_t client_addresses = 50;
};
Cardinality cardinality(const config::Config& config);

Assessment assess(const Snapshot& snapshot, const config::Target& target, const Cardinality& caps);

// What the exporter publishes for a target: the snapshot and its
// assessment, both immutable, replaced together.
struct Published {
  SnapshotPtr snapshot;
  std::shared_ptr<const Assessment> assessment;
};
Published publish(SnapshotPtr snapshot, const config::Target& target, const Cardinality& caps);

// The severity rules, for the assessment and its tests.
// How close to the limit the usage is, by counts and by ratio.
Severity usage_severity(const Usage& usage, const config::Thresholds& t);
// An age against its threshold: warning past it, critical past twice it.
Severity age_severity(double age_seconds, double threshold_seconds);
Severity worst(const std::vector<Finding>& findings);

}  // namespace pgconn::model
