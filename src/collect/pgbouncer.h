// PgBouncer's admin console: SHOW POOLS, DATABASES, STATS, LISTS, CONFIG and
// CLIENTS, one command per round trip (the console accepts no batches), read
// by column name so columns added by newer versions do not matter.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "pg/session.h"
#include "model/snapshot.h"

namespace pgconn::collect {

// Throws pg::Error. The whole set of commands shares one deadline.
model::PoolerStats collect_pgbouncer(pg::ConsoleSession& console, std::chrono::milliseconds timeout);

// "2026-12-07 10:56:19 UTC", as SHOW CLIENTS prints connect_time, in Unix
// seconds; nullopt when the zone is neither UTC nor the exporter's own.
std::optional<double> parse_pgbouncer_time(const std::string& text);

}  // namespace pgconn::collect
