// One libpq connection with client-side deadlines on connect and on every
// query, so a hung server or a listener that never answers cannot stall a
// poller thread past the configured timeout. Failures become pg::Error.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "pg/error.h"
#include "pg/result.h"

struct pg_conn;

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

class Session {
 public:
  // Connects or throws pg::Error (classified, message free of secrets).
  static std::unique_ptr<Session> connect(const ConnectOptions& options);
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
  explicit Session(pg_conn* conn, std::string secret) : conn_(conn), secret_(std::move(secret)) {}
  // Waits until the socket is readable/writable or the deadline passes.
  bool wait_socket(bool for_write, Clock::time_point deadline) const;
  [[noreturn]] void fail(ErrorKind kind, const std::string& sqlstate, const std::string& message);

  pg_conn* conn_;
  std::string secret_;
  bool broken_ = false;
};

}  // namespace pgconn::pg
