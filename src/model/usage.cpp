#include "model/usage.h"

#include <algorithm>

namespace pgconn::model {
namespace {

void keep_max(std::optional<double>& into, const std::optional<double>& value) {
  if (value && (!into || *value > *into)) into = value;
}

void merge(ApplicationSummary& into, const ApplicationSummary& from) {
  // unset_name_connections stays with its group: "other" is never "unnamed".
  into.connections += from.connections;
  for (const auto& [state, n] : from.by_state) into.by_state[state] += n;
  keep_max(into.oldest_connection_age_seconds, from.oldest_connection_age_seconds);
  keep_max(into.oldest_transaction_age_seconds, from.oldest_transaction_age_seconds);
  keep_max(into.oldest_idle_in_transaction_age_seconds, from.oldest_idle_in_transaction_age_seconds);
  into.leak_suspects_age += from.leak_suspects_age;
  into.leak_suspects_idle_in_transaction += from.leak_suspects_idle_in_transaction;
  for (int pid : from.sample_pids) {
    if (into.sample_pids.size() < 5) into.sample_pids.push_back(pid);
  }
  into.client_addresses.insert(from.client_addresses.begin(), from.client_addresses.end());
  for (const auto& [addr, n] : from.age_suspects_by_address) into.age_suspects_by_address[addr] += n;
  for (const auto& [addr, n] : from.idle_in_transaction_suspects_by_address) {
    into.idle_in_transaction_suspects_by_address[addr] += n;
  }
}

std::string application_label(const std::string& application_name) {
  return application_name.empty() ? "unnamed" : application_name;
}

// Most first, ties by name; the first `max_named` keep their name, the rest
// is merged into one group named "other".
template <typename Group, typename Merge>
std::vector<Group> keep_top(std::map<std::string, Group> by_name, size_t max_named, int64_t Group::*size,
                            std::string Group::*name, Merge merge) {
  std::vector<Group> all;
  for (auto& [key, group] : by_name) all.push_back(std::move(group));
  std::stable_sort(all.begin(), all.end(), [&](const Group& a, const Group& b) { return a.*size > b.*size; });
  std::vector<Group> kept;
  Group other{};
  other.*name = "other";
  other.folded = true;
  for (auto& g : all) {
    if (kept.size() < max_named && g.*name != "other") {
      kept.push_back(std::move(g));
    } else {
      merge(other, g);
    }
  }
  if (other.*size > 0) kept.push_back(std::move(other));
  return kept;
}

void merge_address(ClientAddressSummary& into, const ClientAddressSummary& from) {
  into.connections += from.connections;
  for (const auto& [state, n] : from.by_state) into.by_state[state] += n;
  into.leak_suspects_age += from.leak_suspects_age;
  into.leak_suspects_idle_in_transaction += from.leak_suspects_idle_in_transaction;
}

void merge_clients(PoolerClientGroup& into, const PoolerClientGroup& from) {
  into.clients += from.clients;
  for (const auto& [state, n] : from.by_state) into.by_state[state] += n;
  keep_max(into.oldest_client_age_seconds, from.oldest_client_age_seconds);
  into.leak_suspects_age += from.leak_suspects_age;
  for (const auto& [addr, n] : from.age_suspects_by_address) into.age_suspects_by_address[addr] += n;
}

}  // namespace

const std::vector<std::string>& connection_states() {
  static const std::vector<std::string> states = {
      "active", "idle", "idle_in_transaction", "idle_in_transaction_aborted", "fastpath_function_call",
      "disabled", "unknown"};
  return states;
}

const std::vector<std::string>& application_states() {
  static const std::vector<std::string> states = {"active", "idle", "idle_in_transaction"};
  return states;
}

const std::vector<std::string>& pooler_client_states() {
  static const std::vector<std::string> states = {"linked", "idle", "waiting"};
  return states;
}

Usage compute_usage(const ServerStats& stats, std::optional<int64_t> configured_limit) {
  Usage usage;
  for (const auto& state : connection_states()) usage.by_state[state] = 0;
  for (const auto& row : stats.activity) {
    usage.used += row.connections;
    usage.by_state[row.state] += row.connections;
    if (row.monitoring) usage.monitoring += row.connections;
  }
  usage.limit = configured_limit.value_or(stats.max_connections - stats.superuser_reserved_connections -
                                          stats.reserved_connections);
  usage.available = std::max<int64_t>(0, usage.limit - usage.used);
  usage.utilization = usage.limit > 0 ? static_cast<double>(usage.used) / static_cast<double>(usage.limit) : 1.0;
  return usage;
}

DeclaredPool declared_pool(const config::DeclaredApplication& app, int64_t held) {
  DeclaredPool pool;
  pool.capacity = app.processes * (app.pool_size + app.max_overflow);
  pool.base = app.processes * app.pool_size;
  pool.overflow = std::max<int64_t>(0, held - pool.base);
  pool.utilization = pool.capacity > 0 ? static_cast<double>(held) / static_cast<double>(pool.capacity) : 0;
  return pool;
}

int64_t declared_capacity(const std::vector<config::DeclaredApplication>& apps) {
  int64_t total = 0;
  for (const auto& app : apps) total += declared_pool(app, 0).capacity;
  return total;
}

namespace {

const PgBouncerDatabase* find_database(const PoolerStats& stats, const std::string& name) {
  for (const auto& db : stats.databases) {
    if (db.name == name) return &db;
  }
  return nullptr;
}

// A database's pool_size in PgBouncer, else the default_pool_size.
int64_t effective_pool_size(const PoolerStats& stats, const PgBouncerDatabase* db) {
  return db && db->pool_size > 0 ? db->pool_size : stats.default_pool_size;
}

double ratio(int64_t part, int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0;
}

}  // namespace

PoolBudget pgbouncer_pool_budget(const PoolerStats& stats, const PgBouncerPool& pool) {
  const PgBouncerDatabase* db = find_database(stats, pool.database);
  PoolBudget budget;
  budget.pool_mode = !pool.pool_mode.empty() ? pool.pool_mode : stats.pool_mode;
  budget.client_limit = budget.pool_mode == "session" ? effective_pool_size(stats, db) : stats.max_client_conn;
  budget.client_utilization = ratio(pool.clients_active + pool.clients_waiting, budget.client_limit);
  return budget;
}

PoolerUsage pgbouncer_usage(const PoolerStats& stats, std::optional<int64_t> configured_limit) {
  PoolerUsage usage;
  usage.clients = stats.used_clients;
  usage.client_limit = configured_limit.value_or(stats.max_client_conn);
  usage.client_utilization = ratio(usage.clients, usage.client_limit);
  std::map<std::string, int64_t> potential_per_database;
  for (const auto& p : stats.pools) {
    if (p.database == "pgbouncer") continue;  // the admin console: no server connections
    usage.clients_waiting += p.clients_waiting;
    usage.max_wait_seconds = std::max(usage.max_wait_seconds, p.max_wait_seconds);
    usage.server_connections +=
        p.servers_active + p.servers_idle + p.servers_used + p.servers_tested + p.servers_login;
    const PgBouncerDatabase* db = find_database(stats, p.database);
    potential_per_database[p.database] +=
        effective_pool_size(stats, db) + (db ? db->reserve_pool : stats.reserve_pool_size);
  }
  // Every pool (database/user pair) may open pool_size + reserve_pool server
  // connections, unless the database's max_db_connections caps them together.
  for (const auto& [name, potential] : potential_per_database) {
    const PgBouncerDatabase* db = find_database(stats, name);
    int64_t cap = db && db->max_connections > 0 ? db->max_connections : stats.max_db_connections;
    usage.server_connections_max += cap > 0 ? std::min(potential, cap) : potential;
  }
  return usage;
}

Usage client_usage(const PoolerUsage& pooler) {
  Usage usage;
  usage.limit = pooler.client_limit;
  usage.used = pooler.clients;
  usage.available = std::max<int64_t>(0, pooler.client_limit - pooler.clients);
  usage.utilization = pooler.client_utilization;
  return usage;
}

int64_t declared_pooler_budget(const config::DeclaredPooler& pooler) {
  return pooler.pool_mode == "session" ? pooler.pool_size : pooler.max_client_connections;
}

std::optional<int64_t> configured_budget(const config::Target& target) {
  if (target.connection_limit) return target.connection_limit;
  if (target.pooler) return declared_pooler_budget(*target.pooler);
  return std::nullopt;
}

std::vector<ApplicationSummary> summarize_applications(const ServerStats& stats,
                                                       const std::vector<config::DeclaredApplication>& declared,
                                                       size_t max_named) {
  std::map<std::string, ApplicationSummary> by_name;
  for (const auto& app : declared) {
    ApplicationSummary& s = by_name[app.name];
    s.name = app.name;
    s.declared = app;
  }
  for (const auto& row : stats.activity) {
    std::string name = application_label(row.application_name);
    ApplicationSummary& s = by_name[name];
    s.name = name;
    if (row.application_name.empty()) s.unset_name_connections += row.connections;
    s.monitoring = s.monitoring || row.monitoring;
    ApplicationSummary part;
    part.connections = row.connections;
    part.by_state[row.state] = row.connections;
    part.oldest_connection_age_seconds = row.oldest_connection_age_seconds;
    part.oldest_transaction_age_seconds = row.oldest_transaction_age_seconds;
    part.oldest_idle_in_transaction_age_seconds = row.oldest_idle_in_transaction_age_seconds;
    part.leak_suspects_age = row.older_than_age_threshold;
    part.leak_suspects_idle_in_transaction = row.idle_in_transaction_too_long;
    part.sample_pids = row.sample_pids;
    merge(s, part);
  }
  for (const auto& row : stats.client_addresses) {
    auto it = by_name.find(application_label(row.application_name));
    if (it == by_name.end()) continue;
    it->second.client_addresses.insert(row.client_addr);
    if (row.older_than_age_threshold > 0) it->second.age_suspects_by_address[row.client_addr] += row.older_than_age_threshold;
    if (row.idle_in_transaction_too_long > 0) {
      it->second.idle_in_transaction_suspects_by_address[row.client_addr] += row.idle_in_transaction_too_long;
    }
  }
  std::vector<ApplicationSummary> all;
  for (auto& [name, summary] : by_name) all.push_back(std::move(summary));
  std::stable_sort(all.begin(), all.end(), [](const ApplicationSummary& a, const ApplicationSummary& b) {
    return a.connections > b.connections;
  });

  std::vector<ApplicationSummary> kept;
  ApplicationSummary other;
  other.name = "other";
  other.folded = true;
  size_t named = 0;
  for (auto& s : all) {
    if (s.declared || (named < max_named && s.name != "other")) {
      if (!s.declared) ++named;
      if (s.declared) s.pool = declared_pool(*s.declared, s.connections);
      kept.push_back(std::move(s));
    } else {
      merge(other, s);
    }
  }
  if (other.connections > 0) kept.push_back(std::move(other));
  return kept;
}

std::vector<ClientAddressSummary> summarize_client_addresses(const ServerStats& stats, size_t max_named) {
  std::map<std::string, ClientAddressSummary> by_address;
  for (const auto& row : stats.client_addresses) {
    ClientAddressSummary& a = by_address[row.client_addr];
    a.client_addr = row.client_addr;
    for (const auto& state : application_states()) a.by_state.emplace(state, 0);
    a.connections += row.connections;
    a.by_state[row.state == "idle_in_transaction_aborted" ? "idle_in_transaction" : row.state] += row.connections;
    a.leak_suspects_age += row.older_than_age_threshold;
    a.leak_suspects_idle_in_transaction += row.idle_in_transaction_too_long;
  }
  // Every address starts with all of application_states(), so "other", their
  // sum, has them too.
  return keep_top(std::move(by_address), max_named, &ClientAddressSummary::connections,
                  &ClientAddressSummary::client_addr, merge_address);
}

PoolerClients summarize_pooler_clients(const PoolerStats& stats, size_t max_applications, size_t max_addresses,
                                       const std::function<bool(const PgBouncerClient&)>& suspect) {
  std::map<std::string, PoolerClientGroup> by_application, by_address;
  // Every group starts with all of pooler_client_states(), so "other" has them too.
  auto add = [](PoolerClientGroup& g, const std::string& name, const PgBouncerClient& c, bool is_suspect) {
    g.name = name;
    for (const auto& state : pooler_client_states()) g.by_state.emplace(state, 0);
    g.clients += 1;
    g.by_state[c.state] += 1;
    if (!c.monitoring) keep_max(g.oldest_client_age_seconds, c.connected_seconds);
    if (is_suspect) g.leak_suspects_age += 1;
  };
  for (const auto& c : stats.clients) {
    if (c.monitoring && c.database == "pgbouncer") continue;  // an exporter's own console session
    bool is_suspect = !c.monitoring && suspect(c);
    const std::string name = application_label(c.application_name);
    PoolerClientGroup& app = by_application[name];
    add(app, name, c, is_suspect);
    if (is_suspect) app.age_suspects_by_address[c.client_addr] += 1;
    add(by_address[c.client_addr], c.client_addr, c, is_suspect);
  }
  PoolerClients out;
  out.applications = keep_top(std::move(by_application), max_applications, &PoolerClientGroup::clients,
                              &PoolerClientGroup::name, merge_clients);
  out.client_addresses = keep_top(std::move(by_address), max_addresses, &PoolerClientGroup::clients,
                                  &PoolerClientGroup::name, merge_clients);
  return out;
}

}  // namespace pgconn::model
