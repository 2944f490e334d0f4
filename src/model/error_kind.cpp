#include "model/error_kind.h"

namespace pgconn::model {

const char* reason_label(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::too_many_connections: return "too_many_connections";
    case ErrorKind::reserved_slots_only: return "reserved_slots_only";
    case ErrorKind::auth: return "auth";
    case ErrorKind::database_missing: return "database_missing";
    case ErrorKind::starting_up: return "starting_up";
    case ErrorKind::shutting_down: return "shutting_down";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::refused: return "refused";
    case ErrorKind::connection_lost: return "connection_lost";
    case ErrorKind::query: return "query";
    case ErrorKind::other: return "other";
  }
  return "other";
}

const ErrorKind* all_error_kinds(size_t* count) {
  static const ErrorKind kinds[] = {
      ErrorKind::too_many_connections, ErrorKind::reserved_slots_only, ErrorKind::auth,
      ErrorKind::database_missing,     ErrorKind::starting_up,         ErrorKind::shutting_down,
      ErrorKind::timeout,              ErrorKind::refused,             ErrorKind::connection_lost,
      ErrorKind::query,                ErrorKind::other};
  *count = sizeof kinds / sizeof kinds[0];
  return kinds;
}

}  // namespace pgconn::model
