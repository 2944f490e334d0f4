#include "render/health.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "format.h"
#include "thresholds.h"
#include "usage.h"

namespace pgconn::render {
namespace {

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", value);
  return buffer;
}

// Fields shared by both endpoints: name, up, reason of the last failure.
void status_fields(std::ostringstream& out, const TargetView& view, double now_unix) {
  const Snapshot* s = view.snapshot.get();
  out << "\"target\":" << json_string(view.target->name) << ",\"up\":" << (s && s->up ? "true" : "false");
  if (!s) {
    out << ",\"reason\":\"not_polled_yet\"";
    return;
  }
  if (!s->up && s->last_error) {
    out << ",\"reason\":" << json_string(pg::reason_label(*s->last_error))
        << ",\"message\":" << json_string(s->last_error_message);
  }
  if (s->last_success_unix) out << ",\"snapshot_age_seconds\":" << number(now_unix - *s->last_success_unix);
}

// Each finding once, with whom it is about and its evidence.
void findings_json(std::ostringstream& out, const std::vector<Finding>& findings) {
  std::vector<const Finding*> shown;
  for (const auto& f : findings) {
    bool seen = std::any_of(shown.begin(), shown.end(), [&](const Finding* s) {
      return s->severity == f.severity && s->code == f.code && s->application == f.application &&
             s->evidence == f.evidence;
    });
    if (seen) continue;
    out << (shown.empty() ? "" : ",") << "{\"severity\":" << json_string(severity_name(f.severity))
        << ",\"code\":" << json_string(f.code) << ",\"summary\":" << json_string(f.summary);
    if (!f.application.empty()) out << ",\"application\":" << json_string(f.application);
    out << ",\"evidence\":" << json_string(f.evidence) << "}";
    shown.push_back(&f);
  }
}

}  // namespace

HttpBody health(const std::vector<TargetView>& targets, double now_unix, size_t max_applications) {
  std::ostringstream out;
  out << "{\"status\":\"ok\",\"targets\":[";
  for (size_t i = 0; i < targets.size(); ++i) {
    const TargetView& view = targets[i];
    out << (i ? "," : "") << "{";
    status_fields(out, view, now_unix);
    if (view.snapshot && view.snapshot->stats) {
      Usage u = compute_usage(*view.snapshot->stats, configured_budget(*view.target));
      out << ",\"connections_used\":" << u.used << ",\"connection_limit\":" << u.limit
          << ",\"utilization_ratio\":" << number(u.utilization);
    }
    if (view.snapshot) {
      auto findings = evaluate(*view.snapshot, *view.target, max_applications);
      out << ",\"severity\":" << json_string(severity_name(worst(findings))) << ",\"findings\":[";
      findings_json(out, findings);
      out << "]";
    }
    out << "}";
  }
  out << "]}\n";
  return {200, out.str()};
}

HttpBody health_db(const std::vector<TargetView>& targets, double now_unix) {
  bool all_up = true;
  std::ostringstream list;
  for (size_t i = 0; i < targets.size(); ++i) {
    all_up = all_up && targets[i].snapshot && targets[i].snapshot->up;
    list << (i ? "," : "") << "{";
    status_fields(list, targets[i], now_unix);
    list << "}";
  }
  std::string body = std::string("{\"status\":\"") + (all_up ? "ok" : "unavailable") + "\",\"targets\":[" +
                     list.str() + "]}\n";
  return {all_up ? 200 : 503, body};
}

}  // namespace pgconn::render
