// find_probe_target answers 200 only for exactly one non-empty target
// parameter naming a configured target, 404 for one unknown name and 400
// otherwise. Input: first byte = number of target names (0-7), then lines:
// the names, then the raw query string as a client sends it.
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "http/probe.h"

namespace {

void require(bool condition) {
  if (!condition) __builtin_trap();
}

// The decoded values of every `target` parameter; false when a pair does
// not decode (the whole query is then a 400).
bool targets_in(std::string_view query, std::vector<std::string>& targets) {
  std::string key, value;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    bool ok = pgconn::http::form_decode(pair.substr(0, eq), &key) &&
              pgconn::http::form_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), &value);
    if (!ok) return false;
    if (key == "target") targets.push_back(value);
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t name_count = data[0] % 8;
  std::istringstream lines(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  std::vector<std::string> names;
  std::string query, line;
  while (names.size() < name_count && std::getline(lines, line)) names.push_back(line);
  std::getline(lines, query, '\0');
  pgconn::http::ProbeTarget found = pgconn::http::find_probe_target(query, names);
  std::vector<std::string> targets;
  bool decodes = targets_in(query, targets);
  switch (found.status) {
    case 200: {
      require(decodes && targets.size() == 1 && found.index < names.size());
      require(names[found.index] == targets[0]);
      for (size_t i = 0; i < found.index; ++i) require(names[i] != targets[0]);
      break;
    }
    case 404:
      require(decodes && targets.size() == 1 && !targets[0].empty());
      for (const std::string& name : names) require(name != targets[0]);
      break;
    case 400:
      require(!decodes || targets.size() != 1 || targets[0].empty());
      break;
    default:
      require(false);
  }
  return 0;
}
