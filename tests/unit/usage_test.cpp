#include <gtest/gtest.h>

#include "sample_snapshot.h"
#include "model/usage.h"

using namespace pgconn;
using namespace pgconn::model;

TEST(Usage, CountsClientBackendsAgainstTheLimit) {
  ServerStats s = sample::sample_stats();
  s.reserved_connections = 2;  // PostgreSQL 16+
  Usage u = compute_usage(s, std::nullopt);
  EXPECT_EQ(u.limit, 15);
  EXPECT_EQ(u.used, 12);
  EXPECT_EQ(u.available, 3);
  EXPECT_EQ(u.by_state.at("active"), 2);
}

TEST(Usage, AvailableNeverNegative) {
  Usage u = compute_usage(sample::sample_stats(), 8);
  EXPECT_EQ(u.available, 0);
  EXPECT_NEAR(u.utilization, 1.5, 1e-9);
}

TEST(Usage, DeclaredPoolMath) {
  config::DeclaredApplication app{"fast_ensemble_engine", 5, 10, 2};
  DeclaredPool p = declared_pool(app, 13);
  EXPECT_EQ(p.capacity, 30);
  EXPECT_EQ(p.base, 10);
  EXPECT_EQ(p.overflow, 3);
  EXPECT_NEAR(p.utilization, 13.0 / 30, 1e-9);
  EXPECT_EQ(declared_pool(app, 4).overflow, 0);
}

TEST(Usage, DeclaredApplicationsAreListedEvenWithoutConnections) {
  std::vector<config::DeclaredApplication> declared{{"batch", 1, 0, 1}};
  auto apps = summarize_applications(sample::sample_stats(), declared, 50);
  auto it = std::find_if(apps.begin(), apps.end(), [](const auto& a) { return a.name == "batch"; });
  ASSERT_NE(it, apps.end());
  EXPECT_EQ(it->connections, 0);
  EXPECT_EQ(apps.front().name, "web");
}
