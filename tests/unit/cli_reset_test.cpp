#include <gtest/gtest.h>

#include "cli/reset_plan.h"

using namespace pgconn::cli;

namespace {

ResetFilter filter_of(std::vector<std::string> args) {
  args.insert(args.begin(), {"reset", "--target", "main"});
  return reset_filter(parse(args));
}

}  // namespace

TEST(CliResetPlan, SqlLiteralDoublesQuotesAndRejectsNul) {
  EXPECT_EQ(sql_literal("web"), "'web'");
  EXPECT_EQ(sql_literal(""), "''");
  EXPECT_EQ(sql_literal("o'brien"), "'o''brien'");
  EXPECT_EQ(sql_literal("x' OR '1'='1"), "'x'' OR ''1''=''1'");
  // A backslash reads the same whether standard_conforming_strings is on or off.
  EXPECT_EQ(sql_literal("a\\'b"), "E'a\\\\''b'");
  EXPECT_THROW(sql_literal(std::string("a\0b", 3)), std::invalid_argument);
}

TEST(CliResetPlan, RefusesToRunWithoutAFilter) {
  try {
    filter_of({"--execute"});
    FAIL() << "no filter was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("refuses to run without a filter"), std::string::npos);
  }
}

TEST(CliResetPlan, RejectsBadStatesAndDurations) {
  EXPECT_THROW(filter_of({"--state", "active"}), UsageError);
  EXPECT_THROW(filter_of({"--older-than", "10"}), UsageError);
  EXPECT_THROW(filter_of({"--older-than", "-1m"}), UsageError);
  EXPECT_EQ(filter_of({"--older-than", "10m"}).older_than->count(), 600000);
}

TEST(CliResetPlan, SqlKeepsTheSafetyConditionsAndQuotesEveryFilter) {
  ResetFilter f = filter_of({"--application", "x' OR '1'='1", "--user", "app", "--database", "db",
                             "--state", "idle_in_transaction", "--older-than", "10m"});
  std::string sql = reset_sql(f, false);
  EXPECT_NE(sql.find("a.backend_type = 'client backend'"), std::string::npos) << sql;
  EXPECT_NE(sql.find("a.pid <> pg_backend_pid()"), std::string::npos) << sql;
  EXPECT_NE(sql.find("NOT r.rolsuper"), std::string::npos) << sql;
  EXPECT_NE(sql.find("AND a.application_name = 'x'' OR ''1''=''1'\n"), std::string::npos) << sql;
  EXPECT_NE(sql.find("AND a.usename = 'app'\n"), std::string::npos) << sql;
  EXPECT_NE(sql.find("AND a.datname = 'db'\n"), std::string::npos) << sql;
  EXPECT_NE(sql.find("AND a.state LIKE 'idle in transaction%'"), std::string::npos) << sql;
  EXPECT_NE(sql.find("now() - a.state_change > 600000 * interval '1 millisecond'"), std::string::npos) << sql;
  EXPECT_EQ(sql.find("pg_terminate_backend"), std::string::npos) << sql;  // a dry run terminates nothing
  EXPECT_NE(reset_sql(f, true).find(", pg_terminate_backend(a.pid)\nFROM"), std::string::npos);

  std::string idle = reset_sql(filter_of({"--state", "idle"}), true);
  EXPECT_NE(idle.find("AND a.state = 'idle'\n"), std::string::npos) << idle;
  EXPECT_EQ(idle.find("application_name ="), std::string::npos) << idle;
}

TEST(CliResetPlan, ReportListsWhatIsOrWouldBeTerminated) {
  ResetFilter f = filter_of({"--application", "web", "--state", "idle"});
  std::vector<ResetRow> rows(2);
  rows[0] = {4242, "web", "app", "postgres", "idle", 75.0, 4000.0, std::nullopt};
  rows[1] = {99, "web", "app\x1b", "postgres", "idle", 5.0, 9.0, std::nullopt};
  std::string dry = reset_report("main", f, rows, false);
  EXPECT_EQ(dry,
            "   PID  APPLICATION  USER  DATABASE  STATE  AGE  CONNECTED\n"
            "  4242  web          app   postgres  idle   75s  66m\n"
            "    99  web          app?  postgres  idle   5s   9s\n"
            "dry run: would terminate 2 client backend(s) on target main matching application=web state=idle; "
            "add --execute to terminate them\n");

  rows[0].terminated = true;
  rows[1].terminated = false;
  std::string done = reset_report("main", f, rows, true);
  EXPECT_NE(done.find("  4242  web          app   postgres  idle   75s  66m        terminated\n"), std::string::npos)
      << done;
  EXPECT_NE(done.find("not terminated (already gone)"), std::string::npos) << done;
  EXPECT_NE(done.find("terminated 1 of 2 client backend(s) on target main"), std::string::npos) << done;
  EXPECT_EQ(reset_report("main", f, {}, true),
            "no client backend on target main matching application=web state=idle\n");
}
