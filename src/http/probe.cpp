#include "http/probe.h"

namespace pgconn::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool form_decode(std::string_view text, std::string* out) {
  out->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      *out += ' ';
    } else if (c != '%') {
      *out += c;
    } else {
      int hi = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
      int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return false;
      *out += static_cast<char>(hi * 16 + lo);
      i += 2;
    }
  }
  return true;
}

ProbeTarget find_probe_target(std::string_view query, const std::vector<std::string>& names) {
  ProbeTarget result;
  std::string wanted, key, value;
  size_t found = 0;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    if (!form_decode(pair.substr(0, eq), &key) ||
        !form_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), &value)) {
      result.message = "malformed query string (bad percent-encoding)\n";
      return result;
    }
    if (key != "target") continue;
    if (++found > 1) {
      result.message = "the target parameter is repeated: give exactly one target=NAME\n";
      return result;
    }
    wanted = value;
  }
  if (found == 0) {
    result.message = "missing parameter: target=NAME (a target name from the configuration)\n";
    return result;
  }
  if (wanted.empty()) {
    result.message = "the target parameter is empty: give target=NAME (a target name from the configuration)\n";
    return result;
  }
  // Only names from the configuration: never a DSN or a host to connect to.
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == wanted) return {200, i, ""};
  }
  result.status = 404;
  result.message = "unknown target: only names from the configuration are accepted\n";
  return result;
}

}  // namespace pgconn::http
