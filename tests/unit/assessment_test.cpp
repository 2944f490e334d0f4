#include <gtest/gtest.h>

#include "sample_snapshot.h"
#include "model/assessment.h"

using namespace pgconn;
using namespace pgconn::model;

namespace {

bool has(const std::vector<Finding>& findings, const std::string& code, Severity severity) {
  for (const auto& f : findings) {
    if (f.code == code && f.severity == severity) return true;
  }
  return false;
}

}  // namespace

TEST(Assessment, UsageSeverityByRatioAndCount) {
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

TEST(Assessment, AgeSeverity) {
  EXPECT_EQ(age_severity(30, 60), Severity::ok);
  EXPECT_EQ(age_severity(61, 60), Severity::warning);
  EXPECT_EQ(age_severity(121, 60), Severity::critical);
}

TEST(Assessment, FindingsOnSampleSnapshot) {
  config::Target target;
  target.name = "main";
  target.applications.push_back({"worker", 5, 10, 2});  // capacity 30 > limit 17
  auto findings = assess(sample::sample_snapshot(), target, {50, 50}).findings;
  EXPECT_TRUE(has(findings, "leak_idle_in_transaction", Severity::warning));  // 120 s vs 60 s
  EXPECT_TRUE(has(findings, "declared_capacity_exceeds_limit", Severity::warning));
  EXPECT_TRUE(has(findings, "unnamed_connections", Severity::info));
  EXPECT_FALSE(has(findings, "near_limit", Severity::warning));  // 12/17 = 71%
  EXPECT_EQ(worst(findings), Severity::warning);
  EXPECT_EQ(findings.front().severity, Severity::warning);  // most severe first
}

TEST(Assessment, UnreachableAndNoPgMonitor) {
  config::Target target;
  target.name = "main";
  Snapshot snap = sample::sample_snapshot();
  snap.up = false;
  snap.last_error = ErrorKind::too_many_connections;
  ServerStats stats = *snap.stats;
  stats.sees_all_sessions = false;
  snap.stats = std::make_shared<const ServerStats>(stats);
  auto findings = assess(snap, target, {50, 50}).findings;
  EXPECT_TRUE(has(findings, "unreachable", Severity::critical));
  EXPECT_TRUE(has(findings, "missing_pg_monitor", Severity::warning));
  EXPECT_NE(findings.front().evidence.find("too_many_connections"), std::string::npos);
}

namespace {

const Finding* find(const std::vector<Finding>& findings, const std::string& code, const std::string& application) {
  for (const auto& f : findings) {
    if (f.code == code && f.application == application) return &f;
  }
  return nullptr;
}

ApplicationStateRow leaking(const std::string& app) {
  ApplicationStateRow r = sample::row(app, "idle_in_transaction", 1);
  r.idle_in_transaction_too_long = 1;
  r.oldest_idle_in_transaction_age_seconds = 90;
  return r;
}

}  // namespace

// Every suggested command is safe to paste: values shell-quoted, the empty
// name for "unnamed", none for the folded "other" or an unprintable name.
TEST(Assessment, SuggestedResetCommandsAreShellSafe) {
  ServerStats stats = sample::sample_stats();
  stats.activity.clear();
  for (const char* app : {"x $(touch /tmp/p) ;id", "it's", "", "esc\x1b[2J", "small"}) {
    stats.activity.push_back(leaking(app));
  }
  for (size_t i = 0; i + 1 < stats.activity.size(); ++i) stats.activity[i].connections = 2;
  // The largest keep their names: max_applications 4 folds "small" into "other".
  Snapshot snap = sample::sample_snapshot();
  snap.stats = std::make_shared<const ServerStats>(stats);
  config::Target target;
  target.name = "main";
  auto findings = assess(snap, target, {4, 50}).findings;
  auto fix = [&](const std::string& app) {
    const Finding* f = find(findings, "leak_idle_in_transaction", app);
    return f ? f->fix : "(no finding)";
  };
  const std::string prefix = "pgconn_exporter reset --target 'main' --state idle_in_transaction --older-than 1m";
  EXPECT_NE(fix("x $(touch /tmp/p) ;id").find("`" + prefix + " --application 'x $(touch /tmp/p) ;id' --execute`"),
            std::string::npos) << fix("x $(touch /tmp/p) ;id");
  EXPECT_NE(fix("it's").find("--application 'it'\\''s' --execute`"), std::string::npos) << fix("it's");
  EXPECT_NE(fix("unnamed").find("--application '' --execute`"), std::string::npos) << fix("unnamed");
  EXPECT_EQ(fix("esc\x1b[2J").find("--execute"), std::string::npos) << fix("esc\x1b[2J");
  EXPECT_NE(fix("esc\x1b[2J").find("no command is suggested"), std::string::npos);
  EXPECT_EQ(fix("other").find("--application"), std::string::npos) << fix("other");
  EXPECT_EQ(fix("other").find("--execute"), std::string::npos) << fix("other");
  EXPECT_NE(fix("other").find("`" + prefix + "`"), std::string::npos) << fix("other");
}

TEST(Assessment, MonitoringSessionsNeverDominateNorLeak) {
  ServerStats stats = sample::sample_stats();
  stats.activity.clear();
  ApplicationStateRow exporters = sample::row("pgconn_exporter", "idle", 10);  // an HA pair and operators
  exporters.monitoring = true;
  exporters.oldest_connection_age_seconds.reset();
  stats.activity.push_back(exporters);
  Snapshot snap = sample::sample_snapshot();
  snap.stats = std::make_shared<const ServerStats>(stats);
  config::Target target;
  target.name = "main";
  auto findings = assess(snap, target, {50, 50}).findings;
  EXPECT_FALSE(find(findings, "application_dominates", "pgconn_exporter"));
  stats.activity.front().monitoring = false;
  snap.stats = std::make_shared<const ServerStats>(stats);
  EXPECT_TRUE(find(assess(snap, target, {50, 50}).findings, "application_dominates", "pgconn_exporter"));
  EXPECT_EQ(compute_usage(stats, std::nullopt).monitoring, 0);
  stats.activity.front().monitoring = true;
  EXPECT_EQ(compute_usage(stats, std::nullopt).used, 10);
  EXPECT_EQ(compute_usage(stats, std::nullopt).monitoring, 10);
}
