// PgBouncer console data -> metric families (pgconn_pgbouncer_*). Pure.
#pragma once

#include "config/config.h"
#include "model/assessment.h"
#include "render/families.h"

namespace pgconn::render {

void pgbouncer_metrics(Families& f, const Labels& target_labels, const config::Target& target,
                       const model::PoolerStats& stats, const model::PoolerAssessment& pooler);

}  // namespace pgconn::render
