#include "render/health.h"

#include <cstdio>
#include <sstream>

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

}  // namespace

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

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
      for (size_t j = 0; j < findings.size(); ++j) {
        out << (j ? "," : "") << "{\"severity\":" << json_string(severity_name(findings[j].severity))
            << ",\"code\":" << json_string(findings[j].code) << ",\"summary\":" << json_string(findings[j].summary)
            << "}";
      }
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
