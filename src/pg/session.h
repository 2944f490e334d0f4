// Sessions with client-side deadlines on connect and on every query, so a
// hung server or a listener that never answers cannot stall a poller thread
// past the configured timeout. Failures become pg::Error, classified by
// SQLSTATE (see libpq_io.h).
#pragma once

#include <pqxx/connection_base>
#include <pqxx/connectionpolicy>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "pg/libpq_io.h"

namespace pgconn::pg {

// Opens the libpq connection for libpqxx, bounded by the options' timeout.
class DeadlineConnect : public pqxx::connectionpolicy {
 public:
  explicit DeadlineConnect(ConnectOptions options);
  handle do_startconnect(handle orig) override;
  handle do_completeconnect(handle orig) override { return orig; }
  handle do_disconnect(handle orig) noexcept override;
  handle connection() const { return conn_; }
  const std::string& secret() const { return secret_; }

 private:
  ConnectOptions options_;
  std::string secret_;
  handle conn_ = nullptr;
};

// A PostgreSQL session. It is a pqxx::connection_base, so the instrumented
// pool (src/pool) holds it like any libpqxx connection; connect and queries
// go through libpq, because libpqxx 6 has no client-side timeouts and reports
// no SQLSTATE for a refused connect.
class Session : public pqxx::connection_base {
 public:
  // Connects or throws pg::Error (classified, message free of secrets).
  explicit Session(const ConnectOptions& options);
  ~Session();

  std::vector<Result> query(const std::string& sql, std::chrono::milliseconds timeout) {
    return query_with_deadline(policy_.connection(), sql, timeout, policy_.secret(), &broken_);
  }
  bool broken() const { return broken_; }
  int backend_pid() const;
  int server_version() const;

 private:
  DeadlineConnect policy_;
  bool broken_ = false;
};

// A plain libpq session for PgBouncer's admin console, which libpqxx 6
// refuses (it rejects the console's server version at connect).
class ConsoleSession {
 public:
  explicit ConsoleSession(const ConnectOptions& options);
  ~ConsoleSession();
  ConsoleSession(const ConsoleSession&) = delete;
  ConsoleSession& operator=(const ConsoleSession&) = delete;

  // One console command per call: the console accepts no batches.
  Result query(const std::string& command, std::chrono::milliseconds timeout);
  bool broken() const { return broken_; }

 private:
  std::string secret_;
  pg_conn* conn_;
  bool broken_ = false;
};

}  // namespace pgconn::pg
