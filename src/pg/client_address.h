// How the exporter names a session's client address, in every query that
// reads pg_stat_activity (the activity collector's labels and reset's
// ADDRESS column and --client-addr must agree): PostgreSQL's own text,
// host() normalising IPv6, "local" for a Unix-socket client and "unknown"
// for a session whose address the role may not see.
#pragma once

#include <string>

namespace pgconn::pg {

// An SQL expression over pg_stat_activity's columns, qualified by `prefix`
// ("a." or "").
inline std::string client_address_sql(const std::string& prefix) {
  return "CASE WHEN " + prefix + "client_port = -1 THEN 'local' WHEN " + prefix +
         "client_addr IS NULL THEN 'unknown' ELSE host(" + prefix + "client_addr) END";
}

}  // namespace pgconn::pg
