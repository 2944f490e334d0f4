#include "pg/session.h"

#include <libpq-fe.h>

namespace pgconn::pg {

DeadlineConnect::DeadlineConnect(ConnectOptions options)
    : pqxx::connectionpolicy(std::string{}), options_(std::move(options)), secret_(connect_secret(options_)) {}

DeadlineConnect::handle DeadlineConnect::do_startconnect(handle orig) {
  if (orig) return orig;
  conn_ = connect_with_deadline(options_, secret_);
  return conn_;
}

DeadlineConnect::handle DeadlineConnect::do_disconnect(handle orig) noexcept {
  conn_ = nullptr;
  return pqxx::connectionpolicy::do_disconnect(orig);
}

// libpqxx 6 deprecates inhibit_reactivation without a replacement in this
// version; we need it so a broken session fails instead of reconnecting
// behind the poller's back.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
Session::Session(const ConnectOptions& options) : pqxx::connection_base(policy_), policy_(options) {
  init();
  inhibit_reactivation(true);
}
#pragma GCC diagnostic pop

Session::~Session() { close(); }

int Session::backend_pid() const { return PQbackendPID(policy_.connection()); }
int Session::server_version() const { return PQserverVersion(policy_.connection()); }

ConsoleSession::ConsoleSession(const ConnectOptions& options)
    : secret_(connect_secret(options)), conn_(connect_with_deadline(options, secret_)) {}

ConsoleSession::~ConsoleSession() { PQfinish(conn_); }

Result ConsoleSession::query(const std::string& command, std::chrono::milliseconds timeout) {
  std::vector<Result> results = query_with_deadline(conn_, command, timeout, secret_, &broken_);
  if (results.size() != 1) throw Error(ErrorKind::query, "", "expected one result from: " + command);
  return results.front();
}

}  // namespace pgconn::pg
