// What `diagnose` reports for each target and how it is printed. Pure: the
// findings come from thresholds.h evaluate(); tested on hand-built snapshots.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "snapshot.h"
#include "thresholds.h"
#include "usage.h"

namespace pgconn::cli {

struct Diagnosis {
  std::string target;
  bool up = false;
  std::optional<Usage> usage;     // from the last successful poll
  std::vector<Finding> findings;  // most severe first
};

Diagnosis diagnose_snapshot(const Snapshot& snapshot, const config::Target& target, size_t max_applications);

// Per target: its severity, usage, then each finding with evidence and fix.
std::string diagnosis_text(const std::vector<Diagnosis>& diagnoses);
std::string diagnosis_json(const std::vector<Diagnosis>& diagnoses);

// 0 with only info findings or none, 1 with a warning, 2 with a critical
// finding (an unreachable target is one).
int diagnosis_exit_status(const std::vector<Diagnosis>& diagnoses);

}  // namespace pgconn::cli
