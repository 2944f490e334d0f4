// The collectors' readers (collect/*.cpp) on hand-built result sets: the
// column positions, NULL handling and the pid arrays, without a server.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstring>
#include <string>
#include <vector>

#include "collect/collector.h"

using namespace pgconn;

namespace {

// A text result with `columns` columns and the given rows; nullptr is NULL.
pg::Result result(int columns, const std::vector<std::vector<const char*>>& rows) {
  PGresult* res = PQmakeEmptyPGresult(nullptr, PGRES_TUPLES_OK);
  std::vector<PGresAttDesc> attrs(columns);
  std::vector<std::string> names(columns);
  for (int c = 0; c < columns; ++c) {
    names[c] = "c" + std::to_string(c);
    attrs[c] = PGresAttDesc{names[c].data(), 0, 0, 0, 25 /* text */, -1, -1};
  }
  EXPECT_TRUE(PQsetResultAttrs(res, columns, attrs.data()));
  for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
    for (int c = 0; c < columns; ++c) {
      const char* v = rows[r][c];
      // PQsetvalue takes -1 as the length of NULL.
      EXPECT_TRUE(PQsetvalue(res, r, c, const_cast<char*>(v), v ? static_cast<int>(std::strlen(v)) : -1));
    }
  }
  return pg::Result(res);
}

}  // namespace

TEST(CollectReaders, PidArraysAsPostgresPrintsThem) {
  EXPECT_EQ(collect::parse_pid_array("{12,34,5}"), (std::vector<int>{12, 34, 5}));
  EXPECT_EQ(collect::parse_pid_array("{}"), std::vector<int>{});
  EXPECT_EQ(collect::parse_pid_array(""), std::vector<int>{});  // NULL reads as ""
  EXPECT_EQ(collect::parse_pid_array("{NULL,7}"), std::vector<int>{7});
  EXPECT_EQ(collect::parse_pid_array("{2147483}"), std::vector<int>{2147483});
}

TEST(CollectReaders, ActivityRowsKeepEveryColumnAndNullAges) {
  auto r = result(12, {{"web", "idle_in_transaction", "10.0.3.7", "3", "120.5", "100", "90.25", "1", "2", "{41,42}",
                        "{1000,1001}", "f"},
                       {"", "active", "local", "1", nullptr, nullptr, nullptr, "0", "0", nullptr, nullptr, "t"}});
  model::ServerStats stats;
  collect::activity_collector.read(r, stats);
  ASSERT_EQ(stats.activity.size(), 2u);
  const auto& unnamed = stats.activity[0];  // sorted by application and state
  EXPECT_EQ(unnamed.application_name, "");
  EXPECT_FALSE(unnamed.oldest_connection_age_seconds.has_value());
  EXPECT_FALSE(unnamed.oldest_idle_in_transaction_age_seconds.has_value());
  EXPECT_TRUE(unnamed.sample_pids.empty());
  EXPECT_TRUE(unnamed.monitoring);
  const auto& web = stats.activity[1];
  EXPECT_EQ(web.application_name, "web");
  EXPECT_EQ(web.state, "idle_in_transaction");
  EXPECT_EQ(web.connections, 3);
  EXPECT_DOUBLE_EQ(*web.oldest_connection_age_seconds, 120.5);
  EXPECT_DOUBLE_EQ(*web.oldest_transaction_age_seconds, 100);
  EXPECT_DOUBLE_EQ(*web.oldest_idle_in_transaction_age_seconds, 90.25);
  EXPECT_EQ(web.older_than_age_threshold, 1);
  EXPECT_EQ(web.idle_in_transaction_too_long, 2);
  EXPECT_EQ(web.sample_pids, (std::vector<int>{41, 42}));
  EXPECT_FALSE(web.monitoring);
  ASSERT_EQ(stats.client_addresses.size(), 2u);
  EXPECT_EQ(stats.client_addresses[0].client_addr, "10.0.3.7");
  EXPECT_EQ(stats.client_addresses[0].connections, 3);
  EXPECT_EQ(stats.client_addresses[0].idle_in_transaction_too_long, 2);
  EXPECT_EQ(stats.client_addresses[1].client_addr, "local");
  EXPECT_TRUE(stats.client_addresses[1].monitoring);
}

TEST(CollectReaders, AddressesOfOneApplicationSumAndKeepTheOldestPids) {
  // web/idle from two addresses: counts add up, ages take the maximum, and
  // the sample pids are the oldest connections across both.
  auto r = result(12, {{"web", "idle", "10.0.3.7", "2", "50", nullptr, nullptr, "1", "0", "{7,8}", "{300,400}", "f"},
                       {"web", "idle", "10.0.3.8", "3", "90", nullptr, nullptr, "2", "0", "{5,6,9}", "{100,350,500}",
                        "f"}});
  model::ServerStats stats;
  collect::activity_collector.read(r, stats);
  ASSERT_EQ(stats.activity.size(), 1u);
  EXPECT_EQ(stats.activity[0].connections, 5);
  EXPECT_DOUBLE_EQ(*stats.activity[0].oldest_connection_age_seconds, 90);
  EXPECT_EQ(stats.activity[0].older_than_age_threshold, 3);
  EXPECT_EQ(stats.activity[0].sample_pids, (std::vector<int>{5, 7, 6, 8, 9}));
  EXPECT_EQ(stats.client_addresses.size(), 2u);
}

TEST(CollectReaders, BackendTypesAreCountedByName) {
  auto r = result(2, {{"client backend", "7"}, {"autovacuum launcher", "1"}});
  model::ServerStats stats;
  collect::backends_collector.read(r, stats);
  EXPECT_EQ(stats.backends_by_type.at("client backend"), 7);
  EXPECT_EQ(stats.backends_by_type.at("autovacuum launcher"), 1);
}

TEST(CollectReaders, ActivityQueryUsesTheThresholdsItIsGiven) {
  collect::Context context;
  context.leaks = {1234, 56};
  std::string sql = collect::activity_collector.sql(context);
  EXPECT_NE(sql.find(std::to_string(1234.0) + " * interval '1 second'"), std::string::npos) << sql;
  EXPECT_NE(sql.find(std::to_string(56.0) + " * interval '1 second'"), std::string::npos) << sql;
}
