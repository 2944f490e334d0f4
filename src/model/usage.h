// Counting what a snapshot holds: the connection budget and its use,
// per-application and per-address summaries with cardinality capped,
// declared pools, PgBouncer budgets and clients. Used by assess()
// (assessment.h), which adds the severities; outputs read them from the
// assessment.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "model/severity.h"
#include "model/snapshot.h"

namespace pgconn::model {

struct Usage {
  int64_t limit = 0;      // the budget: configured, else max_connections - reserved
  int64_t used = 0;       // client backends, monitoring sessions included
  int64_t monitoring = 0; // of those, this exporter's family (pg/application_name.h)
  int64_t available = 0;  // never negative (superusers may use reserved slots)
  double utilization = 0; // used / limit; may exceed 1 when reserved slots are in use
  std::map<std::string, int64_t> by_state;  // every state label, zeros included
};

// The state labels of pgconn_connections, in display order.
const std::vector<std::string>& connection_states();
// The states every application shows, at 0 when it has none in them.
const std::vector<std::string>& application_states();

Usage compute_usage(const ServerStats& stats, std::optional<int64_t> configured_limit);

struct DeclaredPool {
  int64_t capacity = 0;  // processes x (pool_size + max_overflow)
  int64_t base = 0;      // processes x pool_size
  int64_t overflow = 0;  // held beyond base, never negative
  double utilization = 0;
};
DeclaredPool declared_pool(const config::DeclaredApplication& app, int64_t held);
int64_t declared_capacity(const std::vector<config::DeclaredApplication>& apps);

struct ApplicationSummary {
  std::string name;  // "unnamed" for an empty application_name, "other" for the folded rest
  // Sessions with an empty application_name (not those literally named
  // "unnamed", which share the label); 0 for "other".
  int64_t unset_name_connections = 0;
  bool unnamed() const { return unset_name_connections > 0; }
  bool folded = false;      // the "other" bucket: the applications beyond max_applications
  bool monitoring = false;  // this exporter's family: never dominates, never a leak suspect
  int64_t connections = 0;
  std::map<std::string, int64_t> by_state;
  std::optional<double> oldest_connection_age_seconds;
  std::optional<double> oldest_transaction_age_seconds;
  std::optional<double> oldest_idle_in_transaction_age_seconds;
  int64_t leak_suspects_age = 0;
  int64_t leak_suspects_idle_in_transaction = 0;
  std::vector<int> sample_pids;
  std::set<std::string> client_addresses;  // every address it connects from
  // Where the leak suspects connect from: client address -> connections.
  std::map<std::string, int64_t> age_suspects_by_address;
  std::map<std::string, int64_t> idle_in_transaction_suspects_by_address;
  std::optional<config::DeclaredApplication> declared;
  std::optional<DeclaredPool> pool;  // for a declared application
  // Set by assess(): how its oldest connection and its longest idle
  // transaction compare with the thresholds.
  Severity age_severity = Severity::ok;
  Severity idle_in_transaction_severity = Severity::ok;
};

// Client backends from one client address. The states every address shows
// are application_states(); aborted transactions count as idle in
// transaction, other states keep their pgconn_connections label.
struct ClientAddressSummary {
  std::string client_addr;  // "other" for the folded rest
  bool folded = false;
  int64_t connections = 0;
  std::map<std::string, int64_t> by_state;
  int64_t leak_suspects_age = 0;
  int64_t leak_suspects_idle_in_transaction = 0;
};

// The top `max_named` addresses by connections keep their label (ties by
// address), the rest is summed under "other": together they sum to the
// connections used.
std::vector<ClientAddressSummary> summarize_client_addresses(const ServerStats& stats, size_t max_named);

// PgBouncer budgets. A session-mode pool admits at most pool_size clients
// (each holds a server connection); transaction and statement modes admit up
// to max_client_conn clients sharing pool_size server connections.
struct PoolBudget {
  std::string pool_mode;
  int64_t client_limit = 0;
  double client_utilization = 0;
};
PoolBudget pgbouncer_pool_budget(const PoolerStats& stats, const PgBouncerPool& pool);

struct PoolerUsage {
  int64_t clients = 0;
  int64_t client_limit = 0;
  double client_utilization = 0;
  int64_t clients_waiting = 0;
  double max_wait_seconds = 0;
  int64_t server_connections = 0;
  int64_t server_connections_max = 0;
};
PoolerUsage pgbouncer_usage(const PoolerStats& stats, std::optional<int64_t> configured_limit);
// The pooler's clients against its client limit, as a Usage, so the same
// threshold rules judge pooler and server budgets.
Usage client_usage(const PoolerUsage& pooler);

// The pooler's clients of one application, or from one address.
struct PoolerClientGroup {
  std::string name;     // application ("unnamed" for an empty one) or address; "other" when folded
  bool folded = false;
  int64_t clients = 0;
  std::map<std::string, int64_t> by_state;  // pooler_client_states(), zeros included
  std::optional<double> oldest_client_age_seconds;
  int64_t leak_suspects_age = 0;
  std::map<std::string, int64_t> age_suspects_by_address;  // applications only
};

// linked (holds a server connection), idle, waiting (queued for one).
const std::vector<std::string>& pooler_client_states();

// The pooler's clients by application and by address, the exporter's own
// console sessions left out, each list capped at `max_named` with "other".
// `suspect` says which clients are leak suspects (assess() compares ages).
struct PoolerClients {
  std::vector<PoolerClientGroup> applications;
  std::vector<PoolerClientGroup> client_addresses;
};
PoolerClients summarize_pooler_clients(const PoolerStats& stats, size_t max_applications, size_t max_addresses,
                                       const std::function<bool(const PgBouncerClient&)>& suspect);

// The budget a declared hosted pooler (e.g. Supabase's) imposes on clients.
int64_t declared_pooler_budget(const config::DeclaredPooler& pooler);
// The target's budget when it overrides the server's: connection_limit, else
// a declared pooler's client budget; nullopt means max_connections - reserved.
std::optional<int64_t> configured_budget(const config::Target& target);

// Applications sorted by connections held (most first). Declared
// applications are always listed by name; of the rest, the top `max_named`
// keep their name and the remainder is summed under "other".
std::vector<ApplicationSummary> summarize_applications(const ServerStats& stats,
                                                       const std::vector<config::DeclaredApplication>& declared,
                                                       size_t max_named);

}  // namespace pgconn::model
