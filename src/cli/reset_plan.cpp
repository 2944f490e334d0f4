#include "cli/reset_plan.h"

#include <arpa/inet.h>

#include <algorithm>
#include <map>
#include <stdexcept>

#include "cli/text.h"
#include "pg/application_name.h"
#include "pg/client_address.h"

namespace pgconn::cli {
namespace {

std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], columns(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line = "  " + pad_left(row[0], widths[0]);  // pids align right
    for (size_t i = 1; i < row.size(); ++i) line += "  " + pad_right(row[i], widths[i]);
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  return out;
}

}  // namespace

ResetFilter reset_filter(const Flags& flags) {
  ResetFilter filter;
  filter.application = flags.option("application");
  filter.user = flags.option("user");
  filter.database = flags.option("database");
  if (auto text = flags.option("client-addr")) {
    filter.client_addr = parse_client_addr(*text);
    if (!filter.client_addr) {
      throw UsageError("--client-addr needs an IP address, a CIDR such as 10.0.3.0/24, or local");
    }
  }
  filter.state = flags.option("state");
  if (filter.state && *filter.state != "idle" && *filter.state != "idle_in_transaction") {
    throw UsageError("--state must be idle or idle_in_transaction");
  }
  if (auto text = flags.option("older-than")) {
    filter.older_than = config::parse_duration(*text);
    if (!filter.older_than) throw UsageError("--older-than needs a duration such as 10m or 90s");
  }
  if (!filter.application && !filter.user && !filter.database && !filter.client_addr && !filter.state &&
      !filter.older_than) {
    throw UsageError("reset refuses to run without a filter: give at least one of --application, --user, "
                     "--database, --client-addr, --state or --older-than");
  }
  return filter;
}

std::string describe(const ResetFilter& filter) {
  std::string out;
  auto add = [&out](const std::string& name, const std::string& value) {
    out += (out.empty() ? "" : " ") + name + "=" + text::printable(value);
  };
  if (filter.application) add("application", *filter.application);
  if (filter.user) add("user", *filter.user);
  if (filter.database) add("database", *filter.database);
  if (filter.client_addr) add("client-addr", *filter.client_addr);
  if (filter.state) add("state", *filter.state);
  if (filter.older_than) add("older-than", config::format_duration(*filter.older_than));
  return out;
}

std::string sql_literal(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) {
    throw std::invalid_argument("a NUL byte cannot appear in an SQL string");
  }
  bool backslash = text.find('\\') != std::string_view::npos;
  std::string out = backslash ? "E'" : "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  return out + "'";
}

std::optional<std::string> parse_client_addr(const std::string& text) {
  if (text == "local") return text;
  std::string address = text;
  std::optional<int> prefix;
  size_t slash = text.find('/');
  if (slash != std::string::npos) {
    address = text.substr(0, slash);
    std::string digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    prefix = std::stoi(digits);
  }
  unsigned char bytes[sizeof(in6_addr)];
  int family = address.find(':') == std::string::npos ? AF_INET : AF_INET6;
  if (inet_pton(family, address.c_str(), bytes) != 1) return std::nullopt;
  if (prefix && *prefix > (family == AF_INET ? 32 : 128)) return std::nullopt;
  char normal[INET6_ADDRSTRLEN];
  inet_ntop(family, bytes, normal, sizeof normal);
  return std::string(normal) + (prefix ? "/" + std::to_string(*prefix) : "");
}

std::string reset_sql(const ResetFilter& filter, bool terminate) {
  std::string sql = "SELECT pid, application, usename, datname, client_addr, state, state_age, connection_age, skipped";
  if (terminate) sql += ",\n       CASE WHEN skipped = '' THEN pg_terminate_backend(pid) END";
  sql +=
      "\nFROM (SELECT a.pid, coalesce(a.application_name, '') AS application, coalesce(a.usename, '') AS usename,\n"
      "             coalesce(a.datname, '') AS datname,\n"
      "             " + pg::client_address_sql("a.") + " AS client_addr,\n"
      "             coalesce(a.state, 'unknown') AS state,\n"
      "             extract(epoch FROM now() - a.state_change) AS state_age,\n"
      "             extract(epoch FROM now() - a.backend_start) AS connection_age,\n"
      "             CASE WHEN a.pid = pg_backend_pid() THEN 'own'\n"
      "                  WHEN a.backend_type IS DISTINCT FROM 'client backend'\n"
      "                    THEN 'backend:' || coalesce(a.backend_type, 'unknown')\n"
      "                  WHEN coalesce(r.rolsuper, false) THEN 'superuser'\n";
  // Naming the application is asking for them; anything broader spares the
  // exporter's own sessions, so a reset during an incident cannot blind it.
  if (!filter.application) {
    sql += "                  WHEN " + pg::monitoring_session_sql("coalesce(a.application_name, '')") +
           " THEN 'monitoring'\n";
  }
  sql +=
      "                  ELSE '' END AS skipped\n"
      "      FROM pg_stat_activity a LEFT JOIN pg_roles r ON r.oid = a.usesysid\n"
      "      WHERE true";
  if (filter.application) sql += "\n  AND a.application_name = " + sql_literal(*filter.application);
  if (filter.user) sql += "\n  AND a.usename = " + sql_literal(*filter.user);
  if (filter.database) sql += "\n  AND a.datname = " + sql_literal(*filter.database);
  if (filter.client_addr == "local") {
    sql += "\n  AND a.client_port = -1";
  } else if (filter.client_addr) {
    sql += "\n  AND a.client_addr <<= " + sql_literal(*filter.client_addr) + "::inet";
  }
  // The same states the leak findings count (aborted transactions included).
  if (filter.state == "idle") sql += "\n  AND a.state = 'idle'";
  if (filter.state == "idle_in_transaction") sql += "\n  AND a.state LIKE 'idle in transaction%'";
  if (filter.older_than) {
    sql += "\n  AND now() - a.state_change > " + std::to_string(filter.older_than->count()) +
           " * interval '1 millisecond'";
  }
  return sql + "\n) matching\nORDER BY pid";
}

namespace {

// "1 matching session belongs to a superuser role and is not terminated"
std::string skipped_line(const std::string& reason, size_t n) {
  bool one = n == 1;
  std::string what;
  if (reason == "superuser") {
    what = one ? "belongs to a superuser role and is" : "belong to superuser roles and are";
  } else if (reason == "own") {
    what = one ? "is this command's own session and is" : "are this command's own sessions and are";
  } else if (reason == "monitoring") {
    what = std::string(one ? "belongs" : "belong") + " to pgconn_exporter's monitoring (name it with --application " +
           "to include it) and " + (one ? "is" : "are");
  } else {
    std::string type = text::printable(reason.substr(reason.find(':') + 1));
    what = std::string(one ? "is a " : "are ") + type + (one ? " backend" : " backends") +
           ", not a client backend, and " + (one ? "is" : "are");
  }
  return std::to_string(n) + " matching session" + (one ? " " : "s ") + what + " not terminated\n";
}

}  // namespace

std::string reset_report(const std::string& target, const ResetFilter& filter, const std::vector<ResetRow>& all,
                         bool executed) {
  std::string where = "target " + target + " matching " + describe(filter);
  std::vector<ResetRow> rows;
  std::map<std::string, size_t> skipped;
  for (const auto& row : all) {
    if (row.skipped.empty()) rows.push_back(row);
    else ++skipped[row.skipped];
  }
  std::string skips;
  for (const auto& [reason, n] : skipped) skips += skipped_line(reason, n);
  if (rows.empty()) return "no client backend on " + where + "\n" + skips;
  std::vector<std::vector<std::string>> cells{{"PID", "APPLICATION", "USER", "DATABASE", "STATE", "AGE", "CONNECTED", "ADDRESS"}};
  if (executed) cells[0].push_back("RESULT");
  size_t terminated = 0;
  for (const auto& row : rows) {
    cells.push_back({std::to_string(row.pid), text::printable(row.application), text::printable(row.user),
                     text::printable(row.database), row.state, text::age_text(row.state_age_seconds),
                     text::age_text(row.connection_age_seconds), text::printable(row.client_addr)});
    if (executed) {
      bool ok = row.terminated.value_or(false);
      terminated += ok ? 1 : 0;
      cells.back().push_back(ok ? "terminated" : "not terminated (already gone)");
    }
  }
  std::string summary =
      executed ? "terminated " + std::to_string(terminated) + " of " + std::to_string(rows.size()) +
                     " client backend(s) on " + where + "\n"
               : "dry run: would terminate " + std::to_string(rows.size()) + " client backend(s) on " + where +
                     "; add --execute to terminate them\n";
  return table(cells) + summary + skips;
}

}  // namespace pgconn::cli
