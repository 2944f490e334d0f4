// Structured logs on stderr in logfmt or JSON. Callers pass only values that
// are safe to print: DSNs go through config::redact_dsn first.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace pgconn::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };
enum class Format { logfmt, json };

using Fields = std::vector<std::pair<std::string, std::string>>;

// Returns false for an unknown name.
bool parse_level(const std::string& name, Level* out);
bool parse_format(const std::string& name, Format* out);
void configure(Level level, Format format);

void write(Level level, const std::string& message, const Fields& fields = {});
inline void debug(const std::string& m, const Fields& f = {}) { write(Level::debug, m, f); }
inline void info(const std::string& m, const Fields& f = {}) { write(Level::info, m, f); }
inline void warn(const std::string& m, const Fields& f = {}) { write(Level::warn, m, f); }
inline void error(const std::string& m, const Fields& f = {}) { write(Level::error, m, f); }

// One formatted line, without the timestamp (for tests).
std::string format_line(Format format, Level level, const std::string& message, const Fields& fields);

}  // namespace pgconn::log
