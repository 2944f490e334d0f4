// poller::retry_delay: quick retries after a blip, doubling with each
// failure, never longer than one poll interval, jittered so two exporters
// (an HA pair) do not retry in lockstep.
#include <gtest/gtest.h>

#include <set>

#include "poller/poller.h"

using pgconn::poller::retry_delay;
using std::chrono::milliseconds;

TEST(PollerRetry, DoublesFromAQuarterSecondWithJitter) {
  for (int failures = 1; failures <= 4; ++failures) {
    const long base = 250L << (failures - 1);
    for (int i = 0; i < 50; ++i) {
      long d = retry_delay(failures, milliseconds(60'000)).count();
      EXPECT_GE(d, base / 2) << failures;
      EXPECT_LE(d, base) << failures;
    }
  }
}

TEST(PollerRetry, NeverLongerThanOneInterval) {
  for (int failures : {5, 10, 17, 40, 1000}) {
    long d = retry_delay(failures, milliseconds(3000)).count();
    EXPECT_GE(d, 1500) << failures;
    EXPECT_LE(d, 3000) << failures;
  }
}

TEST(PollerRetry, IsJittered) {
  std::set<long> seen;
  for (int i = 0; i < 50; ++i) seen.insert(retry_delay(8, milliseconds(60'000)).count());
  EXPECT_GT(seen.size(), 10u);
}
