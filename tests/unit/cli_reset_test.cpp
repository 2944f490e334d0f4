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
  EXPECT_NE(sql.find("WHEN a.backend_type IS DISTINCT FROM 'client backend'"), std::string::npos) << sql;
  EXPECT_NE(sql.find("WHEN a.pid = pg_backend_pid() THEN 'own'"), std::string::npos) << sql;
  EXPECT_NE(sql.find("WHEN coalesce(r.rolsuper, false) THEN 'superuser'"), std::string::npos) << sql;
  EXPECT_EQ(sql.find("THEN 'monitoring'"), std::string::npos) << sql;  // --application names them
  EXPECT_NE(sql.find("AND a.application_name = 'x'' OR ''1''=''1'\n"), std::string::npos) << sql;
  EXPECT_NE(sql.find("AND a.usename = 'app'\n"), std::string::npos) << sql;
  EXPECT_NE(sql.find("AND a.datname = 'db'\n"), std::string::npos) << sql;
  EXPECT_NE(sql.find("AND a.state LIKE 'idle in transaction%'"), std::string::npos) << sql;
  EXPECT_NE(sql.find("now() - a.state_change > 600000 * interval '1 millisecond'"), std::string::npos) << sql;
  EXPECT_EQ(sql.find("pg_terminate_backend"), std::string::npos) << sql;  // a dry run terminates nothing
  EXPECT_NE(reset_sql(f, true).find("CASE WHEN skipped = '' THEN pg_terminate_backend(pid) END\nFROM"),
            std::string::npos);
  EXPECT_NE(reset_sql(filter_of({"--older-than", "1h"}), true).find("THEN 'monitoring'"), std::string::npos);

  std::string idle = reset_sql(filter_of({"--state", "idle"}), true);
  EXPECT_NE(idle.find("AND a.state = 'idle'\n"), std::string::npos) << idle;
  EXPECT_EQ(idle.find("application_name ="), std::string::npos) << idle;
}

TEST(CliResetPlan, ReportListsWhatIsOrWouldBeTerminated) {
  ResetFilter f = filter_of({"--application", "web", "--state", "idle"});
  std::vector<ResetRow> rows(2);
  rows[0] = {4242, "web", "app", "postgres", "idle", 75.0, 4000.0, std::nullopt};
  rows[1] = {99, "web", "app\x1b", "postgres", "idle", 5.0, 9.0, std::nullopt};
  rows[0].client_addr = "10.0.3.7";
  rows[1].client_addr = "local";
  std::string dry = reset_report("main", f, rows, false);
  EXPECT_EQ(dry,
            "   PID  APPLICATION  USER     DATABASE  STATE  AGE  CONNECTED  ADDRESS\n"
            "  4242  web          app      postgres  idle   75s  66m        10.0.3.7\n"
            "    99  web          app\\x1b  postgres  idle   5s   9s         local\n"
            "dry run: would terminate 2 client backend(s) on target main matching application=web state=idle; "
            "add --execute to terminate them\n");

  rows[0].terminated = true;
  rows[1].terminated = false;
  std::string done = reset_report("main", f, rows, true);
  EXPECT_NE(done.find("  4242  web          app      postgres  idle   75s  66m        10.0.3.7  terminated\n"),
            std::string::npos)
      << done;
  EXPECT_NE(done.find("not terminated (already gone)"), std::string::npos) << done;
  EXPECT_NE(done.find("terminated 1 of 2 client backend(s) on target main"), std::string::npos) << done;
  EXPECT_EQ(reset_report("main", f, {}, true),
            "no client backend on target main matching application=web state=idle\n");
}

TEST(CliResetPlan, ColumnsAlignForMultiByteNames) {
  ResetFilter f = filter_of({"--state", "idle"});
  std::vector<ResetRow> rows(2);
  rows[0] = {1, "caf\xC3\xA9", "app", "postgres", "idle", 5.0, 9.0, std::nullopt};
  rows[1] = {2, "cafe", "app", "postgres", "idle", 5.0, 9.0, std::nullopt};
  rows[0].client_addr = rows[1].client_addr = "local";
  std::string dry = reset_report("main", f, rows, false);
  EXPECT_NE(dry.find("    1  caf\xC3\xA9         app   postgres  idle   5s   9s         local\n"
                     "    2  cafe         app   postgres  idle   5s   9s         local\n"),
            std::string::npos)
      << dry;
}

TEST(CliResetPlan, ReportSaysWhatItSkippedAndWhy) {
  ResetFilter f = filter_of({"--application", "web"});
  std::vector<ResetRow> rows(5);
  rows[0] = {10, "web", "app", "postgres", "idle", 5.0, 9.0, std::nullopt};
  rows[1] = {11, "web", "postgres", "postgres", "idle", 5.0, 9.0, std::nullopt, "superuser"};
  rows[2] = {12, "web", "postgres", "postgres", "idle", 5.0, 9.0, std::nullopt, "superuser"};
  rows[3] = {13, "web", "rep", "", "active", 5.0, 9.0, std::nullopt, "backend:walsender"};
  rows[4] = {14, "web", "ops", "postgres", "active", 0.0, 0.0, std::nullopt, "own"};
  std::string dry = reset_report("main", f, rows, false);
  EXPECT_NE(dry.find("dry run: would terminate 1 client backend(s) on target main matching application=web;"),
            std::string::npos) << dry;
  EXPECT_NE(dry.find("\n2 matching sessions belong to superuser roles and are not terminated\n"), std::string::npos)
      << dry;
  EXPECT_NE(dry.find("\n1 matching session is a walsender backend, not a client backend, and is not terminated\n"),
            std::string::npos) << dry;
  EXPECT_NE(dry.find("\n1 matching session is this command's own session and is not terminated\n"), std::string::npos)
      << dry;
  EXPECT_EQ(dry.find("  11  "), std::string::npos) << dry;  // skipped sessions are not in the table

  std::vector<ResetRow> only_superuser{rows[1]};
  EXPECT_EQ(reset_report("main", f, only_superuser, true),
            "no client backend on target main matching application=web\n"
            "1 matching session belongs to a superuser role and is not terminated\n");
  ResetRow monitoring = rows[0];
  monitoring.skipped = "monitoring";
  EXPECT_NE(reset_report("main", f, {monitoring}, false)
                .find("1 matching session belongs to pgconn_exporter's monitoring (name it with --application to "
                      "include it) and is not terminated"),
            std::string::npos);
}
