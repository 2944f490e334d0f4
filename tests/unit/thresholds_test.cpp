#include <gtest/gtest.h>

#include "sample_snapshot.h"
#include "thresholds.h"

using namespace pgconn;

namespace {

bool has(const std::vector<Finding>& findings, const std::string& code, Severity severity) {
  for (const auto& f : findings) {
    if (f.code == code && f.severity == severity) return true;
  }
  return false;
}

}  // namespace

TEST(Thresholds, UsageSeverityByRatioAndCount) {
  config::Thresholds t;
  t.connections_warning = 12;
  t.connections_critical = 15;
  Usage u;
  u.limit = 100;
  u.used = 12;
  u.available = 88;
  u.utilization = 0.12;
  EXPECT_EQ(usage_severity(u, t), Severity::ok);  // at the warning count, not above it
  u.used = 13;
  EXPECT_EQ(usage_severity(u, t), Severity::warning);
  u.used = 15;
  EXPECT_EQ(usage_severity(u, t), Severity::critical);
  t = config::Thresholds{};
  u.used = 80;
  u.utilization = 0.8;
  EXPECT_EQ(usage_severity(u, t), Severity::warning);
  u.utilization = 0.95;
  EXPECT_EQ(usage_severity(u, t), Severity::critical);
  u.utilization = 0.5;
  u.available = 0;
  EXPECT_EQ(usage_severity(u, t), Severity::critical);
}

TEST(Thresholds, AgeSeverity) {
  EXPECT_EQ(age_severity(30, 60), Severity::ok);
  EXPECT_EQ(age_severity(61, 60), Severity::warning);
  EXPECT_EQ(age_severity(121, 60), Severity::critical);
}

TEST(Thresholds, FindingsOnSampleSnapshot) {
  config::Target target;
  target.name = "main";
  target.applications.push_back({"worker", 5, 10, 2});  // capacity 30 > limit 17
  auto findings = evaluate(sample::sample_snapshot(), target, 50);
  EXPECT_TRUE(has(findings, "leak_idle_in_transaction", Severity::warning));  // 120 s vs 60 s
  EXPECT_TRUE(has(findings, "declared_capacity_exceeds_limit", Severity::warning));
  EXPECT_TRUE(has(findings, "unnamed_connections", Severity::info));
  EXPECT_FALSE(has(findings, "near_limit", Severity::warning));  // 12/17 = 71%
  EXPECT_EQ(worst(findings), Severity::warning);
  EXPECT_EQ(findings.front().severity, Severity::warning);  // most severe first
}

TEST(Thresholds, UnreachableAndNoPgMonitor) {
  config::Target target;
  target.name = "main";
  Snapshot snap = sample::sample_snapshot();
  snap.up = false;
  snap.last_error = pg::ErrorKind::too_many_connections;
  ServerStats stats = *snap.stats;
  stats.sees_all_sessions = false;
  snap.stats = std::make_shared<const ServerStats>(stats);
  auto findings = evaluate(snap, target, 50);
  EXPECT_TRUE(has(findings, "unreachable", Severity::critical));
  EXPECT_TRUE(has(findings, "missing_pg_monitor", Severity::warning));
  EXPECT_NE(findings.front().evidence.find("too_many_connections"), std::string::npos);
}

TEST(Thresholds, GaugesCarryConfiguredValues) {
  config::Thresholds t;
  t.connections_warning = 12;
  auto gauges = threshold_gauges(t);
  ASSERT_EQ(gauges.size(), 5u);  // no critical count configured
  EXPECT_EQ(gauges[0].name, "pgconn_threshold_connections_warning");
  EXPECT_EQ(gauges[0].value, 12);
}
