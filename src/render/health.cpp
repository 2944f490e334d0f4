#include "render/health.h"

#include <sstream>

#include "render/findings_json.h"
#include "text/format.h"

namespace pgconn::render {
namespace {

using text::decimal3;
using text::json_string;

// Fields shared by both endpoints: name, up, reason of the last failure.
void status_fields(std::ostringstream& out, const model::Published& published, double now_unix) {
  const model::Snapshot& s = *published.snapshot;
  const model::Assessment& a = *published.assessment;
  out << "\"target\":" << json_string(a.target.name) << ",\"up\":" << (a.up ? "true" : "false");
  if (a.down) {
    out << ",\"reason\":" << json_string(a.down->label);
    if (!a.down->message.empty()) out << ",\"message\":" << json_string(a.down->message);
  }
  if (s.last_success_unix) out << ",\"snapshot_age_seconds\":" << decimal3(now_unix - *s.last_success_unix);
}

}  // namespace

HttpBody health(const std::vector<model::Published>& targets, double now_unix) {
  std::ostringstream out;
  out << "{\"status\":\"ok\",\"targets\":[";
  for (size_t i = 0; i < targets.size(); ++i) {
    const model::Assessment& a = *targets[i].assessment;
    out << (i ? "," : "") << "{";
    status_fields(out, targets[i], now_unix);
    if (a.usage) {
      out << ",\"connections_used\":" << a.usage->used << ",\"connection_limit\":" << a.usage->limit
          << ",\"utilization_ratio\":" << decimal3(a.usage->utilization);
    }
    out << ",\"severity\":" << json_string(model::severity_name(a.worst)) << ",\"findings\":[";
    findings_json(out, a.findings);
    out << "]}";
  }
  out << "]}\n";
  return {200, out.str()};
}

HttpBody health_db(const std::vector<model::Published>& targets, double now_unix) {
  bool all_up = true;
  std::ostringstream list;
  for (size_t i = 0; i < targets.size(); ++i) {
    all_up = all_up && targets[i].assessment->up;
    list << (i ? "," : "") << "{";
    status_fields(list, targets[i], now_unix);
    list << "}";
  }
  std::string body = std::string("{\"status\":\"") + (all_up ? "ok" : "unavailable") + "\",\"targets\":[" +
                     list.str() + "]}\n";
  return {all_up ? 200 : 503, body};
}

}  // namespace pgconn::render
