// The only place thresholds are compared. /health, `diagnose`, `monitor` and
// the pgconn_threshold_* gauges (which alert rules join on) all come from here.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "snapshot.h"
#include "usage.h"

namespace pgconn {

enum class Severity { ok = 0, info = 1, warning = 2, critical = 3 };
const char* severity_name(Severity s);

struct Finding {
  Severity severity;
  std::string code;      // stable identifier, e.g. "near_limit"
  std::string summary;   // one line
  std::string evidence;  // numbers, applications, pids
  std::string fix;       // what to do; suggested commands are shell-quoted
  std::string application = "";  // the application it is about, when it is about one
};

// The configured thresholds as (metric suffix, value) pairs for the gauges.
struct ThresholdGauge {
  std::string name;  // full metric name
  std::string help;
  double value;
};
std::vector<ThresholdGauge> threshold_gauges(const config::Thresholds& t);

// How close to the limit the usage is, by counts and by ratio.
Severity usage_severity(const Usage& usage, const config::Thresholds& t);
// Severity of an age against its threshold (warning past it, critical past 2x).
Severity age_severity(double age_seconds, double threshold_seconds);

// Every finding about one target's latest snapshot, most severe first.
std::vector<Finding> evaluate(const Snapshot& snapshot, const config::Target& target, size_t max_applications);
Severity worst(const std::vector<Finding>& findings);

}  // namespace pgconn
