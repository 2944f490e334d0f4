// How bad something is. Decided only by the assessment (assessment.h);
// outputs show it (findings, exit status, monitor's colours).
#pragma once

namespace pgconn::model {

enum class Severity { ok = 0, info = 1, warning = 2, critical = 3 };

const char* severity_name(Severity s);

}  // namespace pgconn::model
