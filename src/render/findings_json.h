// Findings as a JSON array's elements, for /health and `diagnose --format
// json` alike: each once, with whom it is about, its evidence and its fix.
#pragma once

#include <sstream>
#include <vector>

#include "model/assessment.h"

namespace pgconn::render {

void findings_json(std::ostringstream& out, const std::vector<model::Finding>& findings);

}  // namespace pgconn::render
