// The libpq calls behind every session: a connect and a query, each bounded
// by a client-side deadline, with failures turned into classified pg::Error
// free of secrets. Used by Session (libpqxx) and ConsoleSession (PgBouncer).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "pg/application_name.h"
#include "pg/error.h"
#include "pg/result.h"

struct pg_conn;

namespace pgconn::pg {

using Clock = std::chrono::steady_clock;

struct ConnectOptions {
  std::string dsn;
  std::string password;  // from password_file; empty means "as in the DSN"
  std::chrono::milliseconds timeout{3000};
  std::string application_name = kDaemonApplication;
  // Server-side guards sent in the startup packet. A pooler's console
  // rejects unknown startup parameters, so pooler targets turn them off.
  bool session_guards = true;
};

// The password to scrub from messages: the explicit one, else the DSN's.
std::string connect_secret(const ConnectOptions& options);

// Opens a connection or throws pg::Error; the caller owns it (PQfinish).
pg_conn* connect_with_deadline(const ConnectOptions& options, const std::string& secret);

// Sends one or more ';'-separated statements in one round trip (simple
// protocol) and returns one Result per statement. Throws pg::Error and sets
// *broken when the connection can no longer be used (lost, or timed out
// mid-query).
std::vector<Result> query_with_deadline(pg_conn* conn, const std::string& sql, std::chrono::milliseconds timeout,
                                        const std::string& secret, bool* broken);

}  // namespace pgconn::pg
