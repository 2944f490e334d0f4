// One PostgreSQL connection with client-side deadlines on connect and on
// every query, so a hung server or a listener that never answers cannot
// stall a poller thread past the configured timeout. Failures become
// pg::Error, classified by SQLSTATE.
//
// It is a pqxx::connection_base, so the instrumented pool (src/pool) can hold
// it like any libpqxx connection; the connect itself and the deadline-bound
// queries go through libpq, which libpqxx 6 cannot do (it has no client-side
// timeouts and reports no SQLSTATE for a refused connect).
#pragma once

#include <pqxx/connection_base>
#include <pqxx/connectionpolicy>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "pg/error.h"
#include "pg/result.h"

namespace pgconn::pg {

using Clock = std::chrono::steady_clock;

struct ConnectOptions {
  std::string dsn;
  std::string password;  // from password_file; empty means "as in the DSN"
  std::chrono::milliseconds timeout{3000};
  std::string application_name = "pgconn_exporter";
  // Server-side guards sent in the startup packet. A pooler's console
  // rejects unknown startup parameters, so pooler targets turn them off.
  bool session_guards = true;
};

// Opens the libpq connection for pqxx, bounded by the options' timeout.
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

class Session : public pqxx::connection_base {
 public:
  // Connects or throws pg::Error (classified, message free of secrets).
  explicit Session(const ConnectOptions& options);
  static std::unique_ptr<Session> connect(const ConnectOptions& options) {
    return std::make_unique<Session>(options);
  }
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Sends one or more ';'-separated statements in a single round trip and
  // returns one Result per statement. Throws pg::Error; after a timeout or a
  // lost connection the session is broken() and must be replaced.
  std::vector<Result> query(const std::string& sql, std::chrono::milliseconds timeout);

  bool broken() const { return broken_; }
  int backend_pid() const;
  int server_version() const;

 private:
  [[noreturn]] void fail(ErrorKind kind, const std::string& sqlstate, const std::string& message);

  DeadlineConnect policy_;
  bool broken_ = false;
};

}  // namespace pgconn::pg
