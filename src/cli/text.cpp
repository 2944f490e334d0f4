#include "cli/text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pgconn::cli {

std::string age_text(std::optional<double> seconds) {
  if (!seconds) return "-";
  double s = std::max(0.0, *seconds);
  char buffer[32];
  if (s < 120) std::snprintf(buffer, sizeof buffer, "%.0fs", std::floor(s));
  else if (s < 2 * 3600) std::snprintf(buffer, sizeof buffer, "%.0fm", std::floor(s / 60));
  else if (s < 2 * 86400) std::snprintf(buffer, sizeof buffer, "%.0fh", std::floor(s / 3600));
  else std::snprintf(buffer, sizeof buffer, "%.0fd", std::floor(s / 86400));
  return buffer;
}

std::string pad_right(std::string text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string pad_left(std::string text, size_t width) {
  if (text.size() < width) text.insert(0, width - text.size(), ' ');
  return text;
}

}  // namespace pgconn::cli
