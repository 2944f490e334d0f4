// Why talking to a server failed, as a small closed set that becomes the
// `reason` label of pgconn_poll_errors_total. pg/ classifies failures into
// it (by SQLSTATE); snapshots record it.
#pragma once

#include <cstddef>

namespace pgconn::model {

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

}  // namespace pgconn::model
