// The poll's server time before and after the activity statement grouped by
// client address too, side by side on one connection: each round runs the
// batch the daemon sends (every collector in one round trip) once with the
// baseline activity statement (baseline_activity.sql) and once as it is
// now, in alternating order, and prints the medians. Run by
// bench/poll_cost/run.sh.
//   poll_cost CONNINFO BASELINE_SQL_FILE [ROUNDS]
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "collect/collector.h"

using namespace pgconn;

namespace {

// The daemon's batch (collect/collect.cpp's order); `activity` replaces
// the activity collector's statement when given.
std::string batch(int server_version, const std::string& activity = "") {
  const collect::Collector* all[] = {&collect::settings_collector, &collect::activity_collector,
                                     &collect::databases_collector, &collect::users_collector,
                                     &collect::backends_collector, &collect::sessions_collector};
  collect::Context context{server_version, {1800, 60}};
  std::string sql;
  for (const collect::Collector* c : all) {
    std::string one = c == &collect::activity_collector && !activity.empty() ? activity : c->sql(context);
    if (!one.empty()) sql += one + ";\n";
  }
  return sql;
}

// Milliseconds for one round trip of `sql`, all results read.
double run(PGconn* conn, const std::string& sql) {
  auto start = std::chrono::steady_clock::now();
  if (!PQsendQuery(conn, sql.c_str())) {
    std::fprintf(stderr, "poll_cost: %s", PQerrorMessage(conn));
    std::exit(1);
  }
  while (PGresult* r = PQgetResult(conn)) {
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      std::fprintf(stderr, "poll_cost: %s", PQresultErrorMessage(r));
      std::exit(1);
    }
    PQclear(r);
  }
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: poll_cost CONNINFO BASELINE_SQL_FILE [ROUNDS]\n");
    return 2;
  }
  std::ifstream file(argv[2]);
  std::string baseline((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (baseline.empty()) {
    std::fprintf(stderr, "poll_cost: cannot read %s\n", argv[2]);
    return 2;
  }
  int rounds = argc > 3 ? std::atoi(argv[3]) : 40;
  PGconn* conn = PQconnectdb(argv[1]);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::fprintf(stderr, "poll_cost: %s", PQerrorMessage(conn));
    return 1;
  }
  const std::string before = batch(PQserverVersion(conn), baseline);
  const std::string after = batch(PQserverVersion(conn));
  run(conn, before);  // warm the caches once
  run(conn, after);
  std::vector<double> b, a;
  for (int i = 0; i < rounds; ++i) {
    if (i % 2) {
      b.push_back(run(conn, before));
      a.push_back(run(conn, after));
    } else {
      a.push_back(run(conn, after));
      b.push_back(run(conn, before));
    }
  }
  PGresult* r = PQexec(conn,
                       "SELECT count(*), count(DISTINCT client_addr) FROM pg_stat_activity "
                       "WHERE backend_type = 'client backend'");
  std::printf("client backends %s from %s addresses, %d rounds\n", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), rounds);
  PQclear(r);
  std::printf("%-34s %10s %10s\n", "poll batch", "p50 ms", "p90 ms");
  std::printf("%-34s %10.2f %10.2f\n", "by application (before)", percentile(b, 0.5), percentile(b, 0.9));
  std::printf("%-34s %10.2f %10.2f\n", "by application and address (after)", percentile(a, 0.5), percentile(a, 0.9));
  std::printf("growth of the p50: %+.1f %%\n", 100.0 * (percentile(a, 0.5) / percentile(b, 0.5) - 1));
  PQfinish(conn);
  return 0;
}
