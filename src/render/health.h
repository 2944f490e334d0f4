// /health and /health/db bodies (JSON) from what the targets published. Pure.
#pragma once

#include <string>
#include <vector>

#include "model/assessment.h"

namespace pgconn::render {

struct HttpBody {
  int status;
  std::string body;
};

// 200 while the process runs; per target: up, staleness, usage, severity, findings.
HttpBody health(const std::vector<model::Published>& targets, double now_unix);
// 200 when every target is up, else 503; per target the reason when down.
HttpBody health_db(const std::vector<model::Published>& targets, double now_unix);

}  // namespace pgconn::render
