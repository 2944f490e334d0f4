#include <gtest/gtest.h>

#include "config/duration.h"

using pgconn::config::format_duration;
using pgconn::config::parse_duration;

TEST(Duration, ParsesUnits) {
  EXPECT_EQ(parse_duration("250ms")->count(), 250);
  EXPECT_EQ(parse_duration("5s")->count(), 5000);
  EXPECT_EQ(parse_duration("1.5s")->count(), 1500);
  EXPECT_EQ(parse_duration("10m")->count(), 600000);
  EXPECT_EQ(parse_duration("1h")->count(), 3600000);
}

TEST(Duration, RejectsMalformedInput) {
  for (const char* bad : {"", "5", "s", "-5s", "5 s", "5sec", "1.2.3s", "5S", "99999999999999999999h", "1e3s"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
}

TEST(Duration, Formats) {
  EXPECT_EQ(format_duration(std::chrono::milliseconds(5000)), "5s");
  EXPECT_EQ(format_duration(std::chrono::milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(std::chrono::milliseconds(600000)), "10m");
}
