// The exporter's configuration as plain structs. Nothing downstream reads TOML
// or the environment: load() and from_environment() are the only entry points.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/duration.h"

namespace pgconn::config {

struct Thresholds {
  std::optional<int64_t> connections_warning;
  std::optional<int64_t> connections_critical;
  double utilization_warning = 0.8;
  double utilization_critical = 0.95;
  double idle_in_transaction_seconds = 60;
  double connection_age_seconds = 1800;
};

// A client application's pool as its operator declared it (SQLAlchemy-style).
struct DeclaredApplication {
  std::string name;  // matched against application_name
  int64_t pool_size = 5;
  int64_t max_overflow = 10;
  int64_t processes = 1;
};

// Limits of a hosted pooler in front of a PostgreSQL target that cannot be
// read (e.g. Supabase's pooler), so budgets apply to the pooler's limit.
struct DeclaredPooler {
  std::string pool_mode = "transaction";  // session, transaction or statement
  int64_t pool_size = 15;
  int64_t max_client_connections = 200;
};

enum class TargetKind { postgres, pgbouncer };

struct Target {
  std::string name;
  TargetKind kind = TargetKind::postgres;
  std::string dsn;            // may contain a password: never print it, use redact_dsn()
  std::string password_file;  // read at connect time so rotated secrets apply
  std::optional<int64_t> connection_limit;
  bool connect_probe = false;
  Thresholds thresholds;
  std::vector<DeclaredApplication> applications;
  std::optional<DeclaredPooler> pooler;  // postgres targets behind a hosted pooler
  std::string server_target;             // pgbouncer targets: the PostgreSQL target behind it
};

// The exporter's own connection pool per target (see docs/pool.md). One
// connection is all a poll needs; more only helps operator commands that run
// beside the daemon's polls.
struct PoolSettings {
  int64_t size = 1;
  int64_t max_overflow = 0;
  Duration recycle{0};  // 0: keep the connection as long as it works
};

// [web.tls]: serve HTTPS only. SIGHUP re-reads both files.
struct TlsSettings {
  std::string cert_file;  // PEM: the server certificate, then any intermediates
  std::string key_file;   // PEM private key, unencrypted
  std::string min_version = "TLS12";  // "TLS12" or "TLS13"
};

struct Config {
  std::string listen_address = "127.0.0.1:9188";
  // Open HTTP connections (served or waiting) beyond which requests get 503.
  int max_connections = 64;
  // A connection must deliver a complete request head within this (TLS
  // handshake included), as Go's http.Server ReadHeaderTimeout.
  Duration read_header_timeout{5000};
  std::optional<TlsSettings> tls;
  // [web.basic_auth.users]: user name -> bcrypt hash. Empty: no authentication.
  std::map<std::string, std::string> basic_auth_users;
  Duration poll_interval{5000};
  Duration poll_timeout{3000};
  int poll_workers = 4;
  int max_applications = 50;
  int max_client_addresses = 50;  // top N client addresses; the rest is summed under "other"
  // The exporter's own per-target pool: its acquire/use/connect histograms
  // (45 of its 69 series a target) describe the exporter's plumbing, so they
  // are served only when asked for; its health series always are.
  bool exporter_pool_histograms = false;
  PoolSettings pool;
  Thresholds thresholds;
  std::vector<Target> targets;
};

// Every configuration error names where it is: file, key, line and column.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(const std::string& file, const std::string& key, int line, int column,
              const std::string& message);
};

// Parses TOML text; `file` is used in error messages only.
Config parse(const std::string& text, const std::string& file);
Config load(const std::string& path);
// One target named "default" whose DSN comes from DATABASE_URL or PGCONN_DSN,
// or from the file named by DATABASE_URL_FILE or PGCONN_DSN_FILE.
Config from_environment();

}  // namespace pgconn::config
