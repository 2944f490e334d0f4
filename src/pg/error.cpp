#include "pg/error.h"

#include <cctype>

namespace pgconn::pg {

ErrorKind classify(const std::string& sqlstate, const std::string& message) {
  if (sqlstate == "53300") {
    // PostgreSQL raises 53300 both when every slot is taken and when only
    // superuser-reserved slots remain; only the message tells them apart.
    return message.find("reserved") != std::string::npos ? ErrorKind::reserved_slots_only
                                                         : ErrorKind::too_many_connections;
  }
  if (sqlstate == "28P01" || sqlstate == "28000") return ErrorKind::auth;
  if (sqlstate == "3D000") return ErrorKind::database_missing;
  if (sqlstate == "57P03") {
    return message.find("shutting down") != std::string::npos ? ErrorKind::shutting_down
                                                              : ErrorKind::starting_up;
  }
  if (sqlstate == "57P01" || sqlstate == "57P02") return ErrorKind::shutting_down;
  if (sqlstate == "57014") return ErrorKind::timeout;  // statement_timeout fired
  if (!sqlstate.empty()) return ErrorKind::query;
  // No SQLSTATE: the failure happened below the protocol (socket level).
  if (message.find("Connection refused") != std::string::npos ||
      message.find("No such file or directory") != std::string::npos) {
    return ErrorKind::refused;
  }
  if (message.find("timeout expired") != std::string::npos) return ErrorKind::timeout;
  return ErrorKind::other;
}

std::string sqlstate_in_message(const std::string& message) {
  // Verbose libpq messages read "SEVERITY:  XXXXX: text".
  for (const char* severity : {"FATAL:  ", "ERROR:  ", "PANIC:  "}) {
    size_t pos = message.find(severity);
    if (pos == std::string::npos) continue;
    pos += 8;
    if (pos + 6 > message.size() || message[pos + 5] != ':') continue;
    bool ok = true;
    for (size_t i = pos; i < pos + 5; ++i) {
      ok = ok && (std::isdigit(static_cast<unsigned char>(message[i])) ||
                  std::isupper(static_cast<unsigned char>(message[i])));
    }
    if (ok) return message.substr(pos, 5);
  }
  return "";
}

}  // namespace pgconn::pg
