#include "model/findings.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "config/duration.h"
#include "text/format.h"

namespace pgconn::model {
namespace {

std::string pids_text(const std::vector<int>& pids) {
  std::string out;
  for (int pid : pids) out += (out.empty() ? "" : ",") + std::to_string(pid);
  return out;
}

// ", from 10.0.3.7 (2), 10.0.3.8 (1)": where suspects connect from, most
// first, at most three addresses named.
std::string addresses_text(const std::map<std::string, int64_t>& by_address) {
  if (by_address.empty()) return "";
  std::vector<std::pair<std::string, int64_t>> sorted(by_address.begin(), by_address.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string out = ", from ";
  for (size_t i = 0; i < sorted.size() && i < 3; ++i) {
    out += (i ? ", " : "") + text::printable(sorted[i].first) + " (" + std::to_string(sorted[i].second) + ")";
  }
  if (sorted.size() > 3) out += " and " + std::to_string(sorted.size() - 3) + " more address(es)";
  return out;
}

void unreachable(const DownReason& down, std::vector<Finding>& out) {
  out.push_back({Severity::critical, "unreachable", "the target cannot be polled", down.text(),
                 "check that the server runs and accepts the exporter's role; a too_many_connections "
                 "reason means the server is full: see the holders with `pgconn_exporter diagnose`"});
}

void usage_findings(const Usage& usage, Severity s, std::vector<Finding>& out) {
  if (s < Severity::warning) return;
  std::ostringstream evidence;
  evidence << usage.used << " of " << usage.limit << " connections in use (" << text::percent_text(usage.utilization)
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
std::string free_idle_in_transaction(const std::string& target, const ApplicationSummary& app, double threshold) {
  std::string command = "pgconn_exporter reset --target " + text::shell_quote(target) +
                        " --state idle_in_transaction --older-than " +
                        config::format_duration(config::Duration(static_cast<config::Duration::rep>(
                            std::llround(threshold * 1000))));
  if (app.folded) {
    return "; list them (a dry run) with `" + command + "`: \"other\" sums the applications beyond "
           "max_applications";
  }
  if (app.unnamed() && app.unset_name_connections != app.connections) {
    return "; list them (a dry run) with `" + command + " --application ''` and `" + command +
           " --application 'unnamed'`: \"unnamed\" sums the sessions without a name and those named unnamed";
  }
  std::string name = app.unnamed() ? "" : app.name;
  if (text::printable(name) != name) {
    return "; the application name holds control characters or bytes that are not UTF-8, so no command is "
           "suggested: filter reset by --user or --database";
  }
  command += " --application " + text::shell_quote(name);
  // All from one of several addresses: name it, so only that replica's
  // sessions go.
  const auto& addresses = app.idle_in_transaction_suspects_by_address;
  if (app.client_addresses.size() > 1 && addresses.size() == 1 && addresses.begin()->first != "unknown") {
    command += " --client-addr " + text::shell_quote(addresses.begin()->first);
  }
  return "; free them now with `" + command + " --execute`";
}

void application_findings(const Assessment& a, const LeakThresholds& leaks, std::vector<Finding>& out) {
  const Usage& usage = *a.usage;
  for (const auto& app : a.applications) {
    if (app.leak_suspects_idle_in_transaction > 0) {
      std::ostringstream ev;
      ev << app.name << ": " << app.leak_suspects_idle_in_transaction << " connection(s) idle in transaction over "
         << text::age_text(leaks.idle_in_transaction_seconds) << ", oldest "
         << text::age_text(app.oldest_idle_in_transaction_age_seconds)
         << addresses_text(app.idle_in_transaction_suspects_by_address) << "; pids " << pids_text(app.sample_pids);
      out.push_back({std::max(app.idle_in_transaction_severity, Severity::warning), "leak_idle_in_transaction",
                     "sessions left idle in transaction (a transaction opened and never committed)", ev.str(),
                     "commit or roll back in the application (close sessions in finally blocks); set "
                     "idle_in_transaction_session_timeout" +
                         free_idle_in_transaction(a.target.name, app, leaks.idle_in_transaction_seconds),
                     app.name});
    }
    if (app.leak_suspects_age > 0) {
      std::ostringstream ev;
      ev << app.name << ": " << app.leak_suspects_age << " connection(s) older than "
         << text::age_text(leaks.connection_age_seconds) << ", oldest "
         << text::age_text(app.oldest_connection_age_seconds) << addresses_text(app.age_suspects_by_address)
         << "; pids " << pids_text(app.sample_pids);
      out.push_back({Severity::warning, "leak_old_connections", "long-lived connections: a leak is suspected",
                     ev.str(),
                     "make sure every checkout is returned; set pool_recycle (SQLAlchemy) so pools "
                     "renew connections",
                     app.name});
    }
    if (usage.limit > 0 && !app.folded && !app.monitoring && app.connections * 2 > usage.limit) {
      std::ostringstream ev;
      ev << app.name << " holds " << app.connections << " of the limit " << usage.limit << " ("
         << text::percent_text(static_cast<double>(app.connections) / static_cast<double>(usage.limit)) << ")";
      out.push_back({Severity::warning, "application_dominates", "one application holds most of the limit",
                     ev.str(), "cap that application's pool (pool_size + max_overflow) times its processes",
                     app.name});
    }
    if (app.unnamed()) {
      out.push_back({Severity::info, "unnamed_connections", "connections without application_name",
                     std::to_string(app.unset_name_connections) + " connection(s) have no application_name",
                     "set application_name in every client's DSN (e.g. ?application_name=worker) so leaks "
                     "can be traced to their owner",
                     app.name});
    }
  }
}

void capacity_and_hygiene_findings(const Assessment& a, const ServerStats& stats, std::vector<Finding>& out) {
  const Usage& usage = *a.usage;
  const auto& declared = a.target.applications;
  if (!declared.empty() && a.declared_capacity > usage.limit) {
    std::ostringstream ev;
    ev << "declared pools can open " << a.declared_capacity << " connections (processes x (pool_size + max_overflow)) "
       << "but the limit is " << usage.limit;
    for (const auto& app : declared) {
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
    out.push_back({Severity::info, "idle_connections_pooler", "many idle connections that a pooler could serve",
                   std::to_string(idle) + " of " + std::to_string(usage.used) + " connections are idle",
                   "a transaction-mode pooler (PgBouncer, Supabase's pooler) lets those clients share few "
                   "server connections; lower pool_size where processes mostly wait"});
  }
  if (!stats.sees_all_sessions) {
    out.push_back({Severity::warning, "missing_pg_monitor", "the exporter cannot see other sessions' state",
                   "the monitoring role is neither superuser nor a member of pg_monitor; other sessions "
                   "show state unknown",
                   "GRANT pg_monitor TO <monitoring role>; (see docs/monitoring-role.sql)"});
  }
}

void pooler_findings(const PoolerAssessment& pooler, double age_threshold, std::vector<Finding>& out) {
  for (const auto& app : pooler.holders.applications) {
    if (app.leak_suspects_age == 0) continue;
    std::ostringstream ev;
    ev << app.name << ": " << app.leak_suspects_age << " pooler client(s) connected longer than "
       << text::age_text(age_threshold) << ", oldest " << text::age_text(app.oldest_client_age_seconds)
       << addresses_text(app.age_suspects_by_address);
    out.push_back({Severity::warning, "pooler_leak_old_clients",
                   "long-lived pooler clients: a leak of client connections is suspected", ev.str(),
                   "make sure every client closes its connection to the pooler (or returns it to its own "
                   "pool); pooler clients that never leave fill max_client_conn",
                   app.name});
  }
  if (pooler.severity >= Severity::warning) {
    std::ostringstream ev;
    ev << pooler.usage.clients << " of max_client_conn " << pooler.usage.client_limit << " client connections ("
       << text::percent_text(pooler.usage.client_utilization) << ")";
    out.push_back({pooler.severity, pooler.clients.available == 0 ? "pooler_client_limit_reached"
                                                                  : "pooler_client_limit_near",
                   "the pooler's client limit is close: new clients will get \"no more connections allowed\"",
                   ev.str(), "raise max_client_conn (file descriptors permitting) or reduce client pools"});
  }
  for (const auto& pa : pooler.pools) {
    if (pa.waiting == Severity::ok) continue;
    const PgBouncerPool& p = pa.pool;
    char wait[32];
    std::snprintf(wait, sizeof wait, "%.3fs", p.max_wait_seconds);
    std::ostringstream ev;
    ev << p.database << "/" << p.user << " (" << pa.budget.pool_mode << " mode): " << p.clients_waiting
       << " client(s) waiting, " << p.clients_active << " active, " << p.servers_active
       << " server connection(s) active, oldest wait " << wait;
    out.push_back({pa.waiting, "pooler_clients_waiting", "clients wait for a server connection: the pool is saturated",
                   ev.str(),
                   pa.budget.pool_mode == "session"
                       ? "session mode admits only pool_size clients: switch to transaction mode or raise pool_size"
                       : "raise pool_size (the server's max_connections permitting) or shorten transactions"});
  }
}

}  // namespace

std::vector<Finding> findings_of(const Assessment& a, const Snapshot& snapshot) {
  std::vector<Finding> out;
  if (a.down) unreachable(*a.down, out);
  if (a.pooler) pooler_findings(*a.pooler, a.target.thresholds.connection_age_seconds, out);
  if (a.usage) {
    usage_findings(*a.usage, a.usage_severity, out);
    application_findings(a, snapshot.stats->leak_thresholds, out);
    capacity_and_hygiene_findings(a, *snapshot.stats, out);
  }
  std::stable_sort(out.begin(), out.end(), [](const Finding& x, const Finding& y) { return x.severity > y.severity; });
  return out;
}

}  // namespace pgconn::model
