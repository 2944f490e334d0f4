#include "thresholds.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "format.h"

namespace pgconn {
namespace {

std::string seconds_text(double s) {
  std::ostringstream out;
  if (s >= 3600) out << std::fixed << std::setprecision(1) << s / 3600 << "h";
  else if (s >= 60) out << std::fixed << std::setprecision(1) << s / 60 << "m";
  else out << std::fixed << std::setprecision(0) << s << "s";
  return out.str();
}

std::string pids_text(const std::vector<int>& pids) {
  std::string out;
  for (int pid : pids) out += (out.empty() ? "" : ",") + std::to_string(pid);
  return out;
}

void add_usage_findings(const Usage& usage, const config::Thresholds& t, std::vector<Finding>& out) {
  Severity s = usage_severity(usage, t);
  if (s < Severity::warning) return;
  std::ostringstream evidence;
  evidence << usage.used << " of " << usage.limit << " connections in use (" << percent_text(usage.utilization)
           << "), " << usage.available << " available; idle " << usage.by_state.at("idle")
           << ", idle in transaction " << usage.by_state.at("idle_in_transaction") << ", active "
           << usage.by_state.at("active");
  bool at_limit = usage.available == 0;
  out.push_back({s, at_limit ? "at_limit" : "near_limit",
                 at_limit ? "the connection limit is reached: new clients are refused"
                          : "connections are close to the limit",
                 evidence.str(),
                 "find the largest holders below; lower pool sizes or worker counts, put a pooler "
                 "(PgBouncer in transaction mode) in front, or free idle sessions with `pgconn_exporter reset`"});
}

// How to free an application's sessions idle in transaction past the
// threshold, as a command that is safe to paste: every value shell-quoted,
// the empty name for "unnamed", a dry run for the folded "other" bucket
// (it is no application), none for a name no terminal can show faithfully.
std::string free_idle_in_transaction(const std::string& target, const ApplicationSummary& app,
                                     const config::Thresholds& t) {
  std::string command = "pgconn_exporter reset --target " + shell_quote(target) +
                        " --state idle_in_transaction --older-than " +
                        config::format_duration(config::Duration(
                            static_cast<config::Duration::rep>(std::llround(t.idle_in_transaction_seconds * 1000))));
  if (app.folded) {
    return "; list them (a dry run) with `" + command + "`: \"other\" sums the applications beyond "
           "max_applications";
  }
  std::string name = app.unnamed ? "" : app.name;
  if (printable(name) != name) {
    return "; the application name holds control characters or bytes that are not UTF-8, so no command is "
           "suggested: filter reset by --user or --database";
  }
  return "; free them now with `" + command + " --application " + shell_quote(name) + " --execute`";
}

void add_application_findings(const std::string& target, const std::vector<ApplicationSummary>& apps,
                              const Usage& usage, const config::Thresholds& t, std::vector<Finding>& out) {
  for (const auto& app : apps) {
    if (app.leak_suspects_idle_in_transaction > 0) {
      double age = app.oldest_idle_in_transaction_age_seconds.value_or(0);
      std::ostringstream ev;
      ev << app.name << ": " << app.leak_suspects_idle_in_transaction << " connection(s) idle in transaction over "
         << seconds_text(t.idle_in_transaction_seconds) << ", oldest " << seconds_text(age)
         << "; pids " << pids_text(app.sample_pids);
      out.push_back({age_severity(age, t.idle_in_transaction_seconds), "leak_idle_in_transaction",
                     "sessions left idle in transaction (a transaction opened and never committed)", ev.str(),
                     "commit or roll back in the application (close sessions in finally blocks); set "
                     "idle_in_transaction_session_timeout" + free_idle_in_transaction(target, app, t),
                     app.name});
    }
    if (app.leak_suspects_age > 0) {
      std::ostringstream ev;
      ev << app.name << ": " << app.leak_suspects_age << " connection(s) older than "
         << seconds_text(t.connection_age_seconds) << ", oldest "
         << seconds_text(app.oldest_connection_age_seconds.value_or(0)) << "; pids " << pids_text(app.sample_pids);
      out.push_back({Severity::warning, "leak_old_connections", "long-lived connections: a leak is suspected",
                     ev.str(),
                     "make sure every checkout is returned; set pool_recycle (SQLAlchemy) so pools "
                     "renew connections",
                     app.name});
    }
    if (usage.limit > 0 && !app.folded && !app.monitoring && app.connections * 2 > usage.limit) {
      std::ostringstream ev;
      ev << app.name << " holds " << app.connections << " of the limit " << usage.limit << " ("
         << percent_text(static_cast<double>(app.connections) / static_cast<double>(usage.limit)) << ")";
      out.push_back({Severity::warning, "application_dominates", "one application holds most of the limit",
                     ev.str(), "cap that application's pool (pool_size + max_overflow) times its processes",
                     app.name});
    }
    if (app.unnamed && app.connections > 0) {
      out.push_back({Severity::info, "unnamed_connections", "connections without application_name",
                     std::to_string(app.connections) + " connection(s) have no application_name",
                     "set application_name in every client's DSN (e.g. ?application_name=worker) so leaks "
                     "can be traced to their owner",
                     app.name});
    }
  }
}

void add_pooler_findings(const PoolerStats& stats, const config::Target& target, std::vector<Finding>& out) {
  PoolerUsage pooler = pgbouncer_usage(stats, target.connection_limit);
  Usage clients = client_usage(pooler);
  Severity s = usage_severity(clients, target.thresholds);
  if (s >= Severity::warning) {
    std::ostringstream ev;
    ev << pooler.clients << " of max_client_conn " << pooler.client_limit << " client connections ("
       << percent_text(pooler.client_utilization) << ")";
    out.push_back({s, clients.available == 0 ? "pooler_client_limit_reached" : "pooler_client_limit_near",
                   "the pooler's client limit is close: new clients will get \"no more connections allowed\"",
                   ev.str(), "raise max_client_conn (file descriptors permitting) or reduce client pools"});
  }
  for (const auto& p : stats.pools) {
    if (p.clients_waiting == 0) continue;
    PoolBudget budget = pgbouncer_pool_budget(stats, p);
    std::ostringstream ev;
    ev << p.database << "/" << p.user << " (" << budget.pool_mode << " mode): " << p.clients_waiting
       << " client(s) waiting, " << p.clients_active << " active, " << p.servers_active
       << " server connection(s) active, oldest wait " << std::fixed << std::setprecision(3) << p.max_wait_seconds
       << "s";
    out.push_back({p.max_wait_seconds >= 5 ? Severity::critical : Severity::warning, "pooler_clients_waiting",
                   "clients wait for a server connection: the pool is saturated", ev.str(),
                   budget.pool_mode == "session"
                       ? "session mode admits only pool_size clients: switch to transaction mode or raise pool_size"
                       : "raise pool_size (the server's max_connections permitting) or shorten transactions"});
  }
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

std::vector<ThresholdGauge> threshold_gauges(const config::Thresholds& t) {
  std::vector<ThresholdGauge> gauges;
  if (t.connections_warning) {
    gauges.push_back({"pgconn_threshold_connections_warning", "Configured warning count of client connections.",
                      static_cast<double>(*t.connections_warning)});
  }
  if (t.connections_critical) {
    gauges.push_back({"pgconn_threshold_connections_critical", "Configured critical count of client connections.",
                      static_cast<double>(*t.connections_critical)});
  }
  gauges.push_back({"pgconn_threshold_utilization_warning_ratio",
                    "Configured warning ratio of the connection limit.", t.utilization_warning});
  gauges.push_back({"pgconn_threshold_utilization_critical_ratio",
                    "Configured critical ratio of the connection limit.", t.utilization_critical});
  gauges.push_back({"pgconn_threshold_idle_in_transaction_seconds",
                    "Configured idle-in-transaction age after which a session is a leak suspect.",
                    t.idle_in_transaction_seconds});
  gauges.push_back({"pgconn_threshold_connection_age_seconds",
                    "Configured connection age after which a connection is a leak suspect.",
                    t.connection_age_seconds});
  return gauges;
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

std::vector<Finding> evaluate(const Snapshot& snapshot, const config::Target& target, size_t max_applications) {
  std::vector<Finding> out;
  if (!snapshot.up) {
    std::string reason = snapshot.last_error ? pg::reason_label(*snapshot.last_error) : "not polled yet";
    out.push_back({Severity::critical, "unreachable", "the target cannot be polled",
                   reason + (snapshot.last_error_message.empty() ? "" : ": " + snapshot.last_error_message),
                   "check that the server runs and accepts the exporter's role; a too_many_connections "
                   "reason means the server is full: see the holders with `pgconn_exporter diagnose`"});
  }
  if (snapshot.pooler) add_pooler_findings(*snapshot.pooler, target, out);
  if (snapshot.stats) {
    const ServerStats& stats = *snapshot.stats;
    Usage usage = compute_usage(stats, configured_budget(target));
    add_usage_findings(usage, target.thresholds, out);
    auto apps = summarize_applications(stats, target.applications, max_applications);
    add_application_findings(target.name, apps, usage, target.thresholds, out);
    int64_t capacity = declared_capacity(target.applications);
    if (capacity > usage.limit && !target.applications.empty()) {
      std::ostringstream ev;
      ev << "declared pools can open " << capacity << " connections (processes x (pool_size + max_overflow)) "
         << "but the limit is " << usage.limit;
      for (const auto& app : target.applications) {
        ev << "; " << app.name << " " << app.processes << "x(" << app.pool_size << "+" << app.max_overflow
           << ")=" << declared_pool(app, 0).capacity;
      }
      out.push_back({Severity::warning, "declared_capacity_exceeds_limit",
                     "the declared client pools can exceed the connection limit", ev.str(),
                     "reduce pool_size/max_overflow or processes until the sum fits the limit, or route "
                     "the applications through a pooler"});
    }
    int64_t idle = usage.by_state.at("idle");
    if (usage.limit > 0 && idle >= 10 && idle * 2 > usage.limit) {
      out.push_back({Severity::info, "idle_connections_pooler",
                     "many idle connections that a pooler could serve",
                     std::to_string(idle) + " of " + std::to_string(usage.used) + " connections are idle",
                     "a transaction-mode pooler (PgBouncer, Supabase's pooler) lets those clients share few "
                     "server connections; lower pool_size where processes mostly wait"});
    }
    if (!stats.sees_all_sessions) {
      out.push_back({Severity::warning, "missing_pg_monitor",
                     "the exporter cannot see other sessions' state",
                     "the monitoring role is neither superuser nor a member of pg_monitor; other sessions "
                     "show state unknown",
                     "GRANT pg_monitor TO <monitoring role>; (see docs/monitoring-role.sql)"});
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
  return out;
}

Severity worst(const std::vector<Finding>& findings) {
  Severity s = Severity::ok;
  for (const auto& f : findings) s = std::max(s, f.severity);
  return s;
}

}  // namespace pgconn
