#include "pool/connection_ops.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>

#include <pqxx/connection_base>

namespace pgconn::pool::detail {
namespace {

// libpqxx 6.4 keeps the PGconn behind a private accessor and offers no public
// way to read the transaction status or to run a query with a deadline
// (pqxx would block forever on a frozen server). An explicit template
// instantiation may name a private member ([temp.explicit]: access checks do
// not apply there), which is the one standard way to reach it.
using RawAccessor = pqxx::internal::pq::PGconn* (pqxx::connection_base::*)() const;
RawAccessor raw_accessor();
template <RawAccessor Accessor>
struct ExposeRaw {
  friend RawAccessor raw_accessor() { return Accessor; }
};
template struct ExposeRaw<&pqxx::connection_base::raw_connection>;

PGconn* raw(pqxx::connection_base& conn) { return (conn.*raw_accessor())(); }

// Sends sql and waits for all of its results until timeout. The connection
// is left mid-query on timeout, which is fine: the caller then closes it.
bool run_with_deadline(PGconn* pg, const char* sql, std::chrono::milliseconds timeout,
                       std::string& error) {
  if (pg == nullptr || PQstatus(pg) != CONNECTION_OK) {
    error = "connection is not open";
    return false;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (PQsendQuery(pg, sql) == 0) {
    error = PQerrorMessage(pg);
    return false;
  }
  for (;;) {
    if (PQconsumeInput(pg) == 0) {
      error = PQerrorMessage(pg);
      return false;
    }
    if (PQisBusy(pg) == 0) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      error = "no answer within " + std::to_string(timeout.count()) + " ms";
      return false;
    }
    pollfd fd{PQsocket(pg), POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) {
      error = "poll() failed";
      return false;
    }
  }
  bool ok = true;
  while (PGresult* result = PQgetResult(pg)) {
    ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
      if (ok) error = PQresultErrorMessage(result);
      ok = false;
    }
    PQclear(result);
  }
  return ok;
}

class LibpqOps : public ConnectionOps {
 public:
  bool ping(pqxx::connection_base& conn, std::chrono::milliseconds timeout,
            std::string& error) override {
    // An empty query costs one round trip and nothing on the server.
    return run_with_deadline(raw(conn), "", timeout, error);
  }

  ResetResult reset(pqxx::connection_base& conn, std::chrono::milliseconds timeout,
                    std::string& error) override {
    PGconn* pg = raw(conn);
    if (pg == nullptr || PQstatus(pg) != CONNECTION_OK) {
      error = "connection is not open";
      return ResetResult::broken;
    }
    switch (PQtransactionStatus(pg)) {
      case PQTRANS_IDLE:
        return ResetResult::clean;
      case PQTRANS_INTRANS:
      case PQTRANS_INERROR:
        if (run_with_deadline(pg, "ROLLBACK", timeout, error)) return ResetResult::rolled_back;
        return PQstatus(pg) == CONNECTION_OK ? ResetResult::failed : ResetResult::broken;
      case PQTRANS_ACTIVE:
        error = "a query is still in progress";
        return ResetResult::failed;
      case PQTRANS_UNKNOWN:
        break;
    }
    error = "transaction status unknown";
    return ResetResult::broken;
  }
};

}  // namespace

std::unique_ptr<ConnectionOps> make_libpq_ops() { return std::make_unique<LibpqOps>(); }

}  // namespace pgconn::pool::detail
