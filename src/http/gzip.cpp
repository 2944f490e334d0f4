#include "http/gzip.h"

#include <cstdlib>

namespace pgconn::http {
namespace {

std::string lower_trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "q=0.5" -> 0.5; a coding without a weight has weight 1.
double weight(std::string_view parameters) {
  while (!parameters.empty()) {
    size_t semicolon = parameters.find(';');
    std::string parameter = lower_trimmed(parameters.substr(0, semicolon));
    parameters.remove_prefix(semicolon == std::string_view::npos ? parameters.size() : semicolon + 1);
    if (parameter.rfind("q=", 0) == 0) return std::strtod(parameter.c_str() + 2, nullptr);
  }
  return 1;
}

}  // namespace

bool accepts_gzip(const Request& request) {
  bool any = false;
  double gzip_weight = -1, star_weight = -1;
  for (const auto& [name, value] : request.fields) {
    if (name != "accept-encoding") continue;
    std::string_view list = value;
    while (!list.empty()) {
      size_t comma = list.find(',');
      std::string_view item = list.substr(0, comma);
      list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
      size_t semicolon = item.find(';');
      std::string coding = lower_trimmed(item.substr(0, semicolon));
      double w = semicolon == std::string_view::npos ? 1 : weight(item.substr(semicolon + 1));
      if (coding == "gzip" || coding == "x-gzip") gzip_weight = w;
      if (coding == "*") star_weight = w;
      any = true;
    }
  }
  if (!any) return false;
  return gzip_weight >= 0 ? gzip_weight > 0 : star_weight > 0;
}

}  // namespace pgconn::http
