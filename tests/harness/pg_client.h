// A minimal libpq client for integration tests: opens one connection with a
// chosen application_name and runs statements on it, so a test can create the
// exact mix of sessions (active, idle, idle in transaction) it wants to see.
#pragma once

#include <libpq-fe.h>

#include <stdexcept>
#include <string>

namespace pgtest {

class PgClient {
 public:
  explicit PgClient(const std::string& conninfo, const std::string& application_name = "") {
    std::string full = conninfo;
    if (!application_name.empty()) full += " application_name=" + application_name;
    conn_ = PQconnectdb(full.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string message = PQerrorMessage(conn_);
      PQfinish(conn_);
      throw std::runtime_error("test client could not connect: " + message);
    }
  }
  ~PgClient() { PQfinish(conn_); }
  PgClient(const PgClient&) = delete;
  PgClient& operator=(const PgClient&) = delete;

  // Runs SQL and returns the first column of the first row ("" if none).
  std::string exec(const std::string& sql) {
    PGresult* res = PQexec(conn_, sql.c_str());
    ExecStatusType status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::string message = PQresultErrorMessage(res);
      PQclear(res);
      throw std::runtime_error("test query failed: " + message);
    }
    std::string value = (status == PGRES_TUPLES_OK && PQntuples(res) > 0) ? PQgetvalue(res, 0, 0) : "";
    PQclear(res);
    return value;
  }
  // Sends a query without waiting for its result (e.g. pg_sleep to stay active).
  void send(const std::string& sql) {
    if (!PQsendQuery(conn_, sql.c_str())) throw std::runtime_error(PQerrorMessage(conn_));
  }
  int pid() const { return PQbackendPID(conn_); }

 private:
  PGconn* conn_;
};

}  // namespace pgtest
