#include <gtest/gtest.h>

#include "cli/diagnosis.h"
#include "sample_snapshot.h"

using namespace pgconn;
using namespace pgconn::model;
using namespace pgconn::cli;

namespace {

config::Target target_named(const std::string& name) {
  config::Target target;
  target.name = name;
  return target;
}

// The sample without its unnamed and idle-in-transaction sessions: nothing to report.
Snapshot healthy_snapshot() {
  ServerStats stats = sample::sample_stats();
  stats.activity.erase(stats.activity.begin() + 2, stats.activity.begin() + 4);
  Snapshot snap = sample::sample_snapshot();
  snap.stats = std::make_shared<const ServerStats>(stats);
  return snap;
}

}  // namespace

TEST(CliDiagnosis, TextListsEachFindingWithEvidenceAndFix) {
  auto d = assess(sample::sample_snapshot(), target_named("main"), {50, 50});
  std::string text = diagnosis_text({d});
  EXPECT_EQ(text.rfind("target main: warning\n  12 of 17 connections in use (71%), 5 available\n", 0), 0u) << text;
  EXPECT_NE(text.find("  WARNING leak_idle_in_transaction: "), std::string::npos) << text;
  EXPECT_NE(text.find("    evidence: worker: 2 connection(s) idle in transaction"), std::string::npos) << text;
  EXPECT_NE(text.find("pids 101,102"), std::string::npos) << text;
  EXPECT_NE(text.find("    fix: commit or roll back"), std::string::npos) << text;
  EXPECT_NE(text.find("  INFO unnamed_connections: "), std::string::npos) << text;
  EXPECT_EQ(diagnosis_exit_status({d}), 1);
}

TEST(CliDiagnosis, JsonCarriesSeverityUsageAndFindings) {
  auto d = assess(sample::sample_snapshot(), target_named("ma\"in"), {50, 50});
  std::string json = diagnosis_json({d});
  EXPECT_EQ(json.rfind("{\"severity\":\"warning\",\"targets\":[{\"target\":\"ma\\\"in\",\"up\":true,"
                       "\"severity\":\"warning\",\"connections_used\":12,\"connection_limit\":17,"
                       "\"connections_available\":5,\"utilization_ratio\":0.706,\"findings\":[",
                       0),
            0u)
      << json;
  EXPECT_NE(json.find("\"code\":\"leak_idle_in_transaction\""), std::string::npos);
  EXPECT_NE(json.find("\"evidence\":\"worker: 2 connection(s)"), std::string::npos);
  EXPECT_NE(json.find("\"fix\":\""), std::string::npos);
}

TEST(CliDiagnosis, ExitStatusFollowsTheWorstFinding) {
  auto healthy = assess(healthy_snapshot(), target_named("main"), {50, 50});
  EXPECT_TRUE(healthy.findings.empty());
  EXPECT_EQ(diagnosis_exit_status({healthy}), 0);
  EXPECT_NE(diagnosis_text({healthy}).find("target main: ok\n  7 of 17 connections in use (41%), 10 available\n"
                                           "  no findings\n"),
            std::string::npos);

  ServerStats unnamed = *healthy_snapshot().stats;
  unnamed.activity.push_back(sample::row("", "active", 1));
  Snapshot info = healthy_snapshot();
  info.stats = std::make_shared<const ServerStats>(unnamed);
  auto only_info = assess(info, target_named("main"), {50, 50});
  EXPECT_EQ(worst(only_info.findings), Severity::info);
  EXPECT_EQ(diagnosis_exit_status({only_info}), 0);

  Snapshot down;
  down.target = "down";
  down.last_error = ErrorKind::refused;
  down.last_error_message = "connection refused";
  auto unreachable = assess(down, target_named("down"), {50, 50});
  EXPECT_EQ(diagnosis_exit_status({healthy, unreachable}), 2);
  std::string text = diagnosis_text({unreachable});
  EXPECT_NE(text.find("target down: critical\n  CRITICAL unreachable: "), std::string::npos) << text;
  EXPECT_NE(text.find("evidence: refused: connection refused"), std::string::npos) << text;
  EXPECT_NE(diagnosis_json({unreachable}).find("\"up\":false,\"severity\":\"critical\",\"findings\""),
            std::string::npos);
}
