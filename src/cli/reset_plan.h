// What `reset` terminates: the filters from the command line, the one SQL
// statement that lists (and with --execute, terminates) the matching client
// backends, and the report. Pure, so filters and quoting are unit-tested.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/flags.h"
#include "config/duration.h"

namespace pgconn::cli {

struct ResetFilter {
  std::optional<std::string> application;
  std::optional<std::string> user;
  std::optional<std::string> database;
  // An IPv4 or IPv6 address or CIDR (normalised, e.g. "10.0.3.0/24"), or
  // "local" for Unix-socket clients.
  std::optional<std::string> client_addr;
  std::optional<std::string> state;  // "idle" or "idle_in_transaction"
  std::optional<config::Duration> older_than;  // time spent in the current state
};

// Reads --application, --user, --database, --client-addr, --state and
// --older-than. Throws UsageError for a bad state, address or duration and
// when no filter is given:
// terminating every client backend is never what an operator means.
ResetFilter reset_filter(const Flags& flags);

// "application=web state=idle" for messages.
std::string describe(const ResetFilter& filter);

// `text` as a string literal for the simple query protocol. Quotes are
// doubled; a backslash makes it an E'' literal with backslashes doubled, so
// it reads the same whatever standard_conforming_strings is. Throws
// std::invalid_argument for a NUL byte, which no literal can hold.
std::string sql_literal(std::string_view text);

// "10.0.3.7", "10.0.3.0/24", "2001:db8::/32" or "local", normalised;
// nullopt for anything else (a host name, a bad prefix length, ...).
std::optional<std::string> parse_client_addr(const std::string& text);

// Every backend matching every filter, with why it is skipped: this
// session's own ("own"), another backend type than a client backend
// ("backend:walsender", ...: they serve replication and maintenance), a
// superuser's ("superuser"), or, unless --application names them, the
// exporter's monitoring sessions ("monitoring"); "" for those terminated.
// Columns: pid, application, user, database, client address, state, seconds in that state,
// seconds connected, skip reason, and with `terminate` the result of
// pg_terminate_backend (NULL for skipped ones).
std::string reset_sql(const ResetFilter& filter, bool terminate);

struct ResetRow {
  int pid = 0;
  std::string application, user, database, state;
  std::optional<double> state_age_seconds, connection_age_seconds;
  std::optional<bool> terminated;  // set with --execute
  std::string skipped = "";        // why it is not terminated; "" when it is (or would be)
  std::string client_addr = "";    // as PostgreSQL prints it, "local" or "unknown"
};

// The table of the backends that are (or would be) terminated, a RESULT
// column when executed, a summary line saying what was done, and a line
// per reason for the matching sessions that were skipped.
std::string reset_report(const std::string& target, const ResetFilter& filter, const std::vector<ResetRow>& rows,
                         bool executed);

}  // namespace pgconn::cli
