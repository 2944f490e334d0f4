#include "cli/diagnosis.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sstream>

#include "cli/text.h"
#include "format.h"

namespace pgconn::cli {
namespace {

Severity worst_of(const std::vector<Diagnosis>& diagnoses) {
  Severity s = Severity::ok;
  for (const auto& d : diagnoses) s = std::max(s, worst(d.findings));
  return s;
}

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::string ratio(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", value);
  return buffer;
}

}  // namespace

Diagnosis diagnose_snapshot(const Snapshot& snapshot, const config::Target& target, size_t max_applications) {
  Diagnosis d;
  d.target = target.name;
  d.up = snapshot.up;
  if (snapshot.stats) d.usage = compute_usage(*snapshot.stats, configured_budget(target));
  d.findings = evaluate(snapshot, target, max_applications);
  return d;
}

std::string diagnosis_text(const std::vector<Diagnosis>& diagnoses) {
  std::ostringstream out;
  for (const auto& d : diagnoses) {
    out << "target " << printable(d.target) << ": " << severity_name(worst(d.findings)) << "\n";
    if (d.usage && d.up) {
      out << "  " << d.usage->used << " of " << d.usage->limit << " connections in use ("
          << percent_text(d.usage->utilization) << "), " << d.usage->available << " available\n";
    }
    if (d.findings.empty()) out << "  no findings\n";
    for (const auto& f : d.findings) {
      out << "  " << upper(severity_name(f.severity)) << " " << f.code << ": " << printable(f.summary) << "\n"
          << "    evidence: " << printable(f.evidence) << "\n"
          << "    fix: " << printable(f.fix) << "\n";
    }
  }
  return out.str();
}

std::string diagnosis_json(const std::vector<Diagnosis>& diagnoses) {
  std::ostringstream out;
  out << "{\"severity\":" << json_string(severity_name(worst_of(diagnoses))) << ",\"targets\":[";
  for (size_t i = 0; i < diagnoses.size(); ++i) {
    const Diagnosis& d = diagnoses[i];
    out << (i ? "," : "") << "{\"target\":" << json_string(d.target) << ",\"up\":" << (d.up ? "true" : "false")
        << ",\"severity\":" << json_string(severity_name(worst(d.findings)));
    if (d.usage) {
      out << ",\"connections_used\":" << d.usage->used << ",\"connection_limit\":" << d.usage->limit
          << ",\"connections_available\":" << d.usage->available
          << ",\"utilization_ratio\":" << ratio(d.usage->utilization);
    }
    out << ",\"findings\":[";
    for (size_t j = 0; j < d.findings.size(); ++j) {
      const Finding& f = d.findings[j];
      out << (j ? "," : "") << "{\"severity\":" << json_string(severity_name(f.severity))
          << ",\"code\":" << json_string(f.code) << ",\"summary\":" << json_string(f.summary);
      if (!f.application.empty()) out << ",\"application\":" << json_string(f.application);
      out << ",\"evidence\":" << json_string(f.evidence) << ",\"fix\":" << json_string(f.fix) << "}";
    }
    out << "]}";
  }
  out << "]}\n";
  return out.str();
}

int diagnosis_exit_status(const std::vector<Diagnosis>& diagnoses) {
  switch (worst_of(diagnoses)) {
    case Severity::critical: return 2;
    case Severity::warning: return 1;
    case Severity::ok:
    case Severity::info: break;
  }
  return 0;
}

}  // namespace pgconn::cli
