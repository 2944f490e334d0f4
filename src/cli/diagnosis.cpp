#include "cli/diagnosis.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "render/findings_json.h"
#include "text/format.h"

namespace pgconn::cli {
namespace {

using model::Severity;
using text::json_string;
using text::printable;

Severity worst_of(const std::vector<model::Assessment>& assessments) {
  Severity s = Severity::ok;
  for (const auto& a : assessments) s = std::max(s, a.worst);
  return s;
}

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

std::string diagnosis_text(const std::vector<model::Assessment>& assessments) {
  std::ostringstream out;
  for (const auto& a : assessments) {
    out << "target " << printable(a.target.name) << ": " << severity_name(a.worst) << "\n";
    if (a.usage && a.up) {
      out << "  " << a.usage->used << " of " << a.usage->limit << " connections in use ("
          << text::percent_text(a.usage->utilization) << "), " << a.usage->available << " available\n";
    }
    if (a.findings.empty()) out << "  no findings\n";
    for (const auto& f : a.findings) {
      out << "  " << upper(severity_name(f.severity)) << " " << f.code << ": " << printable(f.summary) << "\n"
          << "    evidence: " << printable(f.evidence) << "\n"
          << "    fix: " << printable(f.fix) << "\n";
    }
  }
  return out.str();
}

std::string diagnosis_json(const std::vector<model::Assessment>& assessments) {
  std::ostringstream out;
  out << "{\"severity\":" << json_string(severity_name(worst_of(assessments))) << ",\"targets\":[";
  for (size_t i = 0; i < assessments.size(); ++i) {
    const model::Assessment& a = assessments[i];
    out << (i ? "," : "") << "{\"target\":" << json_string(a.target.name) << ",\"up\":" << (a.up ? "true" : "false")
        << ",\"severity\":" << json_string(severity_name(a.worst));
    if (a.usage) {
      out << ",\"connections_used\":" << a.usage->used << ",\"connection_limit\":" << a.usage->limit
          << ",\"connections_available\":" << a.usage->available
          << ",\"utilization_ratio\":" << text::decimal3(a.usage->utilization);
    }
    out << ",\"findings\":[";
    render::findings_json(out, a.findings);
    out << "]}";
  }
  out << "]}\n";
  return out.str();
}

int diagnosis_exit_status(const std::vector<model::Assessment>& assessments) {
  switch (worst_of(assessments)) {
    case Severity::critical: return 2;
    case Severity::warning: return 1;
    case Severity::ok:
    case Severity::info: break;
  }
  return 0;
}

}  // namespace pgconn::cli
