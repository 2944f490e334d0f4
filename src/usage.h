// Derived views of a snapshot that several renderers need: the connection
// budget and its use, and per-application summaries with cardinality capped.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "snapshot.h"

namespace pgconn {

struct Usage {
  int64_t limit = 0;      // the budget: configured, else max_connections - reserved
  int64_t used = 0;       // client backends, the exporter's own included
  int64_t available = 0;  // never negative (superusers may use reserved slots)
  double utilization = 0; // used / limit; may exceed 1 when reserved slots are in use
  std::map<std::string, int64_t> by_state;  // every state label, zeros included
};

// The state labels of pgconn_connections, in display order.
const std::vector<std::string>& connection_states();

Usage compute_usage(const ServerStats& stats, std::optional<int64_t> configured_limit);

struct ApplicationSummary {
  std::string name;  // "unnamed" for an empty application_name, "other" for the folded rest
  int64_t connections = 0;
  std::map<std::string, int64_t> by_state;
  std::optional<double> oldest_connection_age_seconds;
  std::optional<double> oldest_transaction_age_seconds;
  std::optional<double> oldest_idle_in_transaction_age_seconds;
  int64_t leak_suspects_age = 0;
  int64_t leak_suspects_idle_in_transaction = 0;
  std::vector<int> sample_pids;
  std::optional<config::DeclaredApplication> declared;
};

struct DeclaredPool {
  int64_t capacity = 0;  // processes x (pool_size + max_overflow)
  int64_t base = 0;      // processes x pool_size
  int64_t overflow = 0;  // held beyond base, never negative
  double utilization = 0;
};
DeclaredPool declared_pool(const config::DeclaredApplication& app, int64_t held);
int64_t declared_capacity(const std::vector<config::DeclaredApplication>& apps);

// Applications sorted by connections held (most first). Declared
// applications are always listed by name; of the rest, the top `max_named`
// keep their name and the remainder is summed under "other".
std::vector<ApplicationSummary> summarize_applications(const ServerStats& stats,
                                                       const std::vector<config::DeclaredApplication>& declared,
                                                       size_t max_named);

}  // namespace pgconn
