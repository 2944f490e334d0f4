#include <gtest/gtest.h>

#include "render/health.h"
#include "sample_snapshot.h"

using namespace pgconn;
using namespace pgconn::model;

TEST(Health, DbIs503WhenAnyTargetIsDown) {
  config::Target a, b;
  a.name = "a";
  b.name = "b";
  auto up = sample::published(sample::sample_snapshot("a"), a);
  Snapshot down = sample::sample_snapshot("b");
  down.up = false;
  down.last_error = ErrorKind::auth;
  down.last_error_message = "password authentication failed for user \"m\"";
  auto body = render::health_db({up, sample::published(down, b)}, 1001);
  EXPECT_EQ(body.status, 503);
  EXPECT_NE(body.body.find("\"reason\":\"auth\""), std::string::npos) << body.body;
  EXPECT_NE(body.body.find("for user \\\"m\\\""), std::string::npos) << body.body;
  EXPECT_EQ(render::health_db({up}, 1001).status, 200);
  Snapshot never;  // before its first poll
  never.target = "a";
  EXPECT_EQ(render::health_db({sample::published(never, a)}, 1001).status, 503);
}

TEST(Health, AlwaysOkWithSeverityPerTarget) {
  config::Target a;
  a.name = "a";
  auto body = render::health({sample::published(sample::sample_snapshot("a"), a)}, 1001);
  EXPECT_EQ(body.status, 200);
  EXPECT_NE(body.body.find("\"connections_used\":12"), std::string::npos) << body.body;
  EXPECT_NE(body.body.find("\"severity\":\"warning\""), std::string::npos) << body.body;
}
