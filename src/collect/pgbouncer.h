// PgBouncer's admin console: SHOW POOLS, DATABASES, STATS, LISTS and CONFIG,
// one command per round trip (the console accepts no batches), read by
// column name so columns added by newer versions do not matter.
#pragma once

#include <chrono>

#include "pg/session.h"
#include "model/snapshot.h"

namespace pgconn::collect {

// Throws pg::Error. The whole set of commands shares one deadline.
model::PoolerStats collect_pgbouncer(pg::ConsoleSession& console, std::chrono::milliseconds timeout);

}  // namespace pgconn::collect
