// /health and /health/db bodies (JSON) from snapshots. Pure.
#pragma once

#include <string>
#include <vector>

#include "render/metrics.h"

namespace pgconn::render {

struct HttpBody {
  int status;
  std::string body;
};

// 200 while the process runs; per target: up, staleness, usage, severity.
HttpBody health(const std::vector<TargetView>& targets, double now_unix, size_t max_applications);
// 200 when every target is up, else 503; per target the reason when down.
HttpBody health_db(const std::vector<TargetView>& targets, double now_unix);

}  // namespace pgconn::render
