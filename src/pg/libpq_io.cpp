#include "pg/libpq_io.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <sstream>

#include "config/dsn.h"

namespace pgconn::pg {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// libpq's verbose messages carry "SEVERITY:  SQLSTATE: text" plus LOCATION
// lines; keep one readable line without the code (it goes into the reason).
std::string tidy_message(std::string message, const std::string& sqlstate) {
  std::istringstream in(message);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.rfind("LOCATION:", 0) == 0 || line.empty()) continue;
    if (!sqlstate.empty()) {
      size_t pos = line.find(sqlstate + ": ");
      if (pos != std::string::npos) line.erase(pos, sqlstate.size() + 2);
    }
    if (!out.empty()) out += " ";
    out += line;
  }
  return out;
}

// Builds libpq's keyword/value arrays: the DSN's own settings, then ours.
struct ConnectParams {
  std::vector<std::string> keys, values;

  void set(const std::string& key, const std::string& value) {
    auto it = std::find(keys.begin(), keys.end(), key);
    if (it == keys.end()) {
      keys.push_back(key);
      values.push_back(value);
    } else {
      values[static_cast<size_t>(it - keys.begin())] = value;
    }
  }
  std::string get(const std::string& key) const {
    auto it = std::find(keys.begin(), keys.end(), key);
    return it == keys.end() ? "" : values[static_cast<size_t>(it - keys.begin())];
  }
};

ConnectParams build_params(const ConnectOptions& options) {
  ConnectParams params;
  char* err = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(options.dsn.c_str(), &err);
  if (!parsed) {
    std::string message = err ? err : "invalid dsn";
    if (err) PQfreemem(err);
    throw Error(ErrorKind::other, "", config::scrub(message, config::dsn_password(options.dsn)));
  }
  for (auto* o = parsed; o->keyword; ++o) {
    if (o->val) params.set(o->keyword, o->val);
  }
  PQconninfoFree(parsed);

  auto timeout_ms = options.timeout.count();
  params.set("application_name", options.application_name);
  // libpq's own timeout is whole seconds (minimum 2); our deadline below is exact.
  params.set("connect_timeout", std::to_string(std::max<long long>(2, (timeout_ms + 999) / 1000)));
  params.set("keepalives", "1");
  params.set("keepalives_idle", "30");
  params.set("keepalives_interval", "10");
  params.set("keepalives_count", "3");
  params.set("tcp_user_timeout", std::to_string(timeout_ms));
  if (!options.password.empty()) params.set("password", options.password);
  if (options.session_guards) {
    // The server cancels a slow statement a little before our client-side
    // deadline, so a slow poll keeps the connection (and its slot).
    long long statement_ms = std::max<long long>(50, timeout_ms * 8 / 10);
    std::string guards = "-c statement_timeout=" + std::to_string(statement_ms) +
                         " -c lock_timeout=" + std::to_string(statement_ms) +
                         " -c idle_in_transaction_session_timeout=" + std::to_string(timeout_ms * 2) +
                         " -c default_transaction_read_only=on";
    std::string existing = params.get("options");
    params.set("options", existing.empty() ? guards : existing + " " + guards);
  }
  return params;
}

// Waits until the socket is readable/writable or the deadline passes.
bool wait_socket(PGconn* conn, bool for_write, Clock::time_point deadline) {
  pollfd fd{PQsocket(conn), static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
  if (fd.fd < 0) return false;
  for (;;) {
    auto left = duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    int rc = ::poll(&fd, 1, static_cast<int>(left));
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) return true;  // let libpq report the socket error
  }
}

[[noreturn]] void fail_connect(PGconn* conn, ErrorKind kind, const std::string& sqlstate, const std::string& message,
                               const std::string& secret) {
  PQfinish(conn);
  throw Error(kind, sqlstate, config::scrub(tidy_message(message, sqlstate), secret));
}

}  // namespace

std::string connect_secret(const ConnectOptions& options) {
  return options.password.empty() ? config::dsn_password(options.dsn) : options.password;
}

PGconn* connect_with_deadline(const ConnectOptions& options, const std::string& secret) {
  const auto deadline = Clock::now() + options.timeout;
  ConnectParams params = build_params(options);
  std::vector<const char*> keys, values;
  for (size_t i = 0; i < params.keys.size(); ++i) {
    keys.push_back(params.keys[i].c_str());
    values.push_back(params.values[i].c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);

  PGconn* conn = PQconnectStartParams(keys.data(), values.data(), 0);
  if (!conn) throw Error(ErrorKind::other, "", "out of memory starting a connection");
  // Verbose errors carry the SQLSTATE even for failures during start-up,
  // which is the only way libpq reports e.g. 53300 before a connection exists.
  PQsetErrorVerbosity(conn, PQERRORS_VERBOSE);
  PostgresPollingStatusType status = PGRES_POLLING_WRITING;
  while (PQstatus(conn) != CONNECTION_BAD) {
    if (status == PGRES_POLLING_OK) return conn;
    if (!wait_socket(conn, status == PGRES_POLLING_WRITING, deadline)) {
      fail_connect(conn, ErrorKind::timeout, "",
                   "connecting timed out after " + std::to_string(options.timeout.count()) + "ms", secret);
    }
    status = PQconnectPoll(conn);
  }
  std::string message = PQerrorMessage(conn);
  std::string sqlstate = sqlstate_in_message(message);
  // Nothing was queried yet: an unexpected SQLSTATE here is no query error.
  ErrorKind kind = classify(sqlstate, message);
  fail_connect(conn, kind == ErrorKind::query ? ErrorKind::other : kind, sqlstate, message, secret);
}

std::vector<Result> query_with_deadline(PGconn* conn, const std::string& sql, std::chrono::milliseconds timeout,
                                        const std::string& secret, bool* broken) {
  const auto deadline = Clock::now() + timeout;
  // A failure that leaves the connection unusable marks it broken: our own
  // deadline (no SQLSTATE) leaves a query in flight; the server's
  // statement_timeout (57014) does not, and the connection is kept.
  auto fail = [&](ErrorKind kind, const std::string& sqlstate, const std::string& message) {
    if ((kind == ErrorKind::timeout && sqlstate.empty()) || kind == ErrorKind::connection_lost || !conn ||
        PQstatus(conn) == CONNECTION_BAD) {
      *broken = true;
    }
    throw Error(kind, sqlstate, config::scrub(tidy_message(message, sqlstate), secret));
  };
  if (*broken || !conn || PQstatus(conn) != CONNECTION_OK) fail(ErrorKind::connection_lost, "", "connection is closed");
  if (!PQsendQuery(conn, sql.c_str())) fail(ErrorKind::connection_lost, "", PQerrorMessage(conn));
  PQsetnonblocking(conn, 1);
  int flushed;
  while ((flushed = PQflush(conn)) == 1) {
    if (!wait_socket(conn, true, deadline)) fail(ErrorKind::timeout, "", "sending the query timed out");
  }
  if (flushed < 0) fail(ErrorKind::connection_lost, "", PQerrorMessage(conn));

  std::vector<Result> results;
  std::string error_state, error_message;
  for (;;) {
    while (PQisBusy(conn)) {
      if (!wait_socket(conn, false, deadline)) {
        fail(ErrorKind::timeout, "", "no answer within " + std::to_string(timeout.count()) + "ms");
      }
      if (!PQconsumeInput(conn)) fail(ErrorKind::connection_lost, "", PQerrorMessage(conn));
    }
    PGresult* res = PQgetResult(conn);
    if (!res) break;
    ExecStatusType status = PQresultStatus(res);
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
      results.emplace_back(res);
      continue;
    }
    if (error_message.empty()) {
      const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
      error_state = state ? state : "";
      error_message = PQresultErrorMessage(res);
    }
    PQclear(res);
  }
  // Back to blocking mode: libpqxx (e.g. the pool's rollback) expects it.
  PQsetnonblocking(conn, 0);
  if (PQstatus(conn) == CONNECTION_BAD) {
    fail(ErrorKind::connection_lost, error_state, error_message.empty() ? PQerrorMessage(conn) : error_message);
  }
  if (!error_message.empty()) fail(classify(error_state, error_message), error_state, error_message);
  return results;
}

}  // namespace pgconn::pg
