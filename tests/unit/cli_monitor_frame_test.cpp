#include <gtest/gtest.h>

#include <regex>

#include "cli/monitor_frame.h"
#include "cli/text.h"
#include "sample_snapshot.h"

using namespace pgconn;
using namespace pgconn::model;
using cli::FrameOptions;
using cli::render_frame;

namespace {

config::Target main_target() {
  config::Target target;
  target.name = "main";
  target.applications.push_back({"worker", 5, 10, 2});
  return target;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

FrameOptions plain(int columns = 80, int rows = 24) {
  FrameOptions options;
  options.columns = columns;
  options.rows = rows;
  options.header = "pgconn_exporter monitor";
  options.now_unix = 1030;
  return options;
}

}  // namespace

TEST(CliMonitorFrame, ShowsUsageStatesAndTheApplicationsTable) {
  Snapshot snap = sample::sample_snapshot();
  config::Target target = main_target();
  std::string frame = joined(render_frame({sample::published(snap, target)}, plain()));
  EXPECT_NE(frame.find("pgconn_exporter monitor\n"), std::string::npos) << frame;
  EXPECT_NE(frame.find("main  limit 17  used 12  available 5\n"), std::string::npos) << frame;
  EXPECT_NE(frame.find("] 71%"), std::string::npos) << frame;
  EXPECT_NE(frame.find("states:  active 2  idle 8  idle in transaction 2\n"), std::string::npos) << frame;
  EXPECT_NE(frame.find("APPLICATION             HELD ACTIVE  IDLE IDLE-TX  OLDEST  POOL OVERFLOW"), std::string::npos)
      << frame;
  // web: 5 idle + 1 active, oldest 50 s, not declared.
  EXPECT_TRUE(std::regex_search(frame, std::regex("\nweb +6 +1 +5 +0 +50s +- +-\n"))) << frame;
  // worker: declared 2 x (5 + 10) = 30, 2 held, no overflow.
  EXPECT_TRUE(std::regex_search(frame, std::regex("\nworker +2 +0 +0 +2 +20s +30 +0\n"))) << frame;
  EXPECT_TRUE(std::regex_search(frame, std::regex("\nunnamed +3 +0 +3 +0 +30s"))) << frame;
  EXPECT_NE(frame.find("findings: warning leak_idle_in_transaction, warning declared_capacity_exceeds_li\n"),
            std::string::npos)
      << frame;  // cut at 80 columns
  EXPECT_EQ(frame.find('\x1b'), std::string::npos);  // no colours unless asked
  frame = joined(render_frame({sample::published(snap, target)}, plain(200)));
  EXPECT_NE(frame.find("findings: warning leak_idle_in_transaction, warning declared_capacity_exceeds_limit, info "
                       "unnamed_connections\n"),
            std::string::npos)
      << frame;
}

TEST(CliMonitorFrame, ColoursComeFromTheThresholds) {
  Snapshot snap = sample::sample_snapshot();
  config::Target target = main_target();
  FrameOptions options = plain();
  options.color = true;
  std::string frame = joined(render_frame({sample::published(snap, target)}, options));
  // worker idle in transaction for 120 s against 60 s: warning (yellow), not critical.
  EXPECT_NE(frame.find("\x1b[33m       2\x1b[0m"), std::string::npos) << frame;
  EXPECT_EQ(frame.find("used \x1b"), std::string::npos) << frame;  // 71% is below the warning ratio

  target.connection_limit = 12;  // 12 of 12: at the limit
  frame = joined(render_frame({sample::published(snap, target)}, options));
  EXPECT_NE(frame.find("used \x1b[1;31m12\x1b[0m  available 0"), std::string::npos) << frame;
}

TEST(CliMonitorFrame, FitsTheWindow) {
  ServerStats stats = sample::sample_stats();
  for (int i = 0; i < 40; ++i) stats.activity.push_back(sample::row("app-" + std::to_string(i), "idle", 1));
  Snapshot snap = sample::sample_snapshot();
  snap.stats = std::make_shared<const ServerStats>(stats);
  config::Target target = main_target();
  for (auto [columns, rows] : {std::pair{80, 24}, std::pair{40, 10}}) {
    auto lines = render_frame({sample::published(snap, target)}, plain(columns, rows));
    ASSERT_EQ(lines.size(), static_cast<size_t>(rows));
    for (const auto& line : lines) EXPECT_LE(line.size(), static_cast<size_t>(columns)) << line;
    EXPECT_EQ(lines.back().rfind("... ", 0), 0u) << lines.back();
  }
}

TEST(CliMonitorFrame, CutsByCharactersAndNeutralisesControlCharacters) {
  Snapshot snap = sample::sample_snapshot();
  config::Target target = main_target();
  FrameOptions options = plain(3, 24);
  options.header = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";  // four e-acute, two bytes each
  EXPECT_EQ(render_frame({sample::published(snap, target)}, options).front(), "\xc3\xa9\xc3\xa9\xc3\xa9");

  target.name = "evil\x1b[2J";
  std::string frame = joined(render_frame({sample::published(snap, target)}, plain()));
  EXPECT_EQ(frame.find('\x1b'), std::string::npos);
  EXPECT_NE(frame.find("evil\\x1b[2J"), std::string::npos);
}

TEST(CliMonitorFrame, RepeatedFindingsAreCounted) {
  ServerStats stats = sample::sample_stats();
  auto second = stats.activity[2];  // worker's idle-in-transaction row, under another name
  second.application_name = "batch";
  stats.activity.push_back(second);
  Snapshot snap = sample::sample_snapshot();
  snap.stats = std::make_shared<const ServerStats>(stats);
  config::Target target;
  target.name = "main";
  std::string frame = joined(render_frame({sample::published(snap, target)}, plain(200)));
  EXPECT_NE(frame.find("findings: warning near_limit, warning leak_idle_in_transaction x2, info unnamed_connections\n"), std::string::npos)
      << frame;
}

TEST(CliMonitorFrame, DownTargetKeepsItsLastData) {
  Snapshot snap = sample::sample_snapshot();
  snap.up = false;
  snap.last_error = ErrorKind::refused;
  snap.last_error_message = "connection refused";
  config::Target target = main_target();
  std::string frame = joined(render_frame({sample::published(snap, target)}, plain()));
  EXPECT_NE(frame.find("main  DOWN  refused: connection refused\n"), std::string::npos) << frame;
  EXPECT_NE(frame.find("last good data, 30s old:  limit 17  used 12"), std::string::npos) << frame;
  EXPECT_NE(frame.find("findings: critical unreachable"), std::string::npos) << frame;

  Snapshot never;
  never.target = "main";
  frame = joined(render_frame({sample::published(never, target)}, plain()));
  EXPECT_NE(frame.find("main  DOWN  not_polled_yet\n"), std::string::npos) << frame;
  EXPECT_EQ(frame.find("APPLICATION"), std::string::npos) << frame;
}

TEST(CliMonitorFrame, PoolerTargetShowsClientsAndPools) {
  config::Target target;
  target.name = "bouncer";
  target.kind = config::TargetKind::pgbouncer;
  PoolerStats stats;
  stats.pool_mode = "session";
  stats.max_client_conn = 10;
  stats.used_clients = 3;
  stats.databases.push_back({"appdb", "", 2, 0, 0, 2, 0, 0, 0});
  PgBouncerPool pool;
  pool.database = "appdb";
  pool.user = "app";
  pool.clients_active = 2;
  pool.clients_waiting = 1;
  pool.servers_active = 2;
  pool.max_wait_seconds = 1.5;
  stats.pools.push_back(pool);
  Snapshot snap;
  snap.target = "bouncer";
  snap.up = true;
  snap.pooler = std::make_shared<const PoolerStats>(stats);
  std::string frame = joined(render_frame({sample::published(snap, target)}, plain()));
  EXPECT_NE(frame.find("bouncer  clients 3 of 10  waiting 1  servers 2 of 2\n"), std::string::npos) << frame;
  EXPECT_NE(frame.find("appdb/app               session           2       1       2     2    1.50s\n"),
            std::string::npos)
      << frame;
  EXPECT_NE(frame.find("warning pooler_clients_waiting"), std::string::npos) << frame;
}

TEST(CliMonitorFrame, NamesOfAnyBytesKeepTheColumnsAligned) {
  ServerStats stats = sample::sample_stats();
  stats.activity.push_back(sample::row("caf\xC3\xA9-\xE2\x82\xAC", "idle", 4));            // multi-byte
  stats.activity.push_back(sample::row("evil\xE2\x80\xAE" "txet\x1b[2J", "idle", 4));      // RLO, escape
  stats.activity.push_back(sample::row("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
                                       "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9",
                                       "idle", 4));  // 15 é plus the 8 below: cut at 21 columns
  stats.activity.back().application_name += "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9";
  Snapshot snap = sample::sample_snapshot();
  snap.stats = std::make_shared<const ServerStats>(stats);
  auto lines = render_frame({sample::published(snap, main_target())}, plain(100, 40));
  std::string frame = joined(lines);
  EXPECT_EQ(frame.find("\xE2\x80\xAE"), std::string::npos) << frame;
  EXPECT_EQ(frame.find('\x1b'), std::string::npos) << frame;
  size_t header_held = std::string::npos;
  int rows = 0;
  for (const auto& line : lines) {
    if (line.rfind("APPLICATION", 0) == 0) header_held = cli::columns(line.substr(0, line.find("HELD") + 4));
    bool ours = line.rfind("caf", 0) == 0 || line.rfind("evil", 0) == 0 || line.rfind("\xC3\xA9", 0) == 0;
    if (!ours) continue;
    ++rows;
    // HELD is right-aligned: its last digit ends where the header's D does.
    size_t held_end = line.find(" 4 ") + 2;
    EXPECT_EQ(cli::columns(line.substr(0, held_end)), header_held) << line;
  }
  EXPECT_EQ(rows, 3) << frame;
  EXPECT_NE(frame.find("evil\\u202etxet\\x1b[2J "), std::string::npos) << frame;  // 21 columns: not cut
}
