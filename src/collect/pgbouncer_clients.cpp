// SHOW CLIENTS: who holds the pooler's client slots. A client is linked
// while it holds a server connection, waiting while queued for one (the
// state), idle otherwise. Sessions of this exporter's family are marked
// monitoring (never suspects); on the admin database they are the
// exporters' own console sessions, which model/usage.cpp does not count.
#include <algorithm>
#include <cstdio>
#include <ctime>

#include "collect/console.h"
#include "collect/pgbouncer.h"
#include "model/clock.h"
#include "pg/application_name.h"

namespace pgconn::collect {

std::optional<double> parse_pgbouncer_time(const std::string& text) {
  std::tm tm{};
  char zone[16] = {0};
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d %2d:%2d:%2d %15s", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, zone) != 7) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::string z = zone;
  if (z == "UTC" || z == "GMT") return static_cast<double>(timegm(&tm));
  // PgBouncer prints its local time: trust it only in the exporter's zone.
  tzset();
  if (z != tzname[0] && z != tzname[1]) return std::nullopt;
  tm.tm_isdst = -1;
  return static_cast<double>(std::mktime(&tm));
}

void read_pgbouncer_clients(Console& console, model::PoolerStats& stats) {
  const double now = model::unix_now();
  console.show("SHOW CLIENTS", [&](const Columns& c, int row) {
    model::PgBouncerClient client;
    client.application_name = c.text(row, "application_name");
    client.client_addr = c.text(row, "addr");
    client.database = c.text(row, "database");
    client.user = c.text(row, "user");
    const std::string state = c.text(row, "state");
    client.state = state.rfind("waiting", 0) == 0 ? "waiting" : !c.text(row, "link").empty() ? "linked" : "idle";
    if (auto connected = parse_pgbouncer_time(c.text(row, "connect_time"))) {
      client.connected_seconds = std::max(0.0, now - *connected);
    }
    client.monitoring = pg::is_monitoring_application(client.application_name);
    stats.clients.push_back(std::move(client));
  });
}

}  // namespace pgconn::collect
