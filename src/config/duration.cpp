#include "config/duration.h"

#include <cmath>
#include <cstdlib>

namespace pgconn::config {

std::optional<Duration> parse_duration(std::string_view text) {
  size_t digits_end = 0;
  bool seen_digit = false;
  bool seen_dot = false;
  while (digits_end < text.size()) {
    char c = text[digits_end];
    if (c >= '0' && c <= '9') {
      seen_digit = true;
    } else if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else {
      break;
    }
    ++digits_end;
  }
  if (!seen_digit || digits_end > 18) return std::nullopt;
  std::string number(text.substr(0, digits_end));
  std::string_view unit = text.substr(digits_end);
  double scale;
  if (unit == "ms") scale = 1;
  else if (unit == "s") scale = 1e3;
  else if (unit == "m") scale = 60e3;
  else if (unit == "h") scale = 3600e3;
  else return std::nullopt;
  double millis = std::strtod(number.c_str(), nullptr) * scale;
  // A year is far beyond any sensible poll interval or threshold.
  if (!std::isfinite(millis) || millis > 365.0 * 24 * 3600e3) return std::nullopt;
  return Duration(static_cast<Duration::rep>(std::llround(millis)));
}

std::string format_duration(Duration d) {
  auto ms = d.count();
  if (ms % 3600000 == 0 && ms != 0) return std::to_string(ms / 3600000) + "h";
  if (ms % 60000 == 0 && ms != 0) return std::to_string(ms / 60000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace pgconn::config
