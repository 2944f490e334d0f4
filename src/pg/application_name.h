// The application_name of every session the exporter opens. The daemon's is
// kDaemon; the connect probe and the operator commands add a suffix. Sessions
// of this family (an HA pair's other exporter included) are monitoring: they
// count as used, and are shown as pgconn_monitoring_connections, but never
// as leak suspects, in the ages or as an application that dominates.
#pragma once

#include <string>

namespace pgconn::pg {

inline constexpr const char* kDaemonApplication = "pgconn_exporter";
inline constexpr const char* kProbeApplication = "pgconn_exporter_probe";
inline constexpr const char* kMonitorApplication = "pgconn_exporter_monitor";
inline constexpr const char* kDiagnoseApplication = "pgconn_exporter_diagnose";
inline constexpr const char* kResetApplication = "pgconn_exporter_reset";

inline bool is_monitoring_application(const std::string& name) {
  return name == kDaemonApplication || name.rfind("pgconn_exporter_", 0) == 0;
}

// An SQL condition, true for a session of the family, on the column (or
// expression) holding its application_name.
inline std::string monitoring_session_sql(const std::string& column) {
  return "(" + column + " = 'pgconn_exporter' OR left(" + column + ", 16) = 'pgconn_exporter_')";
}

}  // namespace pgconn::pg
