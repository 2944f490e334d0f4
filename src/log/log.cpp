#include "log/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "text/format.h"

namespace pgconn::log {
namespace {

std::atomic<Level> g_level{Level::info};
std::atomic<Format> g_format{Format::logfmt};
std::mutex g_write_mutex;

const char* level_name(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

// Bare when it is plain text; quoted (JSON escapes) when it holds a space,
// a quote, '=', a backslash, a control character or a non-ASCII byte.
std::string logfmt_value(const std::string& value) {
  bool needs_quotes = value.empty();
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    needs_quotes = needs_quotes || u <= ' ' || u >= 0x7f || c == '"' || c == '=' || c == '\\';
  }
  return needs_quotes ? text::json_string(value) : value;
}

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buffer;
}

}  // namespace

bool parse_level(const std::string& name, Level* out) {
  for (Level l : {Level::debug, Level::info, Level::warn, Level::error}) {
    if (name == level_name(l)) {
      *out = l;
      return true;
    }
  }
  return false;
}

bool parse_format(const std::string& name, Format* out) {
  if (name == "logfmt") *out = Format::logfmt;
  else if (name == "json") *out = Format::json;
  else return false;
  return true;
}

void configure(Level level, Format format) {
  g_level = level;
  g_format = format;
}

std::string format_line(Format format, Level level, const std::string& message, const Fields& fields) {
  std::string line;
  if (format == Format::json) {
    line = std::string("\"level\":\"") + level_name(level) + "\",\"msg\":" + text::json_string(message);
    for (const auto& [k, v] : fields) line += "," + text::json_string(k) + ":" + text::json_string(v);
    return line;
  }
  line = std::string("level=") + level_name(level) + " msg=" + logfmt_value(message);
  for (const auto& [k, v] : fields) line += " " + k + "=" + logfmt_value(v);
  return line;
}

void write(Level level, const std::string& message, const Fields& fields) {
  if (level < g_level.load()) return;
  Format format = g_format.load();
  std::string body = format_line(format, level, message, fields);
  std::string line = format == Format::json ? "{\"ts\":\"" + timestamp() + "\"," + body + "}\n"
                                            : "ts=" + timestamp() + " " + body + "\n";
  std::lock_guard<std::mutex> lock(g_write_mutex);
  std::fputs(line.c_str(), stderr);
}

}  // namespace pgconn::log
