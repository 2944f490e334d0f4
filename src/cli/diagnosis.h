// How `diagnose` prints the assessments of its targets. Pure: tested on
// hand-built snapshots, assessed as the daemon assesses them.
#pragma once

#include <string>
#include <vector>

#include "model/assessment.h"

namespace pgconn::cli {

// Per target: its severity, usage, then each finding with evidence and fix.
std::string diagnosis_text(const std::vector<model::Assessment>& assessments);
std::string diagnosis_json(const std::vector<model::Assessment>& assessments);

// 0 with only info findings or none, 1 with a warning, 2 with a critical
// finding (an unreachable target is one).
int diagnosis_exit_status(const std::vector<model::Assessment>& assessments);

}  // namespace pgconn::cli
