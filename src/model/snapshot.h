// What one poll of one target saw: plain, immutable data. The assessment
// (assessment.h) judges it; every output formats that judgement.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/error_kind.h"

namespace pgconn::model {

// Client backends of one application_name in one state, aggregated in SQL.
struct ApplicationStateRow {
  std::string application_name;  // as reported; "" when unset
  std::string state;             // pgconn state label (idle_in_transaction, ...)
  int64_t connections = 0;
  // Ages exclude monitoring sessions; nullopt when nothing qualifies.
  std::optional<double> oldest_connection_age_seconds;
  std::optional<double> oldest_transaction_age_seconds;
  std::optional<double> oldest_idle_in_transaction_age_seconds;
  int64_t older_than_age_threshold = 0;         // leak suspects by age
  int64_t idle_in_transaction_too_long = 0;     // leak suspects by idle in transaction
  std::vector<int> sample_pids;                 // a few pids for evidence
  bool monitoring = false;  // this exporter's family (pg/application_name.h): never a leak suspect
};

// Client backends from one client address, of one application, in one
// state: the activity collector's groups, which it also sums per
// application and state into ApplicationStateRow.
struct ClientAddressRow {
  std::string client_addr;       // as PostgreSQL prints it; "local" (Unix socket), "unknown" (not visible)
  std::string application_name;  // as reported; "" when unset
  std::string state;             // pgconn state label, as in ApplicationStateRow
  int64_t connections = 0;
  int64_t older_than_age_threshold = 0;
  int64_t idle_in_transaction_too_long = 0;
  bool monitoring = false;
};

struct SessionCounters {
  int64_t sessions = 0, abandoned = 0, fatal = 0, killed = 0;
};

struct NamedCount {
  int64_t connections = 0;
  int64_t limit = -1;  // CONNECTION LIMIT; -1 when none is set
};

// The thresholds the activity collector compared in SQL (it counts leak
// suspects where the sessions are): the judgement of this snapshot uses
// them, not the ones a later reload set.
struct LeakThresholds {
  double connection_age_seconds = 0;
  double idle_in_transaction_seconds = 0;
};

struct ServerStats {
  LeakThresholds leak_thresholds;
  int64_t max_connections = 0;
  int64_t superuser_reserved_connections = 0;
  int64_t reserved_connections = 0;  // PostgreSQL 16+
  bool sees_all_sessions = false;  // superuser or pg_monitor
  std::vector<ApplicationStateRow> activity;
  std::vector<ClientAddressRow> client_addresses;
  std::map<std::string, NamedCount> databases;
  std::map<std::string, NamedCount> users;
  std::map<std::string, int64_t> backends_by_type;
  std::optional<std::map<std::string, SessionCounters>> sessions;  // 14+
};

// One PgBouncer pool (database/user pair) from SHOW POOLS.
struct PgBouncerPool {
  std::string database, user, pool_mode;
  int64_t clients_active = 0, clients_waiting = 0;
  int64_t servers_active = 0, servers_idle = 0, servers_used = 0, servers_tested = 0, servers_login = 0;
  double max_wait_seconds = 0;  // maxwait + maxwait_us
};

// One PgBouncer database entry from SHOW DATABASES, with totals from SHOW STATS.
struct PgBouncerDatabase {
  std::string name;
  std::string pool_mode;  // empty: the global pool_mode applies
  int64_t pool_size = 0, reserve_pool = 0;
  int64_t max_connections = 0;  // 0: no per-database limit
  int64_t current_connections = 0;
  int64_t transactions_total = 0, queries_total = 0;
  double client_wait_seconds_total = 0;
};

// One client of PgBouncer from SHOW CLIENTS.
struct PgBouncerClient {
  std::string application_name;  // "" when unset
  std::string client_addr;       // "unix" for Unix-socket clients, as PgBouncer prints it
  std::string database, user;
  std::string state;             // linked (holds a server connection), idle or waiting
  std::optional<double> connected_seconds;  // since connect_time; nullopt when its zone is unknown
  // This exporter's family (pg/application_name.h): never a leak suspect,
  // and not counted at all on the admin console (the exporters' own sessions).
  bool monitoring = false;
};

// What a PgBouncer admin console showed.
struct PoolerStats {
  std::vector<PgBouncerPool> pools;
  std::vector<PgBouncerDatabase> databases;
  std::string pool_mode;  // global default
  int64_t max_client_conn = 0, max_db_connections = 0, max_user_connections = 0;
  int64_t default_pool_size = 0, reserve_pool_size = 0;
  int64_t used_clients = 0, login_clients = 0;  // SHOW LISTS
  std::vector<PgBouncerClient> clients;          // SHOW CLIENTS
};

// An opt-in fresh connection per poll, opened and closed as an ordinary
// client would: it fails when new clients are refused, even while the
// exporter's held connection keeps working.
struct ConnectProbe {
  bool success = false;
  double duration_seconds = 0;
  std::optional<ErrorKind> last_error;
  std::map<ErrorKind, uint64_t> failures_total;
};

struct Snapshot {
  std::string target;
  bool up = false;
  std::optional<ErrorKind> last_error;
  std::string last_error_message;  // already free of secrets
  double poll_duration_seconds = 0;
  std::map<ErrorKind, uint64_t> poll_errors_total;
  std::optional<double> last_success_unix;
  // The last successful poll's data, kept while later polls fail so /metrics
  // can still show it, marked stale by pgconn_snapshot_age_seconds.
  std::shared_ptr<const ServerStats> stats;
  std::shared_ptr<const PoolerStats> pooler;  // pgbouncer targets: the last good console data
  std::optional<ConnectProbe> probe;  // only for targets with connect_probe = true
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace pgconn::model
