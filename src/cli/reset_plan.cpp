#include "cli/reset_plan.h"

#include <algorithm>
#include <stdexcept>

#include "cli/text.h"

namespace pgconn::cli {
namespace {

std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
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
  filter.state = flags.option("state");
  if (filter.state && *filter.state != "idle" && *filter.state != "idle_in_transaction") {
    throw UsageError("--state must be idle or idle_in_transaction");
  }
  if (auto text = flags.option("older-than")) {
    filter.older_than = config::parse_duration(*text);
    if (!filter.older_than) throw UsageError("--older-than needs a duration such as 10m or 90s");
  }
  if (!filter.application && !filter.user && !filter.database && !filter.state && !filter.older_than) {
    throw UsageError("reset refuses to run without a filter: give at least one of --application, --user, "
                     "--database, --state or --older-than");
  }
  return filter;
}

std::string describe(const ResetFilter& filter) {
  std::string out;
  auto add = [&out](const std::string& name, const std::string& value) {
    out += (out.empty() ? "" : " ") + name + "=" + printable(value);
  };
  if (filter.application) add("application", *filter.application);
  if (filter.user) add("user", *filter.user);
  if (filter.database) add("database", *filter.database);
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

std::string reset_sql(const ResetFilter& filter, bool terminate) {
  std::string sql =
      "SELECT a.pid, coalesce(a.application_name, ''), coalesce(a.usename, ''), coalesce(a.datname, ''),\n"
      "       coalesce(a.state, 'unknown'), extract(epoch FROM now() - a.state_change),\n"
      "       extract(epoch FROM now() - a.backend_start)";
  if (terminate) sql += ", pg_terminate_backend(a.pid)";
  sql +=
      "\nFROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid\n"
      "WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid() AND NOT r.rolsuper";
  if (filter.application) sql += "\n  AND a.application_name = " + sql_literal(*filter.application);
  if (filter.user) sql += "\n  AND a.usename = " + sql_literal(*filter.user);
  if (filter.database) sql += "\n  AND a.datname = " + sql_literal(*filter.database);
  // The same states the leak findings count (aborted transactions included).
  if (filter.state == "idle") sql += "\n  AND a.state = 'idle'";
  if (filter.state == "idle_in_transaction") sql += "\n  AND a.state LIKE 'idle in transaction%'";
  if (filter.older_than) {
    sql += "\n  AND now() - a.state_change > " + std::to_string(filter.older_than->count()) +
           " * interval '1 millisecond'";
  }
  return sql + "\nORDER BY a.pid";
}

std::string reset_report(const std::string& target, const ResetFilter& filter, const std::vector<ResetRow>& rows,
                         bool executed) {
  std::string where = "target " + target + " matching " + describe(filter);
  if (rows.empty()) return "no client backend on " + where + "\n";
  std::vector<std::vector<std::string>> cells{{"PID", "APPLICATION", "USER", "DATABASE", "STATE", "AGE", "CONNECTED"}};
  if (executed) cells[0].push_back("RESULT");
  size_t terminated = 0;
  for (const auto& row : rows) {
    cells.push_back({std::to_string(row.pid), printable(row.application), printable(row.user),
                     printable(row.database), row.state, age_text(row.state_age_seconds),
                     age_text(row.connection_age_seconds)});
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
  return table(cells) + summary;
}

}  // namespace pgconn::cli
