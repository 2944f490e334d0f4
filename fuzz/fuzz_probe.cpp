// find_probe_target answers 200 only for exactly one target parameter naming
// a configured target, 404 for one unknown name and 400 otherwise.
// Input: first byte = number of target names (0-7), then lines: the names,
// then "key=value" query parameters (already decoded, as httplib hands them).
#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "http/probe.h"

namespace {

void require(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t name_count = data[0] % 8;
  std::istringstream lines(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  std::vector<std::string> names;
  std::multimap<std::string, std::string> params;
  for (std::string line; std::getline(lines, line);) {
    if (names.size() < name_count) {
      names.push_back(line);
      continue;
    }
    size_t eq = line.find('=');
    params.emplace(line.substr(0, eq), eq == std::string::npos ? "" : line.substr(eq + 1));
  }
  pgconn::ProbeTarget found = pgconn::find_probe_target(params, names);
  size_t targets = params.count("target");
  switch (found.status) {
    case 200: {
      require(targets == 1 && found.index < names.size());
      const std::string& wanted = params.find("target")->second;
      require(names[found.index] == wanted);
      for (size_t i = 0; i < found.index; ++i) require(names[i] != wanted);
      break;
    }
    case 404: {
      require(targets == 1);
      for (const std::string& name : names) require(name != params.find("target")->second);
      break;
    }
    case 400:
      require(targets != 1);
      break;
    default:
      require(false);
  }
  return 0;
}
