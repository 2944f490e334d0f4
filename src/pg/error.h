// Why talking to a server failed, as a small closed set that becomes the
// `reason` label of pgconn_poll_errors_total. Classified by SQLSTATE.
#pragma once

#include <stdexcept>
#include <string>

namespace pgconn::pg {

enum class ErrorKind {
  too_many_connections,  // 53300
  reserved_slots_only,   // 53300, the remaining slots are reserved
  auth,                  // 28P01, 28000
  database_missing,      // 3D000
  starting_up,           // 57P03
  shutting_down,         // 57P03 while shutting down, 57P01/57P02 admin shutdown
  timeout,               // our own deadline passed
  refused,               // nothing listens on the address
  connection_lost,       // an established connection broke
  query,                 // a statement failed (permissions, cancelled, ...)
  other,
};

const char* reason_label(ErrorKind kind);
// Every kind, in a stable order (so counters start at 0 for each reason).
const ErrorKind* all_error_kinds(size_t* count);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string sqlstate, const std::string& message)
      : std::runtime_error(message), kind_(kind), sqlstate_(std::move(sqlstate)) {}
  ErrorKind kind() const { return kind_; }
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  ErrorKind kind_;
  std::string sqlstate_;
};

// Classifies a failure from its SQLSTATE (may be empty) and, only where one
// SQLSTATE covers two situations, the server's message.
ErrorKind classify(const std::string& sqlstate, const std::string& message);

// Extracts the SQLSTATE from a verbose libpq message ("FATAL:  53300: ...").
std::string sqlstate_in_message(const std::string& message);

}  // namespace pgconn::pg
