// PgBouncer console data -> metric families (pgconn_pgbouncer_*). Pure.
#pragma once

#include "config/config.h"
#include "render/families.h"
#include "snapshot.h"

namespace pgconn::render {

void pgbouncer_metrics(Families& f, const Labels& target_labels, const config::Target& target,
                       const PoolerStats& stats);

}  // namespace pgconn::render
