#include <gtest/gtest.h>

#include "render/health.h"
#include "sample_snapshot.h"

using namespace pgconn;

TEST(Health, DbIs503WhenAnyTargetIsDown) {
  config::Target a, b;
  a.name = "a";
  b.name = "b";
  auto up = std::make_shared<const Snapshot>(sample::sample_snapshot("a"));
  Snapshot down = sample::sample_snapshot("b");
  down.up = false;
  down.last_error = pg::ErrorKind::auth;
  down.last_error_message = "password authentication failed for user \"m\"";
  auto body = render::health_db({{&a, up}, {&b, std::make_shared<const Snapshot>(down)}}, 1001);
  EXPECT_EQ(body.status, 503);
  EXPECT_NE(body.body.find("\"reason\":\"auth\""), std::string::npos) << body.body;
  EXPECT_NE(body.body.find("for user \\\"m\\\""), std::string::npos) << body.body;
  EXPECT_EQ(render::health_db({{&a, up}}, 1001).status, 200);
  EXPECT_EQ(render::health_db({{&a, nullptr}}, 1001).status, 503);
}

TEST(Health, AlwaysOkWithSeverityPerTarget) {
  config::Target a;
  a.name = "a";
  auto body = render::health({{&a, std::make_shared<const Snapshot>(sample::sample_snapshot("a"))}}, 1001, 50);
  EXPECT_EQ(body.status, 200);
  EXPECT_NE(body.body.find("\"connections_used\":12"), std::string::npos) << body.body;
  EXPECT_NE(body.body.find("\"severity\":\"warning\""), std::string::npos) << body.body;
}
