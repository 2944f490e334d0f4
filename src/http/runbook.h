// docs/runbook.md as it was when the exporter was built (src/CMakeLists.txt
// compiles it in), served as HTML at /runbook: the alerts' runbook_url points
// there, so the runbook needs nothing besides the exporter.
#pragma once

#include <string_view>

namespace pgconn::http {

std::string_view runbook_markdown();

}  // namespace pgconn::http
