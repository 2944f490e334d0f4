// `reset`: terminates the client backends matching every filter, through the
// target's own connection (TargetPoll::query). Dry run unless --execute. Command line
// only: nothing in the HTTP server can reach it.
#include <algorithm>
#include <iostream>

#include "cli/commands.h"
#include "cli/reset_plan.h"
#include "cli/targets.h"
#include "model/assessment.h"
#include "poller/target_poll.h"
#include "text/format.h"

namespace pgconn::cli {
namespace {

// Superusers may signal any backend; others need pg_signal_backend (or to
// own the sessions, which is not what an operator clearing leaks relies on).
constexpr const char* kPrivilegeSql =
    "SELECT current_user, rolsuper, pg_has_role(current_user, 'pg_signal_backend', 'USAGE') "
    "FROM pg_roles WHERE rolname = current_user";

struct Privileges {
  std::string role;
  bool may_signal = false;
};

Privileges read_privileges(poller::TargetPoll& poll) {
  pg::Result r = poll.query(kPrivilegeSql).front();
  if (r.rows() != 1) throw pg::Error(pg::ErrorKind::query, "", "cannot read the role's privileges");
  return {r.text(0, 0), r.boolean(0, 1) || r.boolean(0, 2)};
}

std::vector<ResetRow> read_rows(const pg::Result& r, bool terminated) {
  std::vector<ResetRow> rows;
  for (int i = 0; i < r.rows(); ++i) {
    ResetRow row;
    row.pid = static_cast<int>(r.integer(i, 0));
    row.application = r.text(i, 1);
    row.user = r.text(i, 2);
    row.database = r.text(i, 3);
    row.client_addr = r.text(i, 4);
    row.state = r.text(i, 5);
    row.state_age_seconds = r.number(i, 6);
    row.connection_age_seconds = r.number(i, 7);
    row.skipped = r.text(i, 8);
    if (terminated && row.skipped.empty()) row.terminated = r.boolean(i, 9);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

int reset(const Flags& flags, const config::Config& config) {
  ResetFilter filter;
  config::Target target;
  try {
    filter = reset_filter(flags);
    if (!flags.options.count("target")) throw UsageError("reset needs --target NAME");
    target = selected_targets(flags, config).front();
  } catch (const UsageError& e) {
    std::cerr << "pgconn_exporter: " << e.what() << "\n";
    return 2;
  }
  bool execute = flags.options.count("execute") > 0;
  std::string sql;
  try {
    sql = reset_sql(filter, execute);
  } catch (const std::invalid_argument& e) {
    std::cerr << "pgconn_exporter: " << e.what() << "\n";
    return 2;
  }

  poller::TargetPoll poll(target, config.pool, config.poll_timeout, pg::kResetApplication);
  if (!poll.run()) {
    model::Assessment a = model::assess(poll.snapshot(), target, model::cardinality(config));
    std::cerr << "pgconn_exporter: cannot reach target " << target.name << ": " << text::printable(a.down->text())
              << "\n";
    return 2;
  }
  try {
    Privileges privileges = read_privileges(poll);
    std::string denied = "role " + privileges.role +
                         " is neither superuser nor a member of pg_signal_backend, so it may not terminate "
                         "other roles' sessions (GRANT pg_signal_backend TO " + privileges.role + ";)";
    if (execute && !privileges.may_signal) {
      std::cerr << "pgconn_exporter: refusing to reset: " << denied << "\n";
      return 2;
    }
    auto rows = read_rows(poll.query(sql).front(), execute);
    std::cout << reset_report(target.name, filter, rows, execute);
    if (!poll.snapshot().stats->sees_all_sessions) {
      std::cout << "note: role " << privileges.role
                << " is not a member of pg_monitor; other roles' sessions are hidden from it and not listed\n";
    }
    if (!privileges.may_signal) std::cout << "note: --execute would be refused: " << denied << "\n";
    bool incomplete = std::any_of(rows.begin(), rows.end(), [](const ResetRow& row) {
      return row.terminated && !*row.terminated;
    });
    return incomplete ? 1 : 0;
  } catch (const pg::Error& e) {
    std::cerr << "pgconn_exporter: reset failed on target " << target.name << ": " << text::printable(e.what()) << "\n";
    return 2;
  }
}

}  // namespace pgconn::cli
