// Who holds the slots by client address (PostgreSQL) and by application and
// address (PgBouncer's clients): counting, caps, leak suspects, findings and
// the series, on hand-built snapshots.
#include <gtest/gtest.h>

#include <cmath>

#include "cli/monitor_frame.h"
#include "cli/reset_plan.h"
#include "collect/pgbouncer.h"
#include "render/families.h"
#include "render/metrics.h"
#include "sample_snapshot.h"

using namespace pgconn;
using namespace pgconn::model;

namespace {

ClientAddressRow address_row(const std::string& addr, const std::string& app, const std::string& state, int64_t n) {
  ClientAddressRow r;
  r.client_addr = addr;
  r.application_name = app;
  r.state = state;
  r.connections = n;
  return r;
}

// The sample's 12 connections split over three addresses.
ServerStats stats_with_addresses() {
  ServerStats s = sample::sample_stats();
  s.client_addresses = {address_row("10.0.3.7", "web", "idle", 5),  address_row("10.0.3.8", "web", "active", 1),
                        address_row("10.0.3.7", "worker", "idle_in_transaction", 2),
                        address_row("local", "", "idle", 3),
                        address_row("127.0.0.1", "pgconn_exporter", "active", 1)};
  s.client_addresses[2].idle_in_transaction_too_long = 2;
  s.client_addresses[4].monitoring = true;
  return s;
}

Snapshot snapshot_of(const ServerStats& stats) {
  Snapshot snap = sample::sample_snapshot();
  snap.stats = std::make_shared<const ServerStats>(stats);
  return snap;
}

config::Target target_named(const std::string& name) {
  config::Target t;
  t.name = name;
  return t;
}

const ClientAddressSummary* find_address(const std::vector<ClientAddressSummary>& all, const std::string& addr) {
  for (const auto& a : all) {
    if (a.client_addr == addr) return &a;
  }
  return nullptr;
}

double value_of(const std::string& text, const std::string& series) {
  size_t pos = text.find("\n" + series + " ");
  if (pos == std::string::npos) return std::nan("");
  return std::stod(text.substr(pos + series.size() + 2));
}

PgBouncerClient pooler_client(const std::string& app, const std::string& addr, const std::string& state,
                              double connected) {
  PgBouncerClient c;
  c.application_name = app;
  c.client_addr = addr;
  c.database = "appdb";
  c.user = "app";
  c.state = state;
  c.connected_seconds = connected;
  return c;
}

}  // namespace

TEST(ClientAddresses, EveryAddressShowsTheStatesAndTheyAddUpToUsed) {
  ServerStats s = stats_with_addresses();
  s.client_addresses.push_back(address_row("10.0.3.8", "web", "idle_in_transaction_aborted", 1));
  s.client_addresses.push_back(address_row("10.0.3.8", "web", "disabled", 1));
  auto all = summarize_client_addresses(s, 50);
  const ClientAddressSummary* b = find_address(all, "10.0.3.8");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->by_state.at("active"), 1);
  EXPECT_EQ(b->by_state.at("idle"), 0);
  EXPECT_EQ(b->by_state.at("idle_in_transaction"), 1);  // the aborted one
  EXPECT_EQ(b->by_state.at("disabled"), 1);
  EXPECT_EQ(b->by_state.count("idle_in_transaction_aborted"), 0u);
  int64_t sum = 0;
  for (const auto& a : all) sum += a.connections;
  EXPECT_EQ(sum, 14);
  EXPECT_EQ(all.front().client_addr, "10.0.3.7");  // most connections first
  EXPECT_EQ(all.front().leak_suspects_idle_in_transaction, 2);
}

TEST(ClientAddresses, BeyondTheCapTheRestIsOther) {
  auto all = summarize_client_addresses(stats_with_addresses(), 2);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].client_addr, "10.0.3.7");  // 7
  EXPECT_EQ(all[1].client_addr, "local");     // 3
  EXPECT_EQ(all[2].client_addr, "other");     // 10.0.3.8 (1) + 127.0.0.1 (1)
  EXPECT_TRUE(all[2].folded);
  EXPECT_EQ(all[2].connections, 2);
  EXPECT_EQ(all[2].by_state.at("idle"), 0);
  Assessment a = assess(snapshot_of(stats_with_addresses()), target_named("main"), {50, 2});
  int64_t sum = 0;
  for (const auto& addr : a.client_addresses) sum += addr.connections;
  EXPECT_EQ(sum, a.usage->used);
}

TEST(ClientAddresses, LeakFindingsNameTheAddressesAndTheResetNamesTheOne) {
  ServerStats s = stats_with_addresses();
  // worker also runs on 10.0.3.8, where it leaks nothing.
  s.activity.push_back(sample::row("worker", "idle", 1));
  s.client_addresses.push_back(address_row("10.0.3.8", "worker", "idle", 1));
  Assessment a = assess(snapshot_of(s), target_named("main"), {});
  const Finding* leak = nullptr;
  for (const auto& f : a.findings) {
    if (f.code == "leak_idle_in_transaction") leak = &f;
  }
  ASSERT_NE(leak, nullptr);
  EXPECT_NE(leak->evidence.find("worker: 2 connection(s) idle in transaction over 60s, oldest 2m, from 10.0.3.7 (2)"),
            std::string::npos)
      << leak->evidence;
  EXPECT_NE(leak->fix.find("--application 'worker' --client-addr '10.0.3.7' --execute"), std::string::npos)
      << leak->fix;

  // From its only address, the address filter would add nothing.
  Assessment single = assess(snapshot_of(stats_with_addresses()), target_named("main"), {});
  for (const auto& f : single.findings) {
    if (f.code == "leak_idle_in_transaction") {
      EXPECT_EQ(f.fix.find("--client-addr"), std::string::npos) << f.fix;
    }
  }
}

TEST(ClientAddresses, SeriesPerAddressAndReason) {
  auto text = render::serialize(render::target_metrics({sample::published(snapshot_of(stats_with_addresses()),
                                                                          target_named("main"))},
                                                       1003));
  EXPECT_EQ(value_of(text, "pgconn_client_address_connections{target=\"main\",client_addr=\"10.0.3.7\",state=\"idle\"}"), 5);
  EXPECT_EQ(value_of(text, "pgconn_client_address_connections{target=\"main\",client_addr=\"local\",state=\"active\"}"), 0);
  EXPECT_EQ(value_of(text, "pgconn_client_address_leak_suspect_connections{target=\"main\",client_addr=\"10.0.3.7\","
                           "reason=\"idle_in_transaction\"}"),
            2);
  EXPECT_EQ(value_of(text, "pgconn_client_address_leak_suspect_connections{target=\"main\",client_addr=\"127.0.0.1\","
                           "reason=\"age\"}"),
            0);
}

TEST(PoolerClients, LinkedIdleWaitingPerApplicationAndAddressWithoutTheConsole) {
  PoolerStats p;
  p.max_client_conn = 100;
  p.clients = {pooler_client("web", "10.0.3.7", "linked", 5), pooler_client("web", "10.0.3.7", "waiting", 5),
               pooler_client("web", "10.0.3.8", "idle", 5), pooler_client("", "unix", "idle", 5),
               pooler_client("pgconn_exporter", "127.0.0.1", "idle", 5000),
               pooler_client("pgconn_exporter_probe", "127.0.0.1", "linked", 5000)};
  p.clients[4].database = "pgbouncer";
  p.clients[4].monitoring = true;  // the exporter's own console session
  p.clients[5].monitoring = true;  // its connect probe through the pooler: counted, never a suspect
  auto holders = summarize_pooler_clients(p, 50, 50, [](const PgBouncerClient& c) { return *c.connected_seconds > 60; });
  ASSERT_EQ(holders.applications.size(), 3u);
  const auto& web = holders.applications[0];
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.by_state.at("linked"), 1);
  EXPECT_EQ(web.by_state.at("waiting"), 1);
  EXPECT_EQ(web.by_state.at("idle"), 1);
  EXPECT_EQ(holders.applications[1].name, "pgconn_exporter_probe");
  EXPECT_EQ(holders.applications[1].leak_suspects_age, 0);
  EXPECT_FALSE(holders.applications[1].oldest_client_age_seconds.has_value());
  EXPECT_EQ(holders.applications[2].name, "unnamed");
  EXPECT_EQ(holders.applications[2].by_state.at("linked"), 0);
  int64_t clients = 0;
  for (const auto& a : holders.client_addresses) clients += a.clients;
  EXPECT_EQ(clients, 5);  // the console session is not counted
}

TEST(PoolerClients, OldClientsAreSuspectsWithTheirAddresses) {
  Snapshot snap = sample::sample_snapshot("bouncer");
  snap.stats.reset();
  PoolerStats p;
  p.max_client_conn = 100;
  p.clients = {pooler_client("web", "10.0.3.7", "idle", 4000), pooler_client("web", "10.0.3.7", "idle", 3000),
               pooler_client("web", "10.0.3.8", "linked", 10), pooler_client("a", "10.0.3.9", "idle", 10),
               pooler_client("b", "10.0.3.9", "idle", 10)};
  snap.pooler = std::make_shared<const PoolerStats>(p);
  config::Target t = target_named("bouncer");
  t.kind = config::TargetKind::pgbouncer;
  Assessment a = assess(snap, t, {2, 50});
  ASSERT_TRUE(a.pooler);
  const auto& apps = a.pooler->holders.applications;
  ASSERT_EQ(apps.size(), 3u);
  EXPECT_EQ(apps[0].name, "web");
  EXPECT_EQ(apps[0].leak_suspects_age, 2);  // older than connection_age_seconds (30m)
  EXPECT_DOUBLE_EQ(*apps[0].oldest_client_age_seconds, 4000);
  EXPECT_EQ(apps[2].name, "other");  // beyond max_applications = 2
  EXPECT_EQ(apps[2].clients, 1);
  const Finding* leak = nullptr;
  for (const auto& f : a.findings) {
    if (f.code == "pooler_leak_old_clients") leak = &f;
  }
  ASSERT_NE(leak, nullptr);
  EXPECT_EQ(leak->evidence, "web: 2 pooler client(s) connected longer than 30m, oldest 66m, from 10.0.3.7 (2)");

  auto text = render::serialize(render::target_metrics({sample::published(snap, t, {2, 50})}, 1003));
  EXPECT_EQ(value_of(text, "pgconn_pgbouncer_application_clients{target=\"bouncer\",application_name=\"web\","
                           "state=\"idle\"}"),
            2);
  EXPECT_EQ(value_of(text, "pgconn_pgbouncer_leak_suspect_clients{target=\"bouncer\",application_name=\"web\","
                           "reason=\"age\"}"),
            2);
  EXPECT_EQ(value_of(text, "pgconn_pgbouncer_client_address_clients{target=\"bouncer\",client_addr=\"10.0.3.9\","
                           "state=\"waiting\"}"),
            0);
  EXPECT_EQ(value_of(text, "pgconn_pgbouncer_application_oldest_client_age_seconds{target=\"bouncer\","
                           "application_name=\"web\"}"),
            4000);
}

TEST(PoolerClients, ConnectTimeIsReadInUtcOrTheExportersZoneOnly) {
  EXPECT_EQ(collect::parse_pgbouncer_time("2026-12-07 10:56:19 UTC"), 1796640979.0);
  EXPECT_EQ(collect::parse_pgbouncer_time("1970-01-01 00:00:10 GMT"), 10.0);
  EXPECT_FALSE(collect::parse_pgbouncer_time("2026-12-07 10:56:19 XYZT").has_value());
  EXPECT_FALSE(collect::parse_pgbouncer_time("").has_value());
  EXPECT_FALSE(collect::parse_pgbouncer_time("yesterday").has_value());
}

TEST(ResetClientAddr, AddressesAndCidrsNormalisedOthersRefused) {
  EXPECT_EQ(cli::parse_client_addr("10.0.3.7"), "10.0.3.7");
  EXPECT_EQ(cli::parse_client_addr("10.0.3.0/24"), "10.0.3.0/24");
  EXPECT_EQ(cli::parse_client_addr("2001:DB8:0:0::1"), "2001:db8::1");
  EXPECT_EQ(cli::parse_client_addr("2001:db8::/32"), "2001:db8::/32");
  EXPECT_EQ(cli::parse_client_addr("local"), "local");
  for (const char* bad : {"", "db.example.com", "10.0.3.7/33", "10.0.3.7/", "10.0.3.7/-1", "::1/129",
                          "10.0.3.7' OR '1'='1", "10.0.3.7/24/1", "10.0.3"}) {
    EXPECT_FALSE(cli::parse_client_addr(bad).has_value()) << bad;
  }
  auto filter = cli::reset_filter(cli::parse({"reset", "--target", "main", "--client-addr", "10.0.3.0/24"}));
  std::string sql = cli::reset_sql(filter, false);
  EXPECT_NE(sql.find("AND a.client_addr <<= '10.0.3.0/24'::inet"), std::string::npos) << sql;
  auto local = cli::reset_filter(cli::parse({"reset", "--target", "main", "--client-addr", "local"}));
  EXPECT_NE(cli::reset_sql(local, false).find("AND a.client_port = -1"), std::string::npos);
  EXPECT_THROW(cli::reset_filter(cli::parse({"reset", "--target", "main", "--client-addr", "web01"})),
               cli::UsageError);
}

TEST(ClientAddresses, MonitorShowsTheHoldersByAddress) {
  cli::FrameOptions options;
  options.columns = 100;
  options.rows = 40;
  options.by_address = true;
  auto frame = cli::render_frame({sample::published(snapshot_of(stats_with_addresses()), target_named("main"))}, options);
  std::string text;
  for (const auto& line : frame) text += line + "\n";
  EXPECT_NE(text.find("CLIENT ADDRESS"), std::string::npos) << text;
  EXPECT_EQ(text.find("APPLICATION"), std::string::npos) << text;
  // 10.0.3.7: 7 held, 0 active, 5 idle, 2 idle in transaction, 2 suspects.
  EXPECT_NE(text.find("10.0.3.7                                     7      0     5       2        2"), std::string::npos)
      << text;
}

TEST(ReservedNames, AnApplicationNamedOtherOrUnnamedNeverDuplicatesASeries) {
  ServerStats s = sample::sample_stats();
  s.activity.push_back(sample::row("other", "idle_in_transaction", 1));
  s.activity.push_back(sample::row("unnamed", "idle", 1));
  for (size_t cap : {2, 50}) {
    auto text = render::serialize(
        render::target_metrics({sample::published(snapshot_of(s), target_named("main"), {cap, 50})}, 1003));
    std::map<std::string, int> seen;
    size_t start = 0;
    for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
      std::string line = text.substr(start, end - start);
      if (line.empty() || line[0] == '#') continue;
      EXPECT_EQ(++seen[line.substr(0, line.rfind(' '))], 1) << "cap " << cap << ": " << line;
    }
  }
}

TEST(ReservedNames, NamesThatDifferOnlyInInvalidBytesStayDistinctSeries) {
  render::Families f;
  f.gauge("pgconn_database_connections", "h", {{"target", "main"}, {"datname", "db\xfe\xff"}}, 1);
  f.gauge("pgconn_database_connections", "h", {{"target", "main"}, {"datname", "db\xfd\xfc"}}, 2);
  f.gauge("pgconn_database_connections", "h", {{"target", "main"}, {"datname", "db\xfb"}}, 3);
  auto text = render::serialize(f.take());
  EXPECT_NE(text.find("datname=\"db\xef\xbf\xbd\xef\xbf\xbd\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("datname=\"db\xef\xbf\xbd\xef\xbf\xbd #2\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("datname=\"db\xef\xbf\xbd\"} 3"), std::string::npos) << text;
}

TEST(ReservedNames, AnInvalidNameAndALiteralReplacementCharacterStayDistinctInEitherOrder) {
  for (bool invalid_first : {true, false}) {
    render::Families f;
    const render::Labels invalid{{"target", "main"}, {"datname", "db\xc0"}};
    const render::Labels literal{{"target", "main"}, {"datname", "db\xef\xbf\xbd"}};
    f.gauge("pgconn_database_connections", "h", invalid_first ? invalid : literal, 1);
    f.gauge("pgconn_database_connections", "h", invalid_first ? literal : invalid, 2);
    auto text = render::serialize(f.take());
    EXPECT_NE(text.find("datname=\"db\xef\xbf\xbd\"} 1"), std::string::npos) << text;
    EXPECT_NE(text.find("datname=\"db\xef\xbf\xbd #2\"} 2"), std::string::npos) << text;
  }
}

TEST(ReservedNames, UnnamedMixedWithALiteralUnnamedIsCountedAndSuggestedApart) {
  ServerStats s = sample::sample_stats();
  auto empty = sample::row("", "idle_in_transaction", 1);
  empty.idle_in_transaction_too_long = 1;
  auto literal = sample::row("unnamed", "idle_in_transaction", 1);
  literal.idle_in_transaction_too_long = 1;
  s.activity.push_back(empty);
  s.activity.push_back(literal);
  Assessment a = assess(snapshot_of(s), target_named("main"), {});
  for (const auto& f : a.findings) {
    if (f.code == "unnamed_connections") {
      EXPECT_EQ(f.evidence, "4 connection(s) have no application_name");
    }
    if (f.code == "leak_idle_in_transaction" && f.application == "unnamed") {
      EXPECT_NE(f.fix.find("--application ''` and `"), std::string::npos) << f.fix;
      EXPECT_NE(f.fix.find("--application 'unnamed'`"), std::string::npos) << f.fix;
      EXPECT_EQ(f.fix.find("--execute"), std::string::npos) << f.fix;
    }
  }
}
